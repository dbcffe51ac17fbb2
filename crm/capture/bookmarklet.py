"""The "Save to Follow-up CRM" bookmarklet: its code, its secret, and reading what it
sends.

The bookmarklet runs on the posting's site. It builds a form there and submits it to
our capture endpoint in a new tab, with the page's URL, title, OpenGraph tags, JSON-LD
blocks and selected text. That request comes from another site, so it carries no CSRF
token and, with SameSite cookies, often no session: the user's CaptureToken, embedded in
the bookmarklet's code, authenticates it instead (checked in constant time). The
endpoint only stores a CaptureDraft and redirects to the review page, which needs the
session as every page does; nothing is saved as an application until the user confirms
the pre-filled form there.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from datetime import timedelta

from django.utils import timezone
from lxml.html import builder as E

from crm.capture.structured import Posting, extract_posting, from_meta
from crm.capture.text import plain_line
from crm.models import CaptureDraft, CaptureToken

MAX_BLOCKS = 20
MAX_BLOCK_CHARS = 500_000
MAX_SELECTION_CHARS = 20_000
DRAFT_MAX_AGE = timedelta(days=1)

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


def store_draft(owner, initial: dict, *, now=None) -> CaptureDraft:
    """Keeps a capture for the review page; sweeps the owner's stale ones."""
    now = now or timezone.now()
    CaptureDraft.objects.filter(owner=owner, created_at__lt=now - DRAFT_MAX_AGE).delete()
    return CaptureDraft.objects.create(owner=owner, data=initial)
