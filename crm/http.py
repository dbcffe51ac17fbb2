"""The request a view behind the login gets, for type annotations.

LoginRequiredMiddleware lets only signed-in users reach a view not marked
@login_not_required, and django-htmx's middleware adds `request.htmx`; HttpRequest knows
neither, so views annotate `request: AuthenticatedHttpRequest` (the object is Django's
own request: this class is never instantiated).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # narrower than HttpRequest's: always signed in
    htmx: HtmxDetails
