"""The JSON backup: everything a user owns out, and back into an empty account exactly."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact, Interaction
from crm.models import JobApplication, Profile
from followups.export.backup import (
    BackupError,
    export_user_data,
    parse_backup,
    restore_user_data,
)
from followups.models import (
    FeedbackTheme,
    FollowUp,
    FollowUpEvent,
    Goal,
    GoalProgress,
    Reflection,
    ReplyTemplate,
)
from tests.factories import (
    make_application,
    make_company,
    make_contact,
    make_interaction,
    make_user,
)

START = datetime(2025, 3, 3, 10, 15, tzinfo=UTC)  # a Monday


def build_a_job_search(owner) -> None:
    """A little of everything, with the rules creating follow-ups along the way."""
    Profile.objects.filter(user=owner).update(
        time_zone="Europe/Berlin", morning_hour=8, signature="Ana Example", check_in_months=2
    )
    with time_machine.travel(START, tick=False):
        acme = make_company(owner, name="Acme", website="https://acme.example", notes="Big")
        application = make_application(
            owner, company=acme, title="Backend Engineer", applied_on=date(2025, 2, 20)
        )
        make_application(owner, company=make_company(owner, name="Globex"), title="SRE")
        priya = make_contact(
            owner,
            first_name="Priya",
            last_name="Natarajan",
            company=acme,
            linkedin_url="https://www.linkedin.com/in/priya",
        )
        priya.applications.add(application)
        make_contact(owner, first_name="Tom", company=None, email="", notes="Line 1\nLine 2")
        make_interaction(
            owner,
            contact=priya,
            application=application,
            kind=Interaction.Kind.REJECTION,
            subject="Your application",
            body="We went with another candidate.",
            occurred_at=START,
        )
    with time_machine.travel(START + timedelta(hours=20), tick=False):
        make_interaction(
            owner,
            contact=priya,
            application=application,
            direction=Interaction.Direction.OUTBOUND,
            kind=Interaction.Kind.REPLY,
            requests_feedback=True,
            body="Thank you for letting me know.",
            occurred_at=START + timedelta(hours=20),
        )
        feedback = make_interaction(
            owner,
            contact=priya,
            kind=Interaction.Kind.FEEDBACK,
            body="More depth on system design.",
            occurred_at=START + timedelta(hours=21),
        )
        FeedbackTheme.set_for(feedback, {"experience"})
        pending = FollowUp.objects.filter(owner=owner, status="pending").first()
        pending.snooze(START + timedelta(days=3))
        ReplyTemplate.objects.create(
            owner=owner, kind="reply", subject="Thanks", body="Hi [First Name], thank you."
        )
        goal = Goal.objects.create(
            owner=owner, specific="Practise system design", deadline=date(2025, 4, 1)
        )
        GoalProgress.objects.create(goal=goal, on=date(2025, 3, 5), note="Read two chapters")
        Reflection.objects.create(owner=owner, application=application, takeaway="Prepare more")


def without_metadata(document: dict) -> dict:
    return {k: v for k, v in document.items() if k not in {"exported_at", "username"}}


@pytest.fixture
def alices_search(alice):
    build_a_job_search(alice)
    return alice


def test_the_backup_holds_every_kind_of_row_alice_owns(alices_search):
    document = export_user_data(alices_search)

    assert len(document["companies"]) == 2
    assert len(document["applications"]) == 2
    assert len(document["contacts"]) == 2
    assert len(document["interactions"]) == 3
    assert len(document["followups"]) == FollowUp.objects.filter(owner=alices_search).count() > 2
    assert len(document["followup_events"]) >= 2
    assert document["reply_templates"][0]["body"] == "Hi [First Name], thank you."
    assert document["profile"]["time_zone"] == "Europe/Berlin"
    assert "calendar_token" not in document["profile"]
    assert len(document["goals"]) == len(document["goal_progress"]) == 1
    assert len(document["reflections"]) == len(document["feedback_themes"]) == 1


def test_the_backup_refers_to_rows_by_their_place_in_the_file(alices_search):
    document = export_user_data(alices_search)

    priya = next(c for c in document["contacts"] if c["first_name"] == "Priya")
    acme = document["companies"][priya["company"] - 1]
    assert acme["name"] == "Acme"
    backend = document["applications"][priya["applications"][0] - 1]
    assert backend["title"] == "Backend Engineer"
    reply = next(f for f in document["followups"] if f["kind"] == "reply")
    assert document["interactions"][reply["source"] - 1]["kind"] == "rejection"
    assert document["interactions"][reply["completed_by"] - 1]["kind"] == "reply"


def test_the_backup_leaves_out_other_users_rows(alices_search, bob):
    make_contact(bob, first_name="Bobs", last_name="Secret")

    text = json.dumps(export_user_data(alices_search))

    assert "Bobs" not in text


def test_restoring_into_an_empty_account_and_exporting_again_gives_the_same_document(
    alices_search,
):
    original = export_user_data(alices_search)
    carol = make_user("carol")

    with time_machine.travel(START + timedelta(days=30), tick=False):
        restore_user_data(carol, json.loads(json.dumps(original)))

    assert without_metadata(export_user_data(carol)) == without_metadata(original)


def test_restoring_does_not_let_the_rules_add_follow_ups(alices_search):
    original = export_user_data(alices_search)
    carol = make_user("carol")

    with time_machine.travel(START + timedelta(days=400), tick=False):
        restore_user_data(carol, original)

    for model in (FollowUp, Interaction, Contact, JobApplication):
        assert model.objects.filter(owner=carol).count() == (
            model.objects.filter(owner=alices_search).count()
        )
    assert FollowUpEvent.objects.filter(followup__owner=carol).count() == (
        FollowUpEvent.objects.filter(followup__owner=alices_search).count()
    )
    carols_reply = FollowUp.objects.get(owner=carol, kind="reply")
    alices_reply = FollowUp.objects.get(owner=alices_search, kind="reply")
    assert carols_reply.completed_by.body == "Thank you for letting me know."
    assert carols_reply.completed_at == alices_reply.completed_at
    assert carols_reply.created_at == alices_reply.created_at
    assert Profile.objects.get(user=carol).time_zone == "Europe/Berlin"


def test_restoring_into_an_account_with_data_is_refused(alices_search, bob):
    make_company(bob, name="Bob's company")

    with pytest.raises(BackupError, match="only works into an empty account"):
        restore_user_data(bob, export_user_data(alices_search))

    assert not Contact.objects.filter(owner=bob).exists()


def test_a_broken_reference_restores_nothing_at_all(alices_search, bob):
    document = export_user_data(alices_search)
    document["followups"][-1]["source"] = 999

    with pytest.raises(BackupError, match="followups row .* refers to source 999"):
        restore_user_data(bob, document)

    assert not Contact.objects.filter(owner=bob).exists()
    assert not FollowUp.objects.filter(owner=bob).exists()
    assert Profile.objects.get(user=bob).time_zone == "UTC"


def test_an_invalid_value_is_reported_with_its_place(alices_search, bob):
    document = export_user_data(alices_search)
    document["applications"][0]["status"] = "ghosted"

    with pytest.raises(BackupError, match="applications row 1, field status"):
        restore_user_data(bob, document)

    assert not JobApplication.objects.filter(owner=bob).exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json at all", "This is not a Follow-up CRM backup"),
        (b'{"some": "json"}', "This JSON file is not a Follow-up CRM backup"),
        (b'{"format": "followup-crm-backup", "version": 99}', "format version 99"),
    ],
)
def test_files_that_are_not_backups_are_explained(raw, message):
    with pytest.raises(BackupError, match=message):
        parse_backup(raw)


# Pages ------------------------------------------------------------------------------


def test_the_backup_downloads_as_a_json_file(alice_client, alices_search):
    response = alice_client.get(reverse("followups:export-backup"))

    assert response["Content-Type"] == "application/json"
    assert 'attachment; filename="followup-crm-backup-alice-' in response["Content-Disposition"]
    assert json.loads(response.getvalue())["format"] == "followup-crm-backup"


def test_the_restore_page_restores_an_uploaded_backup(alices_search, client):
    content = json.dumps(export_user_data(alices_search)).encode()
    carol = make_user("carol")
    client.force_login(carol)

    response = client.post(
        reverse("followups:restore"),
        {"file": SimpleUploadedFile("backup.json", content, "application/json")},
        follow=True,
    )

    assert "Restored 2 companies" in response.content.decode()
    assert Contact.objects.filter(owner=carol).count() == 2


def test_the_restore_page_explains_a_bad_file_without_writing(client, bob):
    client.force_login(bob)

    response = client.post(
        reverse("followups:restore"),
        {"file": SimpleUploadedFile("backup.json", b"\x89PNG\x00\x00", "image/png")},
        follow=True,
    )

    assert response.status_code == 200
    assert "This is not a Follow-up CRM backup" in response.content.decode()
    assert not Contact.objects.filter(owner=bob).exists()


def test_the_export_page_shows_the_downloads(alice_client):
    page = alice_client.get(reverse("followups:export")).content.decode()

    assert reverse("followups:export-contacts-csv") in page
    assert reverse("followups:export-contacts-vcard") in page
    assert reverse("followups:export-backup") in page
