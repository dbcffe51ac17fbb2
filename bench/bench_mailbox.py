"""Mailbox sync on a local Dovecot: first sync against a bare IMAPClient FETCH, and the
cost of an idle incremental sync against one NOOP.

    .venv/bin/python bench/bench_mailbox.py [--messages 10000] [--job 1000] [--rounds 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fcrm_bench_mailbox \
        .venv/bin/python bench/bench_mailbox.py

Starts Dovecot from tests/mailbox/dovecot.py (apt-get install dovecot-imapd), fills one
INBOX with MULTIAPPEND: `--job` rejections from 100 recruiters (a tenth of them known
contacts) among newsletters. Each round, alternating which goes first:
- the floor: one IMAPClient connection, SELECT, UID SEARCH, and a FETCH of the same
  header fields the sync reads (RFC822.SIZE + BODY.PEEK[HEADER.FIELDS (…)]) in the
  sync's batch size, nothing else, with IMAPClient's per-line protocol log off as the
  sync has it (`--floor-protocol-log` leaves it on in the floor);
- the real `sync_mailbox()` from an empty state (its rows deleted between rounds):
  STATUS, SEARCH, header FETCH, bodies of the job-related messages, classification and
  the database writes.
Then the idle sync (nothing new): the IMAP commands it sends, counted by wrapping
imaplib's command method, and its time against connect+login+NOOP+logout and one NOOP.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'bench_mailbox.sqlite3'}")

import django  # noqa: E402

django.setup()

import imaplib  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from contacts.models import Contact, Interaction  # noqa: E402
from followups.mailbox import sync as sync_module  # noqa: E402
from followups.mailbox import transport  # noqa: E402
from followups.models import FollowUp, Mailbox, MailboxFolder, MailMessage  # noqa: E402
from tests.mailbox.dovecot import HOST, Dovecot  # noqa: E402


def messages(total: int, job: int, address: str) -> list[bytes]:
    now = timezone.now()
    every = max(1, total // job)
    out = []
    for n in range(total):
        message = EmailMessage()
        if n % every == 0 and n // every < job:
            r = (n // every) % 100
            message["From"] = f"Recruiter {r} <recruiter{r}@company{r}.example>"
            message["Subject"] = f"Your application for Engineer {n}"
            body = (
                "Hi Sam,\n\nThank you for your interest. Unfortunately we have decided to "
                "move forward with other candidates.\n\nBest regards,\nRecruiter\n"
            )
        else:
            message["From"] = f"Shop {n % 50} <news{n % 50}@shop.example>"
            message["Subject"] = f"Weekly letter {n}"
            body = "This week in our shop: everything you did not know you needed.\n" * 5
        message["To"] = address
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain="bench.example")
        message.set_content(body)
        out.append(message.as_bytes())
    return out


def fill(server: Dovecot, user: str, password: str, raws: list[bytes]) -> None:
    with server.client(user, password) as client:
        for start in range(0, len(raws), 500):
            client.multiappend("INBOX", raws[start : start + 500])


# The floor's client is set up as the sync's (transport.without_protocol_log): the
# per-line protocol log IMAPClient turns on costs both sides the same, so the ratio
# compares the sync's own work with the FETCH. `--floor-protocol-log` keeps IMAPClient's
# default on the floor only (the comparison before the sync turned it off).
FLOOR_PROTOCOL_LOG = False


def floor(server: Dovecot, user: str, password: str) -> float:
    start = time.perf_counter()
    with server.client(user, password) as client:
        if not FLOOR_PROTOCOL_LOG:
            transport.without_protocol_log(client)
        client.select_folder("INBOX", readonly=True)
        uids = sorted(client.search(["ALL"]))
        for i in range(0, len(uids), sync_module.FETCH_BATCH):
            client.fetch(
                uids[i : i + sync_module.FETCH_BATCH], ["RFC822.SIZE", sync_module.HEADER_ITEM]
            )
    return time.perf_counter() - start


VACUUM = True


def reset(mailbox: Mailbox) -> None:
    MailMessage.objects.filter(mailbox=mailbox).delete()
    MailboxFolder.objects.filter(mailbox=mailbox).delete()
    FollowUp.objects.filter(owner=mailbox.owner).delete()
    Interaction.objects.filter(owner=mailbox.owner).delete()
    Mailbox.objects.filter(pk=mailbox.pk).update(leased_until=None, lease_token="")
    if VACUUM and connection.vendor == "postgresql":
        # The rows deleted above stay as dead tuples until a vacuum, and the development
        # server runs with autovacuum off: without this, each round's sync reads through
        # the previous rounds' dead rows (and plans with stale statistics), which a real
        # first sync never does. Not timed.
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE followups_mailmessage, followups_mailboxfolder, "
                "followups_mailbox, followups_followup, contacts_interaction"
            )


def first_sync(mailbox: Mailbox, total: int) -> tuple[float, int]:
    reset(mailbox)
    start = time.perf_counter()
    report = sync_module.sync_mailbox(mailbox, limit=total + 10)
    elapsed = time.perf_counter() - start
    assert not report.error, report.error
    assert report.read == total, report
    return elapsed, report.kept


class CommandCounter:
    """Counts the IMAP commands written to the socket. At imaplib's send(), not its
    _command(): IMAPClient sends SEARCH, FETCH and LIST-STATUS past _command."""

    LINE = re.compile(rb"^[A-Z]{4}\d+ (?:UID )?([A-Z]+)")

    def __init__(self) -> None:
        self.names: list[str] = []
        self._original = imaplib.IMAP4.send

    def __enter__(self):
        counter = self

        def counting(imap, data):
            match = counter.LINE.match(data)
            if match:
                counter.names.append(match.group(1).decode())
            return counter._original(imap, data)

        imaplib.IMAP4.send = counting
        return self

    def __exit__(self, *exc) -> None:
        imaplib.IMAP4.send = self._original


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--job", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile's top functions of one first sync"
    )
    parser.add_argument(
        "--callees",
        metavar="REGEX",
        help="with --profile, also what the functions matching REGEX call (e.g. 'prepare|keep')",
    )
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="on PostgreSQL, leave the deleted rows of earlier rounds unvacuumed",
    )
    parser.add_argument(
        "--floor-protocol-log",
        action="store_true",
        help="leave IMAPClient's per-line protocol log on in the floor (the sync turns it off)",
    )
    args = parser.parse_args()
    global VACUUM, FLOOR_PROTOCOL_LOG
    FLOOR_PROTOCOL_LOG = args.floor_protocol_log
    VACUUM = not args.no_vacuum

    call_command("migrate", verbosity=0)
    server = Dovecot().start()
    try:
        user, password = server.new_user()
        owner, _ = get_user_model().objects.get_or_create(username="bench-mailbox")
        Mailbox.objects.filter(owner=owner).delete()
        Contact.objects.filter(owner=owner).delete()
        for r in range(0, 100, 10):
            Contact.objects.create(
                owner=owner, first_name=f"Recruiter{r}", email=f"recruiter{r}@company{r}.example"
            )
        mailbox = Mailbox(owner=owner, host=HOST, port=server.port, security="plain", username=user)
        mailbox.set_password(password)
        mailbox.save()
        print(f"Appending {args.messages} messages ({args.job} job-related)…", flush=True)
        fill(server, user, password, messages(args.messages, args.job, f"{user}@example.org"))

        floors, syncs = [], []
        for round_ in range(args.rounds):
            order = ("floor", "sync") if round_ % 2 == 0 else ("sync", "floor")
            for what in order:
                if what == "floor":
                    floors.append(floor(server, user, password))
                else:
                    elapsed, kept = first_sync(mailbox, args.messages)
                    syncs.append(elapsed)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            first_sync(mailbox, args.messages)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            if args.callees:
                pstats.Stats(profiler).sort_stats("cumulative").print_callees(args.callees)
        floor_rate = args.messages / statistics.median(floors)
        sync_rate = args.messages / statistics.median(syncs)
        # Each round's floor and sync ran one after the other: their ratio is the figure
        # least moved by other jobs on the machine.
        ratios = sorted(f / s for f, s in zip(floors, syncs, strict=True))
        print(f"first sync: kept {kept} of {args.messages}")
        print(f"bare FETCH of the headers: {floor_rate:,.0f} msg/s (median of {args.rounds})")
        print(f"sync_mailbox first sync:   {sync_rate:,.0f} msg/s (median of {args.rounds})")
        print(f"ratio sync / bare FETCH:   {sync_rate / floor_rate:.2f} (of the medians)")
        print(
            f"per-round ratio min / median / max: {ratios[0]:.2f} / "
            f"{statistics.median(ratios):.2f} / {ratios[-1]:.2f}"
        )
        print(f"load average: {Path('/proc/loadavg').read_text().split()[0]}")

        idle, commands = [], []
        for _ in range(20):
            with CommandCounter() as counter:
                start = time.perf_counter()
                report = sync_module.sync_mailbox(mailbox)
                idle.append(time.perf_counter() - start)
            assert report.read == 0
            commands = counter.names
        bare_session, noop = [], []
        for _ in range(20):
            start = time.perf_counter()
            with server.client(user, password) as client:
                t = time.perf_counter()
                client.noop()
                noop.append(time.perf_counter() - t)
            bare_session.append(time.perf_counter() - start)
        print(f"idle sync: {statistics.median(idle) * 1000:.1f} ms, IMAP commands: {commands}")
        with CommandCounter() as counter, server.client(user, password) as client:
            client.noop()
        print(f"bare session's IMAP commands: {counter.names}")
        print(
            f"connect+login+NOOP+logout: {statistics.median(bare_session) * 1000:.1f} ms; "
            f"one NOOP: {statistics.median(noop) * 1000:.2f} ms"
        )
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
