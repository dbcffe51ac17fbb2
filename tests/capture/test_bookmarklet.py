"""The bookmarklet's endpoint: a cross-site POST authenticated by the user's secret
token, kept as a single-use draft, reviewed as a pre-filled form behind the login."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from crm.capture.bookmarklet import token_for
from crm.models import CaptureDraft, JobApplication
from tests.factories import make_application

pytestmark = pytest.mark.django_db

JSON_LD = json.dumps(
    {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": "Frontend Engineer",
        "hiringOrganization": {"@type": "Organization", "name": "Vandelay Industries"},
        "validThrough": "2026-05-01",
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "GBP",
            "value": {"@type": "QuantitativeValue", "minValue": 55000, "maxValue": 65000},
        },
        "description": "<p>Import/export dashboards.</p>",
    }
)


def sent(token: str, **fields) -> dict:
    data = {
        "token": token,
        "url": "https://careers.vandelay.example/jobs/42",
        "title": "Frontend Engineer | Vandelay",
        "jsonld": json.dumps([JSON_LD]),
        "meta": json.dumps({}),
        "selection": "",
    }
    data.update(fields)
    return data


def post_from_another_site(data: dict):
    """A browser on the posting's site: no session cookie, no CSRF token."""
    return Client(enforce_csrf_checks=True).post(reverse("crm:capture-bookmarklet"), data)


def test_the_applications_page_offers_the_bookmarklet_with_the_users_token(alice, alice_client):
    page = alice_client.get(reverse("crm:application-board")).content.decode()

    assert "Save to Follow-up CRM" in page
    assert 'href="javascript:' in page
    assert token_for(alice).token in page
    assert "http://testserver/applications/capture/bookmarklet/" in page


def test_a_post_with_the_token_opens_the_pre_filled_form_after_login(alice, alice_client):
    response = post_from_another_site(sent(token_for(alice).token))

    assert response.status_code == 302
    review = alice_client.get(response.url)
    form = review.context["form"]
    assert form["company_name"].value() == "Vandelay Industries"
    assert form["title"].value() == "Frontend Engineer"
    assert (form["salary_min"].value(), form["salary_max"].value()) == (55000, 65000)
    assert form["salary_currency"].value() == "GBP"
    assert form["closing_date"].value() == "2026-05-01"
    assert form["posting_url"].value() == "https://careers.vandelay.example/jobs/42"
    assert not JobApplication.objects.exists()


def test_the_draft_is_single_use(alice, alice_client):
    response = post_from_another_site(sent(token_for(alice).token))

    assert alice_client.get(response.url).status_code == 200
    assert alice_client.get(response.url).status_code == 404


def test_without_the_token_nothing_is_kept(alice):
    for token in ("", "x" * 40, token_for(alice).token[:-1] + "?"):
        response = post_from_another_site(sent(token))
        assert response.status_code == 403
        assert "bookmarklet is out of date" in response.content.decode()
    assert not CaptureDraft.objects.exists()


def test_a_new_token_stops_the_old_bookmarklet(alice, alice_client):
    old = token_for(alice).token

    alice_client.post(reverse("crm:capture-new-token"))

    assert post_from_another_site(sent(old)).status_code == 403
    assert post_from_another_site(sent(token_for(alice).token)).status_code == 302


def test_another_users_draft_is_a_404(alice, bob_client):
    response = post_from_another_site(sent(token_for(alice).token))

    assert bob_client.get(response.url).status_code == 404
    assert CaptureDraft.objects.filter(owner=alice).exists()


def test_bobs_session_with_alices_bookmarklet_is_refused(alice, bob_client):
    response = bob_client.post(reverse("crm:capture-bookmarklet"), sent(token_for(alice).token))

    assert response.status_code == 403
    assert not CaptureDraft.objects.exists()


def test_a_page_without_json_ld_uses_its_opengraph_tags_and_the_selection(alice, alice_client):
    data = sent(
        token_for(alice).token,
        jsonld="[]",
        title="Careers",
        meta=json.dumps({"og:title": "Support Lead", "og:site_name": "Kramerica"}),
        selection="Lead a team of five. Closing soon.",
    )

    form = alice_client.get(post_from_another_site(data).url).context["form"]

    assert (form["title"].value(), form["company_name"].value()) == ("Support Lead", "Kramerica")
    assert form["description"].value() == "Lead a team of five. Closing soon."


def test_garbage_from_the_page_still_gives_a_form(alice, alice_client):
    data = sent(token_for(alice).token, jsonld="{not json", meta="[1,2", title="<b>x</b>" * 1000)

    response = alice_client.get(post_from_another_site(data).url)

    assert response.status_code == 200


def test_capturing_a_saved_posting_again_opens_it(alice, alice_client):
    application = make_application(alice, posting_url="https://careers.vandelay.example/jobs/42")

    response = alice_client.get(post_from_another_site(sent(token_for(alice).token)).url)

    assert response.status_code == 302
    assert response.url == reverse("crm:application-detail", args=[application.pk])


def test_text_selected_beside_a_described_posting_goes_to_the_notes(alice, alice_client):
    data = sent(token_for(alice).token, selection="Referral: ask Jerry")

    form = alice_client.get(post_from_another_site(data).url).context["form"]

    assert form["description"].value() == "Import/export dashboards."
    assert form["notes"].value() == "Selected on the page:\nReferral: ask Jerry"
