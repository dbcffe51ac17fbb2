"""Without a token or a session the API answers 401 on every path and method of its
schema (a script is not redirected to the login page); only the schema and its
documentation page are open, and they hold no one's data."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

OPEN = {"/api/v1/schema/", "/api/v1/docs/"}


def test_every_path_of_the_schema_answers_401_without_credentials(alice):
    anonymous = ApiClient(None)
    paths = anonymous.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    checked = 0
    for path, operations in paths.items():
        url = path.replace("{id}", "1")
        for method in ("get", "post", "put", "patch", "delete"):
            if method in operations:
                response = anonymous.request(method, url, {})
                assert response.status_code == 401, (method, url)
                assert response["Content-Type"] == "application/problem+json"
                checked += 1
    assert checked >= 30
    assert anonymous.get("/api/v1/").status_code == 401


def test_only_the_schema_and_its_page_are_open(db):
    anonymous = ApiClient(None)
    for url in OPEN:
        assert anonymous.get(url).status_code == 200, url
