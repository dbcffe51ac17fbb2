"""Item 13 of issue 12 (and item 12's keyboard and focus), in Chromium: dashboard
shortcuts j/k/s/m/?, Esc closes the snooze menu, focus stays on the row after Dismiss and
Undo, dark mode follows the system, the calendar address has a copy button."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from followups.models import FollowUp
from tests.browser.test_followup_flow import log_in
from tests.factories import make_contact, make_followup, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def sam(transactional_db):
    sam = make_user("sam")
    now = timezone.now()
    for first, last in (("Olu", "Ade"), ("Ines", "Roa")):
        make_followup(sam, contact=make_contact(sam, first_name=first, last_name=last), due_at=now)
    return sam


def open_page(browser, live_server, **options):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, **options
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_dashboard_keyboard_shortcuts(browser, live_server, sam):
    context, page = open_page(browser, live_server)
    log_in(page, "sam")
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcut-help")).to_be_hidden()

    page.keyboard.press("j")
    first = page.locator(".followup-row").first
    expect(first).to_have_class("list-group-item py-3 followup-row followup-row-active")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(first).to_have_class("list-group-item py-3 followup-row followup-row-active")

    page.keyboard.press("s")
    menu = first.locator("details.snooze-menu")
    expect(menu).to_have_attribute("open", "")
    expect(first.get_by_role("button", name="In 3 days")).to_be_visible()
    page.keyboard.press("Escape")  # Esc closes the snooze menu
    expect(menu).not_to_have_attribute("open", "")

    page.keyboard.press("m")
    expect(page.locator(".followup-row[data-status='done']")).to_have_count(1)
    assert FollowUp.objects.filter(status="done").count() == 1
    context.close()


def test_focus_stays_on_the_row_after_dismiss_and_undo(browser, live_server, sam):
    context, page = open_page(browser, live_server)
    log_in(page, "sam")
    row = page.locator(".followup-row", has_text="Ines Roa")
    row.get_by_role("button", name="Dismiss").click()
    expect(page.locator(".followup-row[data-status='dismissed']")).to_be_visible()
    expect(page.locator(":focus")).to_have_text("Undo the dismiss (Follow up, Ines Roa)")
    page.keyboard.press("Enter")  # Undo from the keyboard, where the focus is
    expect(page.locator(".followup-row", has_text="Ines Roa")).to_contain_text("Back on your list")
    expect(page.locator(":focus")).to_contain_text("Mark sent")
    context.close()


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_theme_follows_the_systems_colour_scheme(browser, live_server, sam, scheme):
    context, page = open_page(browser, live_server, color_scheme=scheme)
    log_in(page, "sam")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
    context.close()


def test_the_calendar_address_has_a_copy_button(browser, live_server, sam):
    context, page = open_page(browser, live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "sam")
    page.goto("/calendar/")
    page.get_by_role("button", name="Copy address").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert (
        page.evaluate("navigator.clipboard.readText()") == page.locator("#feed-url").input_value()
    )
    context.close()


@pytest.mark.parametrize("path", ["/applications/", "/contacts/"])
def test_lists_are_cards_on_a_phone_with_nothing_scrolling_sideways(
    browser, live_server, sam, path
):
    from tests.factories import make_application, make_company

    company = make_company(sam, name="A Company With A Rather Long Name Indeed")
    for n in range(3):
        make_application(sam, company=company, title=f"Senior Staff Platform Engineer {n}")
        make_contact(
            sam, first_name="Maximiliana", last_name=f"Longsurname-Hyphenated {n}", company=company
        )
    context = browser.new_context(viewport={"width": 375, "height": 740}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "sam")
    page.goto(path)
    wrapper = page.locator(".table-responsive")
    assert wrapper.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert (
        page.locator("table.table-cards tbody tr").first.evaluate(
            "el => getComputedStyle(el).display"
        )
        == "block"
    )
    context.close()


def test_the_linkedin_preview_fits_a_phone(browser, live_server, sam, settings, tmp_path):
    from tests.imports.test_import_pages import FIRST_EXPORT

    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    upload = tmp_path / "Connections.csv"
    upload.write_bytes(FIRST_EXPORT)
    context = browser.new_context(viewport={"width": 375, "height": 740}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "sam")
    page.goto("/contacts/import/linkedin/")
    page.locator("main input[type=file]").set_input_files(str(upload))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/preview/")
    expect(page.locator("main")).to_contain_text("LinkedIn URL")
    assert page.locator(".table-responsive").evaluate("el => el.scrollWidth <= el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
