"""The bookmarklet in Chromium: on a posting page served from another site, one click
opens the pre-filled form in a new tab (through the relay page and its one-time ticket);
one confirm puts the card on the board; the next click finds it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from crm.models import JobApplication
from followups.models import FollowUp
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def log_in(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def test_the_bookmarklet_captures_a_posting_into_a_wishlist_card(
    context, posting_server, screenshot, transactional_db
):
    sam = make_user("sam")
    page = context.new_page()
    log_in(page, "sam")
    page.goto("/applications/capture/")
    screenshot(page, "capture-page")
    page.goto("/applications/board/")
    href = page.locator("#bookmarklet").get_attribute("href")
    assert href.startswith("javascript:")

    # The posting lives on another site (127.0.0.1, the app is on localhost).
    page.goto(f"http://127.0.0.1:{posting_server.port}/jobs/future")
    with context.expect_page() as opened:
        page.evaluate(href.removeprefix("javascript:"))
    form = opened.value
    form.wait_for_url("**/applications/capture/review/*/")

    closing = date.today() + timedelta(days=28)
    expect(form.get_by_label("Company")).to_have_value("Acme Robotics")
    expect(form.get_by_label("Job title")).to_have_value("Senior Backend Engineer")
    expect(form.get_by_label("Salary min")).to_have_value("70000")
    expect(form.get_by_label("Salary max")).to_have_value("90000")
    expect(form.get_by_label("Closing date")).to_have_value(closing.isoformat())
    expect(form.get_by_label("Status")).to_have_value("wishlist")
    screenshot(form, "capture-bookmarklet-review")
    form.get_by_role("button", name="Save").click()

    form.wait_for_url("**/applications/*/")
    expect(form.locator("#documents-sent")).to_contain_text("None recorded")
    screenshot(form, "capture-application-detail")
    form.goto("/applications/board/")
    card = form.locator("[data-drop-status=wishlist] li", has_text="Senior Backend Engineer")
    expect(card).to_contain_text("Acme Robotics")
    expect(card).to_contain_text("Berlin, BE, DE")
    expect(card).to_contain_text(f"Closes {closing.day} {closing:%b}")
    screenshot(form, "capture-bookmarklet-board")
    application = JobApplication.objects.get(owner=sam)
    assert application.posting_url == f"http://127.0.0.1:{posting_server.port}/jobs/future"
    assert FollowUp.objects.filter(
        application=application, kind="custom", status="pending"
    ).exists()

    # The next click on the same posting (a new one-time ticket) finds the application.
    with context.expect_page() as reopened:
        page.evaluate(href.removeprefix("javascript:"))
    again = reopened.value
    again.wait_for_url(f"**/applications/{application.pk}/")
    expect(again.locator("body")).to_contain_text("You saved this on")
    assert JobApplication.objects.filter(owner=sam).count() == 1
