"""Reminder delivery rate against plain smtplib, and tick time beside a million pending rows.

    .venv/bin/python bench/bench_reminders.py          # SQLite in data/bench_reminders.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fcrm_bench_reminders \
        .venv/bin/python bench/bench_reminders.py [--reminders N] [--rounds N] [--pending N]

An aiosmtpd sink runs in its own process on 127.0.0.1. 5,000 due reminders belong to
50 users (`--users`), 20 contacts each, every one with its own subject and draft (the
same message 5,000 times would keep Python's header and address caches warm, which a
real queue does not). Each round resets them and sends them twice, alternating which
goes first so noise on the machine hits both alike:

- `tick`: the real thing, `followups.scheduler.tick()`: claim a batch with one
  conditional UPDATE (SKIP LOCKED on PostgreSQL), write each email, send it over one SMTP
  connection, mark it sent;
- `smtplib`: the floor: the same messages, prebuilt as bytes before the clock starts,
  sent with `smtplib.SMTP.sendmail` over one connection.

Then the tick's own cost: the median time of a tick with nothing due over an empty
table, and over 1,000,000 pending follow-ups that are not yet due (the partial index
`followup_reminder_queue` is what keeps them out of the scan).

Prints messages per second of each and the ratio tick / smtplib per round (min, median
and max over the rounds, with the load average), this process's CPU time per message of
each (the tick's rearm of the rows included), and the two tick times.

    --profile   one tick under cProfile instead: where a reminder's time goes.
    --profile-cpu   the same in this process's CPU time (waits left out).
The database is the bench's own: a fresh SQLite file, or the DATABASE_URL you give (its
follow-ups are deleted at the end).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import smtplib
import socket
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SMTP_PORT = free_port()
DEFAULT_DB = ROOT / "data" / "bench_reminders.sqlite3"
if "DATABASE_URL" not in os.environ:
    DEFAULT_DB.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DEFAULT_DB}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DEBUG", "1")  # development settings: a key in ./data, no setup
os.environ.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(SMTP_PORT), EMAIL_USE_TLS="0")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def run_sink(port: int, counter, ready) -> None:
    """The SMTP server, in its own process so it does not share our GIL."""
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from crm.models import Profile  # noqa: E402
from followups import scheduler  # noqa: E402
from followups.models import FollowUp  # noqa: E402
from followups.scheduler import emails, reminders  # noqa: E402

USERNAME = "bench-reminders"
FIRST = ["Dana", "Ravi", "Mei", "Jonas", "Amara", "Luis", "Sofia", "Kenji", "Zoë", "Omar"]
LAST = ["Reyes", "Iyer", "Chen", "Berg", "Okafor", "García", "Rossi", "Sato", "Dubois", "Haddad"]
KINDS = [FollowUp.Kind.REPLY, FollowUp.Kind.THANK_YOU, FollowUp.Kind.CUSTOM]


def bench_users(count: int) -> list:
    """`count` users, like a real site's: each has their own name, address and profile."""
    get_user_model().objects.filter(username__startswith=USERNAME).delete()
    users = []
    for n in range(count):
        user = get_user_model().objects.create_user(
            f"{USERNAME}-{n}", f"seeker{n}@example.com", "x", first_name=f"Sam{n}"
        )
        Profile.objects.update_or_create(user=user, defaults={"digest_hour": None})
        users.append(user)
    return users


def seed_due(users: list, count: int) -> None:
    """`count` due reminders spread over the users, each for its own contact (20 per
    user) with its own subject and draft, so no cache sees the same header twice."""
    from contacts.models import Contact

    due = timezone.now() - timedelta(minutes=1)
    contacts = Contact.objects.bulk_create(
        Contact(
            owner=user,
            first_name=FIRST[(u + c) % 10],
            last_name=f"{LAST[c % 10]}-{u}",
            email=f"contact{c}.user{u}@example{u % 7}.com",
        )
        for u, user in enumerate(users)
        for c in range(20)
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                owner=contact.owner,
                contact=contact,
                kind=KINDS[n % 3],
                due_at=due,
                deadline=due + timedelta(days=1),
                draft_subject=f"Thank you, {contact.first_name}: role #{n}",
                draft_body=(
                    f"Hi {contact.first_name},\n\nThank you for your time on role #{n}. "
                    f"I would value a short note on what I could do better.\n\nBest,\nSam"
                ),
            )
            for n, contact in ((n, contacts[n % len(contacts)]) for n in range(count))
        ],
        batch_size=1000,
    )


def rearm(users: list) -> None:
    FollowUp.objects.filter(owner__in=users).update(
        notified_at=None, claimed_until=None, next_attempt_at=None, send_attempts=0
    )


def prebuilt_messages(users: list) -> list[tuple[str, list[str], bytes]]:
    profiles = {user.pk: Profile.for_user(user) for user in users}
    built = []
    for followup in FollowUp.objects.filter(owner__in=users).select_related(
        "owner", "contact", "application"
    ):
        message = emails.reminder_message(followup, profiles[followup.owner_id])
        raw = message.message().as_bytes(linesep="\r\n")
        built.append((message.from_email, message.recipients(), raw))
    return built


def send_plain(messages, counter) -> float:
    start = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", SMTP_PORT)
    for sender, recipients, raw in messages:
        smtp.sendmail(sender, recipients, raw)
    smtp.quit()
    return time.perf_counter() - start


