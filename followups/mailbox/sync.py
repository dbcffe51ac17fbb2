"""One sync of one mailbox: new mail read into triage, sent mail logged, under a lease.

- One sync per mailbox at a time: `claim()` takes the lease with a conditional UPDATE
  (like the reminders' claims), any number of workers may try; the others skip it.
- Every folder's UIDVALIDITY and UIDNEXT first, in one LIST-STATUS round trip (STATUS per
  folder on servers without it). Nothing new: done, no other command. A changed
  UIDVALIDITY re-reads the window; otherwise `UID SEARCH last+1:*`.
- Headers first, for at most MAILBOX_MAX_MESSAGES messages per run; the body only of a
  message from or to a known contact or that sounds like a job application, and never
  more than its text (followups/mailbox/mime.py). The app's own reminders are skipped.
- Each kept message is stored, and logged if it is to be, in one transaction with the
  folder's cursor; the unique (owner, message_key) makes a second sighting a no-op, so a
  sync killed half-way, a reset UIDVALIDITY, the same message in two folders or two
  workers at once never log a message twice.
"""

from __future__ import annotations

import difflib
import logging
import re
import secrets
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import cached_property

from django.conf import settings
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from contacts.models import Contact, Interaction
from followups.drafts import asks_for_feedback
from followups.mailbox import classify, crypto, mime, transport
from followups.mailbox.transport import MailboxError
from followups.models import FollowUp, Mailbox, MailboxFolder, MailMessage
from followups.quicklog.emailparse import company_and_job

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
# Headers of this many messages per FETCH, and one commit for them: each batch costs a
# few queries and a commit (an fsync on PostgreSQL) whatever its size, and a sync killed
# mid-batch re-reads at most this many headers.
FETCH_BATCH = 1000
# Above this size only the text part is fetched, never the attachment.
WHOLE_MESSAGE_LIMIT = 2_000_000
# Bodies are fetched in FETCHes of at most this many bytes (by RFC822.SIZE), so a batch
# of big candidates never holds more than this in memory at once.
BODY_FETCH_BYTES = 20_000_000
HEADER_FIELDS = (
    "FROM TO CC SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES AUTO-SUBMITTED LIST-UNSUBSCRIBE"
)
HEADER_ITEM = f"BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})]"
# A message logged by hand (quick log) and later read from the mailbox is the same one
# when its contact, direction and time agree this closely (or its subject within days).
SAME_TIME = timedelta(minutes=10)
SAME_SUBJECT_WITHIN = timedelta(days=3)

Inbound = MailMessage.Direction.INBOUND
Outbound = MailMessage.Direction.OUTBOUND


@dataclass
class SyncReport:
    mailbox_id: int
    read: int = 0
    kept: int = 0
    logged: int = 0
    waiting: int = 0
    busy: bool = False
    paused: bool = False
    more: bool = False
    error: str = ""
    folders: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if self.paused:
            return "This mailbox is paused: tick “Enabled” and save to sync it."
        if self.busy:
            return "Another sync of this mailbox is running."
        if self.error:
            return f"Sync failed: {self.error}"
        text = (
            f"Read {self.read} new message{'s' if self.read != 1 else ''}: kept {self.kept}, "
            f"logged {self.logged}, {self.waiting} waiting for you."
        )
        return text + (" More next time." if self.more else "")

    def as_dict(self) -> dict:
        return {
            "mailbox": self.mailbox_id,
            "read": self.read,
            "kept": self.kept,
            "logged": self.logged,
            "waiting": self.waiting,
            "busy": self.busy,
            "more": self.more,
            "error": self.error,
        }


# The lease ----------------------------------------------------------------------------


def claim(mailbox_id: int, now: datetime) -> str | None:
    """Takes the mailbox's lease; None when another sync holds it."""
    token = secrets.token_hex(16)
    taken = (
        Mailbox.objects.filter(pk=mailbox_id, enabled=True)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(lease_token=token, leased_until=now + LEASE, last_attempt_at=now)
    )
    return token if taken else None


def renew(mailbox_id: int, token: str) -> None:
    Mailbox.objects.filter(pk=mailbox_id, lease_token=token).update(
        leased_until=timezone.now() + LEASE
    )


