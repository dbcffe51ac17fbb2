"""Owner scoping over every path of the schema: bob gets 404 on alice's ids, whatever the
method, and never sees her rows in a list. The paths come from the OpenAPI schema, so a
new endpoint is crawled without anyone adding it here."""

from __future__ import annotations

import pytest
from django.utils import timezone

from contacts.models import Interaction
from followups.models import FollowUp, ReplyTemplate
from tests.api.conftest import ApiClient
from tests.factories import (
    make_application,
    make_company,
    make_contact,
    make_followup,
    make_interaction,
)

pytestmark = pytest.mark.django_db

METHODS = ("get", "put", "patch", "delete", "post")


@pytest.fixture
def alices_rows(alice) -> dict[str, int]:
    """One row of alice's per resource of the API, by the path segment that names it."""
    company = make_company(alice, name="Northwind Secret")
    application = make_application(alice, company=company, title="Secret Engineer")
    contact = make_contact(alice, first_name="Priya", last_name="Secret", company=company)
    interaction = make_interaction(alice, contact=contact, kind=Interaction.Kind.NOTE)
    followup = make_followup(alice, contact=contact, draft_subject="Secret subject")
    template = ReplyTemplate.objects.create(
        owner=alice, kind=FollowUp.Kind.REPLY, subject="Secret", body="Secret body"
    )
    return {
        "companies": company.pk,
        "applications": application.pk,
        "contacts": contact.pk,
        "interactions": interaction.pk,
        "followups": followup.pk,
        "templates": template.pk,
    }


def schema_paths(api: ApiClient) -> dict[str, dict]:
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()["paths"]


def test_bob_gets_404_for_every_method_on_every_path_with_alices_id(
    alices_rows, alice_api, bob_api
):
    crawled = []
    for path, operations in schema_paths(bob_api).items():
        if "{id}" not in path:
            continue
        resource = path.split("/")[3]
        assert resource in alices_rows, f"no row of alice's for {path}: add one to the fixture"
        url = path.replace("{id}", str(alices_rows[resource]))
        for method in METHODS:
            if method not in operations:
                continue
            response = bob_api.request(method, url, {})
            assert response.status_code == 404, (method, url, response.content)
            assert response["Content-Type"] == "application/problem+json"
            crawled.append((method, path))
        if "get" in operations:
            # The id is real: alice herself reads it.
            assert alice_api.get(url).status_code == 200, url
    # Every resource and every follow-up action was crawled.
    assert len({path for _, path in crawled}) >= 10
    assert ("post", "/api/v1/followups/{id}/mark-sent/") in crawled
    # Nothing bob tried changed alice's rows.
    followup = FollowUp.objects.get(pk=alices_rows["followups"])
    assert followup.status == FollowUp.Status.PENDING
    assert Interaction.objects.filter(pk=alices_rows["interactions"]).exists()


def test_no_list_bob_reads_shows_anything_of_alices(alices_rows, bob_api):
    listed = 0
    for path, operations in schema_paths(bob_api).items():
        if "{" in path or "get" not in operations:
            continue
        response = bob_api.get(path)
        assert response.status_code == 200, path
        assert b"Secret" not in response.content, path
        listed += 1
    assert listed >= 8  # six resources, the dashboard and the stats


def test_bob_cannot_link_his_rows_to_alices(alices_rows, bob, bob_api):
    response = bob_api.post(
        "/api/v1/interactions/",
        {
            "contact": alices_rows["contacts"],
            "direction": "inbound",
            "kind": "rejection",
            "occurred_at": timezone.now().isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "contact"
    assert not Interaction.objects.filter(owner=bob).exists()


def test_a_read_only_token_is_refused_every_write_of_the_schema(alices_rows, alice):
    from followups.models import ApiToken

    reader = ApiClient(ApiToken.issue(alice, name="reader", read_only=True)[1])
    refused = 0
    for path, operations in schema_paths(reader).items():
        resource = path.split("/")[3]
        url = path.replace("{id}", str(alices_rows.get(resource, 0)))
        for method in ("post", "put", "patch", "delete"):
            if method in operations:
                response = reader.request(method, url, {"name": "Changed"})
                assert response.status_code == 403, (method, url)
                refused += 1
    assert refused >= 15
    followup = FollowUp.objects.get(pk=alices_rows["followups"])
    assert followup.status == FollowUp.Status.PENDING
    assert alice.companies.get().name == "Northwind Secret"
