"""Hypothesis drives the forms and the restore with extreme dates and numbers (issue 13,
item 7): every answer is a page or a message, never a 500, and whatever is saved lies
within 1970-2200."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_q.conf import Conf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Contact, Interaction
from crm.models import JobApplication
from followups.export.backup import export_json
from followups.models import FollowUp
from tests.factories import PASSWORD, make_contact, make_followup, make_user

pytestmark = pytest.mark.django_db

EXAMPLES = settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
any_date = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
any_datetime = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59))
odd_text = st.one_of(
    any_date.map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=30),
)


@pytest.fixture(autouse=True)
def restores_run_inline(monkeypatch, settings, tmp_path):
    """The restore's worker task runs in the request (django-q2's `sync`)."""
    monkeypatch.setattr(Conf, "SYNC", True)
    settings.RESTORE_DIR = tmp_path / "restores"


@pytest.fixture
def client_of_alice(alice):
    client = Client(raise_request_exception=False)
    client.login(username="alice", password=PASSWORD)
    return client


def in_range(value) -> bool:
    return value is None or 1970 <= value.year <= 2200


@EXAMPLES
@given(applied_on=st.one_of(any_date.map(str), odd_text))
def test_the_application_form_never_answers_500(client_of_alice, applied_on):
    response = client_of_alice.post(
        reverse("crm:application-create"),
        {
            "company_name": "Acme",
            "title": "Engineer",
            "status": "applied",
            "applied_on": applied_on,
        },
    )
    assert response.status_code in (200, 302)
    assert all(in_range(a.applied_on) for a in JobApplication.objects.all())
    JobApplication.objects.all().delete()


@EXAMPLES
@given(when=st.one_of(any_datetime.map(lambda d: d.strftime("%Y-%m-%dT%H:%M")), odd_text))
def test_the_interaction_form_never_answers_500(client_of_alice, alice, when):
    contact = Contact.objects.filter(owner=alice).first() or make_contact(alice)
    response = client_of_alice.post(
        reverse("contacts:log-interaction", args=[contact.pk]),
        {"direction": "inbound", "kind": "rejection", "channel": "email", "occurred_at": when},
    )
    assert response.status_code in (200, 302)
    assert all(in_range(i.occurred_at) for i in Interaction.objects.all())
    assert all(in_range(f.due_at) for f in FollowUp.objects.all())
    assert client_of_alice.get("/").status_code == 200
    Interaction.objects.all().delete()
    FollowUp.objects.all().delete()


@pytest.fixture
def carols_backup(db) -> dict:
    carol = make_user("carol")
    make_followup(carol, contact=make_contact(carol))
    return json.loads(export_json(carol))


@EXAMPLES
@given(
    due_at=st.one_of(any_datetime.map(lambda d: d.isoformat() + "+00:00"), odd_text, st.integers()),
    applications=st.one_of(st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=3)),
)
def test_the_restore_never_answers_500(client_of_alice, alice, carols_backup, due_at, applications):
    document = json.loads(json.dumps(carols_backup))
    document["followups"][0]["due_at"] = due_at
    document["contacts"][0]["applications"] = applications
    response = client_of_alice.post(
        reverse("followups:restore"),
        {"file": SimpleUploadedFile("b.json", json.dumps(document).encode(), "application/json")},
        follow=True,  # to the restore's page (the worker's task runs inline here)
    )
    assert response.status_code in (200, 400)
    assert all(in_range(f.due_at) for f in FollowUp.objects.filter(owner=alice))
    assert client_of_alice.get("/").status_code == 200
    for model in (FollowUp, Interaction, Contact, JobApplication):
        model.objects.filter(owner=alice).delete()
    from crm.models import Company

    Company.objects.filter(owner=alice).delete()
