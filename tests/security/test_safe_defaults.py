"""Production is the default (issue 13, item 5): DEBUG off unless set, no published
secret key, and no connection password on the debug page."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
OLD_PUBLISHED_KEY = "dev-only-insecure-key-do-not-use-in-production-5c1f0e7a9b"


def _python(code: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """A fresh process as an operator starts it: none of the test run's variables."""
    ours = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    clean["DJANGO_SETTINGS_MODULE"] = "crm.settings"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_is_off_unless_it_is_set(tmp_path):
    result = _python(
        "from django.conf import settings; print(settings.DEBUG)",
        tmp_path,
        SECRET_KEY="a-real-secret-key-for-this-test-0123456789",
    )
    assert result.stdout.strip() == "False", result.stderr


def test_without_debug_and_without_a_secret_key_it_refuses_to_start(tmp_path):
    # gunicorn and runserver load crm/wsgi.py; commands run the system check crm.E001.
    result = _python("import crm.wsgi; print('started')", tmp_path)
    assert result.returncode != 0 and "started" not in result.stdout
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_development_makes_its_own_random_key_once_in_the_data_folder(tmp_path):
    show = "from django.conf import settings; print(settings.SECRET_KEY)"
    # migrate makes the data folder (bin/run runs it first); importing settings makes none.
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = _python(show, tmp_path / "one", DEBUG="1").stdout.strip()
    again = _python(show, tmp_path / "one", DEBUG="1").stdout.strip()
    other = _python(show, tmp_path / "two", DEBUG="1").stdout.strip()
    assert len(first) >= 50 and first == again != other
    assert OLD_PUBLISHED_KEY not in (first, other)
    key_file = tmp_path / "one" / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_debug_page_shows_no_connection_password(tmp_path):
    code = (
        "import sys; from django.test import RequestFactory; "
        "from django.views.debug import technical_500_response\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    page = technical_500_response(RequestFactory().get('/'), *sys.exc_info())\n"
        "print(page.content.decode())"
    )
    result = _python(
        code,
        tmp_path,
        DEBUG="1",
        DATABASE_URL="postgres://crm:hunter2-db@127.0.0.1:5432/crm",
        REDIS_URL="redis://:hunter2-redis@127.0.0.1:6379/0",
        EMAIL_HOST_PASSWORD="hunter2-mail",
    )
    assert result.returncode == 0, result.stderr
    page = result.stdout
    assert "ZeroDivisionError" in page and "Q_CLUSTER" in page
    assert "hunter2" not in page


def test_the_redis_url_still_reaches_the_broker_unchanged(tmp_path):
    result = _python(
        "from django.conf import settings; print(str(settings.Q_CLUSTER['redis']))",
        tmp_path,
        DEBUG="1",
        REDIS_URL="redis://:pw@127.0.0.1:6379/13",
    )
    assert result.stdout.strip() == "redis://:pw@127.0.0.1:6379/13", result.stderr


def test_bin_run_and_the_procfile_ask_for_development_mode_explicitly():
    assert 'export DEBUG="${DEBUG:-1}"' in (ROOT / "bin" / "run").read_text()
    for line in (ROOT / "Procfile.dev").read_text().splitlines():
        assert "DEBUG=${DEBUG:-1} " in line, line


def test_without_a_key_the_settings_still_import_for_a_script_or_a_test_runner(tmp_path):
    result = _python(
        "from django.conf import settings; print(settings.SECRET_KEY_MISSING)", tmp_path
    )
    assert result.stdout.strip() == "True", result.stderr


@pytest.mark.django_db
def test_a_sign_in_without_a_request_is_not_refused_by_the_lockout(client, settings):
    # client.login() and scripts call authenticate() with no request: no address to lock.
    settings.AXES_ENABLED = True
    make_user("sam")
    assert client.login(username="sam", password=PASSWORD)
    assert not client.login(username="sam", password="wrong")