def release(mailbox_id: int, token: str) -> None:
    Mailbox.objects.filter(pk=mailbox_id, lease_token=token).update(
        lease_token="", leased_until=None
    )


# Entry points --------------------------------------------------------------------------


Progress = Callable[[SyncReport], None]


def sync_all(*, user=None, now: datetime | None = None, **options) -> list[SyncReport]:
    """One sync of every enabled mailbox (of `user`): what `sync_mailbox` the command runs."""
    mailboxes = Mailbox.objects.filter(enabled=True).select_related("owner").order_by("pk")
    if user is not None:
        mailboxes = mailboxes.filter(owner=user)
    return [sync_mailbox(mailbox, now=now, **options) for mailbox in mailboxes]


def sync_due(now: datetime | None = None) -> list[SyncReport]:
    """The scheduled job: every enabled mailbox not synced in MAILBOX_SYNC_MINUTES."""
    now = now or timezone.now()
    due_before = now - timedelta(minutes=settings.MAILBOX_SYNC_MINUTES) + timedelta(seconds=30)
    due = Mailbox.objects.filter(enabled=True).filter(
        Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=due_before)
    )
    return [sync_mailbox(mailbox, now=now) for mailbox in due.select_related("owner")]


def sync_mailbox(
    mailbox: Mailbox,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Reads what is new in the mailbox's inbox and sent folders; returns what it did."""
    now = now or timezone.now()
    report = SyncReport(mailbox.pk)
    if not mailbox.enabled:
        report.paused = True
        return report
    # The lease runs from the real clock: `now` may be the start of a long sync_due loop.
    token = claim(mailbox.pk, timezone.now())
    if token is None:
        report.busy = True
        return report
    limit = limit or settings.MAILBOX_MAX_MESSAGES
    try:
        with transport.connected(mailbox) as client:
            run = Run(mailbox, client, now, token, limit, report, progress)
            run.all_folders()
        _rotate_password(mailbox)
    except MailboxError as error:
        report.error = str(error)
    except (IMAPClientError, OSError) as error:
        report.error = (
            f"The connection to {mailbox.host} was lost ({error}); the next sync resumes."
        )
    except Exception as error:  # noqa: BLE001 - a bug must not look like a successful sync
        log.exception("Mailbox %s sync stopped", mailbox.pk)
        report.error = (
            f"The sync stopped on an unexpected error ({type(error).__name__}); the server log "
            "has the details. What was read before it is kept."
        )
    finally:
        _record(mailbox, report, token)
    return report


def preview(mailbox: Mailbox) -> str:
    """What a sync would read, from STATUS alone (the command's --dry-run): stores,
    claims and logs nothing."""
    try:
        with transport.connected(mailbox) as client:
            sent = mailbox.sent_folder or transport.discover_folders(client).sent
            counts = []
            for name in (mailbox.inbox_folder, sent):
                if not name:
                    continue
                status = client.folder_status(name, [b"UIDVALIDITY", b"UIDNEXT"])
                state = MailboxFolder.objects.filter(mailbox=mailbox, name=name).first()
                same = state is not None and state.uidvalidity == int(status[b"UIDVALIDITY"])
                done = state.last_uid if state is not None and same else 0
                counts.append(f"{name} {max(0, int(status[b'UIDNEXT']) - 1 - done)}")
    except (MailboxError, IMAPClientError, OSError) as error:
        return f"Would fail: {error}"
    return "Would read up to: " + ", ".join(counts) + " (new UIDs, before the date window)."


def _rotate_password(mailbox: Mailbox) -> None:
    """Re-encrypts the password with the newest MAILBOX_KEY (key rotation, docs/mailbox.md)."""
    try:
        token = crypto.rotated(mailbox.password_encrypted)
    except crypto.PasswordUnreadable:
        return
    if token:
        Mailbox.objects.filter(pk=mailbox.pk).update(password_encrypted=token)


def _record(mailbox: Mailbox, report: SyncReport, token: str) -> None:
    """The run's outcome and counts, and the lease released, in one UPDATE (an idle sync
    costs two commits: this and the claim)."""
    now = timezone.now()
    fields = {
        "messages_read": F("messages_read") + report.read,
        "messages_kept": F("messages_kept") + report.kept,
        "messages_logged": F("messages_logged") + report.logged,
        "lease_token": "",
        "leased_until": None,
    }
    if report.error:
        log.warning("Mailbox %s sync failed: %s", mailbox.pk, report.error)
        fields |= {
            "last_error": report.error[:1000],
            "failing_since": Coalesce("failing_since", Value(now)),
        }
    else:
        fields |= {"last_success_at": now, "last_error": "", "failing_since": None}
    Mailbox.objects.filter(pk=mailbox.pk, lease_token=token).update(**fields)
    mailbox.refresh_from_db()


# One run --------------------------------------------------------------------------------


@dataclass
class Fetched:
    uid: int
    size: int
    headers: mime.Headers
    contact: Contact | None = None
    body: mime.Body | None = None
    # A sent message to a non-contact: the kept inbound message it answers.
    answers: MailMessage | None = None


class Run:
    """The state of one sync: the connection, the owner's contacts by address, the budget."""

    def __init__(
        self,
        mailbox: Mailbox,
        client: IMAPClient,
        now: datetime,
        token: str,
        limit: int,
        report: SyncReport,
        progress: Progress | None,
    ) -> None:
        self.mailbox, self.client, self.now, self.token = mailbox, client, now, token
        self.owner_id = mailbox.owner_id
        self.budget = limit
        self.report = report
        self.progress = progress
        self.correspondence = Correspondence(self.owner_id, [])  # per batch of sent mail
        self.renewed = timezone.now()  # claim() has just taken the lease
        self.since = (now - timedelta(days=mailbox.first_sync_days)).date()
        from followups.scheduler.emails import site_domain

        self.reminder_from = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
        self.reminder_id = re.compile(rf"<(?:followup|digest)-[\w.-]+@{re.escape(site_domain())}>")
        self.unsubscribe_prefix = f"{settings.SITE_URL}/reminders/unsubscribe/"
        # The user's own addresses: their copy of what they sent is read from the sent
        # folder, not the inbox (a message sent to a contact with yourself in Cc).
        self.own_addresses = {
            a.strip().lower() for a in (mailbox.owner.email, mailbox.username) if "@" in a
        }

    @cached_property
    def contacts(self) -> dict[str, Contact]:
        """The owner's contacts by address, read once and only when there is mail to read."""
        found: dict[str, Contact] = {}
        for contact in Contact.objects.filter(owner_id=self.owner_id).exclude(email=""):
            found.setdefault(contact.email.strip().lower(), contact)
        return found

    def all_folders(self) -> None:
        sent = self.mailbox.sent_folder
        if not sent:
            sent = transport.discover_folders(self.client).sent
            if sent:
                Mailbox.objects.filter(pk=self.mailbox.pk).update(sent_folder=sent)
        # Inbox first: a reply in the sent folder then finds the rejection it answers.
        folders = [(n, d) for n, d in ((self.mailbox.inbox_folder, Inbound), (sent, Outbound)) if n]
        # Both folders' UIDVALIDITY and UIDNEXT in one round trip (LIST-STATUS), and their
        # cursors in one query: an idle sync is that one command and two UPDATEs.
        statuses = transport.folder_statuses(self.client, [name for name, _ in folders])
        states = {s.name: s for s in MailboxFolder.objects.filter(mailbox=self.mailbox)}
        for name, direction in folders:
            if name not in statuses:
                raise MailboxError(
                    "folder", f"The folder {name!r} cannot be opened on {self.mailbox.host}."
                )
            state = states.get(name)
            if state is None:
                state, _ = MailboxFolder.objects.get_or_create(mailbox=self.mailbox, name=name)
            self.folder(state, direction, statuses[name])

    # Folders ------------------------------------------------------------------------------

    def folder(self, state: MailboxFolder, direction: str, status: dict[bytes, int]) -> None:
        name = state.name
        uidvalidity, uidnext = int(status[b"UIDVALIDITY"]), int(status[b"UIDNEXT"])
        if state.uidvalidity != uidvalidity:
            # A new UIDVALIDITY: the old UIDs mean nothing now; re-read the window (what was
            # stored already is recognised by its message key).
            state.uidvalidity, state.last_uid = uidvalidity, 0
            state.save(update_fields=["uidvalidity", "last_uid"])
        elif uidnext <= state.last_uid + 1:
            return  # nothing new: the folder costs no command of its own
        if self.budget <= 0:
            self.report.more = True
            return
        self.client.select_folder(name, readonly=True)
        found = self.client.search(["UID", f"{state.last_uid + 1}:*", "SINCE", self.since])
        uids = sorted(uid for uid in found if uid > state.last_uid)
        if len(uids) > self.budget:
            uids, self.report.more = uids[: self.budget], True
        for start in range(0, len(uids), FETCH_BATCH):
            if timezone.now() - self.renewed > LEASE / 3:
                # A third of the lease gone: renewed (one UPDATE), not once per batch.
                renew(self.mailbox.pk, self.token)
                self.renewed = timezone.now()
            chunk = uids[start : start + FETCH_BATCH]
            self.batch(state, direction, chunk)
            state.last_uid = chunk[-1]
            if self.progress:
                self.progress(self.report)
        if not self.report.more and uidnext - 1 > state.last_uid:
            # The rest is older than the window: never read, never searched again.
            MailboxFolder.objects.filter(pk=state.pk).update(last_uid=uidnext - 1)
        self.report.folders[name] = len(uids)

    def batch(
        self,
        state: MailboxFolder,
        direction: str,
        uids: list[int],
    ) -> None:
        """Headers of `uids`, bodies of those worth it, then what is kept and
        the folder's cursor in one transaction: a sync killed before the commit re-reads
        this batch, one killed after it goes on from the next (one commit per batch)."""
        response = self.client.fetch(uids, ["RFC822.SIZE", HEADER_ITEM])
        fetched_all: list[Fetched] = []
        key = b""  # the server's name of the header item, the same in every answer
        for uid in uids:
            data = response.get(uid)
            if data is None:
                continue  # expunged meanwhile
            self.budget -= 1
            self.report.read += 1
            if key not in data:
                key = next((k for k in data if k.startswith(b"BODY[HEADER")), b"")
            header_bytes = data.get(key, b"")
            fetched_all.append(
                Fetched(
                    uid, int(data.get(b"RFC822.SIZE", 0)), mime.parse_headers(header_bytes or b"")
                )
            )
        if direction == Outbound:
            self.correspondence = Correspondence(self.owner_id, fetched_all)
        candidates = [f for f in fetched_all if self.worth_reading(f, direction)]
        self.read_bodies(candidates)
        prepared = [self.prepare(state.name, direction, fetched) for fetched in candidates]
        tally = SyncReport(self.mailbox.pk)
        with transaction.atomic():
            self.keep([m for m in prepared if m is not None], tally)
            MailboxFolder.objects.filter(pk=state.pk).update(last_uid=uids[-1])
        self.report.kept += tally.kept
        self.report.logged += tally.logged
        self.report.waiting += tally.waiting

    # Deciding ---------------------------------------------------------------------------

    def is_own_reminder(self, headers: mime.Headers) -> bool:
        """The app's reminder and digest emails (followups/scheduler/emails.py) land in the
        inbox too: known by their sender, their Message-ID or their unsubscribe link."""
        if self.reminder_from and headers.from_address == self.reminder_from:
            return True
        if self.reminder_id.fullmatch(headers.message_id):
            return True
        return self.unsubscribe_prefix in headers.list_unsubscribe

    def worth_reading(self, fetched: Fetched, direction: str) -> bool:
        headers = fetched.headers
        if self.is_own_reminder(headers):
            return False
        if direction == Outbound:
            fetched.contact = next(
                (self.contacts[a] for a in headers.to if a in self.contacts), None
            )
            if fetched.contact is None:
                # To someone not (yet) a contact: kept for the Inbox page only when it
                # answers, or is written to the sender of, a message kept from the inbox.
                fetched.answers = self.correspondence.answered(headers)
                return fetched.answers is not None
            return True
        if headers.from_address in self.own_addresses:
            return False
        fetched.contact = self.contacts.get(headers.from_address)
        return fetched.contact is not None or classify.looks_job_related(headers)

    def read_bodies(self, candidates: list[Fetched]) -> None:
        small = [f for f in candidates if f.size <= WHOLE_MESSAGE_LIMIT]
        chunks: list[list[Fetched]] = []
        total = 0
        for fetched in small:
            if not chunks or total + fetched.size > BODY_FETCH_BYTES:
                chunks.append([])
                total = 0
            chunks[-1].append(fetched)
            total += fetched.size
        for chunk in chunks:
            response = self.client.fetch([f.uid for f in chunk], ["BODY.PEEK[]"])
            for fetched in chunk:
                raw = response.get(fetched.uid, {}).get(b"BODY[]", b"") or b""
                fetched.body = mime.body_text(raw)
        for fetched in candidates:
            if fetched.body is None:
                fetched.body = self.text_of_big_message(fetched.uid)

    def text_of_big_message(self, uid: int) -> mime.Body:
        """Only the first text part of a big message: its attachment is never downloaded."""
        structure = self.client.fetch([uid], ["BODYSTRUCTURE"]).get(uid, {}).get(b"BODYSTRUCTURE")
        parts = list(_text_sections(structure)) if structure else []
        if not parts:
            return mime.Body("", "no text part")
        plain = [p for p in parts if p[1] == "plain"]
        section, subtype, charset, encoding = (plain or parts)[0]
        item = f"BODY.PEEK[{section}]<0.{mime.BODY_LIMIT}>"
        data = self.client.fetch([uid], [item]).get(uid, {})
        payload = next((v for k, v in data.items() if k.startswith(b"BODY[")), b"") or b""
        body = mime.decode_part(payload, encoding, charset)
        if subtype == "html":
            body.text = mime.html_to_text(body.text)
        body.problem = "; ".join(p for p in (body.problem, "attachment not stored") if p)
        return body

    def prepare(self, folder: str, direction: str, fetched: Fetched) -> MailMessage | None:
        """The row to keep for a message whose body was read, unsaved; None when it is not
        about a job and not from anyone the user knows (nothing of it is stored)."""
        headers, body = fetched.headers, fetched.body or mime.Body()
        if direction == Inbound:
            words = mime.own_words(body.text)
            guess = classify.guess(headers.subject, words)
            if fetched.contact is None and not classify.is_job_related(
                headers.subject, words, headers, guess
            ):
                return None
        else:
            guess = MailMessage.Guess.REPLY if headers.in_reply_to else MailMessage.Guess.OTHER
        contact = fetched.contact
        company = contact.company.name if contact is not None and contact.company else ""
        job_title = ""
        if fetched.answers is not None:
            # A sent message's company and job are those of the message it answers.
            company = company or fetched.answers.company_name
            job_title = fetched.answers.job_title
        elif direction == Inbound:
            # Company and job as quick log reads a pasted email, from the sender's own
            # words (not the history quoted below them): your own sent text says nothing
            # about the company, so sent mail skips this.
            found_company, job_title = company_and_job(
                headers.subject, words[:20000], headers.from_address
            )
            company = company or found_company
        problem = "; ".join(p for p in (headers.problem, body.problem) if p)
        return MailMessage(
            owner_id=self.owner_id,
            mailbox=self.mailbox,
            message_key=headers.key(size=fetched.size),
            folder=folder,
            uid=fetched.uid,
            direction=direction,
            from_name=headers.from_name,
            from_address=headers.from_address,
            to_addresses=", ".join(headers.to)[:2000],
            subject=headers.subject[:300],
            sent_at=headers.sent_at or self.now,
            body=body.text,
            in_reply_to=" ".join(headers.in_reply_to)[:5000],
            guess=guess,
            company_name=company[:200],
            job_title=job_title[:200],
            contact=contact,
            problem=problem[:300],
        )

    def keep(self, messages: list[MailMessage], tally: SyncReport) -> None:
        """Stores the batch's new messages (inside the batch's transaction): those to log one
        by one with their interaction, the rest, waiting for the user, in one INSERT."""
        stored = set(
            MailMessage.objects.filter(
                owner_id=self.owner_id, message_key__in=[m.message_key for m in messages]
            ).values_list("message_key", flat=True)
        )
        waiting = []
        fresh = [m for m in messages if m.message_key not in stored]
        by_hand = HandLogged(self.owner_id, fresh)
        for message in fresh:
            if message.message_key in stored:
                continue  # seen before: another folder, an earlier run, the same batch
            stored.add(message.message_key)
            sure, thread = self.sure_to_log(message, by_hand)
            if not sure:
                waiting.append(message)
            elif self.store_and_log(message, thread, by_hand):
                tally.kept += 1
                tally.logged += 1
        # The lease keeps other syncs of this mailbox out; a conflict is a row another
        # path stored meanwhile, and skipping it is right.
        insert_ignoring_conflicts(waiting)
        tally.kept += len(waiting)
        tally.waiting += len(waiting)

    def sure_to_log(
        self, message: MailMessage, by_hand: HandLogged
    ) -> tuple[bool, MailMessage | None]:
        """Logged without asking: everything sent to a contact, and a known contact's reply
        in a thread already logged (a rejection only if the user said so)."""
        if message.contact is None:
            return False, None
        if message.direction == Outbound or by_hand.find(message) is not None:
            return True, None  # sent by you, or logged by hand already: matched, not asked
        thread = logged_thread(message)
        if message.guess == MailMessage.Guess.REJECTION:
            return self.mailbox.log_rejections_without_asking, thread
        return thread is not None, thread

    def store_and_log(
        self, message: MailMessage, thread: MailMessage | None, by_hand: HandLogged
    ) -> bool:
        try:
            with transaction.atomic():
                message.save()
                interaction = by_hand.find(message)
                if interaction is None and message.direction == Outbound:
                    interaction = log_sent(message, message.body)
                elif interaction is None:
                    interaction = log_received(message, message.body, thread)
                by_hand.taken.add(interaction.pk)
                return message.decide(MailMessage.Status.LOGGED, interaction=interaction)
        except IntegrityError:
            return False  # stored meanwhile by another path


def insert_ignoring_conflicts(messages: list[MailMessage]) -> None:
    """What `MailMessage.objects.bulk_create(messages, ignore_conflicts=True)` does (a
    row whose (owner, message_key) is stored already is skipped), at a fraction of its
    cost: this stores every waiting message of a first sync.

    bulk_create compiles every value into its own placeholder; on SQLite it cuts the rows
    into INSERTs of 43 (999 parameters), and with DEBUG on its last_executed_query quotes
    every parameter with a query of its own. Here the values are prepared by the fields
    themselves, as bulk_create prepares them (created_at's auto_now_add included), and
    - on PostgreSQL are copied (COPY, psycopg's C row writer) into a temporary table of
      the same columns, emptied at commit, then moved with one `INSERT … SELECT … ON
      CONFLICT DO NOTHING`: a fifth of the time of one INSERT a row, whose quoting and
      round trips the client waits for (bench/README.md). A second call in the same
      transaction finds the first one's rows there still: they conflict and are skipped;
    - elsewhere go in with one prepared `INSERT … ON CONFLICT DO NOTHING` run for every
      row (executemany): half bulk_create's CPU on SQLite.
    Nothing is returned: the rows get no primary key, as with ignore_conflicts.
    """
    if not messages:
        return
    connection = connections[router.db_for_write(MailMessage)]
    fields = [f for f in MailMessage._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table = quote(MailMessage._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    # get_db_prep_save() returns a text field's str and an integer field's or integer
    # key's int (or None) unchanged: those values are read as they are (all but the three
    # dates); the others (created_at's auto_now_add among them) go through it.
    plain = [as_stored(f) for f in fields]
    rows = [
        [
            value
            if type(value := getattr(message, column.attname)) in same
            else column.get_db_prep_save(column.pre_save(message, True), connection)
            for column, same in zip(fields, plain, strict=True)
        ]
        for message in messages
    ]
    # atomic: the temporary table lives until the commit, also when called outside a
    # transaction.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Made once a database session, emptied at every commit (which costs nothing
            # in a transaction that did not touch it); named after its columns, so a
            # session older than a migration never copies into an outdated one.
            digest = zlib.crc32(columns.encode()) & 0xFFFFFFFF
            incoming = quote(f"{MailMessage._meta.db_table}_incoming_{digest:08x}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {incoming} ON COMMIT DELETE ROWS AS "
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            # The database's own cursor: Django's wrapper has no COPY.
            with (
                connection.connection.cursor() as raw,
                raw.copy(f"COPY {incoming} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {incoming} "
                "ON CONFLICT DO NOTHING"
            )
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING",
                rows,
            )


def as_stored(field: models.Field) -> tuple[type, ...]:
    """The value types `field.get_db_prep_save()` returns unchanged on every backend."""
    if isinstance(field, models.CharField | models.TextField):
        return (str,)
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.IntegerField):
        return (int, type(None))
    return ()


def _text_sections(structure, prefix: str = "") -> Iterable[tuple[str, str, str | None, str]]:
    """(section, subtype, charset, transfer encoding) of each text/plain or text/html part."""
    if structure.is_multipart:
        for number, part in enumerate(structure[0], start=1):
            yield from _text_sections(part, f"{prefix}{number}.")
        return
    maintype = (structure[0] or b"").decode(errors="replace").lower()
    subtype = (structure[1] or b"").decode(errors="replace").lower()
    params = structure[2] or ()
    charset = None
    for key, value in zip(params[::2], params[1::2], strict=False):
        if key.decode(errors="replace").lower() == "charset":
            charset = value.decode(errors="replace")
    encoding = (structure[5] or b"7bit").decode(errors="replace")
    if maintype == "text" and subtype in ("plain", "html"):
        yield (prefix.rstrip(".") or "1"), subtype, charset, encoding


# Logging ----------------------------------------------------------------------------------

# What a received message is logged as (an invitation is not the interview itself).
RECEIVED_AS: dict[str, str] = {
    MailMessage.Guess.REJECTION: Interaction.Kind.REJECTION,
    MailMessage.Guess.OFFER: Interaction.Kind.OFFER,
    MailMessage.Guess.FEEDBACK: Interaction.Kind.FEEDBACK,
    MailMessage.Guess.REPLY: Interaction.Kind.REPLY,
}


def logged_thread(message: MailMessage) -> MailMessage | None:
    """The logged message this one answers (In-Reply-To / References), if any."""
    keys = message.in_reply_to.split()
    if not keys:
        return None
    return (
        MailMessage.objects.filter(
            owner_id=message.owner_id, message_key__in=keys, status=MailMessage.Status.LOGGED
        )
        .exclude(interaction=None)
        .select_related("interaction")
        .order_by("-sent_at")
        .first()
    )


def _bare_subject(subject: str) -> str:
    return re.sub(r"^\s*(?:(?:re|fwd?|aw)\s*:\s*)+", "", subject, flags=re.I).strip().lower()


class Correspondence:
    """For a batch of sent messages: the kept inbound messages they may answer, read in
    two queries (by the Message-IDs they reply to, and by their recipients' addresses)."""

    def __init__(self, owner_id: int, fetched: list[Fetched]) -> None:
        keys = {key for f in fetched for key in f.headers.in_reply_to}
        addresses = {a for f in fetched for a in f.headers.to}
        kept = MailMessage.objects.filter(owner_id=owner_id, direction=Inbound)
        self.by_key = {m.message_key: m for m in kept.filter(message_key__in=keys)} if keys else {}
        self.by_address: dict[str, MailMessage] = {}
        if addresses:
            for message in kept.filter(from_address__in=addresses).order_by("sent_at"):
                self.by_address[message.from_address] = message  # the latest wins

    def answered(self, headers: mime.Headers) -> MailMessage | None:
        for key in reversed(headers.in_reply_to):
            if key in self.by_key:
                return self.by_key[key]
        return next((self.by_address[a] for a in headers.to if a in self.by_address), None)


class HandLogged:
    """A message logged by hand (quick log) and later read from the mailbox: the same
    contact and direction, and the same time or the same subject within a few days.

    The candidates of a whole batch are read in one query (those with the batch's
    contacts, within SAME_SUBJECT_WITHIN of its dates, not yet any message's), not one
    query per message; `taken` holds those matched during the batch."""

    def __init__(self, owner_id: int, messages: list[MailMessage]) -> None:
        self.taken: set[int] = set()
        self.rows: list[Interaction] = []
        known = [m for m in messages if m.contact_id is not None]
        if not known:
            return
        earliest = min(m.sent_at for m in known) - SAME_SUBJECT_WITHIN
        latest = max(m.sent_at for m in known) + SAME_SUBJECT_WITHIN
        taken = MailMessage.objects.filter(owner_id=owner_id).exclude(interaction=None)
        self.rows = list(
            Interaction.objects.filter(
                owner_id=owner_id,
                contact_id__in={m.contact_id for m in known},
                occurred_at__range=(earliest, latest),
            )
            .exclude(pk__in=taken.values("interaction_id"))
            .order_by("occurred_at", "pk")
        )

    def find(self, message: MailMessage) -> Interaction | None:
        subject = _bare_subject(message.subject)
        for interaction in self.rows:
            if (
                interaction.pk in self.taken
                or interaction.contact_id != message.contact_id
                or interaction.direction != message.direction
            ):
                continue
            gap = abs(interaction.occurred_at - message.sent_at)
            if gap <= SAME_TIME or (
                subject
                and gap <= SAME_SUBJECT_WITHIN
                and interaction.subject.lower().endswith(subject)
            ):
                return interaction
        return None


def log_received(message: MailMessage, text: str, thread: MailMessage | None) -> Interaction:
    # logged_thread() only finds messages that have an interaction.
    interaction = thread.interaction if thread is not None else None
    application_id = interaction.application_id if interaction is not None else None
    return Interaction.objects.create(
        owner_id=message.owner_id,
        contact_id=message.contact_id,
        application_id=application_id,
        direction=Interaction.Direction.INBOUND,
        channel=Interaction.Channel.EMAIL,
        kind=RECEIVED_AS.get(message.guess, Interaction.Kind.OTHER),
        occurred_at=message.sent_at,
        subject=message.subject,
        body=mime.own_words(text),
    )


def log_sent(message: MailMessage, text: str) -> Interaction:
    """A message you sent to a contact, as an outbound interaction: the kind of the
    follow-up it answers (by thread or by its draft), else reply/other; asking for
    feedback decided from what you wrote, as mark sent decides it."""
    from followups.rules import SENT_AS

    words = mime.own_words(text)
    followup = answered_followup(message, words)
    if followup is not None:
        kind = SENT_AS.get(followup.kind, (Interaction.Kind.OTHER, ""))[0]
        application_id = followup.application_id
    else:
        kind = Interaction.Kind.REPLY if message.in_reply_to else Interaction.Kind.OTHER
        application_id = None
    return Interaction.objects.create(
        owner_id=message.owner_id,
        contact_id=message.contact_id,
        application_id=application_id,
        direction=Interaction.Direction.OUTBOUND,
        channel=Interaction.Channel.EMAIL,
        kind=kind,
        requests_feedback=asks_for_feedback(words),
        occurred_at=message.sent_at,
        subject=message.subject,
        body=words,
    )


# Which pending follow-up a sent message answers, most specific first.
ANSWER_ORDER = ["feedback_nudge", "thank_you", "connect", "reply", "application_check", "check_in"]


def answered_followup(message: MailMessage, words: str) -> FollowUp | None:
    pending = list(
        FollowUp.objects.filter(
            owner_id=message.owner_id,
            contact=message.contact_id,
            status=FollowUp.Status.PENDING,
        )
    )
    if not pending:
        return None
    keys = message.in_reply_to.split()
    in_thread = set(
        MailMessage.objects.filter(owner_id=message.owner_id, message_key__in=keys)
        .exclude(interaction=None)
        .values_list("interaction_id", flat=True)
    )
    # The thread also holds what the sources answered: a nudge's source is your reply.
    matching = [
        f
        for f in pending
        if (f.source_id and f.source_id in in_thread) or drafts_match(f.draft_body, words)
    ]
    matching.sort(
        key=lambda f: ANSWER_ORDER.index(f.kind) if f.kind in ANSWER_ORDER else len(ANSWER_ORDER)
    )
    return matching[0] if matching else None


def drafts_match(draft: str, sent: str) -> bool:
    """The user sent (roughly) the draft: most of its words, in order."""
    draft, sent = " ".join(draft.split())[:1500], " ".join(sent.split())[:1500]
    if len(draft) < 40 or len(sent) < 40:
        return False
    return difflib.SequenceMatcher(None, draft, sent, autojunk=False).ratio() >= 0.6
