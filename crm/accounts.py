"""Account set-up shared by sign-up, load_demo and tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group, Permission

if TYPE_CHECKING:
    from django.contrib.auth.models import User

JOB_SEEKERS = "Job seekers"
APP_LABELS = ("crm", "contacts", "followups")


def job_seekers_group() -> Group:
    """The group whose members may edit their own rows in the admin (scoped by owner)."""
    group, _ = Group.objects.get_or_create(name=JOB_SEEKERS)
    perms = Permission.objects.filter(content_type__app_label__in=APP_LABELS).exclude(
        content_type__model__in=["schedulertick", "profile"], codename__startswith="add_"
    )
    group.permissions.set(perms)
    return group


def enable_admin_editing(user: User) -> None:
    """Lets a regular user open the admin to edit their own contacts and applications."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(job_seekers_group())
