"""Item 13 of issue 12: search from the navigation bar across applications, contacts,
companies and interactions, only the signed-in user's."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import make_application, make_company, make_contact, make_interaction

URL = reverse("followups:search")


def test_every_page_has_the_search_box_in_the_navigation_bar(alice_client):
    page = alice_client.get(reverse("home")).text
    nav = page.split("</nav>")[0]
    assert f'action="{URL}"' in nav and 'name="q"' in nav


def test_search_finds_applications_contacts_companies_and_interactions(alice, alice_client):
    contoso = make_company(alice, name="Contoso")
    make_application(alice, company=contoso, title="Product Designer")
    priya = make_contact(alice, first_name="Priya", last_name="Shah", company=contoso)
    make_interaction(alice, contact=priya, kind="rejection", subject="Your Contoso application")
    page = alice_client.get(URL, {"q": "contoso"}).text
    assert "Product Designer" in page
    assert "Priya Shah" in page
    assert reverse("crm:application-list") + f"?company={contoso.pk}" in page
    assert "Your Contoso application" in page


def test_every_word_must_match(alice, alice_client):
    make_contact(alice, first_name="Priya", last_name="Shah")
    make_contact(alice, first_name="Priya", last_name="Patel")
    page = alice_client.get(URL, {"q": "priya shah"}).text
    assert "Priya Shah" in page and "Priya Patel" not in page


def test_search_never_shows_another_users_rows(alice_client, bob):
    make_contact(bob, first_name="Zebedee", last_name="Bob")
    page = alice_client.get(URL, {"q": "Zebedee"}).text
    assert "Nothing matches" in page and "Zebedee Bob" not in page


def test_a_too_short_or_too_long_query_says_so(alice_client):
    assert "at least two letters" in alice_client.get(URL, {"q": "a"}).text
    assert "at most 100 characters" in alice_client.get(URL, {"q": "x" * 150}).text


def test_search_needs_a_login(client):
    assert client.get(URL, {"q": "x"}).status_code == 302
