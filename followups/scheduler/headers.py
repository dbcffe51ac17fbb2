"""Folding of the headers readers look at: Subject and List-Unsubscribe.

compat32 (what Django's messages use) folds a long header right after its colon, which
Python's own parser then reads with a leading space, and its encoded-words can pass the
75 characters RFC 2047 §2 allows. Here: the first piece stays on the header's line,
ASCII text folds at its spaces, other text becomes base64 encoded-words of at most 75
characters that never split a character, and a List-Unsubscribe URL is never folded
(RFC 2369: it has no space to fold at; a line may hold 998 characters).
"""

from __future__ import annotations

import base64
from email.header import decode_header, make_header

MAX_ENCODED_WORD = 75
SOFT_LINE = 78
_PREFIX, _SUFFIX = "=?utf-8?b?", "?="


def plain_value(value: str) -> str:
    """The text of a header value that Django may have folded or encoded already (it
    passes every subject through email.header.Header before the policy sees it)."""
    if "=?" not in value:
        # Unfolding (RFC 5322 §2.2.3): drop the line breaks, keep the space after them.
        return value.replace("\r", "").replace("\n", "")
    return str(make_header(decode_header(value)))


def _encoded_words(text: str, first_room: int) -> list[str]:
    words: list[str] = []
    chunk = b""
    room = first_room
    for char in text:
        data = char.encode("utf-8")
        candidate = chunk + data
        size = len(_PREFIX) + len(_SUFFIX) + 4 * ((len(candidate) + 2) // 3)
        if chunk and size > room:
            words.append(_PREFIX + base64.b64encode(chunk).decode() + _SUFFIX)
            chunk, room = data, MAX_ENCODED_WORD
        else:
            chunk = candidate
    if chunk:
        words.append(_PREFIX + base64.b64encode(chunk).decode() + _SUFFIX)
    return words


def _ascii_lines(name: str, text: str) -> list[str]:
    lines: list[str] = []
    current = f"{name}:"
    for word in text.split(" "):
        if current.endswith(":") or len(current) + 1 + len(word) <= SOFT_LINE:
            current += " " + word
        else:
            lines.append(current)
            current = " " + word  # the space is the one between the words
    lines.append(current)
    return lines


def fold_header(name: str, value: str, linesep: str = "\r\n") -> str:
    """`Name: value` folded as described above, ending in `linesep`."""
    text = plain_value(value)
    if name.lower() == "list-unsubscribe":
        return f"{name}: {text.strip()}{linesep}"
    if text.isascii():
        lines = _ascii_lines(name, text)
    else:
        first_room = min(MAX_ENCODED_WORD, SOFT_LINE - len(name) - 2)
        words = _encoded_words(text, first_room)
        lines = [f"{name}: {words[0]}", *(" " + word for word in words[1:])]
    return linesep.join(lines) + linesep
