"""Placeholder filling: synonyms, case and apostrophes, missing data, and plain text only."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication
from followups.drafts import (
    check_draft,
    fill_placeholders,
    placeholder_values,
    render_draft,
)
from followups.models import FollowUp, ReplyTemplate
from tests.factories import make_application, make_company, make_contact, make_user


@pytest.fixture
def seeker(db):
    user = make_user("seeker", signature="Alex Morgan · alex@example.com")
    user.first_name, user.last_name = "Alex", "Morgan"
    user.save()
    return user


@pytest.fixture
def followup(seeker):
    company = make_company(seeker, name="Northwind")
    application = make_application(seeker, company=company, title="Data Engineer")
    contact = make_contact(seeker, first_name="Dana", last_name="Whitfield", company=company)
    return FollowUp(owner=seeker, contact=contact, application=application, kind="reply")


@pytest.mark.parametrize(
    ("placeholder", "expected"),
    [
        ("[First Name]", "Dana"),
        ("[first name]", "Dana"),
        ("[FIRST NAME]", "Dana"),
        ("[first_name]", "Dana"),
        ("[Name]", "Dana"),
        ("[Hiring Manager's Name]", "Dana"),
        ("[Hiring Manager’s Name]", "Dana"),
        ("[hiring manager‘s name]", "Dana"),
        ("[Recruiter's Name]", "Dana"),
        ("[Interviewer Name]", "Dana"),
        ("[Full Name]", "Dana Whitfield"),
        ("[Last Name]", "Whitfield"),
        ("[Company Name]", "Northwind"),
        ("[Company]", "Northwind"),
        ("[company’s name]", "Northwind"),
        ("[Organisation]", "Northwind"),
        ("[Job Title]", "Data Engineer"),
        ("[Position]", "Data Engineer"),
        ("[Role]", "Data Engineer"),
        ("[Your Name]", "Alex Morgan"),
        ("[Your Full Name]", "Alex Morgan"),
        ("[Your First Name]", "Alex"),
        ("[Signature]", "Alex Morgan · alex@example.com"),
        ("[Your Email Address]", "seeker@example.com"),
    ],
)
def test_known_placeholders_and_their_synonyms_are_filled(followup, placeholder, expected):
    values = placeholder_values(followup)
    assert fill_placeholders(f"<{placeholder}>", values) == f"<{expected}>"


def test_unknown_placeholders_stay_for_the_user_and_are_flagged(followup):
    text = "I enjoyed [something from the interview], [First Name]."
    filled = fill_placeholders(text, placeholder_values(followup))
    assert filled == "I enjoyed [something from the interview], Dana."
    (finding,) = [f for f in check_draft(filled, kind="custom") if f.code == "placeholder"]
    assert finding.excerpt == "[something from the interview]"
    assert "your own words" in finding.message


def test_without_a_company_the_company_placeholder_is_kept_and_flagged(seeker):
    contact = make_contact(seeker, first_name="Dana")
    followup = FollowUp(owner=seeker, contact=contact, kind="reply")
    subject, body = render_draft(followup)
    assert "[Company Name]" in body
    assert "[Job Title]" in body
    messages = [f.message for f in check_draft(body, kind="reply") if f.code == "placeholder"]
    assert any("has a company" in m for m in messages)
    assert any("no application" in m for m in messages)


def test_the_contacts_company_is_used_when_there_is_no_application(seeker):
    contact = make_contact(seeker, company=make_company(seeker, name="Globex"))
    followup = FollowUp(owner=seeker, contact=contact, kind="check_in")
    assert "Globex" in render_draft(followup)[1]


def test_without_a_contact_the_greeting_placeholder_is_kept(seeker):
    followup = FollowUp(owner=seeker, kind="application_check")
    assert render_draft(followup)[1].startswith("Hi [First Name],")


def test_without_a_signature_the_name_signs_and_without_a_name_the_placeholder_stays(db):
    nameless = make_user("nameless")
    followup = FollowUp(owner=nameless, contact=make_contact(nameless), kind="reply")
    assert render_draft(followup)[1].rstrip().endswith("[Signature]")
    nameless.first_name, nameless.last_name = "Kim", "Ode"
    assert render_draft(followup)[1].rstrip().endswith("Kim Ode")


def test_filled_values_are_not_scanned_again(followup):
    followup.contact.first_name = "[Company Name]"
    assert fill_placeholders("Hi [First Name]", placeholder_values(followup)) == (
        "Hi [Company Name]"
    )


def test_template_syntax_in_a_contact_name_stays_literal(followup):
    followup.contact.first_name = "{{ user.password }}{% debug %}"
    body = render_draft(followup)[1]
    assert body.startswith("Hi {{ user.password }}{% debug %},")


def test_the_users_override_is_used_and_its_template_syntax_stays_literal(followup, seeker):
    ReplyTemplate.objects.create(
        owner=seeker,
        kind="reply",
        variant="custom",
        subject="{% now 'Y' %} for [Company Name]",
        body="Dear [First Name], {{ settings.SECRET_KEY }} {# not a comment #}",
    )
    subject, body = render_draft(followup)
    assert subject == "{% now 'Y' %} for Northwind"
    assert body == "Dear Dana, {{ settings.SECRET_KEY }} {# not a comment #}"


def test_another_users_override_is_not_used(followup):
    other = make_user("other")
    ReplyTemplate.objects.create(owner=other, kind="reply", subject="Other", body="Other's")
    assert render_draft(followup)[0] != "Other"


def test_a_thank_you_override_from_the_interview_variant_skips_feedback_thank_yous(seeker):
    contact = make_contact(seeker, first_name="Dana")
    ReplyTemplate.objects.create(
        owner=seeker, kind="thank_you", variant="interview", subject="Mine", body="Mine"
    )
    after_interview = FollowUp(
        owner=seeker,
        contact=contact,
        kind="thank_you",
        source=Interaction(owner=seeker, contact=contact, kind="interview"),
    )
    after_feedback = FollowUp(
        owner=seeker,
        contact=contact,
        kind="thank_you",
        source=Interaction(owner=seeker, contact=contact, kind="feedback"),
    )
    assert render_draft(after_interview) == ("Mine", "Mine")
    assert render_draft(after_feedback)[0] == "Thank you for the feedback"


# Properties ---------------------------------------------------------------------------

VALUES = st.dictionaries(
    st.sampled_from(["first_name", "company", "job_title", "your_name", "signature"]),
    st.text(max_size=30),
)


@given(text=st.text(max_size=300), values=VALUES)
def test_filling_never_raises_on_any_text(text, values):
    assert isinstance(fill_placeholders(text, values), str)


@given(text=st.text(alphabet=st.characters(blacklist_characters="[]"), max_size=300))
def test_text_without_brackets_comes_back_unchanged(text):
    assert fill_placeholders(text, {"first_name": "Dana"}) == text


TEMPLATE_SYNTAX = st.sampled_from(
    ["{{ x }}", "{% now 'Y' %}", "{# c #}", "{{ request.user.password }}", "{% load static %}"]
)


@given(
    before=st.text(max_size=50),
    syntax=TEMPLATE_SYNTAX,
    after=st.text(max_size=50),
    value=st.text(max_size=20),
)
def test_template_syntax_is_never_evaluated(before, syntax, after, value):
    # Whatever surrounds it, and whatever a value holds, the syntax comes out literally.
    filled = fill_placeholders(f"{before}]{syntax}[{after}", {"first_name": value})
    assert syntax in filled


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.text(max_size=40),
    company=st.text(max_size=40),
    title=st.text(max_size=40),
)
def test_rendering_any_names_never_raises_and_keeps_them_literal(seeker, first, company, title):
    # Unsaved rows: no database writes per example.
    contact = Contact(owner=seeker, first_name=first)
    application = JobApplication(
        owner=seeker, company=Company(owner=seeker, name=company), title=title
    )
    followup = FollowUp(owner=seeker, contact=contact, application=application, kind="reply")
    subject, body = render_draft(followup)
    if first.strip():
        assert body.startswith(f"Hi {first.strip()},")
    if company.strip():
        assert company.strip() in body
    check_draft(body, kind="reply", subject=subject)


@given(body=st.text(max_size=400), subject=st.text(max_size=80))
def test_the_checker_never_raises(body, subject):
    for finding in check_draft(body, kind="reply", subject=subject):
        if finding.span is not None:
            text = subject if finding.field == "subject" else body
            assert 0 <= finding.span[0] <= finding.span[1] <= len(text)
