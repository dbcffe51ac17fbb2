"""Connects the rules engine to the save/delete path of the models it watches.

Signals rather than view code, so every way a row is written (forms, admin, import,
ORM `save()`/`delete()`) applies the rules. `raw` saves (loaddata fixtures) do not: a
fixture already holds the follow-ups it needs.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from contacts.models import Contact, Interaction
from contacts.signals import interactions_imported
from crm.models import Company, JobApplication, Profile
from followups import rules
from followups.calendar.feed import note_feed_deletion
from followups.models import FollowUp, Goal


def _touches(update_fields: frozenset[str] | None, watched: tuple[str, ...]) -> bool:
    """Whether a save with `update_fields` may have changed a field the rules watch."""
    if update_fields is None:
        return True
    names = {name.removesuffix("_id") for name in update_fields}
    return any(field.removesuffix("_id") in names for field in watched)


def _deleted_on_its_own(instance: Interaction, origin: object) -> bool:
    """True when the interaction itself is deleted, not swept away with its contact or
    owner (whose follow-ups go with them, so there is nothing left to reschedule)."""
    if isinstance(origin, QuerySet):
        return origin.model is Interaction
    return isinstance(origin, Interaction)


@receiver(post_save, sender=Interaction, dispatch_uid="rules_interaction_saved")
def interaction_saved(sender, instance, created, raw, update_fields, **kwargs) -> None:
    if raw or not _touches(update_fields, rules.INTERACTION_RULE_FIELDS):
        return
    rules.interaction_saved(instance, created=created)


@receiver(pre_delete, sender=Interaction, dispatch_uid="rules_interaction_deleting")
def interaction_deleting(sender, instance, origin=None, **kwargs) -> None:
    # Before the delete: afterwards the follow-ups' `source` is already set to NULL.
    if _deleted_on_its_own(instance, origin):
        rules.interaction_deleting(instance)


@receiver(post_delete, sender=Interaction, dispatch_uid="rules_interaction_deleted")
def interaction_deleted(sender, instance, origin=None, **kwargs) -> None:
    if _deleted_on_its_own(instance, origin):
        rules.interaction_deleted(instance)


@receiver(post_save, sender=Contact, dispatch_uid="rules_contact_saved")
def contact_saved(sender, instance, created, raw, update_fields, **kwargs) -> None:
    if raw or not _touches(update_fields, rules.CONTACT_RULE_FIELDS):
        return
    rules.contact_saved(instance, created=created)


@receiver(post_save, sender=JobApplication, dispatch_uid="rules_application_saved")
def application_saved(sender, instance, created, raw, update_fields, **kwargs) -> None:
    if raw or not _touches(update_fields, rules.APPLICATION_RULE_FIELDS):
        return
    rules.application_saved(instance, created=created)


@receiver(pre_delete, sender=JobApplication, dispatch_uid="rules_application_deleting")
def application_deleting(sender, instance, **kwargs) -> None:
    # Its follow-ups outlive it (application SET_NULL); a status check on nothing would
    # only confuse, so it is cancelled while the link still exists.
    rules.stop_application_checks(instance, "The application was deleted", timezone.now())


@receiver(m2m_changed, sender=Contact.applications.through, dispatch_uid="rules_contact_linked")
def contact_linked(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action != "post_add" or not pk_set:
        return
    if not reverse:  # contact.applications.add(application, ...)
        rules.address_application_checks(instance, set(pk_set))
        return
    # application.contacts.add(contact, ...): the first contact one may write to
    contact = Contact.objects.filter(pk__in=pk_set, do_not_contact=False).order_by("pk").first()
    if contact is not None:
        rules.address_application_checks(contact, {instance.pk})


@receiver(post_delete, sender=Goal, dispatch_uid="growth_goal_deleted")
def goal_deleted(sender, instance: Goal, **kwargs) -> None:
    # Hangs off delete, not off the view, so deleting from anywhere cancels the reminder.
    if instance.followup_id is None:
        return
    reminder = FollowUp.objects.filter(pk=instance.followup_id).first()
    if reminder is not None and reminder.is_pending:
        reminder.cancel("The goal was deleted.")


@receiver(post_save, sender=Profile, dispatch_uid="rules_profile_saved")
def profile_saved(sender, instance, created, raw, update_fields, **kwargs) -> None:
    # Any save of the profile (preferences, first run, admin, API, ORM): a new zone,
    # morning hour or workdays re-times what is pending on a working morning.
    if raw or not _touches(update_fields, rules.PROFILE_TIMING_FIELDS):
        return
    rules.profile_saved(instance, created=created)


@receiver(interactions_imported, dispatch_uid="rules_interactions_imported")
def interactions_imported_in_bulk(sender, interactions: list[Interaction], **kwargs) -> None:
    # A bulk import (LinkedIn's archive) wrote many messages without save(): the rules
    # run on each contact's latest ones, and only where they can act: through a
    # contact's pending follow-ups (completed, or cancelled: they answered) or its
    # check-in cadence. For any other contact they would only read.
    touched = {i.contact_id for i in interactions}
    acting = set(
        FollowUp.objects.filter(contact_id__in=touched, status=FollowUp.Status.PENDING).values_list(
            "contact_id", flat=True
        )
    ) | set(
        Contact.objects.filter(pk__in=touched, check_in_months__isnull=False).values_list(
            "pk", flat=True
        )
    )
    for interaction in interactions:
        if interaction.contact_id in acting:
            rules.interaction_saved(interaction, created=True)


@receiver(post_delete, sender=FollowUp, dispatch_uid="feed_followup_deleted")
@receiver(post_delete, sender=Contact, dispatch_uid="feed_contact_deleted")
@receiver(post_delete, sender=JobApplication, dispatch_uid="feed_application_deleted")
@receiver(post_delete, sender=Company, dispatch_uid="feed_company_deleted")
def feed_row_deleted(sender, instance, origin=None, **kwargs) -> None:
    # A deleted row leaves no updated_at behind: the calendar feed's Last-Modified
    # would go back in time and a polling calendar app keep the deleted event (304).
    # A whole account going away takes its profile and feed with it.
    user_model = get_user_model()
    if isinstance(origin, user_model) or (
        isinstance(origin, QuerySet) and origin.model is user_model
    ):
        return
    note_feed_deletion(instance.owner_id, timezone.now())
