"""The Inbox page's decisions: confirm a kept message as an interaction, or ignore it.

Confirming saves the quick-log form (followups/quicklog/forms.py): the contact, company
and application are matched or created as for a pasted email, and the Interaction's save
runs the rules. A message is decided once, however often the button is pressed.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from contacts.models import Interaction
from followups.models import MailMessage
from followups.quicklog.forms import InteractionForm


class AlreadyDecided(Exception):
    """The message was confirmed or ignored already (another tab, a double click)."""


def waiting_for(user) -> QuerySet[MailMessage]:
    return MailMessage.objects.filter(owner=user, status=MailMessage.Status.WAITING)


def confirm(message: MailMessage, form: InteractionForm) -> Interaction:
    """Logs the message through the valid quick-log `form`; raises AlreadyDecided."""
    with transaction.atomic():
        locked = (
            MailMessage.objects.select_for_update()
            .filter(pk=message.pk, status=MailMessage.Status.WAITING)
            .first()
        )
        if locked is None:
            raise AlreadyDecided("This message was already dealt with.")
        interaction = form.save()
        locked.decide(MailMessage.Status.LOGGED, interaction=interaction)
    return interaction


def ignore(message: MailMessage) -> None:
    if not message.decide(MailMessage.Status.IGNORED):
        raise AlreadyDecided("This message was already dealt with.")
