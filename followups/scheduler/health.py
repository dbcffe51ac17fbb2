"""Is the worker alive? The last tick's time for /healthz and the banner on every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Count, Subquery
from django.utils import timezone

from followups.models import SchedulerTick
from followups.scheduler.claims import (
    MAX_ATTEMPTS,
    STALE_AFTER,
    given_up_reminders,
    unsent_reminders,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Health ---------------------------------------------------------------------------------


@dataclass
class Health:
    last_tick_at: datetime | None
    now: datetime
    overdue_unsent: int | None = None
    retrying: int | None = None  # deferred by the mail server, waiting for the next try
    given_up: int | None = None  # refused for good, or deferred for RETRY_FOR
    last_note: str = ""  # what the last tick reported (addresses redacted)

    @property
    def age(self) -> timedelta | None:
        return None if self.last_tick_at is None else self.now - self.last_tick_at

    @property
    def stale(self) -> bool:
        return self.age is None or self.age > STALE_AFTER


def last_tick_at() -> datetime | None:
    return (
        SchedulerTick.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    )


def health(now: datetime | None = None) -> Health:
    """The worker's state for /healthz: last tick, reminders due but not sent, and how
    many of them the mail server deferred (retrying) or refused (given up)."""
    now = now or timezone.now()
    last = SchedulerTick.objects.order_by("-started_at").values("started_at", "note").first()
    unsent = unsent_reminders(now)
    return Health(
        last_tick_at=last["started_at"] if last else None,
        now=now,
        overdue_unsent=unsent.count(),
        retrying=unsent.filter(send_attempts__gt=0, send_attempts__lt=MAX_ATTEMPTS).count(),
        given_up=unsent.filter(send_attempts__gte=MAX_ATTEMPTS).count(),
        last_note=last["note"] if last else "",
    )


class SchedulerBanner:
    """What the banner on every page needs, read with one query on first use: the last
    tick's time and the user's reminders that could not be sent."""

    def __init__(self, user: User, now: datetime | None = None) -> None:
        self.user = user
        self.now = now or timezone.now()

    @cached_property
    def _row(self) -> tuple[datetime | None, int, str]:
        given_up = given_up_reminders(self.user).order_by("-due_at")
        row = (
            SchedulerTick.objects.order_by("-started_at")
            .annotate(
                given_up=Subquery(given_up.values("owner").annotate(n=Count("pk")).values("n")[:1]),
                last_error_text=Subquery(given_up.values("last_error")[:1]),
            )
            .values_list("started_at", "given_up", "last_error_text")
            .first()
        )
        if row is None:
            return None, 0, ""
        return row[0], row[1] or 0, row[2] or ""

    @property
    def last_tick_at(self) -> datetime | None:
        return self._row[0]

    @property
    def stale(self) -> bool:
        return Health(last_tick_at=self.last_tick_at, now=self.now).stale

    @property
    def given_up(self) -> int:
        return self._row[1]

    @property
    def last_error(self) -> str:
        return self._row[2]
