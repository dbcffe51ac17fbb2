"""The draft editor and the template page in a real browser: checks update as you type."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    make_application,
    make_company,
    make_contact,
    make_followup,
    make_user,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def reply(transactional_db):
    sam = make_user("sam")
    company = make_company(sam, name="Acme Robotics")
    application = make_application(sam, company=company, title="Backend Engineer")
    contact = make_contact(sam, first_name="Dana", email="dana@acme.test", company=company)
    return make_followup(
        sam,
        contact=contact,
        application=application,
        kind="reply",
        due_at=timezone.now(),
        draft_subject="Thank you, Dana",
        draft_body="Hi Dana,\n\nThank you for letting me know.",
    )


def log_in(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def test_findings_and_the_mail_link_follow_the_typing(page, reply, screenshot):
    log_in(page)
    page.goto(f"/followups/{reply.pk}/draft/")
    findings = page.locator("#draft-findings")
    expect(findings.locator('[data-code="no_feedback_request"]')).to_have_count(1)

    body = page.get_by_label("Message")
    body.click()
    body.press("Control+End")
    body.press_sequentially(" I don't understand why I wasn't chosen & want #reasons?", delay=5)
    expect(findings.locator('[data-code="demanding"]')).to_have_count(1)
    screenshot(page, "draft-editor-demanding")

    href = page.locator("#mailto-link").get_attribute("href")
    sent_body = parse_qs(urlsplit(href).query)["body"][0]
    assert sent_body.endswith("wasn't chosen & want #reasons?")

    body.fill(
        "Hi Dana,\n\nThank you for your time. Any feedback would help me a lot, and I am "
        "still interested in future roles.\n\nSam"
    )
    expect(findings).to_contain_text("No problems found")

    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").startswith("Hi Dana,")


def test_the_template_preview_follows_the_typing(page, reply):
    log_in(page)
    page.goto("/templates/reply/")
    expect(page.locator("#preview-body")).to_contain_text("Hi Dana,")
    page.get_by_label("Body").fill("Hello [First Name] from [Company Name]. So unfair!")
    expect(page.locator("#preview-body")).to_have_text("Hello Dana from Acme Robotics. So unfair!")
    expect(page.locator('#template-preview [data-code="emotional"]')).to_have_count(1)
