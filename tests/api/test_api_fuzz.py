"""Schemathesis fuzzes every operation of the schema against the live test server: no
input a client can send makes the API answer 5xx, and every answer matches the schema's
content types. alice owns a few rows so the generated ids sometimes hit real ones."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from followups.models import ApiToken
from tests.factories import make_application, make_contact, make_followup, make_interaction

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def api_schema() -> dict:
    """The same schema /api/v1/schema/ serves (read here: the cases are made at import)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(api_schema())


@pytest.fixture
def alices_rows(alice):
    contact = make_contact(alice)
    make_application(alice)
    make_interaction(alice, contact=contact)
    make_followup(alice, contact=contact)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_makes_the_api_answer_5xx(case, live_server, alice, alices_rows):
    _, raw = ApiToken.issue(alice, name="fuzz")
    response = case.call_and_validate(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {raw}"},
        checks=[not_a_server_error],
    )
    # The token was accepted: the fuzzer reached the views, not only the login check.
    assert response.status_code != 401, response.text
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type == "application/problem+json", (
            response.status_code,
            response.request.url,
        )
