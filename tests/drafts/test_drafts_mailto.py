"""The "Open in mail client" link carries the subject and body back exactly."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followups.drafts import mailto_url
from followups.drafts.mailto import quote_all


def decode(url: str) -> tuple[str, str, str]:
    """What a mail client reads from the link: address, subject, body (CRLF as \\n)."""
    parts = urlsplit(url)
    assert parts.scheme == "mailto"
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert set(query) == {"subject", "body"}
    (subject,), (body,) = query["subject"], query["body"]
    return unquote(parts.path), subject, body.replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Danke schön, Zoë", "Grüße aus Köln 👋\n\nÇa va? 日本語も"),
        ("Q&A: next steps?", "Salt & pepper\nLine two?\nIssue #42 + 100% sure"),
        ("a=b&c=d", "key=value&other=1#frag?x"),
        ("", ""),
        ("Spaces   kept", "  indented\n\n\ntrailing  \n"),
        ("Windows", "one\r\ntwo\r\n"),
    ],
)
def test_subject_and_body_round_trip(subject, body):
    address, got_subject, got_body = decode(mailto_url("dana@example.com", subject, body))
    assert address == "dana@example.com"
    assert got_subject == subject
    assert got_body == body.replace("\r\n", "\n")


def test_line_breaks_are_sent_as_crlf():
    url = mailto_url("dana@example.com", "Hi", "one\ntwo")
    assert url.endswith("body=one%0D%0Atwo")


def test_plus_in_the_address_and_text_is_not_turned_into_a_space():
    url = mailto_url("dana+jobs@example.com", "1+1", "a + b")
    assert decode(url) == ("dana+jobs@example.com", "1+1", "a + b")
    assert " " not in url


@given(
    subject=st.text(max_size=120).filter(lambda s: "\r" not in s),
    body=st.text(max_size=600).filter(lambda s: "\r" not in s),
)
def test_any_text_round_trips(subject, body):
    assert decode(mailto_url("dana@example.com", subject, body)) == (
        "dana@example.com",
        subject,
        body,
    )


@given(text=st.text(max_size=300) | st.text(st.characters(max_codepoint=127), max_size=300))
def test_the_quick_quoting_writes_what_quote_writes(text):
    assert quote_all(text) == quote(text, safe="")
