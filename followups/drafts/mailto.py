"""The one `mailto:` link builder (RFC 6068: every character encoded, line breaks as CRLF)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    pass


# Mail client link --------------------------------------------------------------------

# What quote(text, safe="") writes for each ASCII character: itself for the unreserved
# ones (RFC 3986), "%XX" for the rest.
_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
_ASCII_QUOTED = {n: f"%{n:02X}" for n in range(128) if chr(n) not in _UNRESERVED}


def quote_all(text: str) -> str:
    """quote(text, safe=""), the same string, in one str.translate() for ASCII text
    (quote() looks every byte up in Python: a tenth of a reminder email's CPU, profiled)."""
    return text.translate(_ASCII_QUOTED) if text.isascii() else quote(text, safe="")


def mailto_url(to: str, subject: str, body: str) -> str:
    """A `mailto:` link with every character of subject and body percent-encoded.

    RFC 6068 wants line breaks as CRLF; `quote(safe="")` also encodes `&`, `?`, `#` and
    `+`, so the mail client gets the text back exactly.
    """
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    query = f"subject={quote_all(subject)}&body={quote_all(body)}"
    return f"mailto:{quote(to.strip(), safe='@')}?{query}"
