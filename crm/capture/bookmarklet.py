"""The "Save to Follow-up CRM" bookmarklet: its code, its key, its one-time tickets, and
reading what it sends.

Three requests, each with what the browser can really send (docs/capture.md):

1. The bookmarklet runs on the posting's site, builds a form there and submits it to
   our capture endpoint in a new tab with the page's URL, title, OpenGraph tags, JSON-LD
   blocks and selected text. That post is cross-site: no CSRF token can exist there and,
   with SameSite cookies, no session comes along. It carries the user's long-lived key
   (CaptureToken, checked in constant time), which only earns a same-origin relay page:
   what was sent, in a form, with a fresh signed one-time ticket. Nothing is written.
2. The relay page (our origin, so the session cookie is sent) asks for Django's CSRF
   token and posts the form to the receiving endpoint, an ordinary login- and
   CSRF-protected view. It redeems the ticket once (its nonce is unique on CaptureDraft),
   checks the ticket was issued to the logged-in user, and keeps the capture as a draft.
3. The review page shows the draft as the pre-filled form, once; Save is an ordinary
   form post with CSRF. Nothing becomes an application before the user presses it.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from lxml.html import builder as E

from crm.capture.structured import Posting, extract_posting, from_meta
from crm.capture.text import plain_line
from crm.models import CaptureDraft, CaptureToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_BLOCKS = 20
MAX_BLOCK_CHARS = 500_000
MAX_SELECTION_CHARS = 20_000
DRAFT_MAX_AGE = timedelta(days=1)
# A ticket is redeemed seconds after it is issued (the relay page posts it at once); an
# hour leaves time to log in first. It must stay below DRAFT_MAX_AGE: the draft rows are
# what remembers a redeemed ticket, so a ticket must expire before its row is swept.
TICKET_MAX_AGE = timedelta(hours=1)
TICKET_SALT = "crm.capture.bookmarklet.ticket"
# What the bookmarklet posts besides its key, relayed unchanged to the receiving view.
SENT_FIELDS = ("url", "title", "jsonld", "meta", "selection")

# Kept short and dependency-free: it runs on any page, in any browser. `%(action)s` and
# `%(token)s` are filled in as JSON strings.
SCRIPT = (
    "(function(){var d=document,f=d.createElement('form');"
    "f.method='post';f.action=%(action)s;f.target='_blank';f.acceptCharset='utf-8';"
    "function a(n,v){var i=d.createElement('input');i.type='hidden';i.name=n;"
    "i.value=v==null?'':String(v);f.appendChild(i);}"
    "a('token',%(token)s);a('url',location.href);a('title',d.title);"
    "var b=[];d.querySelectorAll('script[type=\"application/ld+json\"]')"
    ".forEach(function(s){b.push(s.textContent);});a('jsonld',JSON.stringify(b));"
    "var m={};d.querySelectorAll('meta[property],meta[name]').forEach(function(e){"
    "var k=(e.getAttribute('property')||e.getAttribute('name')||'').toLowerCase();"
    "if(/^(og:|twitter:title|description)/.test(k))m[k]=e.getAttribute('content');});"
    "a('meta',JSON.stringify(m));a('selection',String(window.getSelection()||''));"
    "d.body.appendChild(f);f.submit();f.remove();})();"
)


def token_for(user) -> CaptureToken:
    return CaptureToken.objects.get_or_create(owner=user)[0]


def regenerate_token(user) -> CaptureToken:
    CaptureToken.objects.filter(owner=user).delete()
    return token_for(user)


def bookmarklet_script(action_url: str, token: str) -> str:
    """The JavaScript the bookmarklet runs (the browser test evaluates it directly)."""
    return SCRIPT % {"action": json.dumps(action_url), "token": json.dumps(token)}


def bookmarklet_href(action_url: str, token: str) -> str:
    return "javascript:" + bookmarklet_script(action_url, token)


def owner_of_token(raw: object):
    """The user whose bookmarklet sent `raw`, or None."""
    if not isinstance(raw, str) or not 20 <= len(raw) <= 64:
        return None
    row = CaptureToken.objects.select_related("owner").filter(token=raw).first()
    if row is None or not secrets.compare_digest(row.token, raw) or not row.owner.is_active:
        return None
    return row.owner


def _json_list(raw: str) -> list[str]:
    try:
        data = json.loads(raw) if raw else []
    except (ValueError, RecursionError):
        return []
    if isinstance(data, str):
        data = [data]
    if not isinstance(data, list):
        return []
    return [b[:MAX_BLOCK_CHARS] for b in data[:MAX_BLOCKS] if isinstance(b, str)]


def _meta_document(title: str, meta_raw: str):
    """A small lxml tree of the page's title and meta tags, read like a fetched page."""
    try:
        meta = json.loads(meta_raw) if meta_raw else {}
    except (ValueError, RecursionError):
        meta = {}
    tags = []
    if isinstance(meta, dict):
        for key, value in list(meta.items())[:50]:
            if isinstance(key, str) and isinstance(value, str):
                tags.append(E.META(property=key[:50], content=value[:5000]))
    return E.HTML(E.HEAD(E.TITLE(plain_line(title, 500)), *tags))


