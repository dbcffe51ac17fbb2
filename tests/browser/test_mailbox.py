"""Mailbox sync in a real browser against a real Dovecot, on a desktop and a 375 px phone.

Preferences → Mailbox: connect, "Test connection" with a wrong then the right password,
save, "Sync now"; then the Inbox page: Confirm a rejection, Change an invitation before
logging it, Ignore a message, until nothing is waiting.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from contacts.models import Interaction
from followups.models import FollowUp, MailMessage
from tests.browser.test_followup_flow import VIEWPORTS, fits_the_screen, log_in
from tests.factories import make_user
from tests.mailbox.conftest import dovecot, imap, mail  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, live_server):
    context = browser.new_context(viewport=VIEWPORTS[request.param], base_url=live_server.url)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.viewport_name = request.param
    yield tab
    context.close()


def fill_the_mailbox(imap) -> None:  # noqa: F811 - the fixture's value
    imap.append(
        "INBOX",
        mail(
            sender="Dana Reyes <dana@acme-robotics.com>",
            to=imap.address,
            subject="Your application for Product Designer",
            body="Dear Sam,\n\nThank you for applying. Unfortunately we will not be moving "
            "forward with your application.\n\nKind regards,\nDana Reyes\n"
            "Recruiter | Acme Robotics\n",
        ),
    )
    imap.append(
        "INBOX",
        mail(
            sender="Priya Raman <priya@northwind.example>",
            to=imap.address,
            subject="Interview for Senior Data Analyst",
            body="Hi Sam,\n\nWe would like to invite you to an interview. What is your "
            "availability next week?\n\nPriya Raman\nNorthwind Labs\n",
        ),
    )
    imap.append(
        "INBOX",
        mail(
            sender="Jobs Digest <digest@jobs.example>",
            to=imap.address,
            subject="Thank you for your application",
            body="Thank you for your application. We have received it.\n",
        ),
    )


def connect(page, imap, password: str) -> None:  # noqa: F811
    # By name: crispy marks required labels with an asterisk.
    page.locator("[name=host]").fill("127.0.0.1")
    page.locator("[name=port]").fill(str(imap.server.port))
    page.locator("[name=security]").select_option("plain")
    page.locator("[name=username]").fill(imap.user)
    page.locator("[name=password]").fill(password)
    page.locator("[name=sent_folder]").fill("Sent")


def card(page, text: str):
    return page.locator("article.card", has_text=text)


def test_connect_sync_and_triage_the_inbox(page, imap, screenshot, transactional_db):  # noqa: F811
    make_user("sam")
    name = page.viewport_name
    fill_the_mailbox(imap)
    log_in(page, "sam")

    page.goto("/preferences/")
    page.get_by_role("main").get_by_role("link", name="Mailbox").click()
    page.wait_for_url("**/preferences/mailbox/")
    connect(page, imap, "not-the-password")
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#connection-check")).to_contain_text("refused the user name or password")
    assert fits_the_screen(page)
    screenshot(page, f"{name}-mailbox-test-failed")

    connect(page, imap, imap.password)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#connection-check")).to_contain_text(
        f"Connected to 127.0.0.1 as {imap.user}"
    )
    expect(page.locator("#connection-check")).to_contain_text("Sent")
    screenshot(page, f"{name}-mailbox-test-ok")
    # The test saved nothing and never shows the password back: type it again to save.
    assert page.locator("[name=password]").input_value() == ""
    assert imap.password not in page.content()
    connect(page, imap, imap.password)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Mailbox saved.")).to_be_visible()
    expect(page.locator("#mailbox-status")).to_contain_text("Never")

    page.get_by_role("button", name="Sync now").click()
    page.wait_for_url("**/inbox/")
    expect(
        page.get_by_text("Read 3 new messages: kept 3, logged 0, 3 waiting for you.")
    ).to_be_visible()
    expect(card(page, "Rejection from Dana Reyes")).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, f"{name}-inbox")

    # Confirm: the rejection is logged and its reply follow-up scheduled.
    card(page, "Rejection from Dana Reyes").get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/log/*/")
    expect(page.get_by_text("Reply to the rejection: Dana Reyes")).to_be_visible()

    # Change: the invitation was really the interview itself.
    page.goto("/inbox/")
    card(page, "Priya Raman").get_by_role("link", name="Change").click()
    page.wait_for_url("**/inbox/*/change/")
    assert page.get_by_label("Their name").input_value() == "Priya Raman"
    page.get_by_label("What it was").select_option("interview")
    page.get_by_label("Company").fill("Northwind Labs")
    assert fits_the_screen(page)
    screenshot(page, f"{name}-inbox-change")
    page.get_by_role("button", name="Save the interaction").click()
    page.wait_for_url("**/log/*/")

    # Ignore: the acknowledgement goes, and nothing waits any more.
    page.goto("/inbox/")
    card(page, "digest@jobs.example").get_by_role("button", name="Ignore").click()
    page.wait_for_url("**/inbox/")
    expect(page.locator("#inbox-empty")).to_have_text("Nothing is waiting for you.")
    screenshot(page, f"{name}-inbox-empty")

    kinds = sorted(Interaction.objects.values_list("kind", flat=True))
    assert kinds == ["interview", "rejection"]
    assert FollowUp.objects.filter(kind=FollowUp.Kind.REPLY, status="pending").count() == 1
    assert FollowUp.objects.filter(kind=FollowUp.Kind.THANK_YOU).count() == 1
    statuses = sorted(MailMessage.objects.values_list("status", flat=True))
    assert statuses == ["ignored", "logged", "logged"]
