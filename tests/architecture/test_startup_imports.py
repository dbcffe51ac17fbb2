"""What every web worker loads: the URLconf does not import the MCP SDK (issue 19, aim 7).

mcp, pydantic, starlette and anyio cost ~27 MB of RSS in each gunicorn worker and time
on its first request; only the first MCP request needs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import sys
import crm.wsgi
from django.urls import resolve, reverse
resolve("/")
print(reverse("api:mcp"))
print(sorted(m for m in ("mcp", "pydantic", "starlette", "anyio") if m in sys.modules))
"""


def test_a_worker_that_loaded_every_url_has_not_imported_the_mcp_sdk(tmp_path):
    env = {**os.environ, "DEBUG": "1", "DATA_DIR": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "crm.settings"
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["/api/mcp/", "[]"]
