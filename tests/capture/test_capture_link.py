"""Capture from a link: paste it, confirm the pre-filled form, find it again later."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from crm.models import JobApplication
from tests.factories import make_application

pytestmark = pytest.mark.django_db


def capture(client, url: str):
    return client.post(reverse("crm:capture"), {"url": url})


def form_values(response) -> dict:
    form = response.context["form"]
    return {name: form[name].value() for name in form.fields}


def confirm(client, response, **changes):
    """Submits the pre-filled form as the user would, with `changes` typed in."""
    data = {k: v for k, v in form_values(response).items() if v not in (None, [], False)}
    data.update(changes)
    return client.post(reverse("crm:application-create"), data)


def test_the_capture_field_is_on_the_applications_pages_and_in_the_navigation(alice_client):
    for name in ("crm:application-board", "crm:application-list"):
        page = alice_client.get(reverse(name)).content.decode()
        assert 'id="capture-url"' in page
        assert "Save to Follow-up CRM" in page
    dashboard = alice_client.get(reverse("home")).content.decode()
    assert 'id="nav-capture-url"' in dashboard
    assert f'action="{reverse("crm:capture")}"' in dashboard


def test_a_json_ld_posting_becomes_a_pre_filled_wishlist_form(
    alice_client, capture_settings, posting_server
):
    response = capture(alice_client, f"{posting_server.base}/jobs/backend?utm_source=feed#apply")

    values = form_values(response)
    assert response.templates[0].name == "crm/capture/review.html"
    assert values["company_name"] == "Acme Robotics"
    assert values["title"] == "Senior Backend Engineer"
    assert values["status"] == "wishlist"
    assert values["location"] == "Berlin, BE, DE"
    assert values["remote"] == "onsite"
    assert values["employment_type"] == "FULL_TIME"
    assert (values["salary_min"], values["salary_max"]) == (70000, 90000)
    assert (values["salary_currency"], values["salary_period"]) == ("EUR", "year")
    assert values["closing_date"] == "2026-03-20"
    assert values["posting_url"] == f"{posting_server.base}/jobs/backend"
    assert "warehouse robots" in values["description"]
    # datePosted and identifier have no field of their own: they go to the notes.
    assert values["notes"] == "Posted on 20 Feb 2026.\nPosting reference: BE-2041"
    assert "Read from schema.org JobPosting data" in response.content.decode()
    assert not JobApplication.objects.exists()  # nothing saved before the confirm


def test_confirming_the_form_saves_the_application_and_the_board_shows_its_card(
    alice, alice_client, capture_settings, posting_server
):
    response = capture(alice_client, f"{posting_server.base}/jobs/backend")
    saved = confirm(alice_client, response)

    application = JobApplication.objects.get(owner=alice)
    assert saved.status_code == 302
    assert application.company.name == "Acme Robotics"
    assert application.status == "wishlist"
    assert application.salary_min == Decimal("70000")
    assert application.closing_date == date(2026, 3, 20)
    assert application.source == "localhost"
    board = alice_client.get(reverse("crm:application-board")).content.decode()
    assert "Senior Backend Engineer" in board
    assert "Berlin, BE, DE · On site" in board
    assert "70,000–90,000 EUR" in board
    assert "Closes 20 Mar" in board


def test_a_second_capture_of_the_same_posting_opens_the_saved_application(
    alice, alice_client, capture_settings, posting_server
):
    url = f"{posting_server.base}/jobs/backend"
    with time_machine.travel(datetime(2026, 3, 3, 10, tzinfo=UTC)):
        application = make_application(
            alice, title="Senior Backend Engineer", posting_url=url, applied_on=date(2026, 3, 5)
        )

    response = capture(alice_client, url + "?utm_campaign=again")

    assert response.status_code == 302
    assert response.url == reverse("crm:application-detail", args=[application.pk])
    page = alice_client.get(response.url).content.decode()
    assert "You saved this on 3 Mar; you applied on 5 Mar." in page
    assert JobApplication.objects.count() == 1


def test_a_wishlist_entry_found_again_says_only_when_it_was_saved(
    alice, alice_client, capture_settings, posting_server
):
    url = f"{posting_server.base}/jobs/graph"
    with time_machine.travel(datetime(2026, 3, 3, 10, tzinfo=UTC)):
        make_application(alice, posting_url=url, status="wishlist")

    page = alice_client.get(capture(alice_client, url).url).content.decode()

    assert "You saved this on 3 Mar." in page


def test_another_users_application_with_the_same_url_is_not_found(
    alice_client, bob, capture_settings, posting_server
):
    url = f"{posting_server.base}/jobs/backend"
    make_application(bob, posting_url=url)

    response = capture(alice_client, url)

    assert response.status_code == 200
    assert form_values(response)["title"] == "Senior Backend Engineer"


def test_an_opengraph_only_page_fills_title_and_company(
    alice_client, capture_settings, posting_server
):
    values = form_values(capture(alice_client, f"{posting_server.base}/jobs/og"))

    assert (values["title"], values["company_name"]) == ("Product Designer", "Initech")
    assert values["closing_date"] == ""


def test_hostile_description_html_is_plain_text_in_the_form_and_on_the_page(
    alice, alice_client, capture_settings, posting_server
):
    response = capture(alice_client, f"{posting_server.base}/jobs/hostile")
    body = response.content.decode()

    assert "onerror" not in body and "<script>alert" not in body
    confirm(alice_client, response)
    application = JobApplication.objects.get(owner=alice)
    detail = alice_client.get(reverse("crm:application-detail", args=[application.pk]))
    assert application.description == "Keep things up.\n\nApply"
    assert "steal()" not in detail.content.decode()


@pytest.mark.parametrize(
    ("url", "company", "title", "location", "remote", "salary", "period"),
    [
        (
            "https://boards.greenhouse.io/piedpiper/jobs/4012345",
            "Pied Piper",
            "Staff Platform Engineer",
            "San Francisco, CA",
            "onsite",
            (180000, 220000, "USD"),
            "year",
        ),
        (
            "https://jobs.lever.co/hooli/5f1c2d3e-0000-4000-8000-abcdefabcdef",
            "Hooli",
            "Mobile Developer",
            "Lisbon",
            "hybrid",
            (50000, 65000, "EUR"),
            "year",
        ),
        (
            "https://jobs.ashbyhq.com/openai-ish/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "Openai Ish",
            "Machine Learning Engineer",
            "Remote (EU)",
            "remote",
            (80000, 110000, "EUR"),
            "year",
        ),
    ],
    ids=["greenhouse", "lever", "ashby"],
)
def test_board_postings_are_read_from_the_boards_public_api(
    alice_client,
    capture_settings,
    posting_server,
    url,
    company,
    title,
    location,
    remote,
    salary,
    period,
):
    values = form_values(capture(alice_client, url))

    assert values["company_name"] == company
    assert values["title"] == title
    assert values["location"] == location
    assert values["remote"] == remote
    assert (values["salary_min"], values["salary_max"], values["salary_currency"]) == salary
    assert values["salary_period"] == period
    assert values["posting_url"] == url
    assert values["description"]
    assert "<" not in values["description"]


def test_the_greenhouse_description_is_unescaped_to_text(
    alice_client, capture_settings, posting_server
):
    values = form_values(
        capture(alice_client, "https://boards.greenhouse.io/piedpiper/jobs/4012345")
    )

    assert values["description"] == "Compression at scale.\n\n• Go"
    assert values["source"] == "Greenhouse"


def test_a_board_link_the_api_does_not_know_falls_back_to_fetching_the_page(
    alice_client, capture_settings, posting_server
):
    # The posting's own host is not fetched (it is not allowed): the refusal says why.
    response = capture(alice_client, "https://boards.greenhouse.io/nobody/jobs/1")

    assert "boards.greenhouse.io" in response.context["form"].errors["url"][0]


def test_a_workable_posting_is_read_from_its_api(alice_client, capture_settings, posting_server):
    values = form_values(capture(alice_client, "https://apply.workable.com/tulip/j/A1B2C3D4E5/"))

    assert (values["company_name"], values["title"]) == ("Tulip", "Customer Success Manager")
    assert values["location"] == "Amsterdam, North Holland, Netherlands"
    assert (values["remote"], values["employment_type"]) == ("hybrid", "FULL_TIME")
    assert values["description"] == (
        "Help our customers succeed.\n\n• Three years in SaaS\n\nBike allowance"
    )
