"""The applications board in Chromium: a card dragged onto another column moves there,
and the "move to" select does the same (the cards are written in Python, not by the
template engine: crm/applications/queries.py, board_cards_html)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from crm.models import JobApplication
from tests.browser.test_basics import open_page
from tests.browser.test_followup_flow import log_in
from tests.factories import make_application, make_company, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def sam(transactional_db):
    sam = make_user("sam")
    company = make_company(sam, name="Acme & Co")
    make_application(sam, company=company, title="Data <Engineer>", applied_on=date(2026, 10, 2))
    make_application(sam, company=company, title="Wish role", status=JobApplication.Status.WISHLIST)
    return sam


def test_a_card_dragged_onto_another_column_moves_there(browser, live_server, sam):
    context, page = open_page(browser, live_server)
    log_in(page, "sam")
    page.goto("/applications/board/")
    card = page.locator("#board li[draggable=true]", has_text="Data <Engineer>")
    expect(card).to_contain_text("Acme & Co · applied Oct 2")
    expect(page.locator("section[data-drop-status=applied]")).to_contain_text("Data <Engineer>")

    card.drag_to(page.locator("section[data-drop-status=interviewing]"))

    interviewing = page.locator("section[data-drop-status=interviewing]")
    expect(interviewing).to_contain_text("Data <Engineer>")
    expect(page.locator("#board-notice")).to_contain_text("Moved")
    expect(page.locator("section[data-drop-status=applied]")).not_to_contain_text("Data")
    assert JobApplication.objects.get(title="Data <Engineer>").status == "interviewing"
    context.close()


def test_the_move_select_moves_a_card_and_keeps_focus_on_it(browser, live_server, sam):
    context, page = open_page(browser, live_server)
    log_in(page, "sam")
    page.goto("/applications/board/")
    page.get_by_label("New status of Wish role at Acme & Co").select_option("offer")
    card = page.locator("#board li[draggable=true]", has_text="Wish role")
    card.get_by_role("button", name="Move").click()

    expect(page.locator("section[data-drop-status=offer]")).to_contain_text("Wish role")
    expect(page.get_by_label("New status of Wish role at Acme & Co")).to_be_focused()
    assert JobApplication.objects.get(title="Wish role").status == "offer"
    context.close()
