"""R8: an application nobody answered gets one status question two weeks later."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from contacts.models import Interaction
from crm.models import JobApplication, Profile
from followups.models import FollowUp
from followups.rules import mark_sent
from tests.factories import make_application, make_contact, make_interaction, make_user

T = datetime(2026, 3, 2, 10, tzinfo=UTC)  # Monday 2 March
Status = JobApplication.Status


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(T, tick=False):
        yield


def checks(**filters):
    return list(FollowUp.objects.filter(kind=FollowUp.Kind.APPLICATION_CHECK, **filters))


def test_the_check_is_due_the_working_morning_two_weeks_after_applying(alice):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    [check] = checks()
    assert (check.application, check.status, check.source) == (application, "pending", None)
    assert check.due_at == datetime(2026, 3, 16, 9, tzinfo=UTC)


def test_two_weeks_after_a_saturday_is_the_monday_after(alice):
    make_application(alice, applied_on=date(2026, 3, 7))
    assert checks()[0].due_at == datetime(2026, 3, 23, 9, tzinfo=UTC)


def test_the_check_uses_the_owners_time_zone(db):
    owner = make_user("kiri", time_zone="Pacific/Auckland")
    make_application(owner, applied_on=date(2026, 3, 2))
    due = checks()[0].due_at
    assert due.astimezone(ZoneInfo("Pacific/Auckland")).replace(tzinfo=None) == datetime(
        2026, 3, 16, 9
    )
    assert due == datetime(2026, 3, 15, 20, tzinfo=UTC)


def test_without_an_applied_date_today_counts(alice):
    make_application(alice, applied_on=None)
    assert checks()[0].due_at == datetime(2026, 3, 16, 9, tzinfo=UTC)


def test_a_wishlist_application_gets_no_check_until_it_is_applied_for(alice):
    application = make_application(alice, status=Status.WISHLIST)
    assert checks() == []
    application.status = Status.APPLIED
    application.applied_on = date(2026, 3, 3)
    application.save()
    assert checks()[0].due_at == datetime(2026, 3, 17, 9, tzinfo=UTC)


def test_saving_the_application_again_creates_no_second_check(alice):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    application.save()
    JobApplication.objects.get(pk=application.pk).save()
    assert len(checks()) == 1


def test_changing_the_applied_date_moves_the_check(alice):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    application.applied_on = date(2026, 3, 4)
    application.save()
    [check] = checks()
    assert check.due_at == datetime(2026, 3, 18, 9, tzinfo=UTC)


def test_any_inbound_message_on_the_application_cancels_the_check(alice):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    make_interaction(
        alice,
        contact=make_contact(alice),
        application=application,
        direction="inbound",
        kind="other",
        occurred_at=T + timedelta(days=3),
    )
    [check] = checks()
    assert check.status == FollowUp.Status.CANCELLED
    assert check.cancel_reason


def test_an_inbound_message_about_another_application_keeps_the_check(alice):
    make_application(alice, applied_on=date(2026, 3, 2))
    make_interaction(alice, application=make_application(alice, status=Status.INTERVIEWING))
    assert [c.status for c in checks()] == [FollowUp.Status.PENDING]


def test_an_application_already_answered_since_applying_gets_no_check(alice):
    application = make_application(alice, status=Status.WISHLIST)
    Interaction.objects.create(
        owner=alice,
        application=application,
        direction="inbound",
        kind="other",
        occurred_at=T,
    )
    application.status = Status.APPLIED
    application.applied_on = date(2026, 3, 1)
    application.save()
    assert checks() == []


def test_asking_about_the_application_completes_the_check(alice):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    [check] = checks()
    sent = mark_sent(check)
    check.refresh_from_db()
    assert (sent.application, sent.direction) == (application, "outbound")
    assert (check.status, check.completed_by) == (FollowUp.Status.DONE, sent)


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.INTERVIEWING, Status.REJECTED])
def test_moving_the_application_on_cancels_the_check(alice, status):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    application.status = status
    application.save()
    assert [c.status for c in checks()] == [FollowUp.Status.CANCELLED]


def test_a_rejection_on_the_application_cancels_the_check(alice):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    make_interaction(alice, application=application, kind="rejection", direction="inbound")
    assert [c.status for c in checks()] == [FollowUp.Status.CANCELLED]


def test_the_check_can_be_switched_off_and_its_delay_changed(alice):
    Profile.objects.filter(user=alice).update(application_check_enabled=False)
    make_application(alice, applied_on=date(2026, 3, 2))
    assert checks() == []
    Profile.objects.filter(user=alice).update(
        application_check_enabled=True, application_check_days=7
    )
    make_application(alice, applied_on=date(2026, 3, 2))
    assert checks()[0].due_at == datetime(2026, 3, 9, 9, tzinfo=UTC)


def test_bobs_applications_never_check_on_alices(alice, bob):
    make_application(alice, applied_on=date(2026, 3, 2))
    theirs = make_application(bob, applied_on=date(2026, 3, 2))
    make_interaction(bob, application=theirs, direction="inbound")
    assert [(c.owner, c.status) for c in checks(owner=alice)] == [(alice, "pending")]


def test_a_message_from_before_the_application_neither_completes_nor_cancels_it(alice):
    contact = make_contact(alice)
    application = make_application(alice, applied_on=date(2026, 3, 2))
    for direction in ("outbound", "inbound"):
        make_interaction(
            alice,
            contact=contact,
            application=application,
            direction=direction,
            occurred_at=datetime(2026, 2, 20, 12, tzinfo=UTC),
        )
    assert [c.status for c in checks()] == [FollowUp.Status.PENDING]


def test_deleting_the_application_cancels_its_check(alice):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    application.delete()
    [check] = checks()
    assert (check.status, check.cancel_reason) == ("cancelled", "The application was deleted")


def test_a_check_made_before_any_contact_goes_to_the_first_one_linked(alice):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    [check] = checks()
    assert check.contact is None and "[First Name]" in check.draft_body
    contact = make_contact(alice, first_name="Dana")
    contact.applications.add(application)
    [check] = checks()
    assert check.contact == contact
    assert "[First Name]" not in check.draft_body and "Dana" in check.draft_body


def test_linking_from_the_application_side_addresses_the_check_too(alice):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    blocked = make_contact(alice, first_name="Sam", do_not_contact=True)
    dana = make_contact(alice, first_name="Dana")
    application.contacts.add(blocked, dana)
    [check] = checks()
    assert check.contact == dana


def test_a_check_with_a_contact_keeps_it_when_another_is_linked(alice):
    application = make_application(alice, applied_on=date(2026, 3, 2))
    first = make_contact(alice, first_name="Dana")
    first.applications.add(application)
    make_contact(alice, first_name="Lee").applications.add(application)
    [check] = checks()
    assert check.contact == first
