"""The lists' company filter: typed with suggestions as you type, filtering by that name."""

from __future__ import annotations

from django.urls import reverse

from crm.models import Company
from tests.factories import make_application, make_company, make_contact

SUGGEST_URL = reverse("crm:company-suggestions")


def test_typing_suggests_my_companies_containing_the_text(alice, bob, alice_client):
    make_company(alice, name="Northwind Labs")
    make_company(alice, name="Windmill Energy")
    make_company(alice, name="Acme")
    make_company(bob, name="Windy Bob Ltd")

    html = alice_client.get(SUGGEST_URL, {"company_name": "wind"}).content.decode()

    assert html.strip() == (
        '<option value="Northwind Labs"></option><option value="Windmill Energy"></option>'
    )


def test_suggestions_stop_at_ten_and_an_empty_field_suggests_nothing(alice, alice_client):
    for n in range(30):
        make_company(alice, name=f"Company {n:02}")

    many = alice_client.get(SUGGEST_URL, {"company_name": "company"}).content.decode()
    none = alice_client.get(SUGGEST_URL, {"company_name": "  "}).content.decode()

    assert many.count("<option") == 10
    assert none.strip() == ""


def test_suggestions_need_a_login(client):
    assert client.get(SUGGEST_URL, {"company_name": "a"}).status_code == 302


def test_a_typed_company_name_filters_the_contacts_list_ignoring_case(alice, alice_client):
    northwind = make_company(alice, name="Northwind")
    make_contact(alice, first_name="Nora", company=northwind)
    make_contact(alice, first_name="Otto", company=make_company(alice, name="Other Co"))

    page = alice_client.get(reverse("contacts:list"), {"company_name": "northwind"})

    html = page.content.decode()
    assert "Nora" in html and "Otto" not in html
    assert 'hx-get="/companies/suggestions/"' in html


def test_a_typed_company_name_filters_the_applications_list(alice, alice_client):
    acme = make_company(alice, name="Acme")
    make_application(alice, company=acme, title="Welder")
    make_application(alice, company=make_company(alice, name="Globex"), title="Painter")

    html = alice_client.get(reverse("crm:application-list"), {"company_name": "ACME"}).content
    html = html.decode()

    assert "Welder" in html and "Painter" not in html


def test_an_unknown_company_name_says_so_and_filters_nothing_away(alice, bob, alice_client):
    make_contact(alice, first_name="Nora", company=make_company(alice, name="Northwind"))
    make_company(bob, name="Bobco")

    html = alice_client.get(reverse("contacts:list"), {"company_name": "Bobco"}).content.decode()

    assert "You have no company called “Bobco”." in html
    assert "Nora" in html


def test_the_contacts_page_weighs_the_same_with_10_or_1000_companies(alice, alice_client):
    for n in range(10):
        make_company(alice, name=f"Firm {n}")
    small = len(alice_client.get(reverse("contacts:list")).content)
    Company.objects.bulk_create(Company(owner=alice, name=f"Bulk {n}") for n in range(990))

    big = len(alice_client.get(reverse("contacts:list")).content)
    assert big == small
