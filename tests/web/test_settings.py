"""Settings come from the environment and refuse values they cannot read."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from crm import settings as crm_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled"])
def test_a_boolean_that_is_not_one_says_which_values_work(monkeypatch, raw):
    monkeypatch.setenv("DEBUG", raw)
    with pytest.raises(ImproperlyConfigured, match="DEBUG=.* is not a boolean"):
        crm_settings.env_bool("DEBUG", True)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), ("Yes", True)])
def test_booleans_are_read_in_their_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("EMAIL_USE_TLS", raw)
    assert crm_settings.env_bool("EMAIL_USE_TLS", not expected) is expected


def test_a_port_that_is_not_a_number_is_refused(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(
        ImproperlyConfigured, match="EMAIL_PORT='twenty-five' is not a whole number"
    ):
        crm_settings.env_int("EMAIL_PORT", 25, minimum=1)


def test_a_port_below_the_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "0")
    with pytest.raises(ImproperlyConfigured, match="must be at least 1"):
        crm_settings.env_int("EMAIL_PORT", 25, minimum=1)


def test_a_database_url_with_an_unknown_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mongodb://localhost/crm")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL=.* is not a URL starting with"):
        crm_settings.env_url("DATABASE_URL", "", schemes=("sqlite", "postgres"))


def test_lists_are_split_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "crm.example.com, www.example.com ,")
    assert crm_settings.env_list("ALLOWED_HOSTS", []) == ["crm.example.com", "www.example.com"]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # A fresh process as an operator would start it: none of the test run's own variables
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which the deploy check rejects).
    ours = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DATA_DIR": "/tmp/fcrm-settings-test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_a_secret_key_fails_the_deployment_check():
    result = _manage("check", "--deploy", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_deployment_check_is_clean_with_https_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 10 + "Zq8#pL2@vX9!mR4$tY7&wB1^nC6*jH3(fD5)gS0-aE",
        SITE_URL="https://crm.example.com",
        ALLOWED_HOSTS="crm.example.com",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_email_host_switches_mail_to_smtp():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        EMAIL_HOST="127.0.0.1",
        DEBUG="1",
    )
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"


def test_redis_url_switches_the_scheduler_to_the_redis_broker():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; q = s.Q_CLUSTER; "
        "print(q.get('redis'), q.get('orm'))",
        REDIS_URL="redis://127.0.0.1:6379/3",
        DEBUG="1",
    )
    assert result.stdout.strip() == "redis://127.0.0.1:6379/3 None"


IMPORT_WITHOUT_FOLDERS = """
import os, pathlib
def refuse(*args, **kwargs):
    raise SystemExit(f"a folder was made: {args[0]}")
pathlib.Path.mkdir = refuse
os.mkdir = os.makedirs = refuse
import crm.settings
print("imported")
"""


def test_importing_the_settings_makes_no_folder(tmp_path):
    missing = tmp_path / "not-yet"
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_WITHOUT_FOLDERS],
        cwd=ROOT,
        env={**os.environ, "DATA_DIR": str(missing), "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "imported", result.stderr
    assert not missing.exists()


def test_migrate_makes_the_folder_of_the_sqlite_file(tmp_path):
    data = tmp_path / "fresh" / "data"
    result = _manage("migrate", "--noinput", "-v0", DATA_DIR=str(data), DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert (data / "db.sqlite3").is_file()


def test_production_settings_are_the_same_under_a_test_runner():
    # The suite's fast hasher lives in tests/settings.py; importing pytest first must not
    # switch crm.settings to it.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pytest, crm.settings as s; print(getattr(s, 'PASSWORD_HASHERS', 'default'))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "default", result.stderr


def test_a_deprecation_warning_fails_the_test_run():
    # pyproject's filterwarnings: our own deprecated calls must be fixed, not scroll past.
    with pytest.raises(DeprecationWarning, match="old call"):
        warnings.warn("old call", DeprecationWarning, stacklevel=1)
