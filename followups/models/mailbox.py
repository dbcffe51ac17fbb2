"""Mailbox sync's records: the connected mailbox, where each folder was read up to, and
the messages kept from it (the triage queue and the once-only log).

Depends down only: contacts (Contact, Interaction) and crm; followups/mailbox/ holds the
code that fills these rows.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from contacts.models import Contact, Interaction

# A connected mailbox that has failed this long shows a banner on every page.
FAILING_BANNER_AFTER = timedelta(hours=1)


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine: the only place a password may travel in clear."""
    host = host.strip().strip("[]").lower()
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_first_sync_days() -> int:
    return settings.MAILBOX_FIRST_SYNC_DAYS


class Mailbox(models.Model):
    """One IMAP mailbox of a user (contract: followups.Mailbox).

    The password is only ever written through set_password() and read by the sync
    (followups/mailbox/transport.py); no page, export or log shows it.
    """

    class Security(models.TextChoices):
        SSL = "ssl", "TLS (implicit, usually port 993)"
        STARTTLS = "starttls", "STARTTLS (usually port 143)"
        PLAIN = "plain", "None (only to this machine)"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailboxes"
    )
    host = models.CharField("IMAP server", max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=10, choices=Security, default=Security.SSL)
    username = models.CharField("user name", max_length=255)
    password_encrypted = models.TextField(blank=True, editable=False)
    inbox_folder = models.CharField(max_length=255, default="INBOX")
    sent_folder = models.CharField(max_length=255, blank=True)
    enabled = models.BooleanField(default=True)
    log_rejections_without_asking = models.BooleanField(
        default=False,
        help_text="Log a rejection from a known contact at once instead of asking you.",
    )
    first_sync_days = models.PositiveSmallIntegerField(
        default=default_first_sync_days, help_text="How far back the first sync reads (days)."
    )

    # The lease (one sync per mailbox at a time): taken by a conditional UPDATE in
    # followups/mailbox/sync.py, renewed per batch, released at the end.
    lease_token = models.CharField(max_length=32, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)

    # Health, for the page, the banner and /healthz.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    messages_read = models.PositiveIntegerField(default=0)
    messages_kept = models.PositiveIntegerField(default=0)
    messages_logged = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(security__in=["ssl", "starttls", "plain"]),
                name="mailbox_security_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} at {self.host}"

    def clean(self) -> None:
        if self.security == self.Security.PLAIN and self.host and not is_loopback(self.host):
            raise ValidationError(
                {
                    "security": "Without TLS your password would cross the network in clear; "
                    "choose TLS or STARTTLS (plain is only for a server on this machine)."
                }
            )

    def set_password(self, raw: str) -> None:
        """Stores `raw` encrypted (followups/mailbox/crypto.py); call save() after."""
        from followups.mailbox import crypto

        self.password_encrypted = crypto.encrypt(raw)

    @property
    def has_password(self) -> bool:
        return bool(self.password_encrypted)


class MailboxFolder(models.Model):
    """How far one folder has been read: its UIDVALIDITY and the highest UID done."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField(null=True)
    last_uid = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "name"], name="mailbox_folder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} of {self.mailbox}"


class MailMessage(models.Model):
    """A message kept from the mailbox: waiting for the user, logged, or ignored.

    `message_key` is the Message-ID (or, without one, a hash of what identifies the
    message), unique per owner: however often and from however many folders it is
    read, a message is stored, and so logged, once.
    """

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Received"
        OUTBOUND = "outbound", "Sent"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for you"
        LOGGED = "logged", "Logged"
        IGNORED = "ignored", "Ignored"

    class Guess(models.TextChoices):
        REJECTION = "rejection", "Rejection"
        INTERVIEW = "interview", "Interview invitation"
        OUTREACH = "outreach", "Recruiter outreach"
        OFFER = "offer", "Offer"
        ACKNOWLEDGEMENT = "acknowledgement", "Application received"
        FEEDBACK = "feedback", "Feedback"
        REPLY = "reply", "Reply"
        OTHER = "other", "Message"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_messages"
    )
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="messages")
    message_key = models.CharField(max_length=255)
    folder = models.CharField(max_length=255)
    uid = models.BigIntegerField()
    direction = models.CharField(max_length=10, choices=Direction)
    from_name = models.CharField(max_length=200, blank=True)
    from_address = models.CharField(max_length=320, blank=True)
    to_addresses = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField()
    body = models.TextField(blank=True)
    in_reply_to = models.TextField(blank=True)
    guess = models.CharField(max_length=20, choices=Guess, default=Guess.OTHER)
    company_name = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.WAITING)
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    problem = models.CharField(
        max_length=300, blank=True, help_text="What could not be read (charset, MIME, size)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "message_key"], name="mail_message_once"),
        ]
        indexes = [
            # The Inbox page lists one owner's waiting messages, newest first.
            models.Index(fields=["owner", "status", "sent_at"], name="mail_message_triage"),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_key

    @property
    def counterpart(self) -> str:
        """The other person's address: the sender of what you received, the first
        recipient of what you sent."""
        if self.direction == self.Direction.OUTBOUND:
            return self.to_addresses.split(",")[0].strip()
        return self.from_address

    @property
    def summary(self) -> str:
        """ "Rejection from Priya Raman, Northwind Labs, Senior Data Analyst"."""
        if self.contact:
            who = self.contact.full_name
        elif self.direction == self.Direction.OUTBOUND:
            who = self.counterpart
        else:
            who = self.from_name or self.from_address
        word = "to" if self.direction == self.Direction.OUTBOUND else "from"
        parts = [f"{self.get_guess_display()} {word} {who}".strip()]
        parts += [p for p in (self.company_name, self.job_title) if p]
        return ", ".join(parts)

    def decide(self, status: str, *, interaction: Interaction | None = None) -> bool:
        """Moves a waiting message to logged or ignored, once: False if it was decided."""
        changed = MailMessage.objects.filter(pk=self.pk, status=self.Status.WAITING).update(
            status=status,
            interaction=interaction,
            decided_at=timezone.now(),
        )
        if changed:
            self.status, self.interaction = status, interaction
        return bool(changed)
