"""The API access page: a token is created and shown once, listed by name, revoked."""

from __future__ import annotations

import re

import pytest

from followups.models import ApiToken, Webhook
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_preferences_link_to_the_api_access_page(alice_client):
    assert "/preferences/api/" in alice_client.get("/preferences/").content.decode()


def test_a_token_created_on_the_page_is_shown_once_and_works(alice, alice_client):
    response = alice_client.post(
        "/preferences/api/", {"token-name": "cron script", "token-read_only": "on"}
    )
    page = response.content.decode()
    raw = re.search(r'id="new-token">(fcrm_[\w-]+)<', page)[1]
    token = ApiToken.objects.get(owner=alice)
    assert token.name == "cron script" and token.read_only
    assert ApiClient(raw).get("/api/v1/companies/").status_code == 200
    again = alice_client.get("/preferences/api/").content.decode()
    assert raw not in again
    assert "cron script" in again and f"fcrm_{token.hint}" in again


def test_a_revoked_token_stops_working_and_shows_as_revoked(alice, alice_client):
    token, raw = ApiToken.issue(alice, name="old laptop")
    response = alice_client.post(f"/preferences/api/tokens/{token.pk}/revoke/", follow=True)
    assert "Revoked" in response.content.decode()
    assert ApiClient(raw).get("/api/v1/companies/").status_code == 401


def test_bob_cannot_revoke_alices_token_or_remove_her_webhook(alice, bob_client):
    token, raw = ApiToken.issue(alice, name="alice's")
    hook = Webhook.objects.create(owner=alice, url="https://example.com/", events=["followup.due"])
    assert bob_client.post(f"/preferences/api/tokens/{token.pk}/revoke/").status_code == 404
    assert bob_client.post(f"/preferences/api/webhooks/{hook.pk}/delete/").status_code == 404
    assert ApiClient(raw).get("/api/v1/companies/").status_code == 200
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_the_page_lists_only_my_tokens(alice, bob, alice_client):
    ApiToken.issue(bob, name="bob's secret token")
    assert "bob's secret token" not in alice_client.get("/preferences/api/").content.decode()


def test_a_token_without_a_name_is_a_form_error(alice, alice_client):
    response = alice_client.post("/preferences/api/", {"token-name": ""})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert "This field is required" in response.content.decode()


def test_the_page_needs_a_login(client):
    response = client.get("/preferences/api/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
