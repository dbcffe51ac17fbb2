"""Settings for the test run: production's settings plus what only tests want.

pytest points here (pyproject's DJANGO_SETTINGS_MODULE), so crm/settings.py never has to
guess whether it is running under a test runner.
"""

from __future__ import annotations

from crm.settings import *  # noqa: F403
from crm.settings import STORAGES

# Hashing a password takes ~0.3 s by design; the suite logs users in thousands of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Pages render {% static %} without a collectstatic, whatever DEBUG the run was given.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
