"""The journey a new user walks (issue 12), in Chromium at desktop and at 375 px width:
sign up with an email from a browser in New York, paste a rejection, edit and send the
reply, see the nudge on the right New York morning, receive its reminder over real SMTP,
and see the nudge cancelled once the recruiter answers.

The live server runs in this process, so time-machine moves its clock too.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from contacts.models import Interaction
from crm.models import Profile
from followups.models import FollowUp
from tests.browser.test_followup_flow import VIEWPORTS, fits_the_screen, log_in
from tests.factories import make_contact, make_followup, make_user
from tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.browser

# Monday 8 March 2027, 11:00 in New York (still EST, UTC-5). A week later, Monday
# 15 March, New York is on summer time (EDT, UTC-4): 09:00 there is 13:00 UTC.
START = datetime(2027, 3, 8, 16, 0, tzinfo=UTC)
NUDGE_MORNING = datetime(2027, 3, 15, 13, 0, tzinfo=UTC)

REJECTION = """\
From: Priya Shah <priya.shah@contoso.example>
Date: Mon, 8 Mar 2027 10:00:00 -0500
Subject: Your application

Hi Sam,

Thank you for applying for the Product Designer role at Contoso. Unfortunately we have
decided to move forward with other candidates.

Best regards,
Priya Shah
Recruiter | Contoso
"""
ANSWER = """\
From: Priya Shah <priya.shah@contoso.example>
Subject: Re: Thank you

Hi Sam,

Here is some feedback from the panel: your portfolio was strong; we would have liked
more user research in the case study.

Priya
"""


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, live_server, settings):
    settings.SIGNUP_ENABLED = True
    context = browser.new_context(
        viewport=VIEWPORTS[request.param],
        base_url=live_server.url,
        timezone_id="America/New_York",
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.viewport_name = request.param
    yield tab
    context.close()


@pytest.fixture
def smtp(settings):
    with smtp_sink() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        yield sink


def test_a_new_user_gets_the_nudge_at_the_right_new_york_morning_by_email_once(
    page, smtp, screenshot, transactional_db
):
    name = page.viewport_name
    with time_machine.travel(START, tick=True):
        # Sign up with an email; the first run takes the browser's time zone as it is.
        page.goto("/accounts/signup/")
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Email").fill("sam@example.org")
        page.locator("#id_password1").fill("a-long-pass-phrase-42")
        page.locator("#id_password2").fill("a-long-pass-phrase-42")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/welcome/")
        expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
        page.get_by_label("First name").fill("Sam")
        page.get_by_label("Last name").fill("Rivera")
        screenshot(page, f"{name}-journey-first-run")
        page.get_by_role("button", name="Save and go to the dashboard").click()
        page.wait_for_url("**/")
        assert Profile.objects.get(user__username="sam").time_zone == "America/New_York"
        assert "no email address" not in page.content()

        # Paste the rejection into quick log.
        page.goto("/log/rejection/")
        page.get_by_label("Paste the email").fill(REJECTION)
        page.get_by_role("button", name="Fill in from the email").click()
        expect(page.get_by_label("Their name")).to_have_value("Priya Shah")
        expect(page.get_by_label("Job title")).to_have_value("Product Designer")
        assert fits_the_screen(page)
        page.get_by_role("button", name="Save the rejection").click()
        page.wait_for_url("**/log/*/")
        page.get_by_role("link", name="Go to the dashboard").click()

        # Open the reply draft, edit it and mark it sent.
        row = page.locator(".followup-row", has_text="Reply to the rejection: Priya Shah")
        row.get_by_role("link", name="Open draft").click()
        page.wait_for_url("**/draft/")
        body = page.get_by_label("Message", exact=True)
        assert body.input_value().startswith("Hi Priya,")
        body.fill(body.input_value() + "\nI enjoyed meeting the design team.\n")
        expect(page.get_by_role("checkbox", name="It asks them for feedback")).to_be_checked()
        screenshot(page, f"{name}-journey-draft")
        page.get_by_role("button", name="Mark sent").click()
        page.wait_for_url("**/?sent=*")

        # The dashboard says when the nudge comes, on Monday morning in New York.
        expect(page.locator("main")).to_contain_text(
            "If Priya stays silent, a nudge on Mon 15 Mar, 09:00."
        )
        nudge_row = page.locator(".followup-row", has_text="Nudge for feedback: Priya Shah")
        expect(nudge_row).to_contain_text("Due Mon 15 Mar, 09:00")
        assert fits_the_screen(page)
        screenshot(page, f"{name}-journey-nudge")
        expect(page.get_by_role("button", name="Undo mark sent")).to_be_visible()
        sent = Interaction.objects.get(direction="outbound")
        assert "I enjoyed meeting the design team." in sent.body and sent.requests_feedback
        nudge = FollowUp.objects.get(kind="feedback_nudge", status="pending")
        assert nudge.due_at == NUDGE_MORNING

        # Five minutes after that morning, one tick mails one reminder to Sam's address.
        with time_machine.travel(NUDGE_MORNING.replace(minute=5), tick=True):
            call_command("send_reminders", verbosity=0)
            call_command("send_reminders", verbosity=0)  # a second tick sends nothing new
            reminders = [m for m in smtp.parsed() if m["Subject"].startswith("Nudge")]
            assert len(reminders) == 1
            (reminder,) = reminders
            assert reminder["To"] == "sam@example.org"
            assert reminder["Subject"] == "Nudge for feedback: Priya Shah (Contoso)"

            # Priya answers with feedback: logging it cancels the nudge.
            page.goto("/log/interaction/")
            page.get_by_label("Paste the email").fill(ANSWER)
            page.get_by_role("button", name="Fill in from the email").click()
            expect(page.get_by_label("What it was")).to_have_value("feedback")
            expect(page.locator("#kind-effect")).to_contain_text("A thank-you note to them")
            page.get_by_role("button", name="Save the interaction").click()
            page.wait_for_url("**/log/*/")
            expect(page.locator("main")).to_contain_text("Priya answered, so no nudge is needed")
            screenshot(page, f"{name}-journey-answered")
    nudge.refresh_from_db()
    assert nudge.status == "cancelled"
    assert FollowUp.objects.filter(kind="thank_you", status="pending").count() == 1


# Item 10: edits in the draft editor are not lost without warning ------------------------


@pytest.fixture
def editor(browser, live_server, transactional_db):
    """The draft editor of a reply to Dana, open in a desktop browser."""
    sam = make_user("sam")
    followup = make_followup(sam, contact=make_contact(sam, first_name="Dana"), kind="reply")
    context = browser.new_context(viewport=VIEWPORTS["desktop"], base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    log_in(tab, "sam")
    tab.goto(f"/followups/{followup.pk}/draft/")
    yield tab
    context.close()


def test_leaving_the_draft_editor_with_unsaved_edits_asks_first(editor):
    dialogs: list[str] = []
    editor.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    editor.get_by_label("Message", exact=True).press_sequentially(" edited", delay=5)
    editor.get_by_role("link", name="Back to the dashboard").click()
    editor.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]  # dismissed: the page stays, with the edit
    assert editor.url.endswith("/draft/")
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("main")).to_contain_text("Draft saved.")
    editor.get_by_role("link", name="Back to the dashboard").click()
    editor.wait_for_url("**/")
    assert dialogs == ["beforeunload"]  # saved: leaving asks nothing
