"""Applying the rules to one interaction costs the same number of queries however many
follow-ups already exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Interaction
from followups.models import FollowUp
from tests.factories import make_application, make_contact, make_interaction, make_user

T = datetime(2026, 3, 2, 10, tzinfo=UTC)


def queries_for_one_rejection_and_its_reply(existing: int) -> tuple[int, int]:
    owner = make_user()
    contact = make_contact(owner, check_in_months=3, linkedin_url="https://linkedin.com/in/x")
    application = make_application(owner)
    others = [make_contact(owner) for _ in range(5)]
    old = make_interaction(
        owner, contact=contact, application=application, occurred_at=T - timedelta(days=400)
    )
    # Half pending for other contacts, half long done for this very contact.
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                owner=owner,
                contact=others[n % 5],
                kind=FollowUp.Kind.CUSTOM,
                due_at=T + timedelta(minutes=n),
            )
            for n in range(existing // 2)
        ]
        + [
            FollowUp(
                owner=owner,
                contact=contact,
                application=application,
                source=old,
                kind=FollowUp.Kind.REPLY,
                status=FollowUp.Status.DONE,
                due_at=T - timedelta(days=300, minutes=n),
            )
            for n in range(existing - existing // 2)
        ],
        batch_size=1000,
    )
    with time_machine.travel(T, tick=False):
        with CaptureQueriesContext(connection) as rejection:
            make_interaction(
                owner,
                contact=contact,
                application=application,
                kind=Interaction.Kind.REJECTION,
                occurred_at=T,
            )
        with CaptureQueriesContext(connection) as reply:
            make_interaction(
                owner,
                contact=contact,
                application=application,
                direction=Interaction.Direction.OUTBOUND,
                kind=Interaction.Kind.REPLY,
                occurred_at=T + timedelta(hours=3),
            )
    # The rules really ran: the reply was scheduled, then completed.
    assert (
        FollowUp.objects.get(contact=contact, kind="reply", source__occurred_at=T).status == "done"
    )
    assert FollowUp.objects.filter(contact=contact, kind="connect", status="pending").count() == 1
    return len(rejection), len(reply)


def test_query_count_is_the_same_with_10_and_10000_existing_follow_ups(db):
    few = queries_for_one_rejection_and_its_reply(10)
    many = queries_for_one_rejection_and_its_reply(10_000)
    assert FollowUp.objects.count() > 10_000
    assert few == many
