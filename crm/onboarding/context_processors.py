"""`reminder_address_missing` for the banner every page shows when reminders are on but
the account has no address to send them to (the scheduler skips such accounts)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from crm.models import Profile


def reminder_address(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def missing() -> bool:
        return not user.email and Profile.for_user(user).email_reminders

    return {"reminder_address_missing": SimpleLazyObject(missing)}
