"""What a reminder email says and carries: the draft, links to act on it, headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from crm.models import Profile
from followups import scheduler
from followups.models import FollowUp
from followups.scheduler.emails import reminder_message
from tests.factories import make_application, make_company, make_contact, make_followup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
SITE = "https://crm.example.org"


@pytest.fixture
def reply(alice):
    Profile.objects.filter(user=alice).update(digest_hour=None, time_zone="Europe/Berlin")
    company = make_company(alice, name="Globex")
    contact = make_contact(alice, first_name="Dana", last_name="Reyes", email="dana@globex.com")
    return make_followup(
        alice,
        contact=contact,
        application=make_application(alice, company=company, title="Data Engineer"),
        kind=FollowUp.Kind.REPLY,
        due_at=NOW - timedelta(minutes=1),
        deadline=NOW + timedelta(days=1),
        draft_subject="Thank you, and a request",
        draft_body="Hi Dana,\n\nThank you for letting me know & for your time.\n",
    )


def send_one() -> mail.EmailMultiAlternatives:
    with override_settings(SITE_URL=SITE), time_machine.travel(NOW, tick=False):
        scheduler.tick()
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_the_reminder_names_the_task_the_contact_and_the_company(reply):
    message = send_one()
    assert message.subject == "Reply to the rejection: Dana Reyes (Globex)"
    assert "Dana Reyes at Globex" in message.body


def test_the_reminder_is_multipart_text_and_html(reply):
    message = send_one()
    assert message.body.strip()
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html" and html.lstrip().startswith("<!doctype html>")


def test_the_reminder_carries_the_draft_in_both_parts(reply):
    message = send_one()
    html = message.alternatives[0][0]
    assert "Subject: Thank you, and a request" in message.body
    assert "Thank you for letting me know & for your time." in message.body
    # In HTML the draft is escaped, not interpreted.
    assert "Thank you for letting me know &amp; for your time." in html


def test_the_reminder_links_to_the_draft_page_from_site_url(reply):
    message = send_one()
    url = SITE + reverse("followups:draft", args=[reply.pk])
    assert url in message.body and url in message.alternatives[0][0]


def test_the_reminder_has_a_mailto_link_with_the_draft_filled_in(reply):
    message = send_one()
    mailto = f"mailto:dana@globex.com?subject={quote('Thank you, and a request')}&body="
    assert mailto in message.body
    # RFC 6068: line breaks as CRLF, the same link the draft editor offers.
    assert "body=Hi%20Dana%2C%0D%0A%0D%0AThank%20you%20for%20letting%20me%20know%20%26" in (
        message.body
    )


def test_the_due_time_is_shown_in_the_owners_time_zone(reply):
    message = send_one()
    assert "Due: Tue 10 Mar 2026, 14:59 (Europe/Berlin)" in message.body


def test_the_reminder_has_a_deterministic_message_id(reply):
    message = send_one()
    stamp = int(reply.due_at.timestamp())
    assert message.extra_headers["Message-ID"] == f"<followup-{reply.pk}-{stamp}@crm.example.org>"
    profile = Profile.for_user(reply.owner)
    with override_settings(SITE_URL=SITE):
        again = reminder_message(reply, profile)
    assert again.extra_headers["Message-ID"] == message.extra_headers["Message-ID"]


def test_the_reminder_offers_one_click_unsubscribe_with_a_signed_link(reply):
    message = send_one()
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/reminders/unsubscribe/") and header.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header[1:-1] in message.body


def test_a_connect_reminder_links_to_linkedin_instead_of_a_mail_client(alice):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    contact = make_contact(alice, linkedin_url="https://www.linkedin.com/in/dana-reyes")
    make_followup(alice, contact=contact, kind=FollowUp.Kind.CONNECT, due_at=NOW)
    message = send_one()
    assert "https://www.linkedin.com/in/dana-reyes" in message.body
    assert "mailto:" not in message.body


def test_a_follow_up_without_a_stored_draft_gets_one_rendered(alice):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    contact = make_contact(alice, first_name="Priya")
    make_followup(
        alice,
        contact=contact,
        kind=FollowUp.Kind.REPLY,
        due_at=NOW,
        draft_subject="",
        draft_body="",
    )
    message = send_one()
    assert "Priya" in message.body.split("Your draft", 1)[1]


def test_the_reminder_says_nothing_was_sent_to_the_contact(reply):
    assert "Nothing is sent to Dana for you" in send_one().body


def test_a_goal_reminder_points_to_the_growth_plan_not_a_draft(alice):
    Profile.objects.filter(user=alice).update(digest_hour=None)
    make_followup(
        alice,
        kind=FollowUp.Kind.GOAL,
        due_at=NOW,
        deadline=NOW + timedelta(days=2),
        draft_subject="Goal: practise system design",
        draft_body="Your goal “practise system design” is due on Thursday.",
    )
    message = send_one()
    assert SITE + reverse("followups:growth") in message.body
    assert "Your goal “practise system design” is due on Thursday." in message.body
    assert "Your draft" not in message.body and "mark it sent" not in message.body
    assert "Deadline: Thu 12 Mar 2026" in message.body


def test_the_reminder_picks_its_mime_boundary_before_it_is_written(reply):
    # Chosen up front, the generator need not search the body for a clash (the cost is in
    # bench/README.md); 128 random bits cannot be in the text.
    with override_settings(SITE_URL=SITE):
        message = reminder_message(reply, Profile.for_user(reply.owner)).message()
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_boundary().startswith("==fcrm-")
    assert message.get_boundary() in message.as_string()


@override_settings(SITE_URL=SITE)
def test_in_one_batch_each_reminder_links_its_own_draft_and_its_owners_unsubscribe(alice, bob):
    # The tick works the links out once per batch and owner (emails.ReminderParts): every
    # email must still carry its own follow-up's page and its own owner's opt-out.
    for user in (alice, bob):
        Profile.objects.filter(user=user).update(digest_hour=None)
    made = [
        make_followup(owner, kind=kind, due_at=NOW - timedelta(minutes=n + 1))
        for n, (owner, kind) in enumerate(
            [(alice, FollowUp.Kind.CUSTOM), (bob, FollowUp.Kind.CUSTOM)] * 2
            + [(alice, FollowUp.Kind.GOAL)]
        )
    ]
    with time_machine.travel(NOW, tick=False):
        scheduler.tick()
    assert len(mail.outbox) == len(made)
    by_id = {m.extra_headers["Message-ID"]: m for m in mail.outbox}
    for followup in made:
        message = by_id[
            f"<followup-{followup.pk}-{int(followup.due_at.timestamp())}@crm.example.org>"
        ]
        assert message.to == [followup.owner.email]
        page = (
            reverse("followups:growth")
            if followup.kind == FollowUp.Kind.GOAL
            else reverse("followups:draft", args=[followup.pk])
        )
        assert f"{SITE}{page}\n" in message.body
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        Client().post(link.removeprefix(SITE))  # the one-click opt-out turns off the owner's
        opted_out = set(
            Profile.objects.filter(email_reminders=False).values_list("user", flat=True)
        )
        assert opted_out == {followup.owner_id}
        Profile.objects.update(email_reminders=True)
