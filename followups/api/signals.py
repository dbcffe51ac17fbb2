"""Webhook events from the models' save path, so every way a row changes (pages, API,
admin, import, MCP) announces it: interaction.created, followup.completed,
application.status_changed. followup.due comes from the worker's sweep instead."""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from contacts.models import Interaction
from crm.models import JobApplication
from followups.api import webhooks
from followups.models import FollowUp, FollowUpEvent, Webhook


def _wanted(owner_id: int) -> bool:
    # The cheap question first: most users have no hooks, and this runs on every save.
    return Webhook.objects.filter(owner_id=owner_id, enabled=True).exists()


@receiver(post_save, sender=Interaction, dispatch_uid="webhooks_interaction_created")
def interaction_created(sender, instance: Interaction, created, raw, **kwargs) -> None:
    if raw or not created or not _wanted(instance.owner_id):
        return
    from followups.api.serializers import InteractionSerializer

    webhooks.queue_event(
        instance.owner_id,
        Webhook.Event.INTERACTION_CREATED,
        str(instance.pk),
        dict(InteractionSerializer(instance).data),
    )


@receiver(post_save, sender=FollowUpEvent, dispatch_uid="webhooks_followup_completed")
def followup_completed(sender, instance: FollowUpEvent, created, raw, **kwargs) -> None:
    if raw or not created or instance.new_status != FollowUp.Status.DONE:
        return
    followup = instance.followup
    if not _wanted(followup.owner_id):
        return
    webhooks.queue_event(
        followup.owner_id,
        Webhook.Event.FOLLOWUP_COMPLETED,
        f"{followup.pk}:{instance.pk}",
        webhooks.followup_data(followup),
    )


@receiver(pre_save, sender=JobApplication, dispatch_uid="webhooks_application_status_before")
def application_status_before(sender, instance: JobApplication, raw, **kwargs) -> None:
    # The rules' own post_save forgets the loaded values, so remember the old status now.
    instance._webhook_old_status = (
        None if instance._state.adding else instance.loaded_value("status")
    )


@receiver(post_save, sender=JobApplication, dispatch_uid="webhooks_application_status")
def application_status_changed(sender, instance: JobApplication, created, raw, **kwargs) -> None:
    old = getattr(instance, "_webhook_old_status", None)
    if raw or created or old is None or old == instance.status:
        return
    if not _wanted(instance.owner_id):
        return
    webhooks.queue_event(
        instance.owner_id,
        Webhook.Event.APPLICATION_STATUS_CHANGED,
        f"{instance.pk}:{instance.updated_at.isoformat()}",
        {
            "id": instance.pk,
            "title": instance.title,
            "company": instance.company_id,
            "old_status": old,
            "status": instance.status,
        },
    )
