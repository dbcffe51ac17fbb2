"""Item 7 of issue 12: history logged late is overdue on the dashboard, not a "[Late]"
email; late mail is only for reminders the scheduler itself missed; historic
applications (applied more than 30 days ago) get no application check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Interaction
from crm.models import JobApplication
from followups import scheduler
from followups.models import FollowUp
from tests.factories import make_application, make_contact, make_followup, make_interaction

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def staging_dir(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


@pytest.fixture(autouse=True)
def no_digests(alice):
    alice.profile.digest_hour = None
    alice.profile.save()


def test_a_rejection_logged_days_late_is_overdue_and_mailed_without_late(alice, alice_client):
    with time_machine.travel(NOW, tick=False):
        make_interaction(
            alice,
            contact=make_contact(alice, first_name="Dana"),
            kind=Interaction.Kind.REJECTION,
            occurred_at=NOW - timedelta(days=4),
        )
        page = alice_client.get(reverse("home")).text
    assert "Overdue" in page and "Reply to the rejection" in page
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):  # the next tick
        report = scheduler.tick()
    assert (report.reminders_sent, report.reminders_late) == (1, 0)
    (message,) = mail.outbox
    assert not message.subject.startswith("[Late]")
    assert "while reminders were not going out" not in message.body
    assert FollowUp.objects.get(kind="reply").sent_late is False


def test_a_reminder_the_scheduler_missed_still_goes_out_late(alice):
    with time_machine.travel(NOW - timedelta(hours=5), tick=False):
        missed = make_followup(alice, due_at=NOW - timedelta(hours=3))
    with time_machine.travel(NOW, tick=False):
        report = scheduler.tick()
    assert report.reminders_late == 1
    assert mail.outbox[0].subject.startswith("[Late]")
    missed.refresh_from_db()
    assert missed.sent_late


def test_an_overdue_follow_up_the_scheduler_then_missed_is_late(alice):
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        make_followup(alice, due_at=NOW - timedelta(days=3))  # overdue when created
    with time_machine.travel(NOW, tick=False):  # two hours with no tick
        report = scheduler.tick()
    assert report.reminders_late == 1


def test_an_application_applied_more_than_30_days_ago_gets_no_application_check(alice):
    with time_machine.travel(NOW, tick=False):
        make_application(alice, applied_on=date(2024, 1, 5))
        recent = make_application(alice, applied_on=NOW.date() - timedelta(days=20))
    (check,) = FollowUp.objects.filter(kind="application_check")
    assert check.application == recent


def test_the_import_preview_says_historic_applications_get_no_check(alice_client, alice):
    raw = b"Company,Title,Date Applied\nAcme,Engineer,2024-01-05\nGlobex,SRE,2026-03-01\n"
    with time_machine.travel(NOW, tick=False):
        alice_client.post(
            reverse("contacts:import-upload", kwargs={"kind": "applications"}),
            {"file": SimpleUploadedFile("apps.csv", raw)},
        )
        alice_client.post(
            reverse("contacts:import-map"), {"company": "0", "title": "1", "applied_on": "2"}
        )
        preview_url = reverse("contacts:import-preview", kwargs={"kind": "applications"})
        preview = alice_client.get(preview_url).text
        assert "1 application was applied for more than 30 days ago" in preview
        alice_client.post(preview_url)
    assert JobApplication.objects.filter(owner=alice).count() == 2
    (check,) = FollowUp.objects.filter(kind="application_check")
    assert check.application.title == "SRE"
    assert mail.outbox == []
