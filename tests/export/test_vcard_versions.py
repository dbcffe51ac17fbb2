"""vCard 3.0 by default (Apple Contacts, Android), 4.0 on request, with every property an
address book reads, and no backslash before a `;` where ical.js would show it."""

from __future__ import annotations

import pytest
import vobject
from django.urls import reverse

from tests.factories import make_company, make_contact

PROPERTIES_3 = ["VERSION", "N", "FN", "ORG", "TITLE", "EMAIL", "TEL", "URL", "NOTE", "UID", "REV"]


@pytest.fixture
def priya(alice):
    return make_contact(
        alice,
        first_name="Priya",
        last_name="Natarajan",
        email="priya@acme.example",
        company=make_company(alice, name="Acme; Sons"),
        title="Recruiter; Talent",
        phone="+49 30 1234567;ext=12",
        linkedin_url="https://www.linkedin.com/in/priya",
        notes="Met at PyCon; prefers email.",
    )


def lines_of(response) -> list[str]:
    return response.content.decode().replace("\r\n ", "").split("\r\n")


def test_the_vcard_download_is_version_3_with_every_address_book_property(alice_client, priya):
    response = alice_client.get(reverse("followups:export-contacts-vcard"))

    lines = lines_of(response)
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in lines[1:-2]]
    assert names == PROPERTIES_3
    assert "VERSION:3.0" in lines
    assert "EMAIL;TYPE=work:priya@acme.example" in lines
    card = vobject.readOne(response.content.decode())
    assert card.version.value == "3.0"
    assert (card.n.value.family, card.n.value.given) == ("Natarajan", "Priya")
    assert card.org.value == ["Acme; Sons"]
    assert card.uid.value == f"urn:x-followup-crm:contact:{priya.pk}"


def test_semicolons_in_single_text_values_are_not_escaped(alice_client, priya):
    lines = lines_of(alice_client.get(reverse("followups:export-contacts-vcard")))

    assert "TITLE:Recruiter; Talent" in lines
    assert "NOTE:Met at PyCon; prefers email." in lines
    assert "TEL:+49 30 1234567;ext=12" in lines
    assert "FN:Priya Natarajan" in lines
    assert "ORG:Acme\\; Sons" in lines  # ORG is compound: there `;` separates units


def test_version_4_is_there_on_request(alice_client, priya):
    response = alice_client.get(reverse("followups:export-contacts-vcard") + "?version=4.0")

    card = vobject.readOne(response.content.decode())
    assert card.version.value == "4.0"
    assert card.title.value == "Recruiter; Talent"
    assert "TEL;VALUE=text:+49 30 1234567;ext=12" in lines_of(response)
