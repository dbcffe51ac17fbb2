"""Posting HTML to plain text: sanitised by nh3 first, then read as a tree by lxml.

A posting's description comes from a page we do not control. It is never rendered as
HTML: nh3 keeps only structural tags (no attributes, no script or style content), and
the tree of what is left becomes text with a line break per block and a bullet per item.
"""

from __future__ import annotations

import html as html_lib

import lxml.html
import nh3
from lxml import etree

# Structure worth keeping as line breaks and bullets; everything else is unwrapped.
KEPT_TAGS = {
    "p",
    "br",
    "div",
    "section",
    "article",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "dl",
    "dt",
    "dd",
    "hr",
}
# Tags whose content is dropped, not just unwrapped.
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "template",
    "noscript",
    "iframe",
    "object",
    "title",
    "textarea",
    "svg",
    "math",
    "head",
}
BLOCK_TAGS = KEPT_TAGS - {"br", "td", "th"}
MAX_INPUT_CHARS = 2_000_000
MAX_TEXT_CHARS = 50_000


def _looks_like_markup(text: str) -> bool:
    """Tags written out as text (`&lt;p&gt;` decoded once) are markup, not words."""
    start = text.find("<")
    while start != -1 and start + 1 < len(text):
        following = text[start + 1]
        if following.isalpha() or following in "/!?":
            return True
        start = text.find("<", start + 1)
    return False


LINE_TAGS = {"li", "tr", "dt", "dd", "div", "section", "article", "ul", "ol", "dl", "table"}


def _walk(element, out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    # Paragraphs and headings stand apart by a blank line, items and rows by a line.
    before = "\n\n" if tag in BLOCK_TAGS - LINE_TAGS else "\n" if tag in LINE_TAGS else ""
    out.append(before)
    if tag == "li":
        out.append("• ")
    if tag == "br":
        out.append("\n")
    if element.text and tag:
        out.append(element.text)
    for child in element:
        _walk(child, out)
        if child.tail:
            out.append(child.tail)
    if tag in {"td", "th"}:
        out.append(" ")
    out.append(before if tag != "li" else "")


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    tidy: list[str] = []
    for line in lines:
        if line == "•":
            continue
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()


def _once(markup: str) -> str:
    safe = nh3.clean(
        markup,
        tags=KEPT_TAGS,
        attributes={},
        clean_content_tags=DROPPED_WITH_CONTENT,
        strip_comments=True,
        link_rel=None,
    )
    if not safe.strip():
        return ""
    fragment = lxml.html.fragment_fromstring(safe, create_parent="div")
    out: list[str] = []
    _walk(fragment, out)
    return _tidy("".join(out))


def html_to_text(value: object) -> str:
    """Plain text of a description that may be HTML, escaped HTML or text; never raises.

    Boards escape their HTML once more in JSON (Greenhouse's `content`), and some pages
    twice, so the sanitising repeats while what comes out still reads as tags.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = text[:MAX_INPUT_CHARS].replace("\x00", "")
    try:
        if "<" not in text and "&lt;" in text:
            text = html_lib.unescape(text)
        for _ in range(3):
            text = _once(text)
            if not _looks_like_markup(text):
                break
        else:
            text = text.replace("<", "‹").replace(">", "›")
    except (etree.ParserError, ValueError, TypeError):
        return ""
    return text[:MAX_TEXT_CHARS]


def plain_line(value: object, limit: int = 200) -> str:
    """A one-line text value (a title, a company name): entities decoded, tags and
    runs of whitespace removed, clipped to `limit` characters."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    text = str(value)[:10_000]
    text = html_to_text(text) if "<" in text else html_lib.unescape(text)
    text = text.replace("\x00", "")
    return " ".join(text.split())[:limit]
