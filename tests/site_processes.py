"""A real site for the multi-process tests: runserver and qcluster on a SQLite file of
their own, a signed-in HTTP client, another user who keeps saving while a worker job
runs, and the job page watched until it finishes.

Used by the tests that prove a job in the worker (a restore, a big import) leaves the
site answering: tests/export/test_restore_worker_processes.py and
tests/imports/test_import_*_processes.py.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def site_env(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of a development site whose data folder and SQLite file are in
    `folder`, with no production secret and no Redis; `settings` add to it."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "REDIS_URL")}
    env |= {
        "DEBUG": "1",
        "DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        **settings,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def run_python(env: dict[str, str], *args: str, timeout: int = 600) -> None:
    """Runs `python *args` in the project folder and fails the test with its stderr."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def web_and_worker(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """runserver and qcluster on `env`'s site, logging to folder/web.log and worker.log;
    yields the site's address once it answers, and stops both with SIGTERM after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    commands = {
        "web": ["manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": ["manage.py", "qcluster"],
    }
    logs = {name: open(folder / f"{name}.log", "w") for name in commands}  # noqa: SIM115
    processes = [
        subprocess.Popen(
            [sys.executable, *command],
            cwd=ROOT,
            env=env,
            stdout=logs[name],
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for name, command in commands.items()
    ]
    try:
        for _ in range(600):
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs.values():
            log.close()


def signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 302, response.text[:500]
    return client


def state_of(page: str) -> str:
    match = re.search(r'data-state="(\w+)"', page)
    assert match, page[:2000]
    return match.group(1)


@dataclass
class Request:
    started: float  # time.monotonic()
    seconds: float
    status: int


@dataclass
class AnotherUser:
    """Records an application (a write, and the rules schedule its check) again and
    again in a thread, and with `open_dashboard` opens the dashboard after each."""

    client: httpx.Client
    open_dashboard: bool = False
    requests: list[Request] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _timed(self, send) -> None:
        start = time.monotonic()
        status = send().status_code
        self.requests.append(Request(start, time.monotonic() - start, status))

    def _work(self) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            data = {
                "csrfmiddlewaretoken": self.client.cookies["csrftoken"],
                "title": f"Role {n}",
                "company_name": f"Company {n}",
                "status": "applied",
                "applied_on": "2026-11-20",
            }
            self._timed(lambda data=data: self.client.post("/applications/new/", data=data))
            if self.open_dashboard:
                self._timed(lambda: self.client.get("/"))

    @contextmanager
    def working(self) -> Iterator[AnotherUser]:
        thread = threading.Thread(target=self._work)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()

    def between(self, first: float, last: float) -> list[Request]:
        return [r for r in self.requests if first <= r.started <= last]


@dataclass
class JobWatch:
    state: str
    page: str  # the job page once it finished
    elapsed: float
    writing: list[tuple[float, int | None]]  # (when, rows done if the page says) while writing


def watch_job(client: httpx.Client, job_page: str, *, limit: float = 400) -> JobWatch:
    """Polls a job page until the job is done or failed (or `limit` seconds)."""
    writing: list[tuple[float, int | None]] = []
    state, started = "queued", time.monotonic()
    while state not in ("done", "failed") and time.monotonic() - started < limit:
        page = client.get(job_page).text
        state = state_of(page)
        if state == "writing":
            done = re.search(r"([\d,]+) of [\d,]+ rows", page)
            writing.append(
                (time.monotonic(), int(done.group(1).replace(",", "")) if done else None)
            )
        time.sleep(0.3)
    page = client.get(job_page).text
    return JobWatch(state, page, time.monotonic() - started, writing)
