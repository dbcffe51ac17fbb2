"""Password reset by email, sent from the worker (issue 13, item 9).

The request only checks the form and queues the address: it does the same work whether
an account uses that address or not, so its answer time tells nothing, and no mail is
sent inside the request. The worker's task looks the account up and sends Django's reset
mail. Requests are throttled per address and per client (REMOTE_ADDR), through the cache.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_q.tasks import async_task

TASK = "crm.security.password_reset.send_password_reset"
THROTTLE_WINDOW = 60 * 60  # seconds


def _spend(key: str, limit: int) -> bool:
    """Counts one use of `key` in the current window; False once `limit` is used up."""
    cache.add(key, 0, THROTTLE_WINDOW)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, THROTTLE_WINDOW)
        used = 1
    return used <= limit


def address_key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"password-reset:address:{digest}"


def client_key(request: HttpRequest) -> str:
    return f"password-reset:client:{request.META.get('REMOTE_ADDR', '')}"


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, but save() hands the address to the worker instead of mailing."""

    def save(self, *, request: HttpRequest | None = None, **kwargs) -> None:  # type: ignore[override]
        email = self.cleaned_data["email"]
        if not _spend(address_key(email), settings.PASSWORD_RESET_PER_ADDRESS):
            return  # the same answer as ever: nothing tells the address was throttled
        site = urlsplit(settings.SITE_URL)
        async_task(TASK, email, site.netloc, site.scheme == "https", group="password-reset")


def send_password_reset(email: str, domain: str, use_https: bool) -> int:
    """The worker's task: Django's reset mail to every active account with `email`.
    Returns how many accounts matched (for the task's result; never shown to anyone)."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(email))
    form.save(domain_override=domain, use_https=use_https)
    return len(users)


class ThrottledPasswordResetView(PasswordResetView):
    form_class = QueuedPasswordResetForm

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _spend(client_key(request), settings.PASSWORD_RESET_PER_CLIENT):
            return render(request, "registration/password_reset_throttled.html", status=429)
        return super().post(request, *args, **kwargs)
