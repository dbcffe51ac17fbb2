"""The MCP server driven by the `mcp` SDK's own client over stdio, as an assistant would:
`python manage.py mcp --user alice` in a subprocess, on its own SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

BASE_DIR = Path(__file__).resolve().parents[2]

SEED = """
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from tests.factories import make_contact, make_followup, make_user
alice = make_user("alice", time_zone="Europe/Berlin")
bob = make_user("bob")
contact = make_contact(alice, first_name="Dana", last_name="Reyes")
make_followup(alice, contact=contact, kind="custom", due_at=timezone.now() - timedelta(days=2),
              draft_subject="Checking in", draft_body="Hi Dana, just checking in.")
make_followup(bob, kind="custom", due_at=timezone.now(), draft_subject="Bob's secret")
"""


@pytest.fixture
def database(tmp_path, migrated_sqlite) -> dict[str, str]:
    path = tmp_path / "mcp.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DATABASE_URL": f"sqlite:///{path}",
        "LOG_LEVEL": "ERROR",
        "DEBUG": "1",
        "DATA_DIR": str(tmp_path),
    }
    migrated_sqlite(path)  # as `manage.py migrate` leaves it
    done = subprocess.run(
        [sys.executable, "-c", SEED], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {"env": env, "path": str(path)}


def rows(path: str, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


async def session_calls(env: dict[str, str], calls: list[tuple[str, dict]]):
    params = StdioServerParameters(
        command=sys.executable,
        args=["manage.py", "mcp", "--user", "alice"],
        env={
            k: v
            for k, v in env.items()
            if k
            in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "LOG_LEVEL", "PATH", "DEBUG", "DATA_DIR")
        },
        cwd=str(BASE_DIR),
    )
    with open(os.devnull, "w") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            tools = await session.list_tools()
            results = [await session.call_tool(name, args) for name, args in calls]
    return [tool.name for tool in tools.tools], results


def payload(result) -> dict:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        return result.structured_content
    return json.loads(result.content[0].text)


def test_an_assistant_lists_the_tools_asks_whats_due_and_logs_a_rejection(database):
    names, (due, logged, due_after) = anyio.run(
        session_calls,
        database["env"],
        [
            ("whats_due", {}),
            ("log_interaction", {"text": "Priya from Northwind rejected me today"}),
            ("whats_due", {}),
        ],
    )
    assert {"whats_due", "log_interaction", "mark_sent", "snooze", "draft_for", "find"} <= set(
        names
    )

    overdue = next(g for g in payload(due)["groups"] if g["key"] == "overdue")
    assert [f["draft_subject"] for f in overdue["followups"]] == ["Checking in"]
    assert "Bob's secret" not in json.dumps(payload(due))

    answer = payload(logged)
    assert answer["logged"]["kind"] == "rejection"
    assert answer["logged"]["contact"] == "Priya"
    [reply] = answer["scheduled"]
    assert reply["kind"] == "reply" and reply["draft_body"].startswith("Hi Priya")

    # The database holds what the tool said: the interaction, its reply, the company.
    interactions = rows(
        database["path"],
        "SELECT i.kind, i.direction, c.first_name, co.name FROM contacts_interaction i "
        "JOIN contacts_contact c ON c.id = i.contact_id "
        "LEFT JOIN crm_company co ON co.id = c.company_id "
        "JOIN auth_user u ON u.id = i.owner_id WHERE u.username = 'alice'",
    )
    assert interactions == [("rejection", "inbound", "Priya", "Northwind")]
    replies = rows(
        database["path"],
        "SELECT f.id, f.status FROM followups_followup f WHERE f.kind = 'reply'",
    )
    assert replies == [(reply["id"], "pending")]
    # …and the next whats_due shows the reply as due within the week.
    due_ids = [f["id"] for g in payload(due_after)["groups"] for f in g["followups"]]
    assert reply["id"] in due_ids


def test_mark_sent_draft_for_snooze_and_find_act_on_alices_follow_ups_only(database):
    [(alice_followup,)] = rows(
        database["path"],
        "SELECT f.id FROM followups_followup f JOIN auth_user u ON u.id = f.owner_id "
        "WHERE u.username = 'alice'",
    )
    [(bob_followup,)] = rows(
        database["path"],
        "SELECT f.id FROM followups_followup f JOIN auth_user u ON u.id = f.owner_id "
        "WHERE u.username = 'bob'",
    )
    _, (draft, found, snoozed, bobs, sent) = anyio.run(
        session_calls,
        database["env"],
        [
            ("draft_for", {"followup_id": alice_followup}),
            ("find", {"query": "Dana"}),
            ("snooze", {"followup_id": alice_followup, "days": 2}),
            ("mark_sent", {"followup_id": bob_followup}),
            ("mark_sent", {"followup_id": alice_followup}),
        ],
    )
    assert payload(draft)["body"] == "Hi Dana, just checking in."
    assert isinstance(payload(draft)["findings"], list)
    assert [c["name"] for c in payload(found)["contacts"]] == ["Dana Reyes"]
    assert payload(snoozed)["snoozed_until"]
    assert bobs.is_error and f"no follow-up #{bob_followup}" in bobs.content[0].text
    assert payload(sent)["followup"]["status"] == "done"
    assert rows(
        database["path"], f"SELECT status FROM followups_followup WHERE id = {bob_followup}"
    ) == [("pending",)]
