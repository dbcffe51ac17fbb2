from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Follow-ups"

    def ready(self) -> None:
        # The rules hang off the models' save/delete path, so every way an interaction
        # is written (forms, admin, import, ORM) schedules follow-ups.
        from followups import signals  # noqa: F401
