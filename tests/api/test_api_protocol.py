"""What every endpoint does alike: problem details for bad input (never a 500), page
sizes with a ceiling, ETags on lists, and a rate limit per token."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.settings import api_settings

from crm.models import Company
from followups.models import ApiToken
from tests.api.conftest import ApiClient
from tests.factories import make_company, make_contact

pytestmark = pytest.mark.django_db


def test_bad_json_is_a_400_problem(alice, alice_api):
    response = alice_api.post("/api/v1/companies/", raw='{"name": "Northwind",')
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] == "Invalid request"
    assert "JSON" in problem["detail"]
    assert not Company.objects.exists()


def test_a_json_body_that_is_not_an_object_is_a_400(alice_api):
    response = alice_api.post("/api/v1/companies/", raw="[1, 2]")
    assert response.status_code == 400


def test_wrong_types_answer_400_with_each_field_named(alice, alice_api):
    response = alice_api.post(
        "/api/v1/interactions/",
        {"direction": "sideways", "occurred_at": 12, "contact": "x", "requests_feedback": []},
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"direction", "occurred_at", "contact", "requests_feedback"} <= fields


def test_a_date_in_the_year_9999_is_a_field_error_not_a_crash(alice, alice_api):
    contact = make_contact(alice)
    response = alice_api.post(
        "/api/v1/interactions/",
        {
            "contact": contact.pk,
            "direction": "inbound",
            "kind": "rejection",
            "occurred_at": "9999-12-31T23:59:59Z",
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "occurred_at"


def test_a_duplicate_company_name_is_a_field_error(alice, alice_api):
    make_company(alice, name="Northwind")
    response = alice_api.post("/api/v1/companies/", {"name": "northwind"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "name", "message": "You already have a company with this name."}
    ]


def test_a_bad_filter_value_is_a_field_error(alice_api):
    response = alice_api.get("/api/v1/followups/", {"due_before": "soon", "contact": "1.5"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"due_before", "contact"}


def test_pages_have_a_maximum_size(alice, alice_api):
    Company.objects.bulk_create(Company(owner=alice, name=f"Company {n}") for n in range(205))
    response = alice_api.get("/api/v1/companies/", {"page_size": 1000})
    body = response.json()
    assert body["count"] == 205
    assert len(body["results"]) == 200
    assert body["next"].endswith("page=2&page_size=1000")


def test_a_page_past_the_end_is_a_404_problem(alice_api):
    response = alice_api.get("/api/v1/companies/", {"page": 99})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_list_answers_304_while_nothing_changed(alice, alice_api):
    make_company(alice, name="Northwind")
    first = alice_api.get("/api/v1/companies/")
    etag = first["ETag"]
    again = alice_api.get("/api/v1/companies/", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    make_company(alice, name="Contoso")
    changed = alice_api.get("/api/v1/companies/", **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_rate_limit_answers_429_with_retry_after(alice):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api": "3/min"}
    _, raw = ApiToken.issue(alice, name="busy")
    _, other = ApiToken.issue(alice, name="quiet")
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        api = ApiClient(raw)
        codes = [api.get("/api/v1/companies/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = api.get("/api/v1/companies/")
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 60
        assert response["Content-Type"] == "application/problem+json"
        # The limit is per token: another token of hers still gets through.
        assert ApiClient(other).get("/api/v1/companies/").status_code == 200


def _rest_framework() -> dict:
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_times_are_answered_in_utc_iso_8601(alice, alice_api):
    make_company(alice, name="Northwind")
    created = alice_api.get("/api/v1/companies/").json()["results"][0]["created_at"]
    assert created.endswith("Z")
    assert abs((timezone.datetime.fromisoformat(created) - timezone.now()).total_seconds()) < 60


def test_a_rate_limit_setting_that_is_not_a_rate_stops_the_server_with_its_name():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env={**env, "API_RATE_LIMIT": "lots"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "API_RATE_LIMIT='lots' is not a rate" in result.stderr


def test_an_application_applied_in_the_year_9999_is_a_field_error_not_a_crash(alice, alice_api):
    company = make_company(alice)
    response = alice_api.post(
        "/api/v1/applications/",
        {"company": company.pk, "title": "Engineer", "applied_on": "9999-12-31"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "applied_on"
    assert not alice.applications.exists()


@pytest.mark.parametrize("edge", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+12:00"])
def test_a_filter_time_past_the_calendar_in_utc_is_a_field_error(alice_api, edge):
    response = alice_api.get("/api/v1/followups/", {"due_before": edge})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "due_before"


def test_a_filter_time_with_an_offset_postgresql_refuses_is_read_in_utc(alice, alice_api):
    # Found by the fuzzer on PostgreSQL, which allows offsets up to ±15:59 only.
    response = alice_api.get(
        "/api/v1/interactions/", {"occurred_after": "2026-08-22T21:05:26+22:23"}
    )
    assert response.status_code == 200
