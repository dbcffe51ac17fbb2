"""The demo account a new user logs into."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication
from followups.models import FollowUp

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.filter(owner__username="demo").count()
        for m in (Company, JobApplication, Contact, Interaction, FollowUp)
    ]


def test_load_demo_prints_the_credentials(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "username: demo" in out and "password: follow-up-demo" in out


def test_demo_data_covers_every_status_and_role():
    call_command("load_demo")
    statuses = set(
        JobApplication.objects.filter(owner__username="demo").values_list("status", flat=True)
    )
    roles = set(Contact.objects.filter(owner__username="demo").values_list("role", flat=True))
    assert statuses == {s for s, _ in JobApplication.Status.choices}
    assert roles == {r for r, _ in Contact.Role.choices}
    assert Interaction.objects.filter(owner__username="demo", kind="rejection").count() >= 2


def test_running_load_demo_twice_gives_the_same_counts():
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert first[0] > 0


def test_the_demo_user_can_log_in_and_open_the_contact_admin(client):
    call_command("load_demo")
    assert client.login(username="demo", password="follow-up-demo")
    response = client.get("/admin/contacts/contact/")
    assert response.status_code == 200
    assert "Maya" in response.text
