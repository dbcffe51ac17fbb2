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


@register(deploy=True)
def secret_key_is_set(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Production without a SECRET_KEY fails `check --deploy`; the server itself refuses
    to start in crm/wsgi.py (gunicorn, runserver). Other commands run on a throwaway key
    (nothing they sign outlives the process), so scripts and cron jobs that only need the
    database keep working."""
    if getattr(settings, "SECRET_KEY_MISSING", False):
        return [Error(NO_SECRET_KEY, id="crm.E001")]
    return []
