"""The one `mailto:` link builder (RFC 6068: every character encoded, line breaks as CRLF)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    pass


# Mail client link --------------------------------------------------------------------


def mailto_url(to: str, subject: str, body: str) -> str:
    """A `mailto:` link with every character of subject and body percent-encoded.

    RFC 6068 wants line breaks as CRLF; `quote(safe="")` also encodes `&`, `?`, `#` and
    `+`, so the mail client gets the text back exactly.
    """
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    query = f"subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    return f"mailto:{quote(to.strip(), safe='@')}?{query}"