def read_sent(data) -> Posting:
    """The posting in what the bookmarklet sent (a QueryDict); never raises."""
    url = str(data.get("url", ""))[:2000]
    posting = extract_posting(None, url, json_ld=_json_list(str(data.get("jsonld", ""))))
    with contextlib.suppress(ValueError, TypeError):
        meta = _meta_document(str(data.get("title", "")), data.get("meta", ""))
        posting.fill_from(from_meta(meta))
    selection = str(data.get("selection", ""))[:MAX_SELECTION_CHARS].strip()
    if selection and not posting.description:
        posting.description = selection
    elif selection:
        posting.notes = f"Selected on the page:\n{selection}"
    return posting


def sent_fields(data) -> list[tuple[str, str]]:
    """The bookmarklet's fields of a POST (a QueryDict), for the relay page to post on."""
    return [(name, str(data.get(name, ""))) for name in SENT_FIELDS]


def issue_ticket(owner: User) -> str:
    """A signed one-time ticket for `owner`'s next capture (redeemed by redeem_ticket)."""
    return signing.dumps({"u": owner.pk, "n": secrets.token_urlsafe(24)}, salt=TICKET_SALT)


class TicketRefused(Exception):
    """A capture ticket that cannot be redeemed; the text says why and what to do."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


AGAIN = "Go back to the posting and click “Save to Follow-up CRM” again."


def redeem_ticket(raw: object, user: User, initial: dict, *, now=None) -> CaptureDraft:
    """Keeps a capture as a draft for the review page, once per ticket."""
    try:
        ticket = signing.loads(str(raw or ""), salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.SignatureExpired:
        raise TicketRefused(f"This capture waited more than an hour to be sent. {AGAIN}") from None
    except signing.BadSignature:
        raise TicketRefused(f"This capture did not come from your bookmarklet. {AGAIN}") from None
    if not isinstance(ticket, dict) or not isinstance(ticket.get("n"), str):
        raise TicketRefused(f"This capture did not come from your bookmarklet. {AGAIN}")
    if ticket.get("u") != user.pk:
        raise TicketRefused(
            "This capture was made with the bookmarklet of another account than the one "
            "logged in. Log in as its owner, or drag your own “Save to Follow-up CRM” link "
            "from the applications page to your bookmarks.",
            status=403,
        )
    now = now or timezone.now()
    CaptureDraft.objects.filter(owner=user, created_at__lt=now - DRAFT_MAX_AGE).delete()
    try:
        with transaction.atomic():
            return CaptureDraft.objects.create(owner=user, ticket=ticket["n"], data=initial)
    except IntegrityError:
        raise TicketRefused(
            f"This capture was already sent once (a ticket works one time only). {AGAIN}",
            status=409,
        ) from None


def open_draft(draft: CaptureDraft, *, now=None) -> dict | None:
    """The draft's data the first time it is opened, None every later time."""
    data = dict(draft.data)
    opened = CaptureDraft.objects.filter(pk=draft.pk, opened_at=None).update(
        opened_at=now or timezone.now(), data={}
    )
    return data if opened == 1 else None
