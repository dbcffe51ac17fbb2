"""The draft checker (contract: `check_draft`): named findings for what the article warns
about, from placeholders and length to tone and lateness."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.timesince import timesince

from contacts.models import Interaction
from followups.drafts.phrases import (
    DEMANDING_RES,
    EMOTIONAL_RES,
    FEEDBACK_REQUEST_RE,
    INTEREST_RE,
    SHOUTING_RE,
    THANKS_RE,
)
from followups.drafts.placeholders import (
    APOSTROPHES,
    PLACEHOLDER_RE,
    PLACEHOLDER_SOURCES,
    placeholder_key,
)
from followups.drafts.tone import TONES, read_tone
from followups.models import FollowUp

# The checker -------------------------------------------------------------------------

NBSP = "\xa0"
ERROR = "error"
WARNING = "warning"

EMAIL_WORD_LIMIT = 150
LINKEDIN_CHAR_LIMIT = 300

# Which kinds need what. `kind` may be a follow-up kind or the interaction kind of the
# message (a "nudge" interaction is a feedback nudge, a "feedback_request" asks for it).
# The feedback nudge exists only to repeat the feedback request, so it must contain one;
# a thank-you answers feedback already given, so it must not be told to ask again.
_F, _I = FollowUp.Kind, Interaction.Kind
THANKS_KINDS = {_F.REPLY, _F.FEEDBACK_NUDGE, _I.NUDGE, _I.FEEDBACK_REQUEST, _F.THANK_YOU}
FEEDBACK_REQUEST_KINDS = {_F.REPLY, _F.FEEDBACK_NUDGE, _I.NUDGE, _I.FEEDBACK_REQUEST}
INTEREST_KINDS = {_F.REPLY, _F.CHECK_IN, _F.APPLICATION_CHECK}
LINKEDIN_NOTE_KINDS = {_F.CONNECT}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    severity: str = WARNING
    span: tuple[int, int] | None = None
    field: str = "body"
    excerpt: str = ""

    @property
    def key(self) -> str:
        """Names this finding for "dismiss": its code and the text it points at."""
        return f"{self.code}:{self.field}:{self.excerpt}"[:300]


def asks_for_feedback(text: str) -> bool:
    """Whether a message asks for feedback, as the checker reads it.

    Mark sent and every other path that logs a sent draft decide the interaction's
    `requests_feedback` with this, so R3's nudge follows what was actually sent.
    """
    return bool(FEEDBACK_REQUEST_RE.search(text or ""))


def count_words(text: str) -> int:
    return len(_WORD_RE.findall(text))


_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def size_note(body: str, *, channel: str) -> str:
    """How long the draft is against its limit, for the editor: "94 of 150 words"."""
    if channel == "linkedin":
        return f"{len(body.strip())} of {LINKEDIN_CHAR_LIMIT} characters"
    return f"{count_words(body)} of {EMAIL_WORD_LIMIT} words"


def _placeholder_findings(text: str, field: str) -> list[Finding]:
    findings = []
    for match in PLACEHOLDER_RE.finditer(text):
        key = placeholder_key(match.group(1))
        if key:
            message = (
                f"{match.group(0)} is still a placeholder because {PLACEHOLDER_SOURCES[key]}: "
                "type the real text in."
            )
        else:
            message = f"Replace {match.group(0)} with your own words before sending."
        findings.append(Finding("placeholder", message, ERROR, match.span(), field, match.group(0)))
    return findings


def _phrase_findings(text: str, field: str) -> list[Finding]:
    # Curly apostrophes become straight ones one-for-one, so spans stay valid.
    normalized = text.translate(APOSTROPHES)
    findings = []
    for code, patterns in (("emotional", EMOTIONAL_RES), ("demanding", DEMANDING_RES)):
        for pattern, message in patterns:
            for match in pattern.finditer(normalized):
                excerpt = text[match.start() : match.end()]
                findings.append(Finding(code, message, ERROR, match.span(), field, excerpt))
    for match in SHOUTING_RE.finditer(normalized):
        findings.append(
            Finding(
                "emotional",
                "Whole words in capitals read as shouting.",
                ERROR,
                match.span(),
                field,
                text[match.start() : match.end()],
            )
        )
    return findings


def _tone_findings(body: str, covered: list[Finding]) -> list[Finding]:
    """What the tone classifier reads in sentences no phrase pattern already flagged."""
    findings = []
    for reading in read_tone(body):
        if any(
            f.span and f.field == "body" and f.span[0] < reading.end and reading.start < f.span[1]
            for f in covered
        ):
            continue
        tone = TONES[reading.label]
        findings.append(
            Finding(
                tone.code,
                f"This sentence {tone.reads_as}: “{reading.quote}”. {tone.advice}",
                ERROR,
                (reading.start, reading.end),
                "body",
                reading.quote,
            )
        )
    return findings


def _length_finding(body: str, *, linkedin: bool) -> Finding | None:
    if linkedin:
        size = len(body.strip())
        if size <= LINKEDIN_CHAR_LIMIT:
            return None
        start = len(body) - len(body.lstrip()) + LINKEDIN_CHAR_LIMIT
        return Finding(
            "too_long",
            f"LinkedIn notes are limited to {LINKEDIN_CHAR_LIMIT} characters; this one has "
            f"{size}. Cut {size - LINKEDIN_CHAR_LIMIT}.",
            WARNING,
            (start, len(body.rstrip())),
        )
    words = list(_WORD_RE.finditer(body))
    if len(words) <= EMAIL_WORD_LIMIT:
        return None
    return Finding(
        "too_long",
        f"{len(words)} words: a reply they will read to the end stays under "
        f"{EMAIL_WORD_LIMIT}. Cut {len(words) - EMAIL_WORD_LIMIT}.",
        WARNING,
        (words[EMAIL_WORD_LIMIT].start(), len(body.rstrip())),
    )


def _content_findings(body: str, kind: str) -> list[Finding]:
    findings = []
    if kind in THANKS_KINDS and not THANKS_RE.search(body):
        findings.append(
            Finding(
                "no_thanks",
                "Say thank you: for their time, the interview or their note.",
            )
        )
    if kind in FEEDBACK_REQUEST_KINDS and not FEEDBACK_REQUEST_RE.search(body):
        findings.append(
            Finding(
                "no_feedback_request",
                "Ask, politely, for any feedback they can share; it is the most useful "
                "thing you can get from a rejection.",
            )
        )
    if kind in INTEREST_KINDS and not INTEREST_RE.search(body):
        findings.append(
            Finding(
                "no_interest",
                "Say you are still interested in them and in future openings.",
            )
        )
    return findings


def check_draft(
    body: str,
    *,
    kind: str,
    channel: str = "email",
    subject: str = "",
    deadline: datetime | None = None,
    now: datetime | None = None,
) -> list[Finding]:
    """Findings about a draft, errors first, then in reading order; [] when it is clean.

    `kind` is the follow-up kind (or the interaction kind of the message); `channel`
    "linkedin" (or the `connect` kind) measures length in characters, else in words.
    """
    body = body or ""
    subject = subject or ""
    findings = _placeholder_findings(subject, "subject") + _placeholder_findings(body, "body")
    findings += _phrase_findings(subject, "subject") + _phrase_findings(body, "body")
    findings += _tone_findings(body, findings)
    linkedin = channel == "linkedin" or kind in LINKEDIN_NOTE_KINDS
    too_long = _length_finding(body, linkedin=linkedin)
    if too_long:
        findings.append(too_long)
    findings += _content_findings(body, kind)
    now = now or timezone.now()
    if deadline is not None and now > deadline:
        findings.append(
            Finding(
                "late",
                f"The window closed {timesince(deadline, now).replace(NBSP, ' ')} ago. "
                "Send it anyway: a late reply is better than none.",
            )
        )
    findings = _without_overlaps(findings)
    return sorted(
        findings,
        key=lambda f: (
            f.severity != ERROR,
            f.field != "subject",
            f.span[0] if f.span else 10**9,
        ),
    )


def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    """One finding per stretch of text and code: overlapping patterns report once."""
    kept: list[Finding] = []
    for finding in findings:
        if finding.span is not None and any(
            other.code == finding.code
            and other.field == finding.field
            and other.span is not None
            and other.span[0] < finding.span[1]
            and finding.span[0] < other.span[1]
            for other in kept
        ):
            continue
        kept.append(finding)
    return kept
