"""Settings for the test run: production's settings plus what only tests want.

pytest points here (pyproject's DJANGO_SETTINGS_MODULE), so crm/settings.py never has to
guess whether it is running under a test runner.
"""

from __future__ import annotations

import os
import secrets

# Production refuses to start without a key; a test run gets one of its own.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from crm.settings import *  # noqa: E402, F403
from crm.settings import ALLOWED_HOSTS, STORAGES  # noqa: E402

# The test client's and the live server's host names, whatever DEBUG the run was given.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver", "localhost", "127.0.0.1"]
# The suite logs in with client.login(), which gives django-axes no request to read; the
# lockout's own tests switch it on.
AXES_ENABLED = False

# Hashing a password takes ~0.3 s by design; the suite logs users in thousands of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Pages render {% static %} without a collectstatic, whatever DEBUG the run was given.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
