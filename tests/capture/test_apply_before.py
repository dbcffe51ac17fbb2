"""A closing date on a wishlist application schedules "Apply before <date>", due the
working morning three days before; it goes away once the application moves on."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from followups.models import FollowUp
from tests.factories import make_application
from tests.htmx import as_shown

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def apply_before(application) -> list[FollowUp]:
    return list(
        FollowUp.objects.filter(
            application=application, kind=FollowUp.Kind.CUSTOM, status="pending"
        )
    )


def test_a_wishlist_closing_date_schedules_apply_before_three_working_days_ahead(alice):
    application = make_application(
        alice, title="Data Engineer", status="wishlist", closing_date=date(2026, 3, 20)
    )

    [followup] = apply_before(application)
    assert followup.due_at == datetime(2026, 3, 17, 9, tzinfo=UTC)  # Tue, 3 days before Fri
    assert followup.deadline == datetime(2026, 3, 20, 23, 59, tzinfo=UTC)
    assert followup.draft_subject.startswith("Apply before Fri 20 Mar: Data Engineer at")


def test_three_days_before_falling_on_a_weekend_moves_to_the_friday_before(alice):
    application = make_application(alice, status="wishlist", closing_date=date(2026, 3, 24))

    [followup] = apply_before(application)
    assert followup.due_at == datetime(2026, 3, 20, 9, tzinfo=UTC)


def test_the_due_time_is_the_owners_morning_in_their_time_zone(alice):
    alice.profile.time_zone = "America/New_York"
    alice.profile.morning_hour = 8
    alice.profile.save()
    application = make_application(alice, status="wishlist", closing_date=date(2026, 3, 20))

    [followup] = apply_before(application)
    assert followup.due_at == datetime(2026, 3, 17, 12, tzinfo=UTC)  # 08:00 EDT


def test_it_shows_on_the_dashboard(alice, alice_client):
    make_application(
        alice, title="Data Engineer", status="wishlist", closing_date=date(2026, 3, 20)
    )

    page = as_shown(alice_client, reverse("home"))

    assert "Apply before Fri 20 Mar" in page


def test_it_shows_among_the_applications_pending_follow_ups(alice, alice_client):
    application = make_application(
        alice, title="Data Engineer", status="wishlist", closing_date=date(2026, 3, 20)
    )

    page = alice_client.get(reverse("crm:application-detail", args=[application.pk]))

    assert "Apply before Fri 20 Mar: Data Engineer at" in page.content.decode()


def test_moving_the_application_to_applied_cancels_it(alice):
    application = make_application(alice, status="wishlist", closing_date=date(2026, 3, 20))
    [followup] = apply_before(application)

    application.status = "applied"
    application.applied_on = date(2026, 3, 3)
    application.save()

    followup.refresh_from_db()
    assert followup.status == "cancelled"
    assert followup.cancel_reason == "The application moved to applied"


def test_moving_it_on_the_board_cancels_it_too(alice, alice_client):
    application = make_application(alice, status="wishlist", closing_date=date(2026, 3, 20))

    alice_client.post(reverse("crm:application-move", args=[application.pk]), {"status": "applied"})

    assert apply_before(application) == []


def test_changing_the_closing_date_moves_the_reminder_instead_of_adding_one(alice):
    application = make_application(alice, status="wishlist", closing_date=date(2026, 3, 20))

    application.closing_date = date(2026, 3, 27)
    application.save()
    application.save()  # saving again changes nothing

    [followup] = apply_before(application)
    assert followup.due_at == datetime(2026, 3, 24, 9, tzinfo=UTC)
    assert "Fri 27 Mar" in followup.draft_subject


def test_an_edited_draft_is_still_found_when_the_date_changes(alice):
    application = make_application(alice, status="wishlist", closing_date=date(2026, 3, 20))
    FollowUp.objects.filter(application=application).update(draft_subject="My own words")

    application.closing_date = date(2026, 3, 27)
    application.save()

    assert len(apply_before(application)) == 1


def test_removing_the_closing_date_cancels_it(alice):
    application = make_application(alice, status="wishlist", closing_date=date(2026, 3, 20))

    application.closing_date = None
    application.save()

    assert apply_before(application) == []


def test_a_closing_date_less_than_three_days_away_is_due_now(alice):
    application = make_application(alice, status="wishlist", closing_date=date(2026, 3, 3))

    [followup] = apply_before(application)
    assert followup.due_at == NOW


def test_no_reminder_for_a_passed_closing_date_or_an_applied_application(alice):
    past = make_application(alice, status="wishlist", closing_date=date(2026, 2, 27))
    applied = make_application(alice, status="applied", closing_date=date(2026, 3, 20))

    assert apply_before(past) == []
    assert apply_before(applied) == []


def test_the_reminder_email_goes_out_on_that_morning(alice):
    from django.core import mail
    from django.core.management import call_command

    from crm.models import Profile

    Profile.objects.filter(user=alice).update(digest_hour=None)
    make_application(
        alice, title="Data Engineer", status="wishlist", closing_date=date(2026, 3, 20)
    )

    with time_machine.travel(datetime(2026, 3, 17, 9, 1, tzinfo=UTC), tick=False):
        call_command("send_reminders", verbosity=0)

    [email] = mail.outbox
    assert email.to == [alice.email]
    assert "Apply before Fri 20 Mar" in email.subject + email.body
