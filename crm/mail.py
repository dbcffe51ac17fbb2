"""The development mail backend: one line per email in the terminal.

Without EMAIL_HOST nothing is sent; Django's console backend would print every body,
which buries the server's log under reminder emails (issue 12, item 12).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class OneLineConsoleBackend(BaseEmailBackend):
    """Writes "email to …: subject" to stdout for each message; sends nothing."""

    def __init__(self, *args: Any, stream: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        with self._lock:
            for message in email_messages:
                to = ", ".join(message.recipients())
                self.stream.write(f"email to {to}: {message.subject} (not sent: no EMAIL_HOST)\n")
            self.stream.flush()
        return len(email_messages)
