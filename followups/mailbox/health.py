"""Mailbox health for every page (a banner once a connected mailbox has failed for an hour)
and for /healthz."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from followups.models import Mailbox
from followups.models.mailbox import FAILING_BANNER_AFTER


def failing_mailbox(user, now: datetime | None = None) -> Mailbox | None:
    """The user's enabled mailbox that has been failing for an hour or more, if any."""
    now = now or timezone.now()
    return (
        Mailbox.objects.filter(
            owner=user, enabled=True, failing_since__lte=now - FAILING_BANNER_AFTER
        )
        .order_by("failing_since")
        .first()
    )


def mailbox_banner(request: HttpRequest) -> dict:
    """`failing_mailbox`: lazy, so only pages that render the banner run the query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"failing_mailbox": SimpleLazyObject(lambda: failing_mailbox(user) or False)}


def health(now: datetime | None = None) -> dict:
    """Counts for /healthz: no names, no addresses (it answers without a login)."""
    now = now or timezone.now()
    enabled = Mailbox.objects.filter(enabled=True)
    last = enabled.order_by("-last_success_at").values_list("last_success_at", flat=True).first()
    return {
        "enabled": enabled.count(),
        "failing_for_an_hour": enabled.filter(
            failing_since__lte=now - FAILING_BANNER_AFTER
        ).count(),
        "last_success_at": last.isoformat() if last else None,
    }
