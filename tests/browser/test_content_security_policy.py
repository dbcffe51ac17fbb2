"""The Content-Security-Policy holds on every main page (issue 13, item 6): Chromium
reports no violation, so no page relies on inline script, and the scripts still work."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from crm.accounts import enable_admin_editing
from followups.models import FollowUp
from tests.factories import PASSWORD, make_application, make_contact, make_followup, make_user

pytestmark = pytest.mark.browser

# Recorded in the page before any of its own scripts run.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def tab(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message.text))
    yield page
    context.close()


def _violations(page) -> list[str]:
    seen = page.evaluate("window.__violations")
    refused = [m for m in page.console_messages if "Refused to" in m]
    return seen + refused


def test_no_main_page_breaks_the_content_security_policy(tab, transactional_db):
    user = make_user("sam")
    enable_admin_editing(user)
    contact = make_contact(user, first_name="Dana", linkedin_url="https://www.linkedin.com/in/d")
    application = make_application(user, company=contact.company)
    followup = make_followup(user, contact=contact, kind=FollowUp.Kind.REPLY)
    tab.goto("/accounts/login/")
    tab.get_by_label("Username").fill("sam")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url("**/")
    pages = [
        "/",
        "/applications/",
        "/applications/board/",
        f"/applications/{application.pk}/",
        "/contacts/",
        f"/contacts/{contact.pk}/",
        f"/followups/{followup.pk}/draft/",
        "/log/rejection/",
        "/templates/",
        "/stats/",
        "/growth/",
        "/preferences/",
        "/calendar/",
        "/contacts/import/",
        "/export/",
        "/admin/",
        "/admin/contacts/contact/",
    ]
    problems = {}
    for path in pages:
        response = tab.goto(path)
        assert response.status < 400, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        tab.wait_for_load_state("networkidle")
        if found := _violations(tab):
            problems[path] = found
    assert problems == {}
    assert get_user_model().objects.filter(username="sam").exists()


def test_the_draft_editors_copy_button_still_works_from_its_static_file(tab, transactional_db):
    user = make_user("sam")
    followup = make_followup(user, contact=make_contact(user), kind=FollowUp.Kind.REPLY)
    tab.goto("/accounts/login/")
    tab.get_by_label("Username").fill("sam")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url("**/")
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab.goto(f"/followups/{followup.pk}/draft/")
    tab.wait_for_load_state("networkidle")  # the deferred static script is in
    button = tab.locator("[data-copy-from]").first
    button.click()
    expect(button).to_have_text("Copied")
    assert _violations(tab) == []


def test_the_job_search_records_print_button_runs_from_its_static_file(tab, transactional_db):
    """The record's Print button was an inline onclick, which the policy refused on click."""
    user = make_user("sam")
    make_application(user)
    tab.goto("/accounts/login/")
    tab.get_by_label("Username").fill("sam")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url("**/")
    tab.add_init_script("window.print = () => { window.__printed = true; };")
    tab.goto("/export/job-search-record/")  # this month so far: the record shows, with Print
    tab.wait_for_load_state("networkidle")
    tab.get_by_role("button", name="Print").click()
    assert tab.evaluate("window.__printed === true")
    assert _violations(tab) == []
