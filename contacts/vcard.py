"""Contacts as vCard 4.0 (RFC 6350), for address books and phones."""

from __future__ import annotations

from collections.abc import Iterable

from contacts.models import Contact
from crm.security.weburls import is_web_url

CRLF = "\r\n"


def escape(value: str) -> str:
    """Text value escaping of RFC 6350 §3.4: backslash, comma, semicolon and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


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


def contact_vcard(contact: Contact) -> str:
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:urn:x-followup-crm:contact:{contact.pk}",
        f"FN:{escape(contact.full_name)}",
        f"N:{escape(contact.last_name)};{escape(contact.first_name)};;;",
    ]
    if contact.email:
        lines.append(f"EMAIL;TYPE=work:{escape(contact.email)}")
    if contact.phone:
        lines.append(f"TEL;VALUE=text:{escape(contact.phone)}")
    if contact.company:
        lines.append(f"ORG:{escape(contact.company.name)}")
    if contact.title:
        lines.append(f"TITLE:{escape(contact.title)}")
    if is_web_url(contact.linkedin_url):
        # URLs are URI values, not text: no backslash escaping, so only a plain http(s)
        # address goes in (no CR/LF that would start a forged TEL: or EMAIL: line).
        lines.append(f"URL;TYPE=linkedin:{contact.linkedin_url}")
    if contact.notes:
        lines.append(f"NOTE:{escape(contact.notes)}")
    lines.append(f"REV:{contact.updated_at:%Y%m%dT%H%M%SZ}")
    lines.append("END:VCARD")
    return "".join(fold(line) + CRLF for line in lines)


def contacts_vcard(contacts: Iterable[Contact]) -> str:
    """One .vcf file holding every contact."""
    return "".join(contact_vcard(contact) for contact in contacts)
