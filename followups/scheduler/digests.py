"""The daily digest: at most one per user per local day, claimed by inserting its row."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from crm.models import Profile
from followups.models import DigestDelivery, FollowUp
from followups.scheduler import emails
from followups.scheduler.claims import LEASE, MAX_ATTEMPTS, not_leased, retry_delay
from followups.scheduler.mailer import ConnectionLost, Mailer
from followups.scheduler.report import Clock, TickReport

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# Digests --------------------------------------------------------------------------------


def digest_due_profiles(now: datetime) -> list[tuple[Profile, date]]:
    """Profiles whose digest hour has come today (their local today) and whose digest for
    that day is not done yet. DST-safe: local time comes from zoneinfo, and a day whose
    digest hour is skipped by a clock change gets its digest at the next local hour."""
    candidates = []
    for profile in (
        Profile.objects.filter(digest_hour__isnull=False)
        .exclude(user__email="")
        .select_related("user")
    ):
        local = now.astimezone(profile.zone)
        if profile.digest_hour is not None and local.hour >= profile.digest_hour:
            candidates.append((profile, local.date()))
    if not candidates:
        return []
    done = set(
        DigestDelivery.objects.filter(
            owner_id__in=[p.user_id for p, _ in candidates],
            local_date__in={d for _, d in candidates},
        )
        .filter(Q(sent_at__isnull=False) | Q(nothing_to_say=True))
        .values_list("owner_id", "local_date")
    )
    return [(p, d) for p, d in candidates if (p.user_id, d) not in done]


def claim_digest(owner_id: int, local_date: date, clock: datetime) -> DigestDelivery | None:
    """The day's digest row, leased to this tick; None when another tick has it."""
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(
                owner_id=owner_id, local_date=local_date, claimed_until=clock + LEASE, attempts=1
            )
    except IntegrityError:
        pass
    claimed = (
        DigestDelivery.objects.filter(
            owner_id=owner_id,
            local_date=local_date,
            sent_at__isnull=True,
            nothing_to_say=False,
            attempts__lt=MAX_ATTEMPTS,
        )
        .filter(not_leased(clock))
        .update(claimed_until=clock + LEASE, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return None
    return DigestDelivery.objects.get(owner_id=owner_id, local_date=local_date)


def digest_sections(owner: User, profile: Profile, now: datetime) -> dict[str, list[FollowUp]]:
    """Overdue (due by now), the rest of today, and the seven days after today."""
    local = now.astimezone(profile.zone)
    end_of_today = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
    end_of_today = end_of_today.replace(tzinfo=profile.zone)
    end_of_week = end_of_today.replace(tzinfo=None) + timedelta(days=7)
    end_of_week = end_of_week.replace(tzinfo=profile.zone)
    pending = FollowUp.objects.filter(owner=owner, status=FollowUp.Status.PENDING).select_related(
        "contact", "application", "application__company"
    )
    return {
        "overdue": list(pending.filter(due_at__lte=now)),
        "today": list(pending.filter(due_at__gt=now, due_at__lt=end_of_today)),
        "week": list(pending.filter(due_at__gte=end_of_today, due_at__lt=end_of_week)),
    }


def send_due_digests(now: datetime, report: TickReport, mailer: Mailer) -> None:
    clock = Clock(now)
    for profile, local_date in digest_due_profiles(now):
        claimed = claim_digest(profile.user_id, local_date, clock())
        if claimed is None:
            report.lost_races += 1
            continue
        try:
            _send_one_digest(claimed, profile, now, clock, report, mailer)
        except ConnectionLost as exc:
            report.errors.append(str(exc))
            report.digests_failed += 1
            report.mail_unreachable = str(exc)
            return


def _send_one_digest(
    delivery: DigestDelivery,
    profile: Profile,
    now: datetime,
    clock: Clock,
    report: TickReport,
    mailer: Mailer,
) -> None:
    rows = DigestDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True)
    try:
        sections = digest_sections(profile.user, profile, now)
        if not any(sections.values()):
            rows.update(nothing_to_say=True, claimed_until=None)
            return
        mailer.send(emails.digest_message(profile, sections, delivery.local_date))
    except Exception as exc:
        release = dict(
            claimed_until=None,
            next_attempt_at=clock() + retry_delay(delivery.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        rows.update(**release)
        if isinstance(exc, ConnectionLost):
            raise
        logger.warning("digest %s failed: %s", delivery.pk, exc)
        report.digests_failed += 1
        report.errors.append(f"digest of user {profile.user_id}: {exc}")
        return
    rows.update(sent_at=clock(), claimed_until=None, last_error="")
    report.digests_sent += 1
    report.lines.append(f"digest for {delivery.local_date} to {profile.user.email}")
