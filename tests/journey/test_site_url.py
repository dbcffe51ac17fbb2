"""Item 8 of issue 12: in development the links use the address the server started on;
bin/run honours PORT (and tells the scheduler worker the same address)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm import settings as crm_settings
from tests.web.test_settings import _manage

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["manage.py", "runserver", "8123"], {}, "http://127.0.0.1:8123"),
        (["manage.py", "runserver", "0.0.0.0:8124"], {}, "http://127.0.0.1:8124"),
        (["manage.py", "runserver", "localhost:8125", "--noreload"], {}, "http://localhost:8125"),
        (["manage.py", "runserver"], {"PORT": "8126"}, "http://127.0.0.1:8126"),
        (["manage.py", "qcluster"], {"PORT": "8127"}, "http://127.0.0.1:8127"),
        (["manage.py", "qcluster"], {}, "http://127.0.0.1:8000"),
    ],
)
def test_the_development_site_url_is_the_address_the_server_started_on(argv, environ, expected):
    assert crm_settings.development_site_url(argv, environ) == expected


def test_a_server_started_on_another_port_links_to_that_port():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
        PORT="8123",
        DEBUG="1",
    )
    assert result.stdout.strip() == "http://127.0.0.1:8123", result.stderr


def test_site_url_from_the_environment_still_wins():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
        PORT="8123",
        SITE_URL="https://crm.example.com",
        DEBUG="1",
    )
    assert result.stdout.strip() == "https://crm.example.com"


def test_bin_run_starts_the_web_server_on_port_and_gives_the_worker_the_same_address():
    script = (ROOT / "bin" / "run").read_text()
    procfile = (ROOT / "Procfile.dev").read_text()
    assert 'export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"' in script
    assert '-p "$PORT"' in script  # honcho would otherwise hand the web server port 5000
    assert "runserver 127.0.0.1:${PORT:-8000}" in procfile
