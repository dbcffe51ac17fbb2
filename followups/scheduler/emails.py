"""Reminder emails: one function per kind, each rendering a template triplet
(`emails/<name>-subject.txt`, `-body.txt`, `-body.html`) into a multipart message.

Every email carries a deterministic Message-ID (a retried send is recognisably the same
message), links built from settings.SITE_URL and a signed one-click unsubscribe link
(RFC 8058), and is sent to the user only: the app never writes to their contacts.
"""

from __future__ import annotations

import html
import re
import secrets
from datetime import date, datetime
from email.policy import Compat32
from email.utils import formatdate
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, EmailMultiAlternatives
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


def local_times(instant: datetime, profile: Profile) -> tuple[str, str]:
    """local_time(instant, profile) without and with the year, converted once."""
    local = instant.astimezone(profile.zone)
    short = f"{local:%a} {local.day} {local:%b}"
    clock = f"{local:%H:%M}"
    return f"{short}, {clock}", f"{short} {local:%Y}, {clock}"


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
_CRLF_FOLDING = _FOLDING.clone(linesep="\r\n")
# How email.generator splits lines (not str.splitlines, which knows more line ends).
_NLCRE = re.compile(r"\r\n|\r|\n")


# RFC 5322 §2.1.1: longer lines make Django quoted-printable encode the part.
LONGEST_8BIT_LINE = 998


def _has_long_line(text: str) -> bool:
    """Whether a line of `text` passes LONGEST_8BIT_LINE bytes in UTF-8, as Django checks
    it. No line can hold more than all the text's extra bytes of non-ASCII characters, so
    lines are encoded one by one only when that bound does not settle it."""
    lines = text.splitlines()
    if not lines:
        return False
    extra_bytes = 0 if text.isascii() else len(text.encode()) - len(text)
    if max(map(len, lines)) + extra_bytes <= LONGEST_8BIT_LINE:
        return False
    return any(len(line.encode()) > LONGEST_8BIT_LINE for line in lines)


@lru_cache(maxsize=4096)
def address_header(address: str) -> str:
    """The header form of an address, as Django writes it in From/To (display names
    encoded, IDNA domains): built once per address through Django's own message, since
    parsing an address was a tenth of a reminder's cost."""
    return EmailMessage(from_email=address, to=[address]).message()["From"]


