"""The built-in template library: every variant reads well, fits, and is our own wording."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from contacts.models import Interaction
from followups.drafts import check_draft, count_words, placeholder_key, render_draft
from followups.drafts.library import (
    BUILTIN_TEMPLATES,
    OCCASION_INTERVIEW,
    sync_builtin_templates,
    variants_for,
)
from followups.models import FollowUp, ReplyTemplate
from tests.factories import make_application, make_company, make_contact, make_user

ARTICLE = Path("/work/shared/reference/job-rejection-response-article.txt")


@pytest.fixture
def demo(db):
    """A demo job seeker with a contact at a company, and an application there."""
    user = make_user("demo_seeker", signature="Alex Morgan\nalex@example.com")
    user.first_name, user.last_name = "Alex", "Morgan"
    user.save()
    company = make_company(user, name="Northwind Analytics")
    application = make_application(user, company=company, title="Senior Data Engineer")
    contact = make_contact(user, first_name="Dana", last_name="Whitfield", company=company)
    return user, contact, application


def demo_followup(demo, template) -> FollowUp:
    user, contact, application = demo
    source = None
    if template.kind == "thank_you":
        kind = "interview" if template.occasion == OCCASION_INTERVIEW else "feedback"
        source = Interaction(owner=user, contact=contact, kind=kind, direction="inbound")
    return FollowUp(
        owner=user,
        contact=contact,
        application=application,
        source=source,
        kind=template.kind,
        due_at=timezone.now(),
    )


TEMPLATE_IDS = [f"{t.kind}-{t.variant}" for t in BUILTIN_TEMPLATES]


def test_every_kind_has_two_or_three_variants_per_occasion():
    for kind in FollowUp.Kind.values:
        occasions = {t.occasion for t in variants_for(kind)}
        for occasion in occasions:
            count = len([t for t in variants_for(kind) if t.occasion == occasion])
            assert 2 <= count <= 3, (kind, occasion)
    assert {t.occasion for t in variants_for("thank_you")} == {"interview", "feedback"}


@pytest.mark.parametrize("template", BUILTIN_TEMPLATES, ids=TEMPLATE_IDS)
def test_every_builtin_filled_for_a_demo_followup_passes_the_checker(demo, template):
    followup = demo_followup(demo, template)
    subject, body = render_draft(followup, variant=template.variant)
    findings = check_draft(body, kind=template.kind, channel=template.channel, subject=subject)
    # Only the deliberately personal placeholders remain, for the user to write.
    leftovers = [
        f
        for f in findings
        if not (f.code == "placeholder" and not placeholder_key(f.excerpt[1:-1]))
    ]
    assert leftovers == []
    assert "Dana" in body or template.kind == "goal"


@pytest.mark.parametrize("template", BUILTIN_TEMPLATES, ids=TEMPLATE_IDS)
def test_builtins_stay_short_even_with_long_names(demo, template):
    user, contact, application = demo
    contact.first_name = "Maximiliana-Josephine"
    application.company.name = "Northwind Analytics International"
    application.title = "Principal Data Platform Engineer"
    subject, body = render_draft(demo_followup(demo, template), variant=template.variant)
    if template.channel == "linkedin":
        assert len(body) <= 300
    else:
        assert count_words(body) <= 150


def _word_runs(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_no_builtin_repeats_a_run_of_six_words_from_the_article():
    article_runs = _word_runs(ARTICLE.read_text(), 6)
    for template in BUILTIN_TEMPLATES:
        copied = _word_runs(f"{template.subject} . {template.body}", 6) & article_runs
        assert not copied, (template.kind, template.variant, copied)


def test_the_default_reply_greets_the_contact_by_first_name(demo):
    user, contact, application = demo
    followup = FollowUp(owner=user, contact=contact, application=application, kind="reply")
    subject, body = render_draft(followup)
    assert body.startswith("Hi Dana,")
    assert "Senior Data Engineer" in body
    assert body.rstrip().endswith("Alex Morgan\nalex@example.com")


def test_a_thank_you_after_an_interview_thanks_for_the_interview(demo):
    user, contact, application = demo
    interview = Interaction(owner=user, contact=contact, kind="interview", direction="inbound")
    followup = FollowUp(owner=user, contact=contact, source=interview, kind="thank_you")
    assert render_draft(followup)[0] == "Thank you for today"
    feedback = Interaction(owner=user, contact=contact, kind="feedback", direction="inbound")
    followup.source = feedback
    assert render_draft(followup)[0] == "Thank you for the feedback"


# The built-ins mirrored to rows -------------------------------------------------------


def test_builtins_are_mirrored_to_rows_after_migrate(db):
    ReplyTemplate.objects.filter(owner=None).delete()
    call_command("migrate", verbosity=0)
    rows = ReplyTemplate.objects.filter(owner=None)
    assert rows.count() == len(BUILTIN_TEMPLATES)
    reply = rows.get(kind="reply", variant="warm")
    assert reply.body == variants_for("reply")[0].body
    assert rows.get(kind="connect", variant="stay-connected").channel == "linkedin"


def test_syncing_again_changes_nothing_and_repairs_edited_rows(db):
    sync_builtin_templates()
    assert sync_builtin_templates() == 0
    ReplyTemplate.objects.filter(owner=None, kind="reply", variant="warm").update(body="x")
    ReplyTemplate.objects.create(owner=None, kind="reply", variant="retired", body="old")
    assert sync_builtin_templates() == 2
    assert not ReplyTemplate.objects.filter(owner=None, variant="retired").exists()
    warm = ReplyTemplate.objects.get(owner=None, kind="reply", variant="warm")
    assert warm.body == variants_for("reply")[0].body


def test_syncing_leaves_users_overrides_alone(alice):
    mine = ReplyTemplate.objects.create(owner=alice, kind="reply", variant="warm", body="Mine")
    sync_builtin_templates()
    mine.refresh_from_db()
    assert mine.body == "Mine"
