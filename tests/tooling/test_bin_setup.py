"""bin/setup on a warm install: `./bin/run` after `./bin/test` starts without pip."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _project(tmp_path: Path, stamp_suffix: str) -> Path:
    (tmp_path / "bin").mkdir()
    shutil.copy(ROOT / "bin" / "setup", tmp_path / "bin" / "setup")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    # A stand-in interpreter that records being asked to run pip.
    python.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "pip-calls"}\n')
    python.chmod(0o755)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    (tmp_path / ".venv" / f".installed-{digest}{stamp_suffix}").touch()
    return tmp_path


def _setup(project: Path, *args: str) -> list[str]:
    done = subprocess.run(
        ["bash", "bin/setup", *args], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    calls = project / "pip-calls"
    return calls.read_text().splitlines() if calls.exists() else []


def test_after_the_test_tools_were_installed_the_runtime_setup_runs_no_pip(tmp_path):
    assert _setup(_project(tmp_path, "-dev")) == []


def test_a_runtime_install_does_not_stand_in_for_the_test_tools(tmp_path):
    calls = _setup(_project(tmp_path, ""), "dev")
    assert any("install" in call and ".[dev]" in call for call in calls), calls
