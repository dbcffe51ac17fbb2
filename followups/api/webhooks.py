"""Webhooks: signed events POSTed to the user's URLs by the django-q2 worker.

Each event becomes one WebhookDelivery row per hook that wants it, inside the
transaction that caused it (so a rolled-back save sends nothing); once that commits the
worker is asked to send it (`followups.tasks.deliver_webhook`), and a one-minute sweep
(`followups.tasks.deliver_webhooks`) retries failures with backoff and queues
`followup.due` for follow-ups whose time has come. Delivery is at least once: a
receiver de-duplicates on the delivery id, sent in `X-Webhook-Id` and in the body.

Signature: `X-Webhook-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with
the Unix time in `X-Webhook-Timestamp`; a receiver checks both and refuses an old
timestamp, so a captured request cannot be replayed later.

URLs must resolve to public addresses (no loopback, private, link-local or reserved
ranges: the server would otherwise POST into its own network for anyone who can sign
up), unless the host is in settings.WEBHOOK_ALLOWED_HOSTS. Checked when the hook is
saved and again before each send, since DNS can change in between; redirects are not
followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from followups.models import FollowUp, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10
CLAIM_SECONDS = 60
# followup.due is queued for follow-ups that fell due this recently (the sweep runs each
# minute; a day covers a worker that was down for a while without replaying history).
DUE_LOOKBACK = timedelta(days=1)
USER_AGENT = "FollowupCRM-Webhooks/1"

Pending = WebhookDelivery.Status.PENDING


# URLs -----------------------------------------------------------------------------------


def host_allowed(host: str) -> bool:
    allowed = {h.lower() for h in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", [])}
    return host.lower() in allowed


def check_url(url: str) -> None:
    """Raises ValidationError unless `url` is http(s) to a public address (or an allowed host)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Use an http:// or https:// address.")
    host = parts.hostname
    if host_allowed(host):
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        raise ValidationError(f"The host {host} cannot be found.") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ValidationError(
                f"{host} is a private or local address ({address}); webhooks go to public "
                "addresses only (an administrator can allow a host with WEBHOOK_ALLOWED_HOSTS)."
            )


# Signing --------------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    """What a receiver does (and the tests): constant-time comparison of the signature."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


# Queueing events ---------------------------------------------------------------------------


def queue_event(
    owner_id: int, event: str, key: str, data: dict, *, now: datetime | None = None
) -> list[WebhookDelivery]:
    """One delivery per hook of `owner_id` that wants `event`; sent after the commit."""
    now = now or timezone.now()
    hooks = [h for h in Webhook.objects.filter(owner_id=owner_id, enabled=True) if h.wants(event)]
    queued = []
    for hook in hooks:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    webhook=hook,
                    event=event,
                    event_key=f"{event}:{key}"[:200],
                    payload=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
                    created_at=now,
                    next_attempt_at=now,
                )
        except IntegrityError:
            continue  # this event was already queued for this hook
        queued.append(delivery)
    for delivery in queued:
        transaction.on_commit(partial(enqueue, delivery.pk))
    return queued


def enqueue(delivery_id: int) -> None:
    """Asks the django-q2 worker to send now; the minute sweep catches it otherwise."""
    from django_q.tasks import async_task

    try:
        async_task("followups.tasks.deliver_webhook", delivery_id)
    except Exception:  # a broker that is down must not fail the user's save
        logger.warning("Could not queue webhook delivery %s; the sweep will send it", delivery_id)


def queue_due_followups(now: datetime) -> int:
    """followup.due for each pending follow-up that fell due recently, once per due time
    (a snoozed follow-up falls due again, and is announced again)."""
    hooks = Webhook.objects.filter(enabled=True)
    count = 0
    for hook in hooks:
        if not hook.wants(Webhook.Event.FOLLOWUP_DUE):
            continue
        due = FollowUp.objects.filter(
            owner_id=hook.owner_id,
            status=FollowUp.Status.PENDING,
            due_at__lte=now,
            due_at__gt=max(now - DUE_LOOKBACK, hook.created_at),
        ).select_related("contact")
        for followup in due:
            key = f"{followup.pk}:{followup.due_at.isoformat()}"
            if WebhookDelivery.objects.filter(
                webhook=hook, event_key=f"followup.due:{key}"
            ).exists():
                continue
            count += len(
                queue_event(
                    hook.owner_id,
                    Webhook.Event.FOLLOWUP_DUE,
                    key,
                    followup_data(followup),
                    now=now,
                )
            )
    return count


def followup_data(followup: FollowUp) -> dict:
    from followups.api.serializers import FollowUpSerializer

    return dict(FollowUpSerializer(followup).data)


# Sending -------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … capped at 6 hours."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def body_of(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": str(delivery.delivery_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def deliver(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Sends one delivery if it is due and nobody else is sending it; True when it was
    accepted (2xx). A refusal or an error is retried later with backoff."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        status=Pending,
        next_attempt_at__lte=now,
    ).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    if claimed != 1:
        return False
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    hook = delivery.webhook
    code, error = None, ""
    try:
        check_url(hook.url)
        body = body_of(delivery)
        timestamp = int(now.timestamp())
        response = httpx.post(
            hook.url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Webhook-Id": str(delivery.delivery_id),
                "X-Webhook-Event": delivery.event,
                "X-Webhook-Timestamp": str(timestamp),
                "X-Webhook-Signature": signature(hook.secret, timestamp, body),
            },
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
        )
        code = response.status_code
        if not 200 <= code < 300:
            error = f"The receiver answered {code}."
    except ValidationError as refused:
        error = " ".join(refused.messages)
    except httpx.HTTPError as failed:
        error = f"{type(failed).__name__}: {failed}"
    attempts = delivery.attempts + 1
    if not error:
        changes = {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": now}
    elif attempts >= MAX_ATTEMPTS:
        changes = {"status": WebhookDelivery.Status.FAILED}
    else:
        changes = {"next_attempt_at": now + backoff(attempts)}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        response_code=code,
        last_error=error[:300],
        claimed_until=None,
        **changes,
    )
    return not error


def deliver_due(now: datetime | None = None, *, limit: int = 100) -> int:
    """Queues followup.due events, then sends every delivery whose attempt is due.
    Returns how many were accepted."""
    now = now or timezone.now()
    queue_due_followups(now)
    due = WebhookDelivery.objects.filter(status=Pending, next_attempt_at__lte=now).values_list(
        "pk", flat=True
    )[:limit]
    return sum(deliver(pk, now=now) for pk in list(due))
