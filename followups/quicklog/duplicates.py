"""Recognising an email that was logged before: by its Message-ID, else by the same
sender, minute and subject. Pasting the same rejection twice must not schedule a
second reply (issue 12, item 6)."""

from __future__ import annotations

from datetime import datetime, timedelta

from contacts.models import Interaction


def already_logged(
    owner,
    *,
    message_id: str = "",
    sender_email: str = "",
    occurred_at: datetime | None = None,
    subject: str = "",
) -> Interaction | None:
    """The owner's interaction logged from this email the first time, if any."""
    logged = Interaction.objects.filter(owner=owner).order_by("pk")
    if message_id:
        found = logged.filter(message_id=message_id).first()
        if found is not None:
            return found
    if not (sender_email and occurred_at and subject.strip()):
        return None
    # The form keeps minutes (datetime-local), the pasted header may carry seconds.
    minute = occurred_at.replace(second=0, microsecond=0)
    return logged.filter(
        contact__email__iexact=sender_email,
        subject=subject.strip(),
        occurred_at__gte=minute,
        occurred_at__lt=minute + timedelta(minutes=1),
    ).first()
