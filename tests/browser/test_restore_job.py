"""Moving one's data in Chromium (issue 13, item 10): download the backup from the export
page, restore it into a new, empty account, land on the restore's page while the worker
has not started, watch it turn into the result by itself (htmx polling), and find the
follow-up and the contact in the new account.

As in test_import_job.py, the worker's task runs in the test while the tab is offline
(with SQLite the live server shares the test's connection).
"""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from django_q.conf import Conf
from playwright.sync_api import expect

from followups.models import FollowUp, RestoreJob
from followups.tasks import run_restore
from tests.browser.test_followup_flow import log_in
from tests.factories import make_application, make_company, make_contact, make_followup, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser, live_server, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # queued for the worker, as in production
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, accept_downloads=True
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_a_backup_downloaded_then_restored_into_a_new_account_arrives_whole(
    context, tmp_path, screenshot, transactional_db
):
    ana = make_user("ana")
    company = make_company(ana, name="Northwind Labs")
    make_application(ana, company=company, title="Data Analyst", status="rejected")
    priya = make_contact(ana, first_name="Priya", last_name="Raman", company=company)
    make_followup(
        ana,
        contact=priya,
        kind=FollowUp.Kind.FEEDBACK_NUDGE,
        due_at=timezone.now() - timezone.timedelta(hours=2),
        draft_subject="Any feedback?",
    )
    make_user("ben")

    page = context.new_page()
    log_in(page, "ana")
    page.goto("/export/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything (JSON)").click()
    backup = tmp_path / "backup.json"
    download.value.save_as(backup)
    assert json.loads(backup.read_text())["format"] == "followup-crm-backup"
    context.clear_cookies()  # another person, in the same browser

    log_in(page, "ben")
    page.goto("/export/")
    form = page.locator('form[action="/export/restore/"]')
    form.locator('input[type="file"]').set_input_files(str(backup))
    form.get_by_role("button", name="Restore").click()
    page.wait_for_url("**/export/restore/*/")
    status = page.locator("#restore-status")
    expect(status).to_contain_text("Waiting for the worker")
    assert not FollowUp.objects.filter(owner__username="ben").exists()
    url = page.url

    context.set_offline(True)
    try:
        assert run_restore(RestoreJob.objects.get(owner__username="ben").pk) == "done"
    finally:
        context.set_offline(False)

    expect(status.locator(".alert-success")).to_contain_text("Restored")
    expect(status).to_contain_text("rows restored")
    assert page.url == url  # the page changed by itself
    screenshot(page, "restore-job-done")
    status.get_by_role("link", name="Go to the dashboard").click()
    page.wait_for_url("**/")
    row = page.locator(".followup-row", has_text="Priya Raman")
    expect(row).to_be_visible()
    assert FollowUp.objects.filter(owner__username="ben", status="pending").count() == 1
    assert FollowUp.objects.filter(owner__username="ana").count() == 1  # ana's stays hers
