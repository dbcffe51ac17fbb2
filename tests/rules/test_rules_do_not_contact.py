"""Do not contact: every pending follow-up for the contact goes, and none is scheduled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from contacts.models import Contact
from crm.models import JobApplication
from followups.models import FollowUp
from tests.factories import make_application, make_contact, make_interaction

T = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(T, tick=False):
        yield


def busy_contact(owner) -> Contact:
    """A contact with a pending thank-you, reply and check-in."""
    contact = make_contact(owner, check_in_months=3)
    make_interaction(owner, contact=contact, kind="interview", occurred_at=T - timedelta(days=3))
    make_interaction(owner, contact=contact, kind="rejection", occurred_at=T - timedelta(days=1))
    return contact


def test_marking_do_not_contact_cancels_every_pending_follow_up(alice):
    contact = busy_contact(alice)
    assert {f.kind for f in contact.followups.filter(status="pending")} == {
        "reply",
        "thank_you",
        "check_in",
    }
    contact.do_not_contact = True
    contact.save()
    assert {f.status for f in contact.followups.all()} == {FollowUp.Status.CANCELLED}
    assert {f.cancel_reason for f in contact.followups.all()} == {"Marked do not contact"}


def test_marking_do_not_contact_in_a_loaded_row_works_the_same(alice):
    contact = busy_contact(alice)
    loaded = Contact.objects.get(pk=contact.pk)
    loaded.do_not_contact = True
    loaded.save()
    assert not contact.followups.filter(status="pending").exists()


def test_other_contacts_keep_their_follow_ups(alice):
    contact, other = busy_contact(alice), busy_contact(alice)
    contact.do_not_contact = True
    contact.save()
    assert other.followups.filter(status="pending").count() == 3


def test_nothing_new_is_scheduled_for_a_do_not_contact_contact(alice):
    contact = make_contact(alice, do_not_contact=True, check_in_months=3)
    application = make_application(alice, status=JobApplication.Status.INTERVIEWING)
    make_interaction(alice, contact=contact, application=application, kind="rejection")
    make_interaction(alice, contact=contact, kind="interview")
    make_interaction(alice, contact=contact, kind="feedback")
    make_interaction(alice, contact=contact, direction="outbound", requests_feedback=True)
    assert not FollowUp.objects.filter(contact=contact).exists()
    application.refresh_from_db()
    assert application.status == JobApplication.Status.REJECTED  # still a fact


def test_lifting_do_not_contact_brings_back_the_check_in_only(alice):
    contact = busy_contact(alice)
    contact.do_not_contact = True
    contact.save()
    contact.do_not_contact = False
    contact.save()
    pending = contact.followups.filter(status="pending")
    assert [f.kind for f in pending] == ["check_in"]


def test_saving_a_do_not_contact_contact_again_writes_no_more_history(alice):
    contact = busy_contact(alice)
    contact.do_not_contact = True
    contact.save()
    events = sum(f.events.count() for f in contact.followups.all())
    Contact.objects.get(pk=contact.pk).save()
    contact.save()
    assert sum(f.events.count() for f in contact.followups.all()) == events
