import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 (after the app registry is ready)

if settings.SECRET_KEY_MISSING:
    from crm.checks import NO_SECRET_KEY

    # gunicorn and runserver load this module: no pages served on a throwaway key.
    raise ImproperlyConfigured(NO_SECRET_KEY)
