"""A big import's journey in Chromium (issue 13, item 10): upload a spreadsheet of 600
applications, confirm the preview, land on the job's page while the worker has not
started, watch the page turn into the result by itself (htmx polling, no reload), follow
its link to the applications; later find the job again on the import page. And the
failure a person must understand: a full disk midway, nothing imported, said in words.

The worker's task runs in the test (what qcluster runs). With SQLite the live server
shares the test's connection, so the tab is taken offline while the task runs: its polls
fail quietly and the next one after it is back online shows the result.
"""

from __future__ import annotations

import pytest
from django_q.conf import Conf
from playwright.sync_api import expect

from contacts.importers import jobs
from contacts.models import ImportJob
from contacts.tasks import run_import
from crm.models import JobApplication
from tests.browser.test_followup_flow import log_in
from tests.factories import make_user
from tests.imports.test_import_jobs import applications_csv

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server, settings, tmp_path, monkeypatch):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    settings.IMPORT_BATCH_PAUSE_SECONDS = 0
    monkeypatch.setattr(Conf, "SYNC", False)  # queued for the worker, as in production
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def upload_and_confirm(page, path, rows: int) -> None:
    page.goto("/contacts/import/")
    card = page.locator(".card", has=page.get_by_role("heading", name="Applications"))
    card.get_by_label("CSV file").set_input_files(str(path))
    card.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Preview the import").click()  # the guessed columns
    expect(page.locator("#import-in-worker")).to_contain_text("imported by the worker")
    page.get_by_role("button", name=f"Import {rows} applications").click()
    page.wait_for_url("**/contacts/import/jobs/*/")


def run_the_worker(page) -> None:
    """The worker's task, while the tab cannot reach the server."""
    page.context.set_offline(True)
    try:
        run_import(ImportJob.objects.get().pk)
    finally:
        page.context.set_offline(False)


def test_a_big_import_shows_waiting_then_its_result_without_a_reload(
    page, tmp_path, screenshot, transactional_db
):
    owner = make_user("sam")
    spreadsheet = tmp_path / "tracker.csv"
    spreadsheet.write_bytes(applications_csv(600))
    log_in(page, "sam")

    upload_and_confirm(page, spreadsheet, 600)

    status = page.locator("#import-status")
    expect(status).to_contain_text("Waiting for the worker")
    expect(status).to_contain_text("python manage.py qcluster")
    assert not JobApplication.objects.filter(owner=owner).exists()
    url = page.url

    run_the_worker(page)

    expect(page.locator("#import-result")).to_contain_text(
        "Created 600 applications, updated 0, rejected 0 (new companies: 7)"
    )
    expect(status).to_contain_text("600 of 600 rows done")
    assert page.url == url  # the page changed by itself
    screenshot(page, "import-job-done")
    page.locator("#import-result").get_by_role("link", name="See your applications").click()
    page.wait_for_url("**/applications/")
    expect(page.get_by_text("Page 1 of 24")).to_be_visible()  # 600 applications, 25 a page

    # Later: the import page lists the job and leads back to it.
    page.goto("/contacts/import/")
    page.locator("#import-jobs").get_by_role("link", name="Applications: tracker.csv").click()
    page.wait_for_url(url)
    expect(page.locator("#import-result")).to_be_visible()


def test_a_full_disk_midway_says_nothing_was_imported(
    page, tmp_path, settings, monkeypatch, transactional_db
):
    settings.IMPORT_BATCH_ROWS = 100
    owner = make_user("sam")
    spreadsheet = tmp_path / "tracker.csv"
    spreadsheet.write_bytes(applications_csv(600))
    log_in(page, "sam")
    upload_and_confirm(page, spreadsheet, 600)
    expect(page.locator("#import-status")).to_contain_text("Waiting for the worker")

    real, calls = jobs.write_batch, []

    def write_batch(plan, journal):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(plan, journal)

    monkeypatch.setattr(jobs, "write_batch", write_batch)
    with pytest.raises(OSError):
        run_the_worker(page)

    failure = page.locator("#import-failure")
    expect(failure).to_contain_text("Nothing was imported")
    expect(failure).to_contain_text("is full: free space on it")
    expect(page.locator("#import-status")).not_to_have_attribute("hx-trigger", "every 1s")
    page.get_by_role("link", name="Upload the file again").click()
    page.wait_for_url("**/contacts/import/applications/")
    assert not JobApplication.objects.filter(owner=owner).exists()
