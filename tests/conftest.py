"""The shared cast: alice owns data, bob is another user who must see none of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests.factories import PASSWORD, make_user
from tests.site_processes import run_python, site_env

# Property tests check what the code does, not how fast a loaded CI machine runs it:
# no per-example deadline, which otherwise fails at random under load.
hypothesis_settings.register_profile("followup-crm", deadline=None)
hypothesis_settings.load_profile("followup-crm")


# Tests that start browsers or other processes (and measure timings across them) share
# one xdist group: under `./bin/test` (-n auto --dist loadgroup) they run one at a time on
# one worker, beside the independent tests on the others, instead of competing with each
# other for the CPUs.
SERIAL_MARKS = {"browser", "slow"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERIAL_MARKS & {mark.name for mark in item.iter_markers()}:
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file made by `manage.py migrate`, once per test process. The tests that
    start servers and workers on a file of their own copy it (`migrated_sqlite`) instead of
    each running a migrate in a subprocess (5-15 s each on a loaded machine)."""
    folder = tmp_path_factory.mktemp("migrated-template")
    run_python(site_env(folder), "manage.py", "migrate", "--noinput", "-v0", timeout=300)
    return folder / "db.sqlite3"


@pytest.fixture
def migrated_sqlite(migrated_sqlite_template) -> Callable[[Path], Path]:
    """Copies the migrated file to the given path (what `migrate` would have made there)."""

    def copy(target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_sqlite_template, target)
        return target

    return copy


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def alice_client(client, alice):
    client.login(username="alice", password=PASSWORD)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.login(username="bob", password=PASSWORD)
    return client
