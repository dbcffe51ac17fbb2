"""Settings for Follow-up CRM, read from the environment.

Production is the default. Development sets DEBUG=1 (bin/run does) and needs nothing
else: the secret key is made on first use in ./data, the database is an SQLite file
there, django-q2 uses the ORM broker and mail goes to the console. Production sets
SECRET_KEY, ALLOWED_HOSTS, SITE_URL and usually DATABASE_URL, REDIS_URL and
EMAIL_HOST. Every helper below fails loudly on a value it cannot read.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name, default)
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a URL starting with {' or '.join(s + '://' for s in schemes)}."
        )
    return raw


# Production is the default: a forgotten variable must not run a public site in debug
# mode. bin/run and Procfile.dev set DEBUG=1 for development (issue 13, item 5).
DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data")))


def development_secret_key(data_dir: Path) -> str:
    """A random key made on first use and kept in the data folder (mode 0600), so no two
    installations share one and nobody can sign tokens with a published key."""
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    if not data_dir.is_dir():
        # Importing settings creates no folder: until migrate has made the data folder
        # (bin/run runs it first), each process signs with a key of its own.
        return key
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = env_str("SECRET_KEY")
# Production without a key: importing the settings still works (a test runner, a script),
# with a random key nothing signed outlives; but the server and the commands refuse to
# start (crm/checks.py, crm/wsgi.py), so no public site runs on a guessable key.
SECRET_KEY_MISSING = not SECRET_KEY and not DEBUG
if not SECRET_KEY:
    SECRET_KEY = development_secret_key(DATA_DIR) if DEBUG else secrets.token_urlsafe(50)


def development_site_url(argv: list[str], environ) -> str:
    """The address a development server answers on, for links in pages and emails: the
    one `runserver` was given, else 127.0.0.1 on $PORT (bin/run sets it), else :8000."""
    host, port = "127.0.0.1", environ.get("PORT") or "8000"
    if len(argv) > 1 and argv[1] == "runserver":
        addrport = next((arg for arg in argv[2:] if not arg.startswith("-")), "")
        if addrport:
            named, _, given_port = addrport.rpartition(":")
            port = given_port or port
            # 0.0.0.0 and :: listen everywhere; a browser reaches them on the loopback.
            if named and named.strip("[]") not in ("0.0.0.0", "::", "0"):
                host = named
    return f"http://{host}:{port}"


SITE_URL = env_url(
    "SITE_URL",
    development_site_url(sys.argv, os.environ) if DEBUG else "http://127.0.0.1:8000",
    schemes=("http", "https"),
).rstrip("/")
_site = urlsplit(SITE_URL)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "testserver", _site.hostname or ""] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

# Sign-up is off by default: a self-hosted CRM usually has one or two known users.
SIGNUP_ENABLED = env_bool("SIGNUP_ENABLED", False)

INSTALLED_APPS = [
    "crm.apps.CrmAdminConfig",  # django.contrib.admin, view-on-site scoped
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "import_export",
    "crm.worker",  # before django_q: its hardened `qcluster` replaces django-q2's
    "django_q",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "crm",
    "contacts",
    "followups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A read-only data folder or a full disk answers a 503 saying so (issue 13, item 14).
    "crm.storage.middleware.StorageFaultMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "crm.middleware.UserTimezoneMiddleware",
    "crm.security.middleware.NoStoreForSignedInMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.context_processors.site",
                "crm.onboarding.context_processors.reminder_address",
                "followups.context_processors.due_count",
                "followups.context_processors.scheduler_health",
                "followups.mailbox.health.mailbox_banner",
            ],
            # web_url (only http(s) links from stored URLs) in every template and email.
            "builtins": ["crm.templatetags.safety"],
        },
    },
]

# Database ------------------------------------------------------------------------------
# Connection URLs carry passwords: kept out of settings names (the debug page masks only
# names like PASSWORD or SECRET); DATABASES holds the password under PASSWORD.
_database_url = env_url(
    "DATABASE_URL",
    f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The file's folder is made by `manage.py migrate` (crm/management/commands/migrate.py),
    # not here: importing settings never touches the disk.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # The web server and the worker write at once: WAL lets readers run beside a
        # writer, IMMEDIATE takes the write lock at BEGIN (no upgrade deadlock), and the
        # timeout makes a second writer wait instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30, minimum=1),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Auth ----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute force (issue 13, item 8): django-axes counts failed logins on the login page and
# the admin by user name and address together; after AXES_FAILURE_LIMIT failures that
# pair is locked out for AXES_COOLOFF_TIME, with a page saying so (429).
AUTHENTICATION_BACKENDS = [
    "crm.security.signin.RequestAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# tests/settings.py switches it off (the suite logs in with client.login()); the tests
# of the lockout itself switch it on.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Password reset mails per hour: per address asked for, and per client address.
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 3, minimum=1)
PASSWORD_RESET_PER_CLIENT = env_int("PASSWORD_RESET_PER_CLIENT", 10, minimum=1)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: Bootstrap from django-bootstrap-static, htmx from django-htmx, no CDN.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development WhiteNoise serves straight from the finders (and looks for STATIC_ROOT
# only when a file is asked for); production runs collectstatic into STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploaded documents (résumés, cover letters) go through Django's storage API: files
# under DATA_DIR/uploads by default, never served by URL (crm/documents/ checks the owner).
# An S3-compatible backend is a STORAGES["default"] change.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "uploads")))
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_MB", 5, minimum=1) * 1024 * 1024

# Posting capture (crm/capture/): the server fetches a pasted link. Only public addresses
# are fetched; CAPTURE_ALLOWED_HOSTS names hosts that may resolve anywhere (an intranet
# job board; the tests' local server).
CAPTURE_ALLOWED_HOSTS = env_list("CAPTURE_ALLOWED_HOSTS", [])
CAPTURE_ALLOWED_NETWORKS = env_list("CAPTURE_ALLOWED_NETWORKS", [])
for _network in CAPTURE_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"CAPTURE_ALLOWED_NETWORKS has {_network!r}, which is not an address range "
            "such as 10.20.0.0/16."
        ) from None
CAPTURE_TIMEOUT_SECONDS = env_int("CAPTURE_TIMEOUT_SECONDS", 10, minimum=1)
CAPTURE_MAX_BYTES = env_int("CAPTURE_MAX_MB", 5, minimum=1) * 1024 * 1024
CAPTURE_MAX_REDIRECTS = 3
# Base URLs of the boards' public posting APIs, by board; the tests point them at their
# local server.
CAPTURE_BOARD_APIS = {
    "greenhouse": "https://boards-api.greenhouse.io",
    "lever": "https://api.lever.co",
    "ashby": "https://api.ashbyhq.com",
    "workable": "https://apply.workable.com",
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email ---------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST) and EMAIL_PORT == 587)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Follow-up CRM <reminders@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    # Development: one line per email in the terminal, not every body (crm/mail.py).
    else "crm.mail.OneLineConsoleBackend"
)


# Scheduler (django-q2) -----------------------------------------------------------------
class _MaskedURL(str):
    """A connection URL whose repr hides its password: the debug page prints settings
    with repr, and Q_CLUSTER["redis"] is not a name it masks. The value is unchanged."""

    def __repr__(self) -> str:
        parts = urlsplit(self)
        if parts.password is None:
            return super().__repr__()
        netloc = parts.netloc.replace(f":{parts.password}@", ":********@", 1)
        return repr(parts._replace(netloc=netloc).geturl())


_redis_url = env_str("REDIS_URL")
if _redis_url:
    _redis_url = _MaskedURL(env_url("REDIS_URL", _redis_url, schemes=("redis", "rediss", "unix")))
Q_CLUSTER = {
    "name": "followup-crm",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    # A tick takes seconds and stops taking work after 60 s (TIME_BUDGET); a task that
    # outlives `timeout` is killed. The ORM broker hands a task out again only `retry` s
    # after it was taken (a worker killed under it never acknowledges it), so retry >
    # timeout means one task never runs twice at once, and a killed tick runs again within
    # two minutes (the next one-minute tick usually comes first). Our claims make a re-run
    # harmless. A failed tick is not retried (max_attempts): the next minute's tick is.
    "timeout": 100,
    "retry": 110,
    "max_attempts": 1,
    # A worker that was down must not replay every missed minute: the next tick
    # already sends everything that fell due meanwhile.
    "catch_up": False,
    "save_limit": 250,
    "ack_failures": True,
    "label": "Scheduler",
}
if _redis_url:
    Q_CLUSTER["redis"] = _redis_url
    # Throttles (password reset) shared by every web worker; without Redis each process
    # keeps its own counts in memory.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
    }
else:
    Q_CLUSTER["orm"] = "default"
    # Seconds an idle pusher waits between two looks at the queue table: a tick starts at
    # most this late, and a stop waits at most this long for the pusher.
    Q_CLUSTER["poll"] = 1

# Mailbox sync (followups/mailbox, docs/mailbox.md) ----------------------------------------
# MAILBOX_KEY: Fernet keys for the stored IMAP passwords, comma-separated, newest first (the
# first encrypts, all decrypt, so a key can be rotated); empty = derived from SECRET_KEY.
MAILBOX_KEY = env_list("MAILBOX_KEY", [])
# A CA bundle to trust for a self-hosted IMAP server with a private certificate.
MAILBOX_CA_FILE = env_str("MAILBOX_CA_FILE")
MAILBOX_SYNC_MINUTES = env_int("MAILBOX_SYNC_MINUTES", 5, minimum=1)
MAILBOX_FIRST_SYNC_DAYS = env_int("MAILBOX_FIRST_SYNC_DAYS", 90, minimum=1)
# Messages read per sync run, so one huge mailbox cannot hold a worker past Q_CLUSTER's timeout.
MAILBOX_MAX_MESSAGES = env_int("MAILBOX_MAX_MESSAGES", 2000, minimum=1)

# API (followups/api, docs/api.md) ------------------------------------------------------
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/min").strip()
if not re.fullmatch(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", API_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"API_RATE_LIMIT={API_RATE_LIMIT!r} is not a rate; write e.g. 600/min, 20/s or 5000/day."
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "followups.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["followups.api.auth.TokenScopePermission"],
    "DEFAULT_PAGINATION_CLASS": "followups.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_THROTTLE_CLASSES": ["followups.api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_RATE_LIMIT},
    "EXCEPTION_HANDLER": "followups.api.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Follow-up CRM API",
    "DESCRIPTION": "Applications, contacts, interactions and the follow-ups the rules schedule.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FollowUpKindEnum": "followups.models.FollowUp.Kind",
        "InteractionKindEnum": "contacts.models.Interaction.Kind",
        "InteractionChannelEnum": "contacts.models.Interaction.Channel",
        "TemplateChannelEnum": "followups.models.ReplyTemplate.Channel",
    },
}
# Webhook URLs must resolve to public addresses; these host names (or IPs) are allowed
# anyway, e.g. a receiver on the same private network.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", [])

# Security ------------------------------------------------------------------------------
# Content-Security-Policy (django-csp): scripts only from our own static files, never
# inline, so a stored value can never run as script (issue 13, item 6). Inline style
# attributes stay allowed (layout widths in a few templates; no script can hide there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # Bootstrap's form controls draw data: SVG icons
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# /healthz tells anonymous visitors only ok/stale; its counts need this token.
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if _site.scheme == "https" and not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_feed_tokens": {"()": "crm.security.logs.RedactFeedTokens"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django_q": {"level": "WARNING"},
        # runserver's access log, as Django sets it up, without calendar tokens.
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_feed_tokens"],
        },
        # "Not Found: /calendar/…" warnings likewise.
        "django.request": {"filters": ["redact_feed_tokens"]},
    },
}
