"""Reminder emails: one function per kind, each rendering a template triplet
(`emails/<name>-subject.txt`, `-body.txt`, `-body.html`) into a multipart message.

Every email carries a deterministic Message-ID (a retried send is recognisably the same
message), links built from settings.SITE_URL and a signed one-click unsubscribe link
(RFC 8058), and is sent to the user only: the app never writes to their contacts.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from email.policy import Compat32
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.urls import reverse

from crm.models import Profile
from crm.security.weburls import web_url_or_empty
from followups.drafts import mailto_url, render_draft
from followups.models import FollowUp
from followups.scheduler.headers import fold_header

UNSUBSCRIBE_SALT = "followups.unsubscribe"
REMINDERS = "reminders"
DIGEST = "digest"

# Why the follow-up matters, in a sentence the reminder opens with.
_Kind = FollowUp.Kind
WHY: dict[str, str] = {
    _Kind.REPLY: "A short, gracious answer to a rejection keeps the door open; it works best "
    "within a day or two.",
    _Kind.FEEDBACK_NUDGE: "You asked for feedback a week ago and heard nothing; one polite "
    "nudge is fine, more is too much.",
    _Kind.CHECK_IN: "It has been a while: a brief update keeps you on their radar for the "
    "next opening.",
    _Kind.CONNECT: "You replied to them; a LinkedIn connection keeps the contact alive.",
    _Kind.THANK_YOU: "A thank-you note within a day shows you valued their time.",
    _Kind.APPLICATION_CHECK: "Two weeks without an answer: asking about the status is normal.",
    _Kind.GOAL: "One of your goals reaches its deadline.",
    _Kind.CUSTOM: "You asked to be reminded of this.",
}


# Links ------------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def followup_url(followup: FollowUp) -> str:
    """Where the user acts on the follow-up: its draft editor (a goal: the growth plan)."""
    if followup.kind == FollowUp.Kind.GOAL:
        return absolute_url(reverse("followups:growth"))
    return absolute_url(reverse("followups:draft", args=[followup.pk]))


def local_time(instant: datetime, profile: Profile, *, with_year: bool = True) -> str:
    """The instant in the owner's zone, as "Tue 10 Mar 2026, 14:59" (plain strftime:
    cheaper per email than the template filter, and these emails are in English)."""
    local = instant.astimezone(profile.zone)
    year = f" {local:%Y}" if with_year else ""
    return f"{local:%a} {local.day} {local:%b}{year}, {local:%H:%M}"


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind) of a genuine token; raises signing.BadSignature otherwise."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or data.get("k") not in (REMINDERS, DIGEST):
        raise signing.BadSignature("not an unsubscribe token")
    return int(data["u"]), data["k"]


def unsubscribe_url(user_id: int, kind: str) -> str:
    return absolute_url(reverse("followups:unsubscribe", args=[unsubscribe_token(user_id, kind)]))


_FOLDED: dict[tuple, bytes] = {}
_FOLDED_MAX = 4096
# Folded by followups/scheduler/headers.py: compat32 folds them after the colon.
READER_HEADERS = {"subject", "list-unsubscribe"}


class _RememberedFolding(Compat32):
    """compat32 (what Django's messages use) that folds each distinct header only once.

    Folding goes through email.header.Header and was a third of the cost of turning a
    reminder into bytes; most headers (From, To, List-Unsubscribe, every part's
    Content-Type…) are the same for all reminders to one user. Folding is a pure function
    of the header and these policy settings, so the bytes are exactly what compat32 gives.
    """

    def fold_binary(self, name, value):
        if not isinstance(value, str):  # a Header object: not hashable, rare
            return super().fold_binary(name, value)
        if name.lower() in READER_HEADERS:
            return fold_header(name, value, self.linesep).encode("ascii")
        key = (name, value, self.linesep, self.max_line_length, self.cte_type)
        folded = _FOLDED.get(key)
        if folded is None:
            if len(_FOLDED) >= _FOLDED_MAX:  # many users: start over rather than grow
                _FOLDED.clear()
            folded = _FOLDED[key] = super().fold_binary(name, value)
        return folded


_FOLDING = _RememberedFolding()


class ReminderEmail(EmailMultiAlternatives):
    """A text + HTML email whose MIME boundary is chosen up front.

    Without one, Python's email generator compiles a fresh regular expression per message
    to check its random boundary against the body: a quarter of the cost of building a
    reminder. 128 random bits cannot collide with the text.
    """

    def message(self):
        msg = super().message()
        for part in msg.walk():
            if part.is_multipart() and part.get_boundary() is None:
                part.set_boundary(f"==fcrm-{secrets.token_hex(16)}==")
        # The generator applies the outer message's policy to every part it writes.
        msg.policy = _FOLDING
        return msg


@lru_cache(maxsize=16)
def _template(path: str):
    """The compiled template, looked up once per process instead of per email."""
    return get_template(path)


def _render(path: str, context: dict) -> str:
    # What render_to_string does without a request, minus the loader lookup per email.
    return _template(path).render(context)


def _message(
    name: str, context: dict, *, to: str, message_id: str, unsubscribe: str
) -> ReminderEmail:
    context = {**context, "site_url": settings.SITE_URL, "unsubscribe_url": unsubscribe}
    subject = " ".join(_render(f"emails/{name}-subject.txt", context).split())
    message = ReminderEmail(
        subject=subject,
        body=_render(f"emails/{name}-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(_render(f"emails/{name}-body.html", context), "text/html")
    return message


# Email kinds --------------------------------------------------------------------------


def reminder_message(
    followup: FollowUp, profile: Profile, *, late: bool = False
) -> EmailMultiAlternatives:
    """The email that says one follow-up is due, with its draft and a link to act on it.

    `late`: the reminder goes out well after its time (the worker was down)."""
    subject, body = followup.draft_subject, followup.draft_body
    if not (subject or body):
        subject, body = render_draft(followup)
    contact = followup.contact
    context = {
        "followup": followup,
        "kind": followup.get_kind_display(),
        "why": WHY.get(followup.kind, WHY[FollowUp.Kind.CUSTOM]),
        "contact": contact,
        "company": (
            followup.application.company
            if followup.application
            else (contact.company if contact else None)
        ),
        "draft_subject": subject,
        "draft_body": body,
        "due_short": local_time(followup.due_at, profile, with_year=False),
        "due_long": local_time(followup.due_at, profile),
        "deadline_long": local_time(followup.deadline, profile) if followup.deadline else "",
        "late": late,
        "time_zone": profile.time_zone,
        "is_goal": followup.kind == FollowUp.Kind.GOAL,
        "action_url": followup_url(followup),
        "mailto_url": mailto_url(contact.email, subject, body)
        if contact and contact.email and followup.kind != FollowUp.Kind.CONNECT
        else "",
        "linkedin_url": web_url_or_empty(contact.linkedin_url) if contact else "",
    }
    stamp = int(followup.due_at.timestamp())
    return _message(
        "reminder",
        context,
        to=followup.owner.email,
        message_id=f"<followup-{followup.pk}-{stamp}@{site_domain()}>",
        unsubscribe=unsubscribe_url(followup.owner_id, REMINDERS),
    )


def digest_message(
    profile: Profile, sections: dict[str, list[FollowUp]], local_date: date
) -> EmailMultiAlternatives:
    """The daily digest: overdue, due today and the coming week."""
    zone = profile.zone
    context = {
        "local_date": local_date,
        "count": sum(len(items) for items in sections.values()),
        "sections": [
            (title, [(f, f.due_at.astimezone(zone), followup_url(f)) for f in sections[key]])
            for key, title in [
                ("overdue", "Overdue"),
                ("today", "Due later today"),
                ("week", "Coming up this week"),
            ]
            if sections[key]
        ],
        "dashboard_url": absolute_url(reverse("home")),
        "preferences_url": absolute_url(reverse("crm:preferences")),
        "time_zone": profile.time_zone,
    }
    return _message(
        "digest",
        context,
        to=profile.user.email,
        message_id=f"<digest-{profile.user_id}-{local_date:%Y%m%d}@{site_domain()}>",
        unsubscribe=unsubscribe_url(profile.user_id, DIGEST),
    )