class ReminderEmail(EmailMultiAlternatives):
    """A text + HTML email whose MIME boundary is chosen up front, and which can write
    itself to the bytes Django would send without Django's MIME machinery.

    Without a boundary, Python's email generator compiles a fresh regular expression per
    message to check its random boundary against the body: a quarter of the cost of
    building a reminder. 128 random bits cannot collide with the text.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.boundary = f"==fcrm-{secrets.token_hex(16)}=="
        self._wire: tuple[str, list[str], bytes] | None = None

    def message(self):
        msg = super().message()
        for part in msg.walk():
            if part.is_multipart() and part.get_boundary() is None:
                part.set_boundary(self.boundary)
        # The generator applies the outer message's policy to every part it writes.
        msg.policy = _FOLDING
        return msg

    def envelope(self) -> tuple[str, list[str]]:
        """(sender, recipients) as Django's SMTP backend hands them to smtplib."""
        return address_header(self.from_email), [address_header(a) for a in self.recipients()]

    def write_wire(self) -> None:
        """Works out wire() now: the tick does it while the mail server takes in the
        email before (its Date header is then that moment's, a millisecond early)."""
        self._wire = (*self.envelope(), self.as_bytes())

    def wire(self) -> tuple[str, list[str], bytes]:
        """(sender, recipients, bytes) to hand to smtplib: what write_wire() wrote, or now."""
        wire, self._wire = self._wire, None
        return wire if wire is not None else (*self.envelope(), self.as_bytes())

    def as_bytes(self) -> bytes:
        """What `self.message().as_bytes(linesep="\r\n")` gives, written directly.

        The headers are the same, in the same order, folded the same way; each part is
        the UTF-8 text with CRLF line ends, 7bit or 8bit as Django would mark it. Profiled,
        Django's path (MIME objects, the generator, address parsing) cost three times the
        SMTP exchange of a reminder; this costs a fraction of it. Anything this does not
        cover (attachments, Cc, more parts, a line Django would quoted-printable encode)
        takes Django's path. tests/scheduler/test_reminder_bytes.py holds the two equal.
        """
        parts: list[tuple[str, str]] = [(str(self.body), "plain")]
        parts += [
            (content, mimetype.split("/", 1)[1])
            for content, mimetype in self.alternatives
            if isinstance(content, str)
        ]
        if (
            len(parts) != len(self.alternatives) + 1
            or self.attachments
            or self.cc
            or self.bcc
            or self.reply_to
            or len(parts) != 2
            or parts[1][1] != "html"
            or self.encoding not in (None, "utf-8")
            or settings.DEFAULT_CHARSET.lower() != "utf-8"
            or any(_has_long_line(text) for text, _ in parts)
            or {name.lower() for name in self.extra_headers}
            & {"from", "to", "cc", "reply-to", "date"}
            or not any(name.lower() == "message-id" for name in self.extra_headers)
        ):
            return self.message().as_bytes(linesep="\r\n")
        fold = _CRLF_FOLDING.fold_binary
        chunks = [
            f'Content-Type: multipart/alternative;\r\n boundary="{self.boundary}"\r\n'
            "MIME-Version: 1.0\r\n".encode(),
            fold("Subject", self.subject),
            fold("From", address_header(self.from_email)),
            fold("To", ", ".join(address_header(a) for a in self.to)),
            fold("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
            *(fold(name, value) for name, value in self.extra_headers.items()),
            b"\r\n",
        ]
        for text, subtype in parts:
            cte = "7bit" if text.isascii() else "8bit"
            chunks.append(
                f'--{self.boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
                f"MIME-Version: 1.0\r\nContent-Transfer-Encoding: {cte}\r\n\r\n".encode()
            )
            chunks.append("\r\n".join(_NLCRE.split(text)).encode("utf-8", "surrogateescape"))
            chunks.append(b"\r\n")
        chunks.append(f"--{self.boundary}--\r\n".encode())
        return b"".join(chunks)


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


# The reminder without the template engine ------------------------------------------------
#
# A reminder's three templates cost a third of its time in Django's template engine (per
# node: context lookups, escaping, the localtime and autoescape tags). The templates stay
# the text's source and its reference: the functions below write exactly what they
# render, which tests/scheduler/test_reminder_bytes.py checks over every branch (late,
# goal, contact or none, company or none, mail link or LinkedIn, escaping). Change both.


def _reminder_subject(c: dict) -> str:
    text = ("[Late] " if c["late"] else "") + str(c["kind"])
    if c["contact"]:
        text += f": {c['contact'].full_name}"
    if c["company"]:
        text += f" ({c['company'].name})"
    return text


def _reminder_text(c: dict) -> str:
    contact, company = c["contact"], c["company"]
    out = [str(c["kind"])]
    if contact:
        out.append(f": {contact.full_name}")
    if company:
        out.append(f" at {company.name}")
    out.append(f"\n\n{c['why']}\n")
    if c["late"]:
        out.append(
            f"\nThis reminder comes late: it was due {c['due_short']} ({c['time_zone']}), "
            "while reminders were not going out.\n"
        )
    out.append(f"\nDue: {c['due_long']} ({c['time_zone']})")
    if c["deadline_long"]:
        label = "Deadline" if c["is_goal"] else "Best sent by"
        out.append(f"\n{label}: {c['deadline_long']}")
    out.append("\n\n")
    if c["is_goal"]:
        out.append(f"{c['draft_body']}\n\nOpen your growth plan:\n{c['action_url']}\n")
    else:
        out.append("Your draft\n----------\n")
        if c["draft_subject"]:
            out.append(f"Subject: {c['draft_subject']}\n\n")
        out.append(
            f"{c['draft_body']}\n----------\n\nEdit the draft and mark it sent:\n"
            f"{c['action_url']}\n"
        )
        if c["mailto_url"]:
            out.append(f"\nOpen it in your mail client:\n{c['mailto_url']}\n")
        elif c["linkedin_url"]:
            out.append(f"\nTheir LinkedIn profile:\n{c['linkedin_url']}\n")
        name = contact.first_name if contact else "anyone"
        out.append(f"\nNothing is sent to {name} for you: send it yourself, then mark it sent.\n")
    out.append(
        f"\n--\nFollow-up CRM \u00b7 {c['site_url']}\n"
        f"Stop reminder emails: {c['unsubscribe_url']}\n\n"
    )
    return "".join(out)


_BUTTON = (
    "display: inline-block; background: #0d6efd; color: #fff; padding: 8px 16px; "
    "border-radius: 4px; text-decoration: none;"
)
_HTML_HEAD = (
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{kind}</title>'
    "</head>\n<body style=\"font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; "
    'color: #212529; line-height: 1.5; max-width: 640px; margin: 0 auto; padding: 16px;">\n'
    '  <h1 style="font-size: 20px; margin: 0 0 8px;">{kind}'
)


def _escape(value: object) -> str:
    """django.utils.html.escape(value) without its lazy-argument wrapper (the same
    html.escape inside; the wrapper was 7 % of the tick's CPU at 13 calls per email)."""
    return html.escape(str(value))


def _reminder_html(c: dict) -> str:
    e = _escape
    contact, company = c["contact"], c["company"]
    kind = e(c["kind"])
    out = [_HTML_HEAD.format(kind=kind)]
    if contact:
        out.append(f": {e(contact.full_name)}")
    if company:
        out.append(f' <span style="color: #6c757d;">at {e(company.name)}</span>')
    out.append(f'</h1>\n  <p style="margin: 0 0 12px;">{e(c["why"])}</p>\n  ')
    if c["late"]:
        out.append(
            '<p style="background: #fff3cd; padding: 8px 12px; border-radius: 4px;">This '
            f"reminder comes late: it was due {e(c['due_short'])} ({e(c['time_zone'])}), "
            "while reminders were not going out.</p>"
        )
    out.append(
        f'\n  <p style="margin: 0 0 12px; color: #495057;">Due {e(c["due_long"])} '
        f"({e(c['time_zone'])})"
    )
    if c["deadline_long"]:
        label = "deadline" if c["is_goal"] else "best sent by"
        out.append(f" \u00b7 {label} {e(c['deadline_long'])}")
    out.append("</p>\n  ")
    if c["is_goal"]:
        out.append(
            f'\n  <p style="white-space: pre-wrap;">{e(c["draft_body"])}</p>\n'
            f'  <p style="margin: 16px 0;"><a href="{e(c["action_url"])}" style="{_BUTTON}">'
            "Open your growth plan</a></p>\n  "
        )
    else:
        out.append(
            '\n  <h2 style="font-size: 16px; margin: 16px 0 4px;">Your draft</h2>\n'
            '  <div style="border: 1px solid #dee2e6; border-radius: 4px; padding: 12px; '
            'background: #f8f9fa;">\n    '
        )
        if c["draft_subject"]:
            out.append(
                f'<p style="margin: 0 0 8px;"><strong>Subject:</strong> {e(c["draft_subject"])}</p>'
            )
        out.append(
            f'\n    <div style="white-space: pre-wrap;">{e(c["draft_body"])}</div>\n  </div>\n'
            f'  <p style="margin: 16px 0;">\n    <a href="{e(c["action_url"])}" '
            f'style="{_BUTTON}">Edit and mark sent</a>\n    '
        )
        if c["mailto_url"]:
            out.append(
                f'&nbsp;<a href="{e(c["mailto_url"])}" style="display: inline-block; '
                "border: 1px solid #0d6efd; color: #0d6efd; padding: 7px 15px; "
                'border-radius: 4px; text-decoration: none;">Open in my mail client</a>'
            )
        out.append("\n    ")
        linkedin = web_url_or_empty(c["linkedin_url"])
        if linkedin and not c["mailto_url"]:
            out.append(
                f'&nbsp;<a href="{e(linkedin)}" style="color: #0d6efd;">Their LinkedIn profile</a>'
            )
        name = e(contact.first_name) if contact else "anyone"
        out.append(
            '\n  </p>\n  <p style="color: #6c757d; font-size: 14px;">Nothing is sent to '
            f"{name} for you: send it yourself, then mark it sent.</p>\n  "
        )
    site, unsubscribe = e(c["site_url"]), e(c["unsubscribe_url"])
    out.append(
        '\n  <hr style="border: 0; border-top: 1px solid #dee2e6;">\n'
        '  <p style="color: #6c757d; font-size: 12px;">Follow-up CRM \u00b7 '
        f'<a href="{site}" style="color: #6c757d;">{site}</a> \u00b7 '
        f'<a href="{unsubscribe}" style="color: #6c757d;">Stop reminder emails</a></p>\n'
        "</body>\n</html>\n"
    )
    return "".join(out)


def render_reminder(context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of a reminder: what its template triplet renders."""
    return _reminder_subject(context), _reminder_text(context), _reminder_html(context)


def render_reminder_templates(context: dict) -> tuple[str, str, str]:
    """The same through the template triplet (the reference the tests compare with)."""
    return (
        _render("emails/reminder-subject.txt", context),
        _render("emails/reminder-body.txt", context),
        _render("emails/reminder-body.html", context),
    )


# Email kinds --------------------------------------------------------------------------


class ReminderParts:
    """What the reminders of one batch share, worked out once per batch instead of once
    per email: each owner's signed unsubscribe link (a zlib pass and an HMAC each), the
    draft page's URL (a reverse()) and the site's domain. Profiled: a quarter of building
    a reminder. Kept for one batch only, so a changed setting or URLconf is seen at once;
    the token's timestamp is the batch's, which nothing reads (no max_age)."""

    # An id no follow-up has, reversed once; each reminder's URL replaces it by its pk.
    _PK = 9_876_543_210_123

    def __init__(self) -> None:
        self._unsubscribe: dict[int, str] = {}
        self._draft_url = absolute_url(reverse("followups:draft", args=[self._PK]))
        self._growth_url = ""
        self.domain = site_domain()

    def unsubscribe_url(self, user_id: int) -> str:
        url = self._unsubscribe.get(user_id)
        if url is None:
            url = self._unsubscribe[user_id] = unsubscribe_url(user_id, REMINDERS)
        return url

    def followup_url(self, followup: FollowUp) -> str:
        """followup_url(followup), without a reverse() per email."""
        if followup.kind == FollowUp.Kind.GOAL:
            if not self._growth_url:
                self._growth_url = followup_url(followup)
            return self._growth_url
        return self._draft_url.replace(str(self._PK), str(followup.pk))


def reminder_context(
    followup: FollowUp,
    profile: Profile,
    *,
    late: bool = False,
    parts: ReminderParts | None = None,
) -> dict:
    """Everything a reminder's templates read."""
    parts = parts or ReminderParts()
    subject, body = followup.draft_subject, followup.draft_body
    if not (subject or body):
        subject, body = render_draft(followup)
    contact = followup.contact
    due_short, due_long = local_times(followup.due_at, profile)
    return {
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
        "due_short": due_short,
        "due_long": due_long,
        "deadline_long": local_time(followup.deadline, profile) if followup.deadline else "",
        "late": late,
        "time_zone": profile.time_zone,
        "is_goal": followup.kind == FollowUp.Kind.GOAL,
        "action_url": parts.followup_url(followup),
        "mailto_url": mailto_url(contact.email, subject, body)
        if contact and contact.email and followup.kind != FollowUp.Kind.CONNECT
        else "",
        "linkedin_url": web_url_or_empty(contact.linkedin_url) if contact else "",
        "site_url": settings.SITE_URL,
        "unsubscribe_url": parts.unsubscribe_url(followup.owner_id),
    }


def reminder_message(
    followup: FollowUp,
    profile: Profile,
    *,
    late: bool = False,
    parts: ReminderParts | None = None,
) -> EmailMultiAlternatives:
    """The email that says one follow-up is due, with its draft and a link to act on it.

    `late`: the reminder goes out well after its time (the worker was down). `parts`: what
    the batch's reminders share (a tick passes one per batch)."""
    parts = parts or ReminderParts()
    context = reminder_context(followup, profile, late=late, parts=parts)
    subject, text, html = render_reminder(context)
    unsubscribe = context["unsubscribe_url"]
    stamp = int(followup.due_at.timestamp())
    message = ReminderEmail(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[followup.owner.email],
        headers={
            "Message-ID": f"<followup-{followup.pk}-{stamp}@{parts.domain}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


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
