"""The job seeker's main loop in a real browser, on a desktop and on a 375 px phone.

Log in, log a rejection by pasting the email, see the reply on the dashboard, open its
draft, mark it sent and see the reply done with a check-in scheduled; then snooze one
follow-up and dismiss-and-undo another without the page reloading.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from followups.models import FollowUp
from tests.factories import PASSWORD, make_contact, make_followup, make_user

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 375, "height": 740},
}


def pasted_rejection() -> str:
    sent = format_datetime(timezone.now() - timedelta(hours=2))
    return (
        "From: Dana Reyes <dana.reyes@acme-robotics.com>\n"
        f"Date: {sent}\n"
        "Subject: Your application for Senior Backend Engineer\n\n"
        "Hi Sam,\n\nThank you for interviewing with us. We went with another candidate.\n\n"
        "Best regards,\nDana Reyes\nTalent Partner | Acme Robotics\n"
    )


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, live_server):
    context = browser.new_context(viewport=VIEWPORTS[request.param], base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.viewport_name = request.param
    yield tab
    context.close()


def log_in(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_log_a_rejection_then_reply_from_the_dashboard(page, screenshot, transactional_db):
    make_user("sam")
    name = page.viewport_name
    log_in(page, "sam")
    assert "Start with the last rejection you received" in page.content()
    screenshot(page, f"{name}-dashboard-empty")

    page.locator("main").get_by_role("link", name="Log a rejection").first.click()
    page.get_by_label("Paste the email").fill(pasted_rejection())
    page.get_by_role("button", name="Fill in from the email").click()
    assert page.get_by_label("Their name").input_value() == "Dana Reyes"
    assert page.get_by_label("Company").input_value() == "Acme Robotics"
    assert page.get_by_label("Job title").input_value() == "Senior Backend Engineer"
    assert fits_the_screen(page)
    screenshot(page, f"{name}-log-rejection")
    page.get_by_role("button", name="Save the rejection").click()

    page.wait_for_url("**/log/*/")
    assert page.get_by_text("Reply to the rejection: Dana Reyes").is_visible()
    screenshot(page, f"{name}-log-result")

    page.get_by_role("link", name="Go to the dashboard").click()
    row = page.locator(".followup-row", has_text="Reply to the rejection: Dana Reyes")
    # Due tomorrow, the reply may be in "this week", which loads as it comes into view.
    expect(row).to_be_visible()
    assert "Senior Backend Engineer at Acme Robotics" in row.inner_text()
    assert fits_the_screen(page)
    screenshot(page, f"{name}-dashboard")

    row.get_by_role("link", name="Open draft").click()
    page.wait_for_url("**/draft/")
    assert "Dana" in page.locator("textarea").first.input_value()
    screenshot(page, f"{name}-draft")
    page.go_back()

    page.evaluate("window.sameDocument = true")
    row = page.locator(".followup-row", has_text="Reply to the rejection: Dana Reyes")
    row.get_by_role("button", name="Mark sent").click()
    done = page.locator(".followup-row[data-status='done']")
    expect(done).to_contain_text("Marked sent to Dana Reyes.")
    expect(done).to_contain_text("Next: Check in, due")
    assert page.evaluate("window.sameDocument") is True  # no reload
    screenshot(page, f"{name}-marked-sent")
    reply = FollowUp.objects.get(kind="reply")
    assert reply.status == "done"
    assert FollowUp.objects.filter(kind="check_in", status="pending").count() == 1


def test_pasting_an_email_fills_the_form_at_once(page, transactional_db):
    make_user("sam")
    log_in(page, "sam")
    page.goto("/log/rejection/")
    pasted = page.get_by_label("Paste the email")
    pasted.fill(pasted_rejection())
    pasted.dispatch_event("paste")
    expect(page.get_by_label("Their name")).to_have_value("Dana Reyes")
    expect(page.get_by_label("Job title")).to_have_value("Senior Backend Engineer")


def test_snooze_and_undo_a_dismiss_without_reloading(page, screenshot, transactional_db):
    sam = make_user("sam")
    now = timezone.now()
    make_followup(sam, contact=make_contact(sam, first_name="Olu", last_name="Ade"), due_at=now)
    make_followup(sam, contact=make_contact(sam, first_name="Ines", last_name="Roa"), due_at=now)
    log_in(page, "sam")
    page.evaluate("window.sameDocument = true")

    olu = page.locator(".followup-row", has_text="Olu Ade")
    summary = olu.locator("summary", has_text="Snooze")
    summary.focus()
    page.keyboard.press("Enter")  # the snooze menu opens from the keyboard
    olu.get_by_role("button", name="In 3 days").click()
    expect(page.locator(".followup-row", has_text="Olu Ade")).to_contain_text("Snoozed until")

    ines = page.locator(".followup-row", has_text="Ines Roa")
    ines.get_by_role("button", name="Dismiss").click()
    expect(page.locator(".followup-row[data-status='dismissed']")).to_contain_text("Dismissed.")
    screenshot(page, f"{page.viewport_name}-dismissed")
    page.get_by_role("button", name="Undo").click()
    ines = page.locator(".followup-row[data-status='pending']", has_text="Ines Roa")
    expect(ines).to_contain_text("Back on your list.")

    assert page.evaluate("window.sameDocument") is True  # no reload
    olu_row, ines_row = (FollowUp.objects.get(contact__first_name=n) for n in ("Olu", "Ines"))
    assert olu_row.due_at > now + timedelta(days=2)
    assert ines_row.status == "pending"
