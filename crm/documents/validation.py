"""What an uploaded document may be: PDF, DOCX, ODT or TXT, under the size cap.

The extension alone proves nothing, so the first bytes must match it too (a PDF header,
a zip holding a Word or OpenDocument text, text without NUL bytes). Downloads are sent
with the type of the checked extension, never the one the browser claimed on upload.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain; charset=utf-8",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
SNIFF_BYTES = 8192


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"


def suffix_of(name: str) -> str:
    return PurePath(name or "").suffix.lower()


def _zip_names(file) -> set[str] | None:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist()[:2000])
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)
    if mimetype:
        names.add("mimetype:" + mimetype.decode("ascii", errors="replace").strip())
    return names


def _matches(suffix: str, head: bytes, file) -> bool:
    if suffix == ".pdf":
        return head.startswith(b"%PDF-")
    if suffix == ".txt":
        # UTF-16 text has NUL bytes by design; any other text file has none.
        return b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff"))
    names = _zip_names(file) if head.startswith(b"PK\x03\x04") else None
    if names is None:
        return False
    if suffix == ".docx":
        return "word/document.xml" in names
    return "mimetype:" + ODT_MIMETYPE.decode() in names


def validate_document(value) -> None:
    """A new upload must be small enough and really of one of the accepted types."""
    if getattr(value, "_committed", False):
        return  # a file already stored was checked when it was uploaded
    upload = getattr(value, "file", value)
    name = getattr(upload, "name", "") or getattr(value, "name", "")
    size = getattr(upload, "size", None)
    limit = settings.DOCUMENT_MAX_BYTES
    if size is not None and size > limit:
        raise ValidationError(
            f"The file is {_megabytes(size)}; the limit is {_megabytes(limit)}.", code="too_big"
        )
    suffix = suffix_of(name)
    if suffix not in CONTENT_TYPES:
        raise ValidationError(
            f"Upload a PDF, DOCX, ODT or TXT file; “{PurePath(name).name}” is none of them.",
            code="file_type",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if not _matches(suffix, head, upload):
        raise ValidationError(
            f"“{PurePath(name).name}” does not contain what a {suffix[1:].upper()} file "
            "holds; export it again from your editor.",
            code="file_content",
        )
