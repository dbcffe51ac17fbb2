"""The tick's mail connection: one SMTP connection for every email of a tick, reopened once
if the server drops it."""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Callable
from contextlib import suppress
from functools import lru_cache

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from followups.scheduler.emails import ReminderEmail

logger = logging.getLogger(__name__)


# Sending --------------------------------------------------------------------------------


class ConnectionLost(Exception):
    """The SMTP connection broke: stop this tick's sending, the next tick retries."""


class HookFailed(Exception):
    """`first` or `meanwhile` raised `error` in the middle of an SMTP conversation."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _run(hook: Callable[[], None] | None) -> None:
    if hook is not None:
        try:
            hook()
        except Exception as exc:
            raise HookFailed(exc) from exc


def is_permanent(exc: BaseException) -> bool:
    """True when the mail server refused for good (a 5xx reply, RFC 5321 §4.2.1): every
    recipient refused with 5xx, or a 5xx to the sender or the message. A 4xx reply, a
    refused or dropped connection and a timeout are temporary: try again later."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def describe_failure(exc: BaseException) -> str:
    """The server's answer in a line a person can read ("451 4.3.0 Try again later")."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = {f"{code} {_text(reply)}" for code, reply in exc.recipients.values()}
        return "; ".join(sorted(answers))
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


class Mailer:
    """One mail connection for the whole tick, opened when the first email is ready."""

    def __init__(self, mail_connection: BaseEmailBackend | None = None) -> None:
        self.connection = mail_connection or get_connection()
        self.opened = False

    def open(self) -> None:
        if not self.opened:
            try:
                self.connection.open()
            except OSError as exc:
                raise ConnectionLost(f"cannot reach the mail server: {exc}") from exc
            self.opened = True

    def send(
        self,
        message: EmailMessage,
        *,
        first: Callable[[], None] | None = None,
        meanwhile: Callable[[], None] | None = None,
        confirm: Callable[[], None] | None = None,
    ) -> None:
        """Returns when the server accepted `message`; raises otherwise.

        Over SMTP, `first` runs while the server reads the MAIL command (the tick sends the
        previous reminder's "sent" mark to the database there), `confirm` once the server
        is ready for the message's content, before any of it is sent (the tick waits for
        that mark there), and `meanwhile` while the server takes the message in, after its
        last line and before its answer is read (the tick writes the next reminder): the
        mail server, the database and the tick work at once instead of taking turns. Other
        backends run `first` and `confirm` before the message and `meanwhile` after.
        Should either raise, the connection is closed (the conversation is cut off) and the
        error goes on."""
        self.open()
        smtp = self._smtp()
        try:
            if smtp is not None and isinstance(message, ReminderEmail):
                sender, recipients, raw = message.wire()
                # Raises unless at least one recipient was accepted (as smtplib.sendmail).
                sendmail_overlapping(
                    smtp, sender, recipients, raw, meanwhile, first=first, confirm=confirm
                )
                accepted = 1
            else:
                if first is not None:
                    first()
                if confirm is not None:
                    confirm()
                # Over the connection already open: the backend neither opens nor closes it.
                accepted = self.connection.send_messages([message])
                if meanwhile is not None:
                    meanwhile()
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server refused this message; the connection is still good
        except OSError as exc:  # disconnected, timed out, connection reset…
            self.close()
            raise ConnectionLost(f"lost the mail server: {exc}") from exc
        except HookFailed as exc:
            self.close()
            raise exc.error from None
        if not accepted:
            raise smtplib.SMTPException("the mail server accepted no recipient")

    def _smtp(self) -> smtplib.SMTP | None:
        """The open smtplib.SMTP of Django's SMTP backend, for reminders that write their own
        bytes (emails.ReminderEmail.as_bytes): the one place that reads the backend's
        `connection` attribute, which Django does not document. Worth it, profiled: the
        backend's send_messages parses both addresses and builds the MIME tree again for
        every email, as much time as the SMTP exchange itself (bench/README.md). Any other
        backend (console, locmem, a third-party one) gets the message the documented way."""
        if type(self.connection) is SMTPBackend:
            return getattr(self.connection, "connection", None)
        return None

    def close(self) -> None:
        if self.opened:
            try:
                self.connection.close()
            except Exception:  # closing a dead connection must not hide the real error
                logger.exception("closing the mail connection failed")
            self.opened = False


# One message over an open connection -----------------------------------------------------

_LEADING_DOT = re.compile(rb"(?m)^\.")


@lru_cache(maxsize=4096)
def _quoted(address: str) -> str:
    """smtplib.quoteaddr(address), parsed once per address rather than twice per email
    (profiled: a sixth of the tick's own CPU; a tick mails the same few users over and over)."""
    return smtplib.quoteaddr(address)


def _give_up_transaction(smtp: smtplib.SMTP, code: int) -> None:
    """What smtplib.sendmail does after a refusal: hang up on 421, else RSET."""
    if code == 421:
        smtp.close()
        return
    with suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def sendmail_overlapping(
    smtp: smtplib.SMTP,
    sender: str,
    recipients: list[str],
    raw: bytes,
    meanwhile: Callable[[], None] | None = None,
    *,
    first: Callable[[], None] | None = None,
    confirm: Callable[[], None] | None = None,
) -> None:
    """smtplib.SMTP.sendmail(sender, recipients, raw): the same commands, bytes, answers
    and exceptions, one command at a time (no pipelining: the server need not offer it),
    except that `first` runs between sending MAIL and reading its answer, `confirm` between
    the server's 354 to DATA and the message's first byte, and `meanwhile` between the
    message's last line and reading the server's answer to it (any of them raising:
    HookFailed, its cause the error; raised by `confirm`, no byte of the message has gone,
    and Mailer.send closes the connection, so the server accepts none). The server's work on
    the message (parsing, queueing, its own fsync) and ours overlap instead of taking
    turns.

    Built from smtplib's public command methods (quoteaddr, putcmd, getreply, send,
    rset); tests/scheduler/test_mailer_overlap.py holds what a real server receives
    equal to sendmail's, and the refusals to sendmail's exceptions."""
    smtp.ehlo_or_helo_if_needed()
    options = f" size={len(raw)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    smtp.putcmd("mail", f"FROM:{_quoted(sender)}{options}")  # as smtp.mail()
    _run(first)
    code, reply = smtp.getreply()
    if code != 250:
        _give_up_transaction(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for recipient in recipients:
        smtp.putcmd("rcpt", f"TO:{_quoted(recipient)}")  # as smtp.rcpt(recipient)
        code, reply = smtp.getreply()
        if code not in (250, 251):
            refused[recipient] = (code, reply)
        if code == 421:
            smtp.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        _give_up_transaction(smtp, 0)
        raise smtplib.SMTPRecipientsRefused(refused)
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    _run(confirm)
    data = _LEADING_DOT.sub(b"..", raw)  # RFC 5321 §4.5.2 dot-stuffing, as smtplib does
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    smtp.send(data + b".\r\n")
    _run(meanwhile)
    code, reply = smtp.getreply()
    if code != 250:
        _give_up_transaction(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
