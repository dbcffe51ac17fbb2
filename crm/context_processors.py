from __future__ import annotations

from django.conf import settings


def site(request) -> dict:
    return {"SITE_URL": settings.SITE_URL, "SIGNUP_ENABLED": settings.SIGNUP_ENABLED}
