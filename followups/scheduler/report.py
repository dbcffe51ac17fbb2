"""What one tick did (or, with dry_run, would do), and the tick's clock."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class TickReport:
    """What one tick did (or, with dry_run, would do)."""

    started_at: datetime
    dry_run: bool = False
    reminders_sent: int = 0
    reminders_late: int = 0
    reminders_failed: int = 0
    reminders_given_up: int = 0
    lost_races: int = 0
    # Fanned out to the broker as tasks (followups.tasks.send_reminder_batches).
    reminders_queued: int = 0
    reminder_tasks: int = 0
    digests_sent: int = 0
    digests_failed: int = 0
    mail_unreachable: str = ""  # set when the mail server could not be reached at all
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return self.reminders_failed + self.digests_failed

    def summary(self) -> str:
        verb = "would send" if self.dry_run else "sent"
        text = (
            f"{verb} {self.reminders_sent} reminder(s) ({self.reminders_late} late) and "
            f"{self.digests_sent} digest(s); {self.failures} failure(s); "
            f"{self.lost_races} lost race(s)"
        )
        if self.reminder_tasks:
            text += (
                f"; {self.reminders_queued} reminder(s) fanned out to {self.reminder_tasks} task(s)"
            )
        return text

    def as_dict(self) -> dict:
        return {
            "started_at": self.started_at.isoformat(),
            "reminders_sent": self.reminders_sent,
            "reminders_late": self.reminders_late,
            "reminders_failed": self.reminders_failed,
            "reminders_given_up": self.reminders_given_up,
            "lost_races": self.lost_races,
            "reminders_queued": self.reminders_queued,
            "reminder_tasks": self.reminder_tasks,
            "digests_sent": self.digests_sent,
            "digests_failed": self.digests_failed,
            "errors": self.errors[:20],
        }


# An address as a mail server quotes it ("<carol@example.com>", "{'carol@example.com': …}").
_ADDRESS = re.compile(r"[^\s<>'\"(){}\[\],;:]+@[^\s<>'\"(){}\[\],;:]+")


def redact_addresses(text: str) -> str:
    """The text with every email address replaced: a tick's note is global (admin, health
    page), and must not show one account's address to anyone else (issue 13, item 4)."""
    return _ADDRESS.sub("<address>", text)


class Clock:
    """The tick's `now`, advanced by the real time elapsed since the tick started, so a
    lease taken late in a long tick still lasts LEASE."""

    def __init__(self, now: datetime) -> None:
        self.start = now
        self.t0 = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0)
