"""Documents: upload résumé and cover-letter versions, attach the one sent to an
application, download it as its owner; everyone else gets a 404."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from crm.models import Document
from tests.factories import PASSWORD, make_application

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.fixture
def bob_client(bob):
    """Bob in his own browser (the shared `client` fixture is Alice's here)."""
    client = Client()
    client.login(username="bob", password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DOCUMENT_MAX_BYTES = 64 * 1024
    return settings.MEDIA_ROOT


def upload(client, filename: str, content: bytes, **fields):
    data = {"kind": "resume", "name": "", "file": SimpleUploadedFile(filename, content)}
    data.update(fields)
    return client.post(reverse("crm:document-list"), data)


def file_error(response) -> str:
    assert response.status_code == 400
    return " ".join(response.context["form"].errors["file"])


@pytest.mark.parametrize(
    ("name", "content"),
    [("cv.pdf", PDF), ("cv.docx", DOCX), ("cv.odt", ODT), ("cv.txt", "Résumé\n".encode())],
)
def test_each_accepted_type_uploads_and_downloads_as_its_owner(
    alice, alice_client, media, name, content
):
    response = upload(alice_client, name, content, name="Backend v3")

    assert response.status_code == 302
    document = Document.objects.get(owner=alice)
    assert (document.name, document.original_name, document.size) == (
        "Backend v3",
        name,
        len(content),
    )
    assert document.file.name.startswith(f"documents/{alice.pk}/")
    assert (media / document.file.name).read_bytes() == content
    download = alice_client.get(reverse("crm:document-download", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert f'filename="{name}"' in download["Content-Disposition"]


def test_another_user_gets_a_404_for_the_file_and_its_delete(alice, alice_client, bob_client):
    upload(alice_client, "cv.pdf", PDF)
    document = Document.objects.get()

    assert bob_client.get(reverse("crm:document-download", args=[document.pk])).status_code == 404
    assert bob_client.post(reverse("crm:document-delete", args=[document.pk])).status_code == 404
    assert Document.objects.exists()


def test_the_file_is_not_reachable_by_any_public_url(alice_client):
    upload(alice_client, "cv.pdf", PDF)
    document = Document.objects.get()

    assert alice_client.get("/" + document.file.name).status_code == 404
    assert alice_client.get("/media/" + document.file.name).status_code == 404


def test_an_oversized_file_gets_a_field_error(alice_client):
    response = upload(alice_client, "cv.pdf", PDF + b"0" * (65 * 1024))

    assert "larger than" in file_error(response)
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.exe", b"MZ\x90\x00", "Upload a PDF, DOCX, ODT or TXT file"),
        ("cv.html", b"<script>alert(1)</script>", "Upload a PDF, DOCX, ODT or TXT file"),
        ("cv.pdf", b"<html>not a pdf</html>", "does not contain what a PDF file holds"),
        ("cv.docx", PDF, "does not contain what a DOCX file holds"),
        ("cv.docx", ODT, "does not contain what a DOCX file holds"),
        ("cv.odt", DOCX, "does not contain what a ODT file holds"),
        ("cv.txt", b"\x7fELF\x00\x00binary", "does not contain what a TXT file holds"),
    ],
)
def test_a_wrongly_typed_file_gets_a_field_error(alice_client, name, content, message):
    assert message in file_error(upload(alice_client, name, content))
    assert not Document.objects.exists()


def test_the_version_sent_is_attached_and_shown_on_the_application(alice, alice_client):
    upload(alice_client, "cv.pdf", PDF, name="Backend v3")
    upload(alice_client, "letter.txt", b"Dear Acme", kind="cover_letter", name="Acme letter")
    resume, letter = (
        Document.objects.get(name="Backend v3"),
        Document.objects.get(kind="cover_letter"),
    )
    application = make_application(alice, title="Backend Engineer")

    alice_client.post(
        reverse("crm:application-edit", args=[application.pk]),
        {
            "company_name": application.company.name,
            "title": application.title,
            "status": "applied",
            "documents": [resume.pk, letter.pk],
        },
    )

    assert set(application.documents.all()) == {resume, letter}
    page = alice_client.get(reverse("crm:application-detail", args=[application.pk])).content
    assert "Résumé: Backend v3" in page.decode()
    assert "Cover letter: Acme letter" in page.decode()
    listing = alice_client.get(reverse("crm:document-list")).content.decode()
    assert "Backend Engineer at" in listing


def test_the_job_search_record_says_which_versions_went_with_each_application(alice, alice_client):
    upload(alice_client, "cv.pdf", PDF, name="Backend v3")
    upload(alice_client, "letter.txt", b"Dear Acme", kind="cover_letter", name="Acme letter")
    application = make_application(alice, title="Backend Engineer", applied_on=date(2026, 3, 2))
    application.documents.set(Document.objects.filter(owner=alice))
    make_application(alice, title="Data Engineer", applied_on=date(2026, 3, 3))
    record = reverse("followups:job-search-record")
    days = {"start": "2026-03-01", "end": "2026-03-31"}

    rows = list(csv.reader(io.StringIO(alice_client.get(record, days | {"format": "csv"}).text)))
    page = alice_client.get(record, days).content.decode()

    assert rows[0][-1] == "Documents sent"
    sent = {row[2]: row[-1] for row in rows[1:]}
    assert sent == {
        "Backend Engineer": "Cover letter: Acme letter; Résumé: Backend v3",
        "Data Engineer": "",
    }
    assert "<td>Cover letter: Acme letter; Résumé: Backend v3</td>" in page


def test_another_users_document_cannot_be_attached(alice, bob, bob_client, alice_client):
    upload(bob_client, "cv.pdf", PDF)
    bobs = Document.objects.get(owner=bob)
    application = make_application(alice)

    response = alice_client.post(
        reverse("crm:application-edit", args=[application.pk]),
        {
            "company_name": application.company.name,
            "title": application.title,
            "status": "applied",
            "documents": [bobs.pk],
        },
    )

    assert response.status_code == 200
    assert "documents" in response.context["form"].errors
    assert not application.documents.exists()


def test_deleting_a_document_removes_its_file(alice_client, media):
    upload(alice_client, "cv.pdf", PDF)
    document = Document.objects.get()
    path = media / document.file.name

    alice_client.post(reverse("crm:document-delete", args=[document.pk]))

    assert not path.exists()
    assert not Document.objects.exists()
