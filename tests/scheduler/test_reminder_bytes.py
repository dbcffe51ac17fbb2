"""The reminder's fast path writes exactly what the slow one would: the text and HTML its
template triplet renders, and the bytes Django's MIME machinery gives (same headers,
folding, parts and line ends), over every branch of the templates."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from crm.models import Profile
from followups.models import FollowUp
from followups.scheduler import emails
from tests.factories import make_application, make_company, make_contact, make_followup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
HEADERS = {"Message-ID": "<one@example.com>", "List-Unsubscribe": "<https://crm.example.com/u/x/>"}


def variants(owner) -> list[FollowUp]:
    """Follow-ups that take every branch: with or without a contact, a company, a mail
    address, LinkedIn; goals; no stored draft; text that needs escaping; non-ASCII."""
    company = make_company(owner, name="Müller & <Söhne>")
    plain = make_contact(owner, first_name="Dana", last_name="Reyes", email="dana@globex.com")
    tricky = make_contact(
        owner,
        first_name='Zoë "Z"',
        last_name="O'Brien <b>",
        email="",
        linkedin_url="https://www.linkedin.com/in/zoe?a=1&b=2",
        company=company,
    )
    bad_link = make_contact(owner, first_name="Eve", linkedin_url="javascript:alert(1)")
    application = make_application(owner, company=company, title="Data & AI")
    made = []
    for kind, contact, app, subject, deadline in itertools.product(
        [FollowUp.Kind.REPLY, FollowUp.Kind.CONNECT, FollowUp.Kind.GOAL, FollowUp.Kind.CUSTOM],
        [None, plain, tricky, bad_link],
        [None, application],
        ["Thanks & more <3", ""],
        [None, NOW + timedelta(days=1)],
    ):
        made.append(
            make_followup(
                owner,
                contact=contact,
                application=app,
                kind=kind,
                due_at=NOW - timedelta(minutes=1),
                deadline=deadline,
                draft_subject=subject,
                draft_body="Hi,\n\nThank you \u2014 <really> & 'truly'.\r\nBest" if subject else "",
            )
        )
    return made


@pytest.fixture
def profile(alice):
    Profile.objects.filter(user=alice).update(time_zone="Europe/Berlin")
    return Profile.for_user(alice)


@pytest.mark.parametrize("late", [False, True])
def test_the_fast_reminder_text_is_what_the_templates_render(alice, profile, late):
    for followup in variants(alice):
        context = emails.reminder_context(followup, profile, late=late)
        subject, text, html = emails.render_reminder(context)
        t_subject, t_text, t_html = emails.render_reminder_templates(context)
        assert " ".join(subject.split()) == " ".join(t_subject.split())
        assert text == t_text, followup
        assert html == t_html, followup


@pytest.mark.parametrize(
    "from_email", ["Follow-up CRM <reminders@example.com>", "Zoë’s CRM <crm@exämple.com>"]
)
def test_the_reminder_bytes_are_what_djangos_message_gives(alice, profile, from_email):
    with override_settings(DEFAULT_FROM_EMAIL=from_email), time_machine.travel(NOW, tick=False):
        for late, followup in itertools.product([False, True], variants(alice)[::3]):
            message = emails.reminder_message(followup, profile, late=late)
            assert message.as_bytes() == message.message().as_bytes(linesep="\r\n")


@pytest.mark.parametrize(
    "subject",
    [
        "Reply: Dana Longname-Hyphenated-Person (Initech Global Industries Incorporated Ltd)",
        "Antwort: Zoë Ångström (Müller & Söhne Bäckerei und Konditorei GmbH, Köln-Ehrenfeld)",
        "短い件名ですがとても長い会社名の株式会社グローバルインダストリーズ東京本社営業部",
    ],
)
def test_long_and_non_ascii_subjects_fold_the_same_way(subject):
    message = emails.ReminderEmail(
        subject=subject,
        body="Hi",
        from_email="crm@example.com",
        to=["alice@example.com"],
        headers=HEADERS,
    )
    message.attach_alternative("<p>Hi</p>", "text/html")
    with time_machine.travel(NOW, tick=False):
        assert message.as_bytes() == message.message().as_bytes(linesep="\r\n")


def test_a_line_django_would_quoted_printable_encode_takes_djangos_path():
    long_line = "é" * 600  # 1,200 bytes: over RFC 5322's 998
    message = emails.ReminderEmail(
        subject="Hi",
        body=long_line,
        from_email="crm@example.com",
        to=["alice@example.com"],
        headers=HEADERS,
    )
    message.attach_alternative(f"<p>{long_line}</p>", "text/html")
    with time_machine.travel(NOW, tick=False):
        raw = message.as_bytes()
        assert raw == message.message().as_bytes(linesep="\r\n")
    assert b"quoted-printable" in raw
