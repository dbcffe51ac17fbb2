"""LinkedIn and applications files as spreadsheets re-save them: German Excel and Numbers
(`;`, cp1252), Excel's "Unicode Text" (tab, UTF-16), an old Mac (Mac Roman, CR), Excel's
"CSV UTF-8" (BOM, CRLF). Every fixture is written here with csv + encode()."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from contacts.importers import (
    ImportFileError,
    commit_applications,
    import_linkedin,
    parse_applications,
    plan_applications,
)
from contacts.importers.csvfile import decode_file
from contacts.models import Contact
from crm.models import JobApplication

HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
PEOPLE = [
    [
        "José",
        "Núñez",
        "https://www.linkedin.com/in/jose",
        "",
        "Café Müller",
        "Señor Ingeniero",
        "05 Nov 2024",
    ],
    [
        "Zoë",
        "Ångström",
        "https://www.linkedin.com/in/zoe",
        "zoe@example.com",
        "Bäckerei, Köln",
        "Recruiter",
        "12 Jan 2023",
    ],
    [
        "François",
        "Dubois",
        "https://www.linkedin.com/in/fr",
        "",
        "Crème",
        "Développeur",
        "01 Feb 2024",
    ],
]
NOTES = [
    ["Notes:"],
    [
        "When exporting your connection data, you may notice that some, of the "
        "email addresses are missing."
    ],
    [],
]


def linkedin_bytes(delimiter: str, encoding: str, newline: str, *, notes: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerows((NOTES if notes else []) + [HEADER, *PEOPLE])
    return out.getvalue().encode(encoding)


SHAPES = {
    "excel csv utf-8: BOM + CRLF": linkedin_bytes(",", "utf-8-sig", "\r\n"),
    "german excel: ; + cp1252": linkedin_bytes(";", "cp1252", "\r\n"),
    "excel unicode text: tab + utf-16": linkedin_bytes("\t", "utf-16", "\r\n"),
    "old mac: mac roman + CR": linkedin_bytes(",", "mac_roman", "\r"),
    "german numbers: ; + utf-8 + LF": linkedin_bytes(";", "utf-8", "\n", notes=False),
}
READ_AS = {
    "excel csv utf-8: BOM + CRLF": ("UTF-8 with BOM", "commas"),
    "german excel: ; + cp1252": ("Windows-1252 (Western European)", "semicolons"),
    "excel unicode text: tab + utf-16": ("UTF-16", "tabs"),
    "old mac: mac roman + CR": ("Mac Roman", "commas"),
    "german numbers: ; + utf-8 + LF": ("UTF-8", "semicolons"),
}


@pytest.fixture(autouse=True)
def staging_dir(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


def names(owner) -> set[tuple[str, str, str]]:
    return set(Contact.objects.filter(owner=owner).values_list("first_name", "last_name", "title"))


EXPECTED = {(p[0], p[1], p[5]) for p in PEOPLE}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_spreadsheet_resave_of_connections_imports_the_same_names(alice, shape):
    _, result = import_linkedin(alice, SHAPES[shape])

    assert result.created == 3
    assert names(alice) == EXPECTED
    zoe = Contact.objects.get(owner=alice, first_name="Zoë")
    assert zoe.company.name == "Bäckerei, Köln"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_preview_says_how_the_file_was_read_and_shows_names(alice_client, shape):
    response = alice_client.post(
        reverse("contacts:import-upload", kwargs={"kind": "linkedin"}),
        {"file": SimpleUploadedFile("Connections.csv", SHAPES[shape])},
    )
    assert response.status_code == 302

    page = alice_client.get(reverse("contacts:import-preview", kwargs={"kind": "linkedin"}))

    text = page.content.decode()
    encoding, delimiter = READ_AS[shape]
    assert f"Read as <strong>{encoding}</strong>, columns separated by {delimiter}" in text
    assert "José Núñez" in text


def test_the_command_reads_a_german_excel_resave(alice, tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_bytes(SHAPES["german excel: ; + cp1252"])
    out = io.StringIO()

    call_command("import_linkedin", str(path), "--user", "alice", stdout=out)

    assert "created: 3" in out.getvalue()
    assert names(alice) == EXPECTED


def test_a_file_in_two_encodings_at_once_is_refused_with_how_to_resave_it(alice, tmp_path):
    # Rows pasted together from a UTF-8 file and a Windows file: no single reading works.
    raw = linkedin_bytes(",", "utf-8", "\r\n") + (
        "Jürgen,Weiß,https://www.linkedin.com/in/j,,Straße GmbH,Entwickler,01 Feb 2024\r\n"
    ).encode("cp1252")
    path = tmp_path / "Connections.csv"
    path.write_bytes(raw)

    with pytest.raises(CommandError, match="save it again as “CSV UTF-8"):
        call_command("import_linkedin", str(path), "--user", "alice")
    assert not Contact.objects.exists()


def test_a_reimport_never_replaces_a_good_name_with_a_garbled_one(alice):
    import_linkedin(alice, SHAPES["excel csv utf-8: BOM + CRLF"])
    # The same people, as a tool that wrote UTF-8 bytes into a Windows file would.
    mangled = linkedin_bytes(",", "utf-8", "\r\n").decode("utf-8").encode("utf-8")
    mangled = mangled.replace("Núñez".encode(), "N\ufffd\ufffdez".encode())
    mangled = mangled.replace("Señor".encode(), b"Se\x01or")

    plan, result = import_linkedin(alice, mangled)

    assert result.updated == 3
    assert names(alice) == EXPECTED
    jose = next(row for row in plan.rows if row.values["url"].endswith("/jose"))
    assert not any("last name" in change for change in jose.changes)


def test_a_new_row_with_an_unreadable_name_is_rejected_not_imported(alice):
    raw = linkedin_bytes(",", "utf-8", "\r\n").replace("Núñez".encode(), "N\ufffdez".encode())

    plan, result = import_linkedin(alice, raw)

    assert result.created == 2
    rejected = [row for row in plan.rows if row.is_rejected]
    assert "cannot be read" in rejected[0].errors[0]


def test_a_windows_file_is_not_mistaken_for_central_european():
    # One short row: charset-normalizer alone reads ñ as ń (Windows-1250) here.
    raw = linkedin_bytes(";", "cp1252", "\r\n", notes=False)

    decoded = decode_file(raw, expected="Connections.csv")

    assert (decoded.encoding_label, "Núñez" in decoded.text) == (
        "Windows-1252 (Western European)",
        True,
    )


APPLICATIONS = [
    ["Company", "Job Title", "Status", "Date Applied"],
    ["Müller & Söhne", "Entwickler", "Applied", "2024-10-01"],
    ["Café Zoë", "Señor Dev", "Applied", "2024-10-02"],
]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "newline"),
    [(";", "cp1252", "\r\n"), ("\t", "utf-16", "\r\n"), (",", "mac_roman", "\r")],
)
def test_the_applications_importer_reads_the_same_shapes(alice, delimiter, encoding, newline):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(APPLICATIONS)
    raw = out.getvalue().encode(encoding)

    plan = plan_applications(alice, raw, parse_applications(raw).guess_mapping())
    commit_applications(plan)

    assert set(JobApplication.objects.values_list("company__name", "title")) == {
        ("Müller & Söhne", "Entwickler"),
        ("Café Zoë", "Señor Dev"),
    }


def test_a_binary_file_is_still_not_csv():
    with pytest.raises(ImportFileError, match="not a CSV text file"):
        parse_applications(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
