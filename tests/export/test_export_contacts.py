"""Contacts out as CSV and vCard, readable by other tools."""

from __future__ import annotations

import csv
import io

import vobject
from django.urls import reverse

from tests.factories import make_company, make_contact


def make_priya(owner):
    return make_contact(
        owner,
        first_name="Priya",
        last_name="Natarajan",
        email="priya@acme.example",
        company=make_company(owner, name="Acme; Sons, Ltd"),
        title="Technical Recruiter",
        phone="+49 30 1234567",
        linkedin_url="https://www.linkedin.com/in/priya",
        notes="Met at PyCon.\nPrefers email; answers fast, usually.\\o/ " + "long " * 30,
    )


def test_the_csv_export_lists_alices_contacts_with_their_company(alice_client, alice, bob):
    make_priya(alice)
    make_contact(bob, first_name="Bobs", last_name="Friend")

    response = alice_client.get(reverse("followups:export-contacts-csv"))

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert len(rows) == 1
    assert rows[0]["first_name"] == "Priya"
    assert rows[0]["company"] == "Acme; Sons, Ltd"
    assert rows[0]["linkedin_url"] == "https://www.linkedin.com/in/priya"


def test_the_vcard_export_parses_back_with_every_field(alice_client, alice):
    priya = make_priya(alice)
    make_contact(alice, first_name="Zoë", last_name="", email="", company=None)

    response = alice_client.get(reverse("followups:export-contacts-vcard"))

    assert response["Content-Type"].startswith("text/vcard")
    text = response.content.decode()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cards = list(vobject.readComponents(text))
    assert [card.fn.value for card in cards] == ["Priya Natarajan", "Zoë"]
    card = cards[0]
    assert card.version.value == "3.0"
    assert card.n.value.family == "Natarajan"
    assert card.n.value.given == "Priya"
    assert card.email.value == "priya@acme.example"
    assert card.tel.value == "+49 30 1234567"
    assert card.title.value == "Technical Recruiter"
    assert card.url.value == "https://www.linkedin.com/in/priya"
    assert card.note.value == priya.notes
    assert card.org.value == ["Acme; Sons, Ltd"]


def test_the_vcard_export_holds_only_alices_contacts(alice_client, bob):
    make_contact(bob, first_name="Bobs", last_name="Friend")

    response = alice_client.get(reverse("followups:export-contacts-vcard"))

    assert "Bobs" not in response.content.decode()
