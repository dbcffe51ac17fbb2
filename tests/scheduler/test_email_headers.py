"""Subject and List-Unsubscribe as mail readers parse them: no leading space after the
colon, encoded-words of at most 75 characters (RFC 2047), the URL never encoded."""

from __future__ import annotations

import email
import re
from email import policy

import pytest

from followups.scheduler.emails import ReminderEmail

LONG_URL = "<https://crm.example.com/unsubscribe/" + "abcdefghij" * 9 + "/>"
SUBJECTS = [
    "Reply: Dana Longname-Hyphenated-Person (Initech Global Industries Incorporated Ltd)",
    "Antwort: Zoë Ångström (Müller & Söhne Bäckerei und Konditorei GmbH, Köln-Ehrenfeld)",
    "短い件名ですがとても長い会社名の株式会社グローバルインダストリーズ東京本社営業部",
    "Short",
]


def sent_bytes(subject: str) -> bytes:
    message = ReminderEmail(
        subject=subject,
        body="Hi",
        from_email="crm@example.com",
        to=["alice@example.com"],
        headers={"List-Unsubscribe": LONG_URL},
    )
    return message.message().as_bytes()


@pytest.mark.parametrize("subject", SUBJECTS)
def test_pythons_parser_reads_the_subject_and_unsubscribe_exactly(subject):
    parsed = email.message_from_bytes(sent_bytes(subject), policy=policy.default)

    assert str(parsed["Subject"]) == subject
    assert str(parsed["List-Unsubscribe"]) == LONG_URL


@pytest.mark.parametrize("subject", SUBJECTS)
def test_headers_are_not_folded_right_after_their_colon(subject):
    head = sent_bytes(subject).split(b"\n\n", 1)[0]

    assert not re.search(rb"^(Subject|List-Unsubscribe):\s*\r?\n", head, re.MULTILINE)
    assert f"List-Unsubscribe: {LONG_URL}".encode() in head


@pytest.mark.parametrize("subject", SUBJECTS)
def test_encoded_words_are_at_most_75_characters(subject):
    head = sent_bytes(subject).split(b"\n\n", 1)[0]

    words = re.findall(rb"=\?[^?]+\?[bBqQ]\?[^?]*\?=", head)
    assert all(len(word) <= 75 for word in words), [len(w) for w in words]
    if not subject.isascii():
        assert words
