"""Account set-up shared by sign-up, load_demo and tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import User

JOB_SEEKERS = "Job seekers"

# Exactly what an ordinary account needs in the admin, by model: its own rows are scoped
# by owner (crm/admin.py), so these rights never reach another account's data. Nothing on
# the scheduler's bookkeeping (ticks, digest deliveries), users, groups or django-q2:
# health records are written by the scheduler alone (issue 13, items 1 and 4). A Profile
# is created with its account and never added or deleted by hand; the follow-up history
# is read-only (shown inside the follow-up).
_ALL = ("add", "change", "delete", "view")
JOB_SEEKER_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "crm": {"company": _ALL, "jobapplication": _ALL, "profile": ("change", "view")},
    "contacts": {"contact": _ALL, "interaction": _ALL},
    "followups": {
        "followup": _ALL,
        "followupevent": ("view",),
        "replytemplate": _ALL,
        "goal": _ALL,
        "goalprogress": _ALL,
        "reflection": _ALL,
        "feedbacktheme": ("view",),
        "mailbox": _ALL,
        # A kept message is decided on the Inbox page; here it is read or deleted.
        "mailmessage": ("view", "delete"),
    },
}


def job_seeker_permissions():
    """The Permission rows of JOB_SEEKER_PERMISSIONS (those that exist yet)."""
    wanted = Q(pk__in=[])
    for app_label, models in JOB_SEEKER_PERMISSIONS.items():
        for model, actions in models.items():
            wanted |= Q(
                content_type__app_label=app_label,
                content_type__model=model,
                codename__in=[f"{action}_{model}" for action in actions],
            )
    return Permission.objects.filter(wanted)


def job_seekers_group() -> Group:
    """The group whose members may edit their own rows in the admin (scoped by owner)."""
    group, _ = Group.objects.get_or_create(name=JOB_SEEKERS)
    group.permissions.set(job_seeker_permissions())
    return group


def narrow_job_seekers_group(**kwargs) -> None:
    """post_migrate: a group made by an older version had every permission of the apps
    (the scheduler's health records included); bring it back to exactly the list above."""
    group = Group.objects.filter(name=JOB_SEEKERS).first()
    if group is not None:
        group.permissions.set(job_seeker_permissions())


def enable_admin_editing(user: User) -> None:
    """Lets a regular user open the admin to edit their own contacts and applications."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(job_seekers_group())
