"""API fixtures: personal tokens for the shared cast and a JSON client that sends them."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from followups.models import ApiToken


class ApiClient:
    """Django's test client speaking JSON with a Bearer token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, data=None, *, raw: str | None = None, **headers):
        body = raw if raw is not None else (json.dumps(data) if data is not None else "")
        call = getattr(self.client, method.lower())
        kwargs = {"headers": {**self.headers, **headers}}
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
            kwargs |= {"data": body, "content_type": "application/json"}
        elif data:
            kwargs["data"] = data
        return call(path, **kwargs)

    def get(self, path: str, data=None, **headers):
        return self.request("GET", path, data, **headers)

    def post(self, path: str, data=None, **kwargs):
        return self.request("POST", path, data, **kwargs)

    def patch(self, path: str, data=None, **kwargs):
        return self.request("PATCH", path, data, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # The throttle counts in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice_token(alice) -> str:
    return ApiToken.issue(alice, name="alice's script")[1]


@pytest.fixture
def bob_token(bob) -> str:
    return ApiToken.issue(bob, name="bob's script")[1]


@pytest.fixture
def alice_api(alice_token) -> ApiClient:
    return ApiClient(alice_token)


@pytest.fixture
def bob_api(bob_token) -> ApiClient:
    return ApiClient(bob_token)
