"""Raw message bytes to what the sync needs, with the standard `email` package.

Nothing here raises on odd mail: malformed MIME is read as far as it goes, every charset
Python has a codec for is decoded, charset-normalizer guesses the rest, and what still
cannot be read is said in `problem` so the message is listed rather than lost. Bodies are
cut at BODY_LIMIT and attachments are never kept; HTML-only mail becomes plain text.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from functools import cached_property
from html import unescape
from html.parser import HTMLParser

from charset_normalizer import from_bytes

# A body longer than this (in characters) is cut: nobody's rejection is a megabyte long.
BODY_LIMIT = 1_000_000
MESSAGE_ID_RE = re.compile(r"<[^<>\s]{1,250}>")


@dataclass
class Headers:
    """What the sync reads before deciding whether a message is worth its body."""

    message_id: str = ""
    # The sender's name as sent, and In-Reply-To + References: read into `from_name` and
    # `in_reply_to` when first asked for (only the kept messages and sent mail need them).
    from_name_header: str = ""
    from_address: str = ""
    # The To and Cc headers as sent: read into `to` when first asked for (always for sent
    # mail; for received mail only for the messages kept).
    to_header: str = ""
    cc_header: str = ""
    subject: str = ""
    # The Date header as sent: read into `sent_at` when first asked for, since the sync
    # needs it only for the few messages it keeps.
    date: str = ""
    reply_headers: str = ""
    list_unsubscribe: str = ""
    problem: str = ""

    @cached_property
    def from_name(self) -> str:
        return _text(self.from_name_header)[:200]

    @cached_property
    def in_reply_to(self) -> list[str]:
        """The Message-IDs of In-Reply-To, then References."""
        return MESSAGE_ID_RE.findall(self.reply_headers)

    @cached_property
    def to(self) -> list[str]:
        """The To and Cc addresses, lower-cased."""
        try:
            return [
                address.lower()
                for header in (self.to_header, self.cc_header)
                for _name, address in addresses(header)
                if "@" in address
            ]
        except Exception:  # noqa: BLE001 - never lose a message to a header
            return []

    @cached_property
    def sent_at(self) -> datetime | None:
        return _date(self.date)

    def key(self, *, size: int = 0) -> str:
        """The Message-ID, or a hash of what identifies a message that has none (the same
        message in two folders hashes the same)."""
        if self.message_id:
            return self.message_id[:255]
        sent = self.sent_at.isoformat() if self.sent_at else ""
        basis = "\n".join([self.from_address, ",".join(self.to), self.subject, sent, str(size)])
        return "sha256:" + hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


def _text(value: str) -> str:
    """A raw header value as text: 8-bit bytes read as UTF-8 (else Latin-1), RFC 2047
    encoded words decoded; a charset Python does not know leaves the words as they are."""
    if value.isascii() and "=?" not in value:
        return " ".join(value.split())  # most headers: nothing to decode
    if any("\udc80" <= c <= "\udcff" for c in value):
        data = value.encode("ascii", "surrogateescape")
        try:
            value = data.decode("utf-8")
        except UnicodeDecodeError:
            value = data.decode("latin-1")
    if "=?" in value:
        with suppress(LookupError, UnicodeError, ValueError, HeaderParseError):
            value = str(make_header(decode_header(value)))
    return " ".join(value.split())


def parse_headers(raw: bytes) -> Headers:
    """The identifying headers of a message (header block or the whole message).

    The modern email policy's header objects cost ten times as much, for every message
    of the mailbox: values are read with email.utils and email.header instead.
    """
    values, malformed = header_values(raw)
    found = Headers()
    try:
        found.message_id = _first_id(values.get("message-id", ""))
        found.subject = _text(values.get("subject", ""))[:300]
        pairs = addresses(values.get("from", ""))
        if pairs:
            found.from_name_header = pairs[0][0]
            found.from_address = pairs[0][1].lower()[:320]
        found.to_header, found.cc_header = values.get("to", ""), values.get("cc", "")
        found.reply_headers = values.get("in-reply-to", "") + " " + values.get("references", "")
        found.list_unsubscribe = values.get("list-unsubscribe", "")
        found.date = values.get("date", "")
    except Exception as error:  # noqa: BLE001 - never lose a message to a header
        found.problem = f"headers could not all be read ({type(error).__name__})"
    if malformed and not found.problem:
        found.problem = "malformed headers"
    return found


def header_values(raw: bytes) -> tuple[dict[str, str], bool]:
    """The header block as {lower-case name: raw value} (the first of repeated ones,
    folded lines joined; 8-bit bytes kept as surrogate escapes for `_text`), and whether
    a line was not a header. What email's compat32 parser does for a header block, at a
    fraction of its cost: this runs for every message of the mailbox."""
    values: dict[str, str] = {}
    malformed = False
    current = None
    for line in raw.decode("ascii", "surrogateescape").splitlines():
        if not line:
            break
        if line[0] in " \t":
            if current is not None:
                values[current] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or " " in name:
            malformed, current = True, None
            continue
        name = name.lower()
        if name in values:
            current = None  # a repeated header: the first one counts
        else:
            values[name], current = value.strip(), name
    return values, malformed


# `Name <a@b>` or `a@b`: most headers, read without the full RFC 5322 parser.
_ATOM = r"[^<>\s@,;:\"()\\]+"
# The name is matched greedily and stripped afterwards: a lazy name before `\s*<`
# backtracks at every character, twice the cost, for every message of the mailbox.
SIMPLE_ADDRESS_RE = re.compile(rf"([^<>@,;:\"()\\]*)<({_ATOM}@{_ATOM})>\s*|\s*({_ATOM}@{_ATOM})\s*")


def addresses(value: str) -> list[tuple[str, str]]:
    """(name, address) pairs of an address header; email.utils.getaddresses for anything
    beyond plain `Name <address>` lists (quotes, comments, groups)."""
    if not value:
        return []  # no such header (most messages' Cc)
    pairs = []
    for piece in value.split(","):
        if not piece.strip():
            continue
        match = SIMPLE_ADDRESS_RE.fullmatch(piece)
        if match is None:
            return getaddresses([value])
        if match.group(2):
            pairs.append((match.group(1).strip(), match.group(2)))
        else:
            pairs.append(("", match.group(3)))
    return pairs


def _first_id(value: str) -> str:
    match = MESSAGE_ID_RE.search(value)
    return match.group(0) if match else ""


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# Body ------------------------------------------------------------------------------------


@dataclass
class Body:
    text: str = ""
    problem: str = ""


def decode_bytes(payload: bytes, charset: str | None) -> tuple[str, str]:
    """(text, problem): the declared charset if Python knows it, else a guess."""
    if charset:
        try:
            codecs.lookup(charset)
            return payload.decode(charset), ""
        except LookupError:
            problem = f"unknown charset {charset[:40]!r}"
        except UnicodeDecodeError:
            problem = f"text is not valid {charset[:40]}"
    else:
        try:
            return payload.decode("utf-8"), ""
        except UnicodeDecodeError:
            problem = "no charset declared"
    best = from_bytes(payload).best()
    if best is not None:
        return str(best), ""
    return payload.decode("utf-8", "replace"), f"{problem}: shown with replacement characters"


def body_text(raw: bytes) -> Body:
    """The readable text of a whole message: its text/plain part, else its HTML as text.

    Attachments (anything with a filename or a non-text type) are skipped unread.
    """
    message = _single_text_part(raw)
    if message is None:
        try:
            message = message_from_bytes(raw, policy=compat32)
        except Exception:  # noqa: BLE001
            return Body(
                raw[:BODY_LIMIT].decode("utf-8", "replace"), "the message could not be parsed"
            )
    plain: list[str] = []
    html: list[str] = []
    problems: list[str] = []
    for part in _text_parts(message):
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:  # noqa: BLE001 - broken transfer encoding
            problems.append("a part could not be decoded")
            continue
        text, problem = decode_bytes(payload[: BODY_LIMIT * 4], part.get_content_charset())
        if problem:
            problems.append(problem)
        (html if part.get_content_type() == "text/html" else plain).append(text)
    if plain:
        text = "\n\n".join(plain)
    elif html:
        text = html_to_text("\n".join(html))
    else:
        text = ""
    if message.defects and not problems:
        problems.append("malformed MIME, read as far as it goes")
    if len(text) > BODY_LIMIT:
        text, problems = text[:BODY_LIMIT], [*problems, "text cut at 1 MB"]
    return Body(text.replace("\r\n", "\n").strip(), "; ".join(dict.fromkeys(problems)))


def _single_text_part(raw: bytes) -> Message | None:
    """The message as compat32's parser would read it, when it is one text part with
    plain ASCII headers (most mail a sync keeps): only its Content-Type and
    Content-Transfer-Encoding are set, the body as the parser stores it. None for
    anything else (multipart, 8-bit or odd headers), which the full parser reads.

    The feed parser walks the message line by line in Python: a tenth of a first sync's
    own work was that, for the kept messages, before this (bench/README.md).
    """
    head, separator, payload = raw.partition(b"\r\n\r\n")
    if not separator or not head.isascii() or head[:1] in (b" ", b"\t", b""):
        return None
    values, malformed = header_values(head)
    if malformed:
        return None
    message = Message()
    for name in ("content-type", "content-transfer-encoding"):
        if name in values:
            message[name] = values[name]
    if message.get_content_maintype() != "text":
        return None
    message.set_payload(payload.decode("ascii", "surrogateescape"))
    return message


def _text_parts(message: Message):
    if not message.is_multipart():
        if message.get_content_maintype() == "text" or not message.get_content_type():
            yield message
        return
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_filename() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() in ("text/plain", "text/html"):
            yield part


def decode_part(payload: bytes, encoding: str, charset: str | None) -> Body:
    """One text part fetched on its own (a big message's text, without its attachment)."""
    message = Message()
    message["Content-Transfer-Encoding"] = encoding or "7bit"
    message.set_payload(payload)
    try:
        decoded = message.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        decoded = payload
    # A single non-multipart part decodes to bytes (None when it has no payload).
    data = decoded if isinstance(decoded, bytes) else b""
    text, problem = decode_bytes(data, charset)
    return Body(text[:BODY_LIMIT].replace("\r\n", "\n").strip(), problem)


class _TextFromHTML(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """HTML mail as the text a person reads: blocks on their own lines, no markup."""
    parser = _TextFromHTML()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001
        return unescape(re.sub(r"<[^>]+>", " ", html))
    text = "".join(parser.out)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# What the user wrote, without what they quoted --------------------------------------------

QUOTE_INTRO = re.compile(
    r"^(?:On .{0,200}wrote:|-{2,} ?Original Message ?-{2,}|From: .+|Le .{0,200}a écrit ?:)\s*$",
    re.I | re.M,
)


def own_words(text: str) -> str:
    """The new text of a reply: up to the quote's introduction, without '>' lines."""
    match = QUOTE_INTRO.search(text)
    if match:
        text = text[: match.start()]
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">")).strip()
