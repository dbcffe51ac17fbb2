"""The daily digest: at the user's own hour, in their time zone, once a day, never empty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from crm.models import Profile
from followups import scheduler
from followups.models import DigestDelivery
from tests.factories import make_contact, make_followup, make_user

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")


def user_in(zone: ZoneInfo, *, digest_hour: int = 8):
    # Reminder emails off: every email in these tests is a digest.
    user = make_user(time_zone=str(zone), digest_hour=digest_hour, email_reminders=False)
    make_followup(user, contact=make_contact(user), due_at=datetime(2026, 1, 1, tzinfo=UTC))
    return user


def tick_every(start: datetime, end: datetime, step: timedelta = timedelta(minutes=1)) -> None:
    at = start
    while at <= end:
        with time_machine.travel(at, tick=False):
            scheduler.tick()
        at += step


def local(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=zone, fold=fold).astimezone(UTC)


def sent_at_hours(user) -> list[str]:
    return [
        d.sent_at.astimezone(ZoneInfo(user.profile.time_zone)).strftime("%Y-%m-%d %H:%M %Z")
        for d in DigestDelivery.objects.filter(owner=user, sent_at__isnull=False).order_by(
            "sent_at"
        )
    ]


def test_the_digest_arrives_at_the_users_local_hour_not_the_servers():
    user = user_in(NEW_YORK)
    tick_every(local(NEW_YORK, 2026, 3, 6, 7, 58), local(NEW_YORK, 2026, 3, 6, 8, 2))
    assert sent_at_hours(user) == ["2026-03-06 08:00 EST"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]


def test_new_york_keeps_its_local_hour_after_clocks_spring_forward():
    user = user_in(NEW_YORK)
    # 8:00 EST is 13:00 UTC before the change, 8:00 EDT is 12:00 UTC after it.
    tick_every(local(NEW_YORK, 2026, 3, 9, 7, 55), local(NEW_YORK, 2026, 3, 9, 8, 5))
    assert sent_at_hours(user) == ["2026-03-09 08:00 EDT"]
    assert DigestDelivery.objects.get(owner=user).sent_at.hour == 12


def test_a_digest_hour_skipped_by_spring_forward_arrives_at_the_next_local_hour():
    user = user_in(NEW_YORK, digest_hour=2)  # 2:00-3:00 does not exist on 8 March 2026
    tick_every(local(NEW_YORK, 2026, 3, 8, 1, 30), local(NEW_YORK, 2026, 3, 8, 3, 30))
    assert sent_at_hours(user) == ["2026-03-08 03:00 EDT"]


def test_a_digest_hour_repeated_by_fall_back_sends_one_digest():
    user = user_in(NEW_YORK, digest_hour=1)  # 1:00-2:00 happens twice on 1 November 2026
    start = local(NEW_YORK, 2026, 11, 1, 0, 50)
    tick_every(start, start + timedelta(hours=3), timedelta(minutes=5))
    assert sent_at_hours(user) == ["2026-11-01 01:00 EDT"]


def test_auckland_keeps_its_local_hour_when_daylight_saving_ends():
    user = user_in(AUCKLAND)
    # Daylight saving ends on 5 April 2026: 8:00 is 19:00 UTC before, 20:00 UTC after.
    for day in (3, 4, 5, 6):
        morning = local(AUCKLAND, 2026, 4, day, 8, 0)
        tick_every(morning - timedelta(minutes=2), morning + timedelta(minutes=2))
    assert sent_at_hours(user) == [
        "2026-04-03 08:00 NZDT",
        "2026-04-04 08:00 NZDT",
        "2026-04-05 08:00 NZST",
        "2026-04-06 08:00 NZST",
    ]


def test_auckland_keeps_its_local_hour_when_daylight_saving_starts():
    user = user_in(AUCKLAND)
    for day in (26, 27, 28):  # clocks go forward at 2:00 on 27 September 2026
        morning = local(AUCKLAND, 2026, 9, day, 8, 0)
        tick_every(morning - timedelta(minutes=1), morning + timedelta(minutes=1))
    assert sent_at_hours(user) == [
        "2026-09-26 08:00 NZST",
        "2026-09-27 08:00 NZDT",
        "2026-09-28 08:00 NZDT",
    ]
    assert [d.sent_at.hour for d in DigestDelivery.objects.order_by("sent_at")] == [20, 19, 19]


def test_ticks_every_minute_send_one_digest_per_local_day():
    user = user_in(NEW_YORK)
    tick_every(local(NEW_YORK, 2026, 5, 4, 7, 50), local(NEW_YORK, 2026, 5, 4, 10, 0))
    tick_every(
        local(NEW_YORK, 2026, 5, 4, 10, 0),
        local(NEW_YORK, 2026, 5, 6, 7, 0),
        timedelta(minutes=20),
    )
    assert sent_at_hours(user) == ["2026-05-04 08:00 EDT", "2026-05-05 08:00 EDT"]
    assert len(mail.outbox) == 2


def test_a_digest_missed_while_the_worker_was_down_goes_out_later_that_day_once():
    user = user_in(NEW_YORK)
    tick_every(local(NEW_YORK, 2026, 5, 4, 13, 0), local(NEW_YORK, 2026, 5, 4, 13, 3))
    assert sent_at_hours(user) == ["2026-05-04 13:00 EDT"]


def test_no_digest_on_a_day_with_nothing_to_say():
    user = make_user(time_zone="America/New_York", email_reminders=False)
    make_followup(user, due_at=local(NEW_YORK, 2026, 5, 20, 9, 0))  # more than a week away
    tick_every(local(NEW_YORK, 2026, 5, 4, 7, 59), local(NEW_YORK, 2026, 5, 4, 8, 5))
    assert mail.outbox == []
    assert DigestDelivery.objects.get(owner=user).nothing_to_say is True


def test_no_digest_when_the_user_turned_it_off():
    user = user_in(NEW_YORK)
    Profile.objects.filter(user=user).update(digest_hour=None)
    tick_every(local(NEW_YORK, 2026, 5, 4, 7, 59), local(NEW_YORK, 2026, 5, 4, 8, 1))
    assert mail.outbox == []


def test_the_digest_lists_overdue_due_today_and_the_coming_week():
    user = make_user(time_zone="America/New_York", email_reminders=False)
    now = local(NEW_YORK, 2026, 5, 4, 8, 0)
    contact = make_contact(user, first_name="Ines", last_name="Okafor")
    make_followup(user, contact=contact, kind="reply", due_at=now - timedelta(days=1))
    make_followup(user, kind="check_in", due_at=now + timedelta(hours=3))
    make_followup(user, kind="thank_you", due_at=now + timedelta(days=3))
    make_followup(user, kind="connect", due_at=now + timedelta(days=9))  # too far
    make_followup(user, kind="custom", due_at=now - timedelta(days=2), status="done")
    with time_machine.travel(now, tick=False):
        scheduler.tick()
    (message,) = mail.outbox
    assert message.subject == "Your follow-ups for Monday 4 May: 3 to look at"
    body = message.body
    assert body.index("Overdue") < body.index("Reply to the rejection: Ines Okafor")
    assert body.index("Due later today") < body.index("Check in") < body.index("Coming up")
    assert body.index("Coming up this week") < body.index("Send a thank-you")
    assert "Connect on LinkedIn" not in body
    assert "Sun 3 May, 08:00" in body  # local times
    html = message.alternatives[0][0]
    assert "Reply to the rejection: Ines Okafor" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