def send_tick(expected: int) -> float:
    # A real tick stops taking work after TIME_BUDGET and leaves the rest to the next
    # one; here the whole batch is one measurement.
    reminders.TIME_BUDGET = timedelta(hours=1)
    start = time.perf_counter()
    report = scheduler.tick()
    elapsed = time.perf_counter() - start
    assert report.reminders_sent == expected, report.summary()
    return elapsed


def profile_tick(expected: int, *, cpu: bool = False) -> None:
    import cProfile
    import pstats

    # CPU time (`--profile-cpu`): what this process itself spends, without the waits for
    # the mail server, the database and, on a shared machine, for a CPU.
    profiler = cProfile.Profile(time.process_time) if cpu else cProfile.Profile()
    profiler.runcall(send_tick, expected)
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)


def tick_time(rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        report = scheduler.tick()
        times.append(time.perf_counter() - start)
        assert report.reminders_sent == 0
    return statistics.median(times)


def seed_pending(user, count: int) -> None:
    """`count` pending follow-ups due over the next two months, by doubling a seed."""
    now = timezone.now()
    seed = min(count, 15625)
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                owner=user,
                kind=FollowUp.Kind.CUSTOM,
                due_at=now + timedelta(days=1 + n % 60, minutes=n % 1440),
                draft_subject="Later",
                draft_body="Not yet.",
            )
            for n in range(seed)
        ],
        batch_size=5000,
    )
    columns = ", ".join(
        connection.ops.quote_name(f.column)
        for f in FollowUp._meta.concrete_fields
        if not f.primary_key
    )
    table = connection.ops.quote_name(FollowUp._meta.db_table)
    total = seed
    with connection.cursor() as cursor:
        while total < count:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table} "
                f"WHERE owner_id = %s LIMIT %s",
                [user.pk, count - total],
            )
            total = FollowUp.objects.filter(owner=user).count()
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50, help="owners of the due reminders")
    parser.add_argument("--profile", action="store_true", help="profile one tick and stop")
    parser.add_argument("--profile-cpu", action="store_true", help="the same, timed in CPU time")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    context = multiprocessing.get_context("fork")
    counter, ready = context.Value("l", 0), context.Event()
    sink = context.Process(target=run_sink, args=(SMTP_PORT, counter, ready), daemon=True)
    sink.start()
    ready.wait(10)
    print(f"database: {connection.vendor}; SMTP sink on 127.0.0.1:{SMTP_PORT}")
    try:
        users = bench_users(args.users)
        seed_due(users, args.reminders)
        messages = prebuilt_messages(users)
        user = users[0]
        if args.profile or args.profile_cpu:
            profile_tick(args.reminders, cpu=args.profile_cpu)
            return
        plain, ticked = [], []
        cpu: dict[str, list[float]] = {"plain": [], "tick": []}
        for round_ in range(args.rounds):
            rearm(users)
            order = ("plain", "tick") if round_ % 2 == 0 else ("tick", "plain")
            for what in order:
                before = counter.value
                cpu_before = time.process_time()
                if what == "plain":
                    plain.append(send_plain(messages, counter))
                else:
                    rearm(users)
                    ticked.append(send_tick(args.reminders))
                cpu[what].append((time.process_time() - cpu_before) / args.reminders)
                assert counter.value - before == args.reminders, "the sink missed messages"
            print(
                f"round {round_ + 1} ({' first, '.join(order)} second): smtplib "
                f"{args.reminders / plain[-1]:7.0f} msg/s, tick {args.reminders / ticked[-1]:7.0f} "
                f"msg/s, ratio {plain[-1] / ticked[-1]:.2f}, load {os.getloadavg()[0]:.1f}"
            )
        # Ratios per round (the two ran back to back, under the same load), then
        # min/median/max of each over the rounds.
        ratios = [p / t for p, t in zip(plain, ticked, strict=True)]
        for name, times in (("smtplib", plain), ("tick", ticked)):
            rates = sorted(args.reminders / t for t in times)
            print(
                f"{name:8} msg/s min {rates[0]:.0f} median {statistics.median(rates):.0f} "
                f"max {rates[-1]:.0f}"
            )
        # This process's CPU per message (the SMTP server's is its own process): the
        # tick's own work beside smtplib's, which the load average blurs far less.
        print(
            "CPU of this process per message, median: smtplib "
            f"{statistics.median(cpu['plain']) * 1e6:.0f} us, tick "
            f"{statistics.median(cpu['tick']) * 1e6:.0f} us"
        )
        print(
            f"ratio tick/smtplib min {min(ratios):.2f} median {statistics.median(ratios):.2f} "
            f"max {max(ratios):.2f}; load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} CPUs"
        )

        FollowUp.objects.filter(owner__in=users).delete()
        empty = tick_time(20)
        if args.pending:
            start = time.perf_counter()
            seed_pending(user, args.pending)
            print(
                f"seeded {args.pending:,} pending follow-ups in {time.perf_counter() - start:.0f} s"
            )
            full = tick_time(20)
            print(
                f"tick with nothing due: empty table {empty * 1000:.1f} ms, "
                f"{args.pending:,} pending not due {full * 1000:.1f} ms "
                f"({full / empty:.2f}x)"
            )
        else:
            print(f"tick with nothing due, empty table: {empty * 1000:.1f} ms")
    finally:
        # Plain SQL: deleting a million rows through the ORM's collector takes minutes.
        table = connection.ops.quote_name(FollowUp._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE owner_id IN "
                f"(SELECT id FROM auth_user WHERE username LIKE %s)",
                [f"{USERNAME}-%"],
            )
        get_user_model().objects.filter(username__startswith=f"{USERNAME}-").delete()
        sink.terminate()


if __name__ == "__main__":
    main()
