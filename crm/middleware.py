from __future__ import annotations

from django.utils import timezone

from crm.models import Profile


class UserTimezoneMiddleware:
    """Shows every time in the logged-in user's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            timezone.activate(Profile.for_user(request.user).zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
