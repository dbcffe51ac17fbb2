"""The backup carries which days' digests went out, so a restored account does not get
today's digest a second time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from followups import scheduler
from followups.export.backup import export_user_data, restore_user_data
from followups.models import DigestDelivery
from tests.factories import make_contact, make_followup, make_user

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)


def digest_user(username: str):
    # Reminder emails off: every email here is a digest.
    return make_user(username, digest_hour=8, email_reminders=False)


def test_a_restored_account_gets_no_second_digest_the_same_day():
    alice = digest_user("alice")
    make_followup(alice, contact=make_contact(alice), due_at=MORNING - timedelta(days=1))
    with time_machine.travel(MORNING, tick=False):
        scheduler.tick()
    assert len(mail.outbox) == 1
    document = json.loads(json.dumps(export_user_data(alice)))
    assert [d["local_date"] for d in document["digest_deliveries"]] == ["2026-03-06"]

    carol = digest_user("carol")
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        restore_user_data(carol, document)
        scheduler.tick()

    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert DigestDelivery.objects.get(owner=carol).sent_at is not None


def test_an_account_with_only_a_digest_record_can_still_be_restored_into():
    alice = digest_user("alice")
    make_followup(alice, contact=make_contact(alice), due_at=MORNING - timedelta(days=1))
    with time_machine.travel(MORNING, tick=False):
        scheduler.tick()
    document = export_user_data(alice)
    carol = digest_user("carol")
    DigestDelivery.objects.create(owner=carol, local_date=MORNING.date(), nothing_to_say=True)

    counts = restore_user_data(carol, json.loads(json.dumps(document)))

    assert counts["digest_deliveries"] == 0
    assert counts["followups"] == 1
    assert DigestDelivery.objects.filter(owner=carol).count() == 1
