"""Reads a one-line account of what happened ("Priya from Northwind rejected me today")
into the quick-log form's fields, for the MCP tool `log_interaction`.

Deliberately small and predictable: a name followed by "from"/"at" and a company, a
verb phrase from the table below, a day word (today, yesterday, N days ago, a weekday,
an ISO date) and "for the <job> role". Whatever it cannot tell is left out, and the
assistant can pass that field explicitly; explicit fields always win.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# (pattern, kind, direction, extra fields): the first that matches decides.
VERBS: tuple[tuple[str, str, str, dict], ...] = (
    (
        r"\basked (?:\w+ ){0,3}for feedback\b",
        "feedback_request",
        "outbound",
        {"requests_feedback": True},
    ),
    (
        r"\b(?:rejected|turned (?:me )?down|declined) me\b|\brejection\b|\bnot moving forward\b|"
        r"\bturned me down\b",
        "rejection",
        "inbound",
        {},
    ),
    (r"\b(?:sent|gave|shared) (?:me )?(?:some )?feedback\b", "feedback", "inbound", {}),
    (r"\b(?:made|sent) me an offer\b|\boffered me\b", "offer", "inbound", {}),
    (r"\binterview(?:ed)?\b", "interview", "inbound", {}),
    (r"\bI (?:thanked|sent (?:a )?thanks?)\b", "thank_you", "outbound", {}),
    (r"\bI (?:nudged|followed up|chased)\b", "nudge", "outbound", {}),
    (r"\bI (?:replied|answered|wrote back|responded)\b", "reply", "outbound", {}),
    (r"\bI (?:checked in|caught up)\b", "check_in", "outbound", {}),
    (r"\bI (?:connected|sent a connection)\b", "connect", "outbound", {"channel": "linkedin"}),
    (r"\b(?:replied|answered|wrote back|responded|got back to me)\b", "reply", "inbound", {}),
)
CHANNELS = (
    (r"\b(?:called|phoned|rang|phone call)\b", "phone"),
    (r"\b(?:linkedin)\b", "linkedin"),
    (r"\b(?:video|zoom|teams call|meet call)\b", "video"),
    (r"\bin person\b|\bonsite\b", "in_person"),
)
NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)?"
WHO_FROM = re.compile(
    rf"(?P<name>{NAME}) (?:from|at|of) (?P<company>[A-Z][\w&'’.-]*(?: [A-Z][\w&'’.-]*)*)"
)
WHO_VERB = re.compile(rf"(?:^|\b(?:to|with|from|thanked|nudged|asked|by)\s)(?P<name>{NAME})\b")
JOB = re.compile(r"\bfor the (?P<job>[\w /&+.-]+?) (?:role|job|position|opening)\b", re.I)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NOT_NAMES = {"I", "Today", "Yesterday", "Me", "We", "The", "A", "An"} | {
    d.title() for d in WEEKDAYS
}


def read_words(text: str, now: datetime, zone: ZoneInfo) -> dict:
    """The fields `text` tells, as the quick-log InteractionForm names them."""
    text = " ".join(text.split())
    found: dict = {}
    for pattern, kind, direction, extra in VERBS:
        if re.search(pattern, text, re.I):
            found |= {"kind": kind, "direction": direction, **extra}
            break
    for pattern, channel in CHANNELS:
        if re.search(pattern, text, re.I):
            found.setdefault("channel", channel)
            break
    who = WHO_FROM.search(text)
    if who and who["name"].split()[0] not in NOT_NAMES:
        found["contact_name"] = who["name"]
        found["company_name"] = re.sub(r"[.,;:!]+$", "", who["company"])
    else:
        for match in WHO_VERB.finditer(text):
            if match["name"].split()[0] not in NOT_NAMES:
                found["contact_name"] = match["name"]
                break
    job = JOB.search(text)
    if job:
        found["job_title"] = job["job"].strip()
    when = when_from(text, now, zone)
    if when is not None:
        found["occurred_at"] = when
    return found


def when_from(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """Today keeps the current time; an earlier day is taken at noon, local time."""
    lowered = text.lower()
    today = now.astimezone(zone).date()
    if re.search(r"\b(?:today|this morning|this afternoon|just now)\b", lowered):
        return now
    if match := re.search(r"\b(\d{4}-\d{2}-\d{2})\b", lowered):
        try:
            return noon(date.fromisoformat(match[1]), zone)
        except ValueError:
            return None
    if "yesterday" in lowered:
        return noon(today - timedelta(days=1), zone)
    if match := re.search(r"\b(\d{1,3}) days? ago\b", lowered):
        return noon(today - timedelta(days=int(match[1])), zone)
    if match := re.search(r"\b(?:on |last )?(" + "|".join(WEEKDAYS) + r")\b", lowered):
        back = (today.weekday() - WEEKDAYS.index(match[1])) % 7 or 7
        return noon(today - timedelta(days=back), zone)
    return None


def noon(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(12), tzinfo=zone)
