"""On PostgreSQL the "sent" mark travels beside the next SMTP exchange (claims.
start_marking_sent): the next message's MAIL and RCPT go out while the mark is on its way,
its content only once the mark is done, and a worker killed in between repeats nothing.

A real `manage.py send_reminders` process, a real PostgreSQL database with committed
data and a real aiosmtpd server on 127.0.0.1; the test holds a row lock on one reminder
so that its mark waits in the database for as long as the test needs.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.db import DatabaseError, connection

from followups.models import FollowUp
from followups.scheduler.claims import unanswered_statement
from tests.factories import make_followup
from tests.scheduler.test_scheduler_concurrency import (
    TICK_LATER,
    environment,
    postgres_url,  # noqa: F401  (the fixture)
    prepare,
    run,
    start_workers,
)
from tests.smtp_sink import free_port

COUNT = 8
HELD = 2  # the third reminder in due order: its mark is the one held in the database


class Watching:
    """Counts RCPT commands and whole messages as they arrive; holds its answer to the
    first message until told to go on."""

    def __init__(self) -> None:
        self.rcpts = 0
        self.message_ids: list[str] = []
        self.go_on = threading.Event()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpts += 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if not self.message_ids:
            await asyncio.to_thread(self.go_on.wait, 30)
        for line in envelope.content.splitlines():
            if line.lower().startswith(b"message-id:"):
                with self.lock:
                    self.message_ids.append(line.split(b":", 1)[1].strip().decode())
        return "250 Message accepted for delivery"

    def seen(self) -> tuple[int, int]:
        with self.lock:
            return self.rcpts, len(self.message_ids)


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.slow
def test_a_worker_killed_while_its_mark_is_on_the_way_repeats_no_email(postgres_url):  # noqa: F811
    psycopg = pytest.importorskip("psycopg")
    prepare(postgres_url, COUNT)
    with psycopg.connect(postgres_url, autocommit=True) as db:
        ids = [
            row[0]
            for row in db.execute(
                "SELECT id FROM followups_followup ORDER BY due_at, id"
            ).fetchall()
        ]

        def marked(pk: int) -> bool:
            row = db.execute("SELECT notified_at FROM followups_followup WHERE id = %s", [pk])
            return row.fetchone()[0] is not None

        watching, port = Watching(), free_port()
        controller = Controller(watching, hostname="127.0.0.1", port=port, ready_timeout=10)
        controller.start()
        holder = psycopg.connect(postgres_url)  # a transaction that locks one row
        try:
            env = environment(postgres_url, port)
            (worker,) = start_workers(1, env)
            # The worker has claimed its batch once the first message is in; only then
            # can the row be locked without the claim's SKIP LOCKED passing over it.
            assert wait_for(lambda: watching.seen()[0] >= 1)
            holder.execute(
                "SELECT id FROM followups_followup WHERE id = %s FOR UPDATE", [ids[HELD]]
            )
            watching.go_on.set()
            # Message HELD is accepted; its mark waits for the lock. The next message's
            # MAIL and RCPT go out meanwhile, its content does not.
            assert wait_for(lambda: watching.seen() == (HELD + 2, HELD + 1)), watching.seen()
            time.sleep(0.5)
            assert watching.seen() == (HELD + 2, HELD + 1)
            assert not marked(ids[HELD])
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            holder.rollback()
            holder.close()
        # The mark was already in the database's hands: it lands although its sender died.
        assert wait_for(lambda: marked(ids[HELD]), timeout=10)
        try:
            # A tick after the dead worker's lease ran out sends the rest, once each.
            run(["-c", TICK_LATER, "6"], env)
        finally:
            controller.stop()
        unsent = db.execute(
            "SELECT count(*) FROM followups_followup WHERE notified_at IS NULL"
        ).fetchone()[0]
    counts = Counter(watching.message_ids)
    assert len(counts) == COUNT and set(counts.values()) == {1} and unsent == 0


@pytest.mark.django_db(transaction=True)
def test_a_statement_sent_without_waiting_is_done_when_read_and_its_error_raised(alice):
    # Autocommit, as the tick runs: each statement is its own transaction.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite marks in-process; the unanswered statement is PostgreSQL's")
    followup = make_followup(alice)
    answer = unanswered_statement(
        "UPDATE followups_followup SET draft_subject = $1 WHERE id = $2", ["Changed", followup.pk]
    )
    answer()
    assert FollowUp.objects.get(pk=followup.pk).draft_subject == "Changed"
    failing = unanswered_statement("SELECT 1 / $1::int", [0])
    with pytest.raises(DatabaseError, match="division by zero"):
        failing()
    # The error was read to the end: the connection goes on like any other.
    assert FollowUp.objects.filter(owner=alice).count() == 1
