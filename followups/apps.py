from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Follow-ups"

    def ready(self) -> None:
        # The rules hang off the models' save/delete path, so every way an interaction
        # is written (forms, admin, import, ORM) schedules follow-ups.
        from followups import signals  # noqa: F401

        # One django-q2 schedule runs the reminder tick every minute; it is (re)created
        # after every migrate, never duplicated.
        from followups.tasks import ensure_schedule

        post_migrate.connect(ensure_schedule, sender=self, dispatch_uid="followups.schedule")
        from followups.tasks import ensure_mailbox_schedule

        post_migrate.connect(
            ensure_mailbox_schedule, sender=self, dispatch_uid="followups.mailbox_schedule"
        )

        # Webhook events hang off the same save path; a second schedule retries them.
        from followups.api import signals as api_signals  # noqa: F401
        from followups.tasks import ensure_webhook_schedule

        post_migrate.connect(
            ensure_webhook_schedule, sender=self, dispatch_uid="followups.webhook_schedule"
        )

        # The built-in reply templates live in code (followups/template_library.py) and
        # are mirrored to ReplyTemplate rows after every migrate, idempotently.
        from followups.drafts.library import sync_builtin_templates

        post_migrate.connect(
            sync_builtin_templates, sender=self, dispatch_uid="followups.builtin_templates"
        )
