"""Storing the waiting messages of a batch (sync.insert_ignoring_conflicts): what
bulk_create(ignore_conflicts=True) stores, by a faster road on each database (COPY on
PostgreSQL, one prepared INSERT on SQLite). Runs on both in CI."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from followups.mailbox.sync import as_stored, insert_ignoring_conflicts
from followups.models import Mailbox, MailMessage
from tests.factories import make_contact

SENT = datetime(2026, 11, 30, 9, 15, 42, 123456, tzinfo=UTC)
FIELDS = [
    f.attname
    for f in MailMessage._meta.concrete_fields
    if f.attname not in ("id", "created_at", "mailbox_id")
]


def waiting(owner, mailbox, key, **fields):
    values = {
        "owner_id": owner.pk,
        "mailbox": mailbox,
        "message_key": key,
        "folder": "INBOX",
        "uid": 7,
        "direction": MailMessage.Direction.INBOUND,
        "from_name": "Zoë Ñúñez",
        "from_address": "zoe@acme-robotics.com",
        "to_addresses": "sam@example.org",
        "subject": "Your application\tfor \\ Product Designer",
        "sent_at": SENT,
        "body": "Dear Sam,\n\nline with a tab\there, a backslash \\N and \\t, and\r\nCRLF.\n",
        "in_reply_to": "<a@b> <c@d>",
        "guess": MailMessage.Guess.REJECTION,
        "company_name": "Acme Robotics",
        "job_title": "Product Designer",
        "problem": "",
    }
    values.update(fields)
    return MailMessage(**values)


@pytest.fixture
def box(alice):
    mailbox = Mailbox(owner=alice, host="127.0.0.1", port=1, security="plain", username="sam")
    mailbox.set_password("x")
    mailbox.save()
    return mailbox


def stored(key):
    row = MailMessage.objects.get(message_key=key)
    return {name: getattr(row, name) for name in FIELDS}, row


def test_the_rows_are_stored_as_bulk_create_stores_them(alice, box):
    contact = make_contact(alice, email="zoe@acme-robotics.com")
    ours = [
        waiting(alice, box, "<ours@x>", contact=contact),
        waiting(alice, box, "<ours-2@x>", body="", sent_at=SENT.replace(microsecond=0)),
    ]
    theirs = [
        waiting(alice, box, "<theirs@x>", contact=contact),
        waiting(alice, box, "<theirs-2@x>", body="", sent_at=SENT.replace(microsecond=0)),
    ]
    before = datetime.now(UTC)
    insert_ignoring_conflicts(ours)
    MailMessage.objects.bulk_create(theirs, ignore_conflicts=True)
    for mine, reference in (("<ours@x>", "<theirs@x>"), ("<ours-2@x>", "<theirs-2@x>")):
        (got, row), (expected, _) = stored(mine), stored(reference)
        expected["message_key"] = mine
        assert got == expected
        assert row.mailbox_id == box.pk and row.status == MailMessage.Status.WAITING
        assert row.created_at >= before.replace(microsecond=0)
    assert stored("<ours@x>")[0]["body"].endswith("\\N and \\t, and\r\nCRLF.\n")


def test_a_message_stored_already_is_skipped_and_the_rest_go_in(alice, box):
    waiting(alice, box, "<old@x>", subject="kept").save()
    insert_ignoring_conflicts(
        [waiting(alice, box, "<old@x>", subject="new"), waiting(alice, box, "<new@x>")]
    )
    assert MailMessage.objects.get(message_key="<old@x>").subject == "kept"
    assert MailMessage.objects.filter(owner=alice).count() == 2


def test_two_calls_in_one_transaction_store_each_message_once(alice, box):
    with transaction.atomic():
        insert_ignoring_conflicts([waiting(alice, box, "<one@x>")])
        insert_ignoring_conflicts([waiting(alice, box, "<two@x>"), waiting(alice, box, "<one@x>")])
    keys = sorted(MailMessage.objects.values_list("message_key", flat=True))
    assert keys == ["<one@x>", "<two@x>"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_and_rolled_back_with_one(alice, box):
    insert_ignoring_conflicts([waiting(alice, box, "<autocommit@x>")])
    assert MailMessage.objects.filter(message_key="<autocommit@x>").exists()

    with pytest.raises(RuntimeError), transaction.atomic():
        insert_ignoring_conflicts([waiting(alice, box, "<rolled-back@x>")])
        raise RuntimeError
    assert not MailMessage.objects.filter(message_key="<rolled-back@x>").exists()
    insert_ignoring_conflicts([waiting(alice, box, "<after@x>")])
    assert MailMessage.objects.filter(message_key="<after@x>").exists()


def test_the_values_read_as_they_are_are_those_the_fields_would_not_change(db):
    samples = {str: ["", "Zoë\t\\N"], int: [0, 7, 2**40], type(None): [None]}
    passed = set()
    for field in MailMessage._meta.concrete_fields:
        for kind in as_stored(field):
            for value in samples[kind]:
                assert field.get_db_prep_save(value, connection) == value, field.name
                passed.add(field.name)
    # Text, integers and keys; never the dates (created_at's auto_now_add).
    assert {"subject", "body", "uid", "owner", "contact"} <= passed
    assert not passed & {"sent_at", "created_at", "decided_at"}
