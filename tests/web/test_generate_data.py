"""generate_data: a large synthetic account in one fast command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication
from followups.models import FollowUp
from tests.factories import make_company

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_data", stdout=out, **options)
    return out.getvalue()


def test_creates_the_requested_rows_for_a_new_user():
    output = generate(user="heavy", applications=40, contacts=60, interactions=300, followups=50)
    heavy = get_user_model().objects.get(username="heavy")
    assert not heavy.has_usable_password()
    assert JobApplication.objects.filter(owner=heavy).count() == 40
    assert Contact.objects.filter(owner=heavy).count() == 60
    assert Interaction.objects.filter(owner=heavy).count() == 300
    assert FollowUp.objects.filter(owner=heavy, status="pending").count() == 50
    assert Company.objects.filter(owner=heavy).count() == 10
    assert "Created 40 applications" in output


def test_rows_hang_together_within_the_users_own_data():
    generate(user="heavy", applications=10, contacts=20, interactions=100, followups=20)
    heavy = get_user_model().objects.get(username="heavy")
    assert all(c.applications.exists() for c in Contact.objects.filter(owner=heavy))
    assert not Interaction.objects.filter(owner=heavy).exclude(contact__owner=heavy).exists()
    assert not FollowUp.objects.filter(owner=heavy).exclude(application__owner=heavy).exists()


def test_a_second_run_adds_rows_next_to_existing_ones(alice):
    make_company(alice, name="Acme")
    generate(user="alice", applications=8, contacts=4)
    generate(user="alice", applications=8, contacts=4)
    assert JobApplication.objects.filter(owner=alice).count() == 16
    assert Contact.objects.filter(owner=alice).count() == 8


def test_dry_run_writes_nothing():
    output = generate(user="ghost", applications=5, dry_run=True)
    assert "Would create 5 applications" in output
    assert not get_user_model().objects.filter(username="ghost").exists()


def test_negative_counts_are_refused():
    with pytest.raises(CommandError, match="--contacts"):
        generate(user="heavy", contacts=-1)


def test_rows_go_in_with_bulk_inserts_not_one_query_each(django_assert_max_num_queries):
    with django_assert_max_num_queries(45):  # a fixed overhead, not one per row
        generate(user="heavy", applications=100, contacts=200, interactions=1000, followups=300)
    assert Interaction.objects.count() == 1000
