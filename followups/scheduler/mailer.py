"""The tick's mail connection: one SMTP connection for every email of a tick, reopened once
if the server drops it."""

from __future__ import annotations

import logging
import smtplib

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)


# Sending --------------------------------------------------------------------------------


class ConnectionLost(Exception):
    """The SMTP connection broke: stop this tick's sending, the next tick retries."""


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

    def send(self, message: EmailMessage) -> None:
        """Returns when the server accepted `message`; raises otherwise."""
        self.open()
        try:
            # Over the connection already open: the backend neither opens nor closes it.
            accepted = self.connection.send_messages([message])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server refused this message; the connection is still good
        except OSError as exc:  # disconnected, timed out, connection reset…
            self.close()
            raise ConnectionLost(f"lost the mail server: {exc}") from exc
        if not accepted:
            raise smtplib.SMTPException("the mail server accepted no recipient")

    def close(self) -> None:
        if self.opened:
            try:
                self.connection.close()
            except Exception:  # closing a dead connection must not hide the real error
                logger.exception("closing the mail connection failed")
            self.opened = False
