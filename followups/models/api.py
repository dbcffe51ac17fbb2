"""What the API keeps: personal access tokens, webhooks and their deliveries.

A token is shown once and stored only as the SHA-256 of its text (like GitHub's): the
token is 32 random bytes, so a fast hash is enough and a lookup is one indexed equality.
Webhook deliveries are rows so the worker can retry them and the page can list them.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# Recognisable in a leaked paste or a secret scanner's rules.
TOKEN_PREFIX = "fcrm_"

# One "last used" write per token per minute, not one per request.
LAST_USED_RESOLUTION_SECONDS = 60


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal access token: read-only or read-write, optionally expiring."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=5, choices=Scope, default=Scope.WRITE)
    # The first characters after the prefix, so the page can tell tokens apart.
    hint = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Set on the rows of the API access page by followups.api.pages.api_access().
    live: bool

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "write"]), name="apitoken_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}{self.hint}…)"

    @classmethod
    def issue(
        cls,
        owner,
        *,
        name: str,
        read_only: bool = False,
        expires_at: datetime | None = None,
    ) -> tuple[ApiToken, str]:
        """Creates a token and returns it with its text, which is never readable again."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            owner=owner,
            name=name[:100],
            scope=cls.Scope.READ if read_only else cls.Scope.WRITE,
            hint=raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 6],
            token_hash=hash_token(raw),
            expires_at=expires_at,
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str, *, now: datetime | None = None) -> ApiToken | None:
        """The live token with this text (not revoked, not expired), or None."""
        now = now or timezone.now()
        if not raw.startswith(TOKEN_PREFIX):
            return None
        token = (
            cls.objects.select_related("owner")
            .filter(token_hash=hash_token(raw), revoked_at=None)
            .first()
        )
        if token is None or not token.owner.is_active:
            return None
        if token.expires_at is not None and token.expires_at <= now:
            return None
        stale = now - timedelta(seconds=LAST_USED_RESOLUTION_SECONDS)
        if token.last_used_at is None or token.last_used_at < stale:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    @property
    def read_only(self) -> bool:
        return self.scope == self.Scope.READ

    def is_live(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def revoke(self, *, now: datetime | None = None) -> bool:
        """Revoked for good; returns False when it already was."""
        now = now or timezone.now()
        return bool(type(self).objects.filter(pk=self.pk, revoked_at=None).update(revoked_at=now))


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    """A URL of the user's that receives signed events."""

    class Event(models.TextChoices):
        FOLLOWUP_DUE = "followup.due", "A follow-up falls due"
        FOLLOWUP_COMPLETED = "followup.completed", "A follow-up is done"
        INTERACTION_CREATED = "interaction.created", "An interaction is logged"
        APPLICATION_STATUS_CHANGED = "application.status_changed", "An application changes status"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="Event names this hook receives.")
    secret = models.CharField(max_length=80, default=new_webhook_secret)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.enabled and event in self.events


class WebhookDelivery(models.Model):
    """One event for one hook, tried until the receiver answers 2xx or we give up."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # The receiver de-duplicates on this (sent as a header and in the body).
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40, choices=Webhook.Event)
    # What the event is about, so the same event is never queued twice for a hook
    # (e.g. "followup.due:12:2026-03-10T09:00:00+00:00").
    event_key = models.CharField(max_length=200)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The delivery job reads pending rows by their next attempt time.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhookdelivery_queue",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_key"], name="webhookdelivery_once_per_event"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "delivered", "failed"]),
                name="webhookdelivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook.url} ({self.status})"
