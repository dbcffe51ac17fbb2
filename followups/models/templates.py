"""Reply templates: the built-in library rows (owner null) and users' overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from followups.models.followup import FollowUp


class ReplyTemplate(models.Model):
    """A draft template per follow-up kind: built-in (owner null) or a user's override."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        LINKEDIN = "linkedin", "LinkedIn"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_templates",
    )
    kind = models.CharField(max_length=20, choices=FollowUp.Kind)
    variant = models.CharField(max_length=50, default="default")
    name = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    channel = models.CharField(max_length=12, choices=Channel, default=Channel.EMAIL)

    class Meta:
        ordering = ["kind", "variant"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind"],
                condition=models.Q(owner__isnull=False),
                name="replytemplate_one_override_per_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "variant"],
                condition=models.Q(owner__isnull=True),
                name="replytemplate_builtin_unique_variant",
            ),
        ]

    def __str__(self) -> str:
        whose = "built-in" if self.owner_id is None else str(self.owner)
        return f"{self.get_kind_display()} ({self.variant}, {whose})"
