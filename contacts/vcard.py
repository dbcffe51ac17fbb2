"""Contacts as vCard 3.0 (RFC 2426) for address books and phones, or 4.0 (RFC 6350) on
request: Apple Contacts and Android's contacts app import only 3.0."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from contacts.models import Contact
from crm.security.weburls import is_web_url

CRLF = "\r\n"
VERSIONS = ("3.0", "4.0")
DEFAULT_VERSION = "3.0"


def _newlines(value: str) -> str:
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def escape(value: str) -> str:
    """A component of a compound value (N, ORG): backslash, comma, semicolon, newlines."""
    return _newlines(value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;"))


def escape_text(value: str) -> str:
    """A single text value (FN, TITLE, NOTE): a `;` separates nothing there, and ical.js
    (Thunderbird) shows an escaped one with its backslash, so only backslash, comma and
    newlines are escaped."""
    return _newlines(value.replace("\\", "\\\\").replace(",", "\\,"))


def fold(line: str) -> str:
    """Splits a content line into pieces of at most 75 octets (RFC 6350 §3.2), never
    inside a UTF-8 character."""
    pieces: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not pieces else 74  # continuation lines start with a space
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def contact_vcard(contact: Contact, version: str = DEFAULT_VERSION) -> str:
    """One contact as vCard 3.0 (RFC 2426: what Apple Contacts and Android import) or 4.0."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version {version!r}; use one of {', '.join(VERSIONS)}")
    lines = [
        "BEGIN:VCARD",
        f"VERSION:{version}",
        f"N:{escape(contact.last_name)};{escape(contact.first_name)};;;",
        f"FN:{escape_text(contact.full_name)}",
    ]
    if contact.company is not None:
        lines.append(f"ORG:{escape(contact.company.name)}")
    if contact.title:
        lines.append(f"TITLE:{escape_text(contact.title)}")
    if contact.email:
        # No line breaks however the address was stored: they would start a forged line.
        lines.append(f"EMAIL;TYPE=work:{''.join(contact.email.split())}")
    if contact.phone:
        # A phone number, not text: written as it is (3.0's default value type; 4.0 says so).
        phone = " ".join(contact.phone.split())  # no line breaks either
        lines.append(f"TEL;VALUE=text:{phone}" if version == "4.0" else f"TEL:{phone}")
    if is_web_url(contact.linkedin_url):
        # URLs are URI values, not text: no backslash escaping, so only a plain http(s)
        # address goes in (no CR/LF that would start a forged TEL: or EMAIL: line).
        lines.append(f"URL:{contact.linkedin_url}")
    if contact.notes:
        lines.append(f"NOTE:{escape_text(contact.notes)}")
    lines.append(f"UID:urn:x-followup-crm:contact:{contact.pk}")
    lines.append(f"REV:{contact.updated_at.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    lines.append("END:VCARD")
    return "".join(fold(line) + CRLF for line in lines)


def contacts_vcard(contacts: Iterable[Contact], version: str = DEFAULT_VERSION) -> str:
    """One .vcf file holding every contact."""
    return "".join(contact_vcard(contact, version) for contact in contacts)
