"""The MCP tools over streamable HTTP at /api/mcp/, driven by the SDK's own HTTP client
against the live test server, with a personal token."""

from __future__ import annotations

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from followups.models import ApiToken, FollowUp
from tests.api.conftest import ApiClient
from tests.factories import make_contact, make_followup

pytestmark = pytest.mark.django_db(transaction=True)


async def over_http(url: str, token: str, calls: list[tuple[str, dict]]):
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        tools = await session.list_tools()
        results = [await session.call_tool(name, args) for name, args in calls]
    return sorted(tool.name for tool in tools.tools), results


# In the parallel group again: its failure there (seed 3999528921, "Error executing tool
# log_interaction") was tests/capture/test_migration.py leaving the test database at crm
# 0002 ("no such column: crm_company.updated_at"); that test now migrates back.
def test_an_http_client_with_a_token_asks_whats_due_and_logs_a_rejection(live_server, alice):
    make_followup(alice, contact=make_contact(alice), draft_subject="Checking in")
    _, raw = ApiToken.issue(alice, name="assistant")
    names, (due, logged) = anyio.run(
        over_http,
        f"{live_server.url}/api/mcp/",
        raw,
        [
            ("whats_due", {}),
            ("log_interaction", {"text": "Priya from Northwind rejected me today"}),
        ],
    )
    assert names == ["draft_for", "find", "log_interaction", "mark_sent", "snooze", "whats_due"]
    subjects = [
        f["draft_subject"] for g in due.structured_content["groups"] for f in g["followups"]
    ]
    assert "Checking in" in subjects
    assert logged.structured_content, logged.content  # the tool's error, if it failed
    [reply] = logged.structured_content["scheduled"]
    assert FollowUp.objects.get(pk=reply["id"], owner=alice).kind == "reply"


def test_a_read_only_token_gets_only_the_read_tools(live_server, alice):
    _, raw = ApiToken.issue(alice, name="reader", read_only=True)
    names, _ = anyio.run(over_http, f"{live_server.url}/api/mcp/", raw, [])
    assert names == ["draft_for", "find", "whats_due"]


def test_no_token_is_a_401(live_server, db):
    response = ApiClient(None).post("/api/mcp/", {"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
