"""LinkedIn's whole data archive: connections, messages, invitations, job applications and
saved jobs in one preview and one all-or-nothing confirm; a second import updates; the zip
is read safely. Every file is written here with csv + encode() and zipfile."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from contacts.importers import ImportFileError, import_archive, plan_archive
from contacts.models import Contact, Interaction
from crm.models import JobApplication
from followups.models import FollowUp
from tests.factories import make_contact, make_followup

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
ME = "https://www.linkedin.com/in/alice-me"
PRIYA = "https://www.linkedin.com/in/priya"
TOM = "https://www.linkedin.com/in/tomberg"
STRANGER = "https://www.linkedin.com/in/stranger"

CONNECTIONS = [
    ["Notes:"],
    ["When exporting your connection data, you may notice that some of the email addresses"],
    [],
    ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
    ["Priya", "Natarajan", PRIYA, "", "Acme", "Technical Recruiter", "05 Nov 2024"],
    ["Tom", "Berg", TOM, "tom@example.com", "Globex", "Engineering Manager", "12 Jan 2023"],
]
MESSAGES_HEADER = [
    "CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
    "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS",
    "IS MESSAGE DRAFT",
]  # fmt: skip
MESSAGES = [
    MESSAGES_HEADER,
    ["c-1", "", "Alice Me", ME, "Priya Natarajan", PRIYA, "2026-08-01 02:00:00 UTC", "",
     "Hi Priya, is the backend role still open?", "INBOX", "", "No"],
    ["c-1", "", "Priya Natarajan", PRIYA, "Alice Me", ME, "2026-08-02 09:30:00 UTC", "",
     "Unfortunately we decided to move forward with other candidates.", "INBOX", "", "No"],
    ["c-2", "", "Tom Berg", TOM, "Alice Me", ME, "2026-08-03 10:00:00 UTC", "Coffee?",
     "Coffee next week, and thanks for the feedback request; happy to help.", "INBOX", "",
     "No"],
    ["c-3", "", "Some Stranger", STRANGER, "Alice Me", ME, "2026-08-04 10:00:00 UTC", "",
     "Buy my course", "INBOX", "", "No"],
    ["c-2", "", "Alice Me", ME, "Tom Berg", TOM, "2026-08-05 10:00:00 UTC", "", "Draft…",
     "INBOX", "", "Yes"],
]  # fmt: skip
INVITATIONS = [
    ["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"],
    ["Alice Me", "Tom Berg", "1/29/26, 2:37 PM", "Great to meet you", "OUTGOING", ME, TOM],
    ["Some Stranger", "Alice Me", "2/1/26, 9:00 AM", "", "INCOMING", STRANGER, ME],
]
JOB_APPLICATIONS = [
    ["Application Date", "Contact Email", "Contact Phone Number", "Company Name", "Job Title",
     "Job Url", "Resume Name", "Question And Answers"],
    ["8/1/26, 10:15 AM", "alice@example.com", "", "Acme", "Backend Engineer",
     "https://www.linkedin.com/jobs/view/111", "cv.pdf", ""],
]  # fmt: skip
SAVED_JOBS = [
    ["Saved Date", "Job Url", "Job Title", "Company Name"],
    ["7/20/26, 8:00 PM", "https://www.linkedin.com/jobs/view/222", "Data Engineer", "Initech"],
    ["7/21/26, 8:00 PM", "https://www.linkedin.com/jobs/view/111", "Backend Engineer", "Acme"],
]


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def archive(files: dict[str, bytes] | None = None) -> bytes:
    files = files or {
        "Connections.csv": csv_bytes(CONNECTIONS),
        "messages.csv": csv_bytes(MESSAGES),
        "Invitations.csv": csv_bytes(INVITATIONS),
        "Jobs/Job Applications.csv": csv_bytes(JOB_APPLICATIONS),
        "Jobs/Saved Jobs.csv": csv_bytes(SAVED_JOBS),
        "Profile.csv": b"First Name,Last Name\r\nAlice,Me\r\n",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW):
        yield


@pytest.fixture(autouse=True)
def staging_dir(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


def linkedin_interactions(owner):
    return Interaction.objects.filter(owner=owner, channel="linkedin").order_by("occurred_at")


def test_the_command_imports_every_file_of_the_archive(alice, tmp_path):
    path = tmp_path / "Basic_LinkedInDataExport_09-01-2026.zip"
    path.write_bytes(archive())
    out = io.StringIO()

    call_command("import_linkedin", str(path), "--user", "alice", stdout=out)

    assert "created: 2" in out.getvalue()
    assert "messages: 3, invitations: 1" in out.getvalue()
    assert set(Contact.objects.filter(owner=alice).values_list("first_name", flat=True)) == {
        "Priya",
        "Tom",
    }
    rows = [
        (i.contact.first_name, i.direction, i.kind, i.occurred_at)
        for i in linkedin_interactions(alice)
    ]
    assert rows == [
        # Sent At "1/29/26, 2:37 PM" has no zone: alice's (UTC here).
        ("Tom", "outbound", "connect", datetime(2026, 1, 29, 14, 37, tzinfo=UTC)),
        ("Priya", "outbound", "other", datetime(2026, 8, 1, 2, 0, tzinfo=UTC)),
        ("Priya", "inbound", "other", datetime(2026, 8, 2, 9, 30, tzinfo=UTC)),
        ("Tom", "inbound", "other", datetime(2026, 8, 3, 10, 0, tzinfo=UTC)),
    ]
    applications = {a.title: a for a in JobApplication.objects.filter(owner=alice)}
    assert applications["Backend Engineer"].status == "applied"
    assert applications["Backend Engineer"].applied_on == date(2026, 8, 1)
    assert applications["Data Engineer"].status == "wishlist"
    assert applications["Data Engineer"].posting_url == "https://www.linkedin.com/jobs/view/222"


def test_invitation_times_are_read_in_the_users_time_zone(alice):
    alice.profile.time_zone = "Europe/Berlin"
    alice.profile.save()

    import_archive(alice, archive())

    invitation = linkedin_interactions(alice).get(kind="connect")
    assert invitation.occurred_at == datetime(2026, 1, 29, 13, 37, tzinfo=UTC)


def test_importing_the_same_archive_again_updates_instead_of_duplicating(alice):
    import_archive(alice, archive())
    counts = (Contact.objects.count(), Interaction.objects.count(), JobApplication.objects.count())

    plan, result = import_archive(alice, archive())

    assert (plan.new_messages, plan.known_messages, plan.new_invitations) == (0, 3, 0)
    assert (result.created, result.updated, result.applications_created) == (0, 2, 0)
    assert counts == (
        Contact.objects.count(),
        Interaction.objects.count(),
        JobApplication.objects.count(),
    )


def test_the_rules_see_the_imported_messages(alice):
    tom = make_contact(alice, first_name="Tom", last_name="Berg", linkedin_url=TOM)
    nudge = make_followup(
        alice, contact=tom, kind=FollowUp.Kind.FEEDBACK_NUDGE, due_at=NOW + timedelta(days=2)
    )

    import_archive(alice, archive())

    nudge.refresh_from_db()
    assert nudge.status == FollowUp.Status.CANCELLED  # Tom answered on LinkedIn


def upload_and_preview(client, raw: bytes, name: str = "linkedin.zip") -> str:
    response = client.post(
        reverse("contacts:import-upload", kwargs={"kind": "linkedin"}),
        {"file": SimpleUploadedFile(name, raw, content_type="application/zip")},
    )
    assert response.status_code == 302, response.content.decode()
    preview = reverse("contacts:import-preview", kwargs={"kind": "linkedin"})
    return client.get(preview).content.decode()


def test_one_preview_shows_the_whole_archive_and_writes_nothing(alice_client, alice):
    page = upload_and_preview(alice_client, archive())

    assert "In this LinkedIn archive" in page
    assert "Messages: 3 new" in page
    assert "1 with people who are not your contacts are left out" in page
    assert "Invitations: 1 new." in page
    assert "Applications: 2 new" in page
    assert "Messages that may say no" in page
    assert "Unfortunately we decided to move forward" in page
    assert not Contact.objects.exists() and not Interaction.objects.exists()


def test_a_rejection_is_logged_as_one_only_when_the_user_confirms_it(alice_client, alice):
    upload_and_preview(alice_client, archive())
    plan = plan_archive(alice, archive())
    (candidate,) = plan.rejection_candidates

    alice_client.post(
        reverse("contacts:import-preview", kwargs={"kind": "linkedin"}),
        {"rejection": candidate.key},
    )

    rejection = Interaction.objects.get(owner=alice, kind="rejection")
    assert rejection.contact.first_name == "Priya"
    assert rejection.application.title == "Backend Engineer"
    assert FollowUp.objects.filter(owner=alice, kind="reply", source=rejection).exists()
    rejection.application.refresh_from_db()
    assert rejection.application.status == "rejected"


def test_without_confirmation_the_no_is_a_plain_message(alice):
    import_archive(alice, archive())

    assert not Interaction.objects.filter(kind="rejection").exists()
    assert not FollowUp.objects.filter(kind="reply").exists()


def test_a_csv_of_the_archive_imports_on_its_own(alice_client, alice):
    make_contact(alice, first_name="Priya", linkedin_url=PRIYA + "/")

    page = upload_and_preview(alice_client, csv_bytes(MESSAGES), "messages.csv")
    alice_client.post(reverse("contacts:import-preview", kwargs={"kind": "linkedin"}))

    assert "Messages: 2 new" in page
    assert linkedin_interactions(alice).count() == 2


def test_columns_are_found_by_name_and_older_exports_lack_some(alice):
    older = [
        ["DATE", "FROM", "CONVERSATION ID", "CONTENT", "SENDER PROFILE URL", "TO",
         "RECIPIENT PROFILE URLS"],
        ["2026-08-02 09:30:00 UTC", "Priya Natarajan", "c-9", "Hello", PRIYA, "Alice Me", ME],
        ["2026-08-02 10:30:00 UTC", "Alice Me", "c-9", "Hi!", ME, "Priya Natarajan", PRIYA],
    ]  # fmt: skip
    files = {"Connections.csv": csv_bytes(CONNECTIONS), "messages.csv": csv_bytes(older)}

    import_archive(alice, archive(files))

    assert [(i.direction, i.body) for i in linkedin_interactions(alice)] == [
        ("inbound", "Hello"),
        ("outbound", "Hi!"),
    ]


def test_a_plain_connections_csv_still_imports_through_the_command(alice, tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_bytes(csv_bytes(CONNECTIONS))
    out = io.StringIO()

    call_command("import_linkedin", str(path), "--user", "alice", stdout=out)

    assert out.getvalue().strip() == "created: 2, updated: 0, rejected: 0 (new companies: 2)"


def test_a_damaged_file_in_the_archive_imports_nothing_at_all(alice):
    broken = csv_bytes(MESSAGES) + b'c-9,,"Priya,' + b"x" * 200_000 + b"\r\n"
    files = {"Connections.csv": csv_bytes(CONNECTIONS), "messages.csv": broken}

    with pytest.raises(ImportFileError, match="a cell longer than .* a quote is never closed"):
        import_archive(alice, archive(files))
    assert not Contact.objects.exists()


# Zip safety -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../../etc/Connections.csv": csv_bytes(CONNECTIONS)}, "unsafe path"),
        ({"/abs/Connections.csv": csv_bytes(CONNECTIONS)}, "unsafe path"),
        ({"Connections.csv": csv_bytes(CONNECTIONS), "inner.zip": b"PK\x03\x04"}, "another"),
        ({"messages.csv": archive()}, "itself an archive"),
        ({"notes.txt": b"hello"}, "holds none of Connections.csv"),
    ],
    ids=["traversal", "absolute", "nested zip", "zip named csv", "nothing wanted"],
)
def test_unsafe_or_foreign_archives_are_refused(alice, files, message):
    with pytest.raises(ImportFileError, match=message):
        import_archive(alice, archive(files))
    assert not Contact.objects.exists()


def test_an_archive_with_too_many_files_is_refused(alice, settings):
    settings.IMPORT_MAX_ARCHIVE_FILES = 10
    files = {f"Articles/{n}.html": b"x" for n in range(11)}

    with pytest.raises(ImportFileError, match="holds 11 files"):
        import_archive(alice, archive(files))


def test_a_zip_bomb_is_stopped_at_the_unpacked_size_cap(alice, settings):
    settings.IMPORT_MAX_ARCHIVE_MEMBER_BYTES = 1024 * 1024
    bomb = csv_bytes(MESSAGES) + b" " * (5 * 1024 * 1024)  # deflates to a few KB

    with pytest.raises(ImportFileError, match="unpacks to more than"):
        import_archive(alice, archive({"messages.csv": bomb}))


def test_the_command_refuses_an_unsafe_archive(alice, tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(archive({"../Connections.csv": csv_bytes(CONNECTIONS)}))

    with pytest.raises(CommandError, match="unsafe path"):
        call_command("import_linkedin", str(path), "--user", "alice")
