"""Applications pages: board, list, detail, create/edit, moving a card, "no response"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Interaction
from crm.models import Company, JobApplication
from tests.factories import (
    make_application,
    make_company,
    make_contact,
    make_followup,
    make_interaction,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
NO_RESPONSE_BADGE = ">No response</span>"


def bulk_applications(owner, n: int) -> None:
    """Many rows at once, without the rules firing, for the query-count tests."""
    batch = Company.objects.filter(owner=owner).count()
    companies = Company.objects.bulk_create(
        [Company(owner=owner, name=f"Bulk {batch} {i}") for i in range(max(1, n // 10))]
    )
    JobApplication.objects.bulk_create(
        JobApplication(
            owner=owner,
            company=companies[i % len(companies)],
            title=f"Engineer {i}",
            status=JobApplication.Status.values[i % 7],
            applied_on=date(2026, 1, 1) + timedelta(days=i % 300),
        )
        for i in range(n)
    )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Board --------------------------------------------------------------------------------


def test_board_shows_each_application_in_the_column_of_its_status(alice, alice_client):
    offer = make_application(alice, title="Data Engineer", status=JobApplication.Status.OFFER)
    page = alice_client.get(reverse("crm:application-board")).content.decode()
    offer_column = page.split('id="column-offer"')[1].split('id="column-rejected"')[0]
    assert "Data Engineer" in offer_column
    assert f'id="card-{offer.pk}"' in offer_column


def test_board_hides_other_users_applications(alice, bob_client):
    make_application(alice, title="Secret Role")
    assert "Secret Role" not in bob_client.get(reverse("crm:application-board")).content.decode()


def test_moving_a_card_changes_its_status(alice, alice_client):
    application = make_application(alice)
    response = alice_client.post(
        reverse("crm:application-move", args=[application.pk]), {"status": "interviewing"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "interviewing"


def test_moving_a_card_with_htmx_returns_the_board_with_the_card_in_its_new_column(
    alice, alice_client
):
    application = make_application(alice, title="Platform Engineer")
    response = alice_client.post(
        reverse("crm:application-move", args=[application.pk]),
        {"status": "offer"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert page.startswith('<div id="board"')
    assert "Moved “Platform Engineer at" in page
    assert "Platform Engineer" in page.split('id="column-offer"')[1].split("column-rejected")[0]


def test_moving_to_an_unknown_status_changes_nothing_and_says_why(alice, alice_client):
    application = make_application(alice)
    response = alice_client.post(
        reverse("crm:application-move", args=[application.pk]), {"status": "hired!"}, follow=True
    )
    application.refresh_from_db()
    assert application.status == "applied"
    assert "Choose one of the listed statuses" in response.content.decode()


def test_moving_another_users_application_is_not_found(alice, bob_client):
    application = make_application(alice)
    url = reverse("crm:application-move", args=[application.pk])
    assert bob_client.post(url, {"status": "offer"}).status_code == 404
    application.refresh_from_db()
    assert application.status == "applied"


def test_moving_needs_a_post(alice, alice_client):
    application = make_application(alice)
    url = reverse("crm:application-move", args=[application.pk])
    assert alice_client.get(url).status_code == 405


def test_a_full_column_shows_how_many_more_there_are(alice, alice_client):
    bulk_applications(alice, 7 * 30)  # 30 per status, the board shows 20
    page = alice_client.get(reverse("crm:application-board")).content.decode()
    assert "10 more…" in page


def test_a_full_column_shows_its_newest_applications_and_counts_them_all(alice, alice_client):
    company = make_company(alice, name="Acme")
    JobApplication.objects.bulk_create(
        JobApplication(
            owner=alice,
            company=company,
            title=f"Role {day:02}",
            status="interviewing",
            applied_on=date(2026, 10, day),
        )
        for day in range(1, 26)
    )
    make_application(alice, title="Wishlist role", status="wishlist")
    page = alice_client.get(reverse("crm:application-board")).content.decode()
    column = page.split('id="column-interviewing"')[1].split('id="column-offer"')[0]
    shown = [f"Role {day:02}" for day in range(25, 0, -1) if f">Role {day:02}<" in column]
    assert shown == [f"Role {day:02}" for day in range(25, 5, -1)]  # newest 20, in order
    assert ">25</a>" in column and "5 more…" in column
    assert ">Wishlist role<" in page.split('id="column-wishlist"')[1]


def test_a_board_with_one_status_shows_its_cards_newest_first(alice, alice_client):
    for day in (3, 9, 1, 7):
        make_application(alice, title=f"Role {day}", applied_on=date(2026, 10, day))
    page = alice_client.get(reverse("crm:application-board")).content.decode()
    column = page.split('id="column-applied"')[1].split('id="column-interviewing"')[0]
    titles = [link.split("</a>")[0].split(">")[-1] for link in column.split("fw-semibold")[1:]]
    assert titles == ["Role 9", "Role 7", "Role 3", "Role 1"]


def test_a_card_shows_what_the_posting_says_and_its_texts_as_typed(alice, alice_client):
    company = make_company(alice, name="Smith & <Sons>")
    make_application(
        alice,
        company=company,
        title='Lead "R&D" <Engineer>',
        status=JobApplication.Status.INTERVIEWING,
        applied_on=date(2026, 9, 4),
        location="Berlin, DE",
        remote=JobApplication.Remote.HYBRID,
        salary_min=70000,
        salary_max=90000,
        salary_currency="EUR",
        closing_date=date(2026, 12, 3),
    )
    make_application(alice, title="Bare role", status=JobApplication.Status.WISHLIST)
    page = alice_client.get(reverse("crm:application-board")).content.decode()
    column = page.split('id="column-interviewing"')[1].split('id="column-offer"')[0]
    assert ">Lead &quot;R&amp;D&quot; &lt;Engineer&gt;</a>" in column
    assert "Smith &amp; &lt;Sons&gt; · applied Sep 4</div>" in column
    assert '<span class="d-block">Berlin, DE · Hybrid</span>' in column
    assert '<span class="d-block">70,000–90,000 EUR</span>' in column
    assert '<span class="d-block">Closes 3 Dec</span>' in column
    assert "New status of Lead &quot;R&amp;D&quot; &lt;Engineer&gt; at Smith &amp;" in column
    assert '<option value="interviewing" selected>Interviewing</option>' in column
    wishlist = page.split('id="column-wishlist"')[1].split('id="column-applied"')[0]
    assert ">Bare role</a>" in wishlist and "posting-facts" not in wishlist
    assert "applied" not in wishlist.split(">Bare role</a>")[1].split("</div>")[0]


@time_machine.travel(NOW)
def test_the_board_marks_silent_applications_no_response(alice, alice_client):
    make_application(alice, title="Silent Role", applied_on=date(2026, 10, 1))
    answered = make_application(alice, title="Answered Role", applied_on=date(2026, 10, 1))
    make_interaction(
        alice,
        application=answered,
        direction=Interaction.Direction.INBOUND,
        kind=Interaction.Kind.OTHER,
        occurred_at=NOW - timedelta(days=20),
    )
    answered.refresh_from_db()
    answered.status = JobApplication.Status.APPLIED  # an inbound may have moved it
    answered.save()
    make_application(alice, title="Fresh Role", applied_on=date(2026, 11, 20))
    page = alice_client.get(reverse("crm:application-board")).content.decode()
    cards = {
        title: page.split(f">{title}</a>")[1].split("</li>")[0]
        for title in ("Silent Role", "Answered Role", "Fresh Role")
    }
    assert NO_RESPONSE_BADGE in cards["Silent Role"]
    assert NO_RESPONSE_BADGE not in cards["Answered Role"]
    assert NO_RESPONSE_BADGE not in cards["Fresh Role"]


def test_board_makes_the_same_number_of_queries_for_10_and_1000_applications(
    alice, alice_client, django_assert_max_num_queries
):
    bulk_applications(alice, 10)
    few = queries_for(alice_client, reverse("crm:application-board"))
    bulk_applications(alice, 990)
    with django_assert_max_num_queries(few):
        alice_client.get(reverse("crm:application-board"))


# List ---------------------------------------------------------------------------------


def test_list_searches_title_and_company(alice, alice_client):
    make_application(alice, title="Site Reliability Engineer")
    make_application(alice, company=make_company(alice, name="Acme Rockets"), title="Welder")
    make_application(alice, title="Chef")
    page = alice_client.get(reverse("crm:application-list"), {"q": "acme"}).content.decode()
    assert "Welder" in page
    assert "Chef" not in page
    page = alice_client.get(reverse("crm:application-list"), {"q": "reliab"}).content.decode()
    assert "Site Reliability Engineer" in page
    assert "Welder" not in page


def test_list_filters_by_status_and_company(alice, alice_client):
    acme = make_company(alice, name="Acme")
    make_application(alice, company=acme, title="Rejected Role", status="rejected")
    make_application(alice, company=acme, title="Open Role", status="applied")
    make_application(alice, title="Elsewhere Role", status="rejected")
    url = reverse("crm:application-list")
    page = alice_client.get(url, {"status": "rejected", "company": acme.pk}).content.decode()
    assert "Rejected Role" in page
    assert "Open Role" not in page
    assert "Elsewhere Role" not in page


def test_list_ignores_bad_filter_values_and_says_so(alice, alice_client):
    make_application(alice, title="Still Listed")
    response = alice_client.get(
        reverse("crm:application-list"), {"status": "bogus", "company": "abc", "page": "x"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Still Listed" in page
    assert "Some filters were ignored" in page


def test_list_does_not_offer_or_show_another_users_company(alice, bob, bob_client):
    acme = make_company(alice, name="Alice Corp")
    make_application(alice, company=acme, title="Alice Job")
    page = bob_client.get(reverse("crm:application-list"), {"company": acme.pk}).content.decode()
    assert "Alice Corp" not in page
    assert "Alice Job" not in page


def test_list_paginates_25_at_a_time(alice, alice_client):
    bulk_applications(alice, 30)
    page = alice_client.get(reverse("crm:application-list")).content.decode()
    assert "Page 1 of 2" in page
    assert page.count("<tr>") == 1 + 25  # the header row and a full page
    second = alice_client.get(reverse("crm:application-list"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert second.count("<tr>") == 1 + 5


def test_list_makes_the_same_number_of_queries_for_10_and_1000_applications(
    alice, alice_client, django_assert_max_num_queries
):
    bulk_applications(alice, 10)
    few = queries_for(alice_client, reverse("crm:application-list"))
    bulk_applications(alice, 990)
    with django_assert_max_num_queries(few):
        alice_client.get(reverse("crm:application-list"))


# No response marker -------------------------------------------------------------------


@time_machine.travel(NOW)
def test_silent_application_after_three_weeks_is_marked_no_response(alice, alice_client):
    make_application(alice, title="Silent Co Role", applied_on=date(2026, 11, 1))
    page = alice_client.get(reverse("crm:application-list")).content.decode()
    assert NO_RESPONSE_BADGE in page


@time_machine.travel(NOW)
def test_recent_application_is_not_marked_no_response(alice, alice_client):
    make_application(alice, applied_on=date(2026, 11, 20))
    page = alice_client.get(reverse("crm:application-list")).content.decode()
    assert NO_RESPONSE_BADGE not in page


@time_machine.travel(NOW)
def test_any_answer_removes_the_no_response_marker(alice, alice_client):
    application = make_application(alice, applied_on=date(2026, 10, 1))
    make_interaction(
        alice,
        application=application,
        direction=Interaction.Direction.INBOUND,
        kind=Interaction.Kind.OTHER,
        occurred_at=NOW - timedelta(days=20),
    )
    application.refresh_from_db()
    page = alice_client.get(
        reverse("crm:application-detail", args=[application.pk])
    ).content.decode()
    assert NO_RESPONSE_BADGE not in page


@time_machine.travel(NOW)
def test_no_response_filter_lists_only_silent_applications(alice, alice_client):
    make_application(alice, title="Silent Role", applied_on=date(2026, 10, 1))
    make_application(alice, title="Fresh Role", applied_on=date(2026, 11, 25))
    page = alice_client.get(reverse("crm:application-list"), {"no_response": "on"})
    assert "Silent Role" in page.content.decode()
    assert "Fresh Role" not in page.content.decode()


# Detail -------------------------------------------------------------------------------


def test_detail_shows_contacts_interactions_and_follow_ups(alice, alice_client):
    application = make_application(alice, title="Backend Engineer")
    dana = make_contact(alice, first_name="Dana", last_name="Lee")
    dana.applications.add(application)
    make_interaction(
        alice, contact=dana, application=application, subject="Your interview on Monday"
    )
    make_followup(alice, contact=dana, application=application, kind="thank_you", draft_subject="x")
    page = alice_client.get(
        reverse("crm:application-detail", args=[application.pk])
    ).content.decode()
    assert "Dana Lee" in page
    assert "Your interview on Monday" in page
    assert "Send a thank-you" in page


def test_detail_of_another_users_application_is_not_found(alice, bob_client):
    application = make_application(alice)
    url = reverse("crm:application-detail", args=[application.pk])
    assert bob_client.get(url).status_code == 404


def test_detail_makes_the_same_number_of_queries_for_10_and_1000_interactions(
    alice, alice_client, django_assert_max_num_queries
):
    application = make_application(alice)
    contact = make_contact(alice)
    contact.applications.add(application)

    def add(n: int) -> None:
        Interaction.objects.bulk_create(
            Interaction(
                owner=alice,
                contact=contact,
                application=application,
                direction="outbound",
                kind="note",
                occurred_at=NOW - timedelta(hours=i),
            )
            for i in range(n)
        )

    add(10)
    url = reverse("crm:application-detail", args=[application.pk])
    few = queries_for(alice_client, url)
    add(990)
    with django_assert_max_num_queries(few):
        alice_client.get(url)


# Create and edit ----------------------------------------------------------------------


def test_creating_an_application_with_a_new_company_creates_the_company(alice, alice_client):
    response = alice_client.post(
        reverse("crm:application-create"),
        {"company_name": "  Globex  Corp ", "title": "SRE", "status": "applied"},
    )
    application = JobApplication.objects.get(owner=alice, title="SRE")
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:application-detail", args=[application.pk])
    assert application.company.name == "Globex Corp"


def test_typing_a_known_company_in_other_case_reuses_it(alice, alice_client):
    acme = make_company(alice, name="Acme")
    alice_client.post(
        reverse("crm:application-create"),
        {"company_name": "ACME", "title": "SRE", "status": "applied"},
    )
    assert JobApplication.objects.get(title="SRE").company == acme
    assert Company.objects.filter(owner=alice).count() == 1


def test_another_users_company_of_the_same_name_is_not_reused(alice, bob, bob_client):
    make_company(alice, name="Acme")
    bob_client.post(
        reverse("crm:application-create"),
        {"company_name": "Acme", "title": "SRE", "status": "applied"},
    )
    assert JobApplication.objects.get(title="SRE").company.owner == bob


def test_create_form_shows_field_errors(alice, alice_client):
    response = alice_client.post(
        reverse("crm:application-create"),
        {"company_name": "  ", "title": "", "status": "nope", "applied_on": "31/31/2026"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required" in page
    assert "Select a valid choice" in page
    assert "Enter a valid date" in page
    assert not JobApplication.objects.exists()


def test_create_form_offers_the_users_companies(alice, bob, alice_client):
    make_company(alice, name="Initech")
    make_company(bob, name="Bob Industries")
    page = alice_client.get(reverse("crm:application-create")).content.decode()
    assert '<option value="Initech">' in page
    assert "Bob Industries" not in page


def test_editing_an_application_saves_the_changes(alice, alice_client):
    application = make_application(alice, title="Old Title")
    alice_client.post(
        reverse("crm:application-edit", args=[application.pk]),
        {
            "company_name": application.company.name,
            "title": "New Title",
            "status": "interviewing",
        },
    )
    application.refresh_from_db()
    assert (application.title, application.status) == ("New Title", "interviewing")


def test_editing_another_users_application_is_not_found(alice, bob_client):
    application = make_application(alice, title="Theirs")
    url = reverse("crm:application-edit", args=[application.pk])
    assert bob_client.get(url).status_code == 404
    payload = {"company_name": "X", "title": "Mine now", "status": "applied"}
    assert bob_client.post(url, payload).status_code == 404
    application.refresh_from_db()
    assert application.title == "Theirs"


def test_pages_need_a_login(client):
    for name in ("crm:application-list", "crm:application-board", "crm:application-create"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
