"""System checks of crm: what must be true before the app serves anyone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

NO_SECRET_KEY = (
    "SECRET_KEY must be set when DEBUG is off; generate one with "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'. "
    "For development set DEBUG=1 (bin/run does)."
)


@register()
def secret_key_is_set(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Production without a SECRET_KEY: the server and every command refuse to start
    (runserver, gunicorn through crm/wsgi.py, manage.py commands run their checks)."""
    if getattr(settings, "SECRET_KEY_MISSING", False):
        return [Error(NO_SECRET_KEY, id="crm.E001")]
    return []
