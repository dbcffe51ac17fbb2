"""Personal tokens: created by the command, stored hashed, scoped, revocable, expiring."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from followups.models import ApiToken
from tests.api.conftest import ApiClient
from tests.factories import make_company

pytestmark = pytest.mark.django_db


def create_token(*args: str) -> str:
    out = io.StringIO()
    call_command("create_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_create_token_prints_a_token_that_reads_the_users_companies(alice):
    make_company(alice, name="Northwind")
    raw = create_token("--user", "alice")
    response = ApiClient(raw).get("/api/v1/companies/")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["results"]] == ["Northwind"]


def test_the_token_is_stored_only_as_its_hash(alice):
    raw = create_token("--user", "alice")
    token = ApiToken.objects.get(owner=alice)
    assert raw.startswith("fcrm_") and len(raw) > 40
    assert raw not in token.token_hash and token.token_hash != raw
    assert not ApiToken.objects.filter(token_hash=raw).exists()


def test_create_token_for_an_unknown_user_says_so(db):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        create_token("--user", "nobody")


def test_a_read_only_token_reads_but_cannot_write(alice):
    api = ApiClient(create_token("--user", "alice", "--read-only"))
    assert api.get("/api/v1/companies/").status_code == 200
    response = api.post("/api/v1/companies/", {"name": "Contoso"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "This token is read-only."
    assert not alice.companies.exists()


def test_a_read_write_token_writes(alice, alice_api):
    response = alice_api.post("/api/v1/companies/", {"name": "Contoso"})
    assert response.status_code == 201
    assert alice.companies.get().name == "Contoso"


def test_no_token_answers_401_with_a_bearer_challenge(db):
    response = ApiClient(None).get("/api/v1/companies/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_refused(db):
    response = ApiClient("fcrm_not-a-real-token").get("/api/v1/companies/")
    assert response.status_code == 401
    assert response.json()["title"] == "Not authenticated"


def test_a_revoked_token_is_refused(alice):
    token, raw = ApiToken.issue(alice, name="old")
    assert ApiClient(raw).get("/api/v1/companies/").status_code == 200
    token.revoke()
    assert ApiClient(raw).get("/api/v1/companies/").status_code == 401


def test_an_expired_token_is_refused(alice):
    now = timezone.now()
    _, raw = ApiToken.issue(alice, name="short", expires_at=now + timedelta(days=1))
    assert ApiClient(raw).get("/api/v1/companies/").status_code == 200
    with time_machine.travel(now + timedelta(days=1, seconds=1)):
        assert ApiClient(raw).get("/api/v1/companies/").status_code == 401


def test_using_a_token_records_when_it_was_last_used(alice):
    token, raw = ApiToken.issue(alice, name="script")
    assert token.last_used_at is None
    ApiClient(raw).get("/api/v1/companies/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_create_token_days_sets_an_expiry(alice):
    create_token("--user", "alice", "--days", "30")
    token = ApiToken.objects.get(owner=alice)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_the_browser_session_reads_the_api_too(alice_client):
    response = alice_client.get("/api/v1/companies/", headers={"Accept": "application/json"})
    assert response.status_code == 200


def test_an_unknown_api_address_is_a_problem_details_404(alice_api):
    response = alice_api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
