"""What a received message is about, from its subject, sender and text.

Two questions, asked at two moments: `looks_job_related(headers)` before the body is
fetched (only such messages, and those from known contacts, are read further), and
`guess(subject, text)` once it is, naming the kind of message for the triage page. Plain
regular expressions over a bounded sample: a guess for the user to confirm.
"""

from __future__ import annotations

import re
from functools import lru_cache

from followups.mailbox.mime import Headers
from followups.quicklog.emailparse import TRACKER_DOMAINS

SUBJECT_JOB_RE = re.compile(
    r"\b(?:application|applying|applied|candidac\w*|interview\w*|position|role|job|"
    r"opportunit\w*|offer|recruit\w*|hiring|vacanc\w*|career\w*|talent|opening)\b",
    re.I,
)

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "rejection",
        re.compile(
            r"\bunfortunately\b|\bregret to (?:inform|let you know)\b|"
            r"\b(?:not|won't|will not) (?:be )?(?:moving|move|taking|progressing|proceeding)"
            r" (?:forward|your application|further|ahead)\b|"
            r"\b(?:decided|chosen|chose|decision) (?:not )?to (?:move|proceed|go) "
            r"(?:forward|ahead) with (?:another|other|a different)\b|"
            r"\bwent with (?:another|a different) candidate\b|"
            r"\b(?:another|other) candidates? (?:whose|who)\b|"
            r"\bnot (?:been )?(?:successful|selected)\b|\bposition has (?:now )?been filled\b|"
            r"\bunable to offer you\b|\bwill not be (?:offering|extending)\b",
            re.I,
        ),
    ),
    (
        "offer",
        re.compile(
            r"\b(?:pleased|delighted|happy|excited) to (?:offer|extend)\b|\boffer letter\b|"
            r"\b(?:job|formal|written) offer\b|\bextend (?:you )?an offer\b",
            re.I,
        ),
    ),
    (
        "interview",
        re.compile(
            r"\binvite you (?:to|for)\b|\b(?:schedule|book|arrange|set up) (?:a|an|the|your)?"
            r"\s*(?:interview|call|chat|time|meeting)\b|\byour availability\b|"
            r"\binterview (?:invitation|invite|slot|with)\b|\bnext (?:step|round|stage)\b",
            re.I,
        ),
    ),
    (
        "feedback",
        re.compile(
            r"\b(?:some|the|my|our|any) feedback\b|\bareas? (?:to|for|of) (?:improve|growth|"
            r"development)\b|\bthe panel (?:felt|thought|noted)\b|\bwhat stood out\b",
            re.I,
        ),
    ),
    (
        "acknowledgement",
        re.compile(
            r"\b(?:received|receipt of) your application\b|\bthank(?:s| you) for (?:applying|"
            r"your application|your interest)\b|\bapplication (?:has been |was )?received\b",
            re.I,
        ),
    ),
    (
        "outreach",
        re.compile(
            r"\bcame across your (?:profile|cv|resume)\b|\bwould you be (?:open|interested)\b|"
            r"\bI(?:'m| am) (?:a |the )?recruit\w*\b|\breach(?:ing)? out (?:about|regarding)\b",
            re.I,
        ),
    ),
)
SAMPLE = 6000


def from_tracker(address: str) -> bool:
    """Sent by an applicant tracker (a label of the sender's domain is a tracker's)."""
    return "@" in address and _tracker_domain(address.rsplit("@", 1)[-1].lower())


@lru_cache(maxsize=4096)
def _tracker_domain(domain: str) -> bool:
    # A mailbox's mail comes from few domains: asked once each, not once per message.
    return not TRACKER_DOMAINS.isdisjoint(domain.split("."))


def looks_job_related(headers: Headers) -> bool:
    """Worth fetching the body: a job-sounding subject or an applicant tracker's address."""
    if SUBJECT_JOB_RE.search(headers.subject):
        return True
    return from_tracker(headers.from_address)


def guess(subject: str, text: str) -> str:
    """The MailMessage.Guess of a received message; "other" when nothing matched."""
    sample = f"{subject}\n{text[:SAMPLE]}"
    for kind, pattern in PATTERNS:
        if pattern.search(sample):
            return kind
    if re.match(r"^\s*re\s*:", subject, re.I):
        return "reply"
    return "other"


def is_job_related(subject: str, text: str, headers: Headers, guessed: str = "") -> bool:
    """After reading the body: a recognised kind, or any mail from an applicant tracker
    (a job-sounding subject alone, "20 new jobs for you", is not enough). `guessed`:
    guess(subject, text) when the caller has it already."""
    if (guessed or guess(subject, text)) not in ("other", "reply"):
        return True
    return from_tracker(headers.from_address)
