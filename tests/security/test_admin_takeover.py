"""The admin as an ordinary account: its own rows only, never another account's profile,
and no rights beyond the models a job seeker edits (issue 13, item 1)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.accounts import enable_admin_editing
from crm.models import Profile
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_bob(bob):
    enable_admin_editing(bob)
    return bob


@pytest.fixture
def bob_admin(client, staff_bob):
    client.login(username="bob", password=PASSWORD)
    return client


def _profile_form(profile: Profile, **changes) -> dict:
    data = {
        "time_zone": profile.time_zone,
        "morning_hour": profile.morning_hour,
        "workdays": "[0, 1, 2, 3, 4]",
        "email_reminders": "on",
        "digest_hour": profile.digest_hour,
        "check_in_months": profile.check_in_months,
        "signature": "Bob",
        "reply_enabled": "on",
        "reply_due_hours": 24,
        "reply_deadline_hours": 48,
        "feedback_nudge_enabled": "on",
        "nudge_after_days": 7,
        "nudge_deadline_days": 14,
        "thank_you_enabled": "on",
        "thank_you_due_hours": 24,
        "thank_you_deadline_hours": 48,
        "connect_enabled": "on",
        "connect_after_days": 1,
        "check_in_enabled": "on",
        "application_check_enabled": "on",
        "application_check_days": 14,
    }
    data.update(changes)
    return data


def test_bobs_profile_page_lists_no_other_account(bob_admin, staff_bob, alice):
    profile = Profile.for_user(staff_bob)
    response = bob_admin.get(reverse("admin:crm_profile_change", args=[profile.pk]))
    assert response.status_code == 200
    assert "alice" not in response.text
    assert 'name="user"' not in response.text


def test_posting_another_user_does_not_move_bobs_profile(bob_admin, staff_bob):
    victim = get_user_model().objects.create_user("carol", "carol@example.com", PASSWORD)
    profile = Profile.for_user(staff_bob)
    token = profile.calendar_token
    response = bob_admin.post(
        reverse("admin:crm_profile_change", args=[profile.pk]),
        _profile_form(profile, user=victim.pk),
    )
    assert response.status_code == 302, response.text[:3000]
    profile.refresh_from_db()
    assert profile.user == staff_bob
    assert profile.calendar_token == token
    assert not Profile.objects.filter(user=victim).exists()


def test_a_profile_is_never_handed_to_another_account(alice, bob):
    profile = Profile.for_user(bob)
    profile.user = alice
    Profile.objects.filter(user=alice).delete()
    with pytest.raises(ValidationError, match="stays with its account"):
        profile.save()
    assert Profile.objects.get(pk=profile.pk).user == bob


def test_a_superuser_cannot_reassign_a_profile_either(client, bob):
    root = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    client.login(username="root", password=PASSWORD)
    victim = get_user_model().objects.create_user("carol", "carol@example.com", PASSWORD)
    profile = Profile.for_user(bob)
    client.post(
        reverse("admin:crm_profile_change", args=[profile.pk]),
        _profile_form(profile, user=victim.pk),
    )
    profile.refresh_from_db()
    assert profile.user == bob
    assert root.is_superuser


def test_bob_cannot_add_or_delete_a_profile_in_the_admin(bob_admin, staff_bob):
    profile = Profile.for_user(staff_bob)
    assert bob_admin.get(reverse("admin:crm_profile_add")).status_code == 403
    response = bob_admin.post(
        reverse("admin:crm_profile_delete", args=[profile.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Profile.objects.filter(pk=profile.pk).exists()


def test_no_owner_field_is_offered_to_bob_on_any_add_page(bob_admin, alice):
    for model in (
        "crm_company",
        "crm_jobapplication",
        "contacts_contact",
        "contacts_interaction",
        "followups_followup",
        "followups_replytemplate",
        "followups_goal",
        "followups_reflection",
        "followups_mailbox",
    ):
        response = bob_admin.get(reverse(f"admin:{model}_add"))
        assert response.status_code == 200, model
        assert 'name="owner"' not in response.text, model
        assert "alice" not in response.text, model


def test_bobs_group_has_only_the_permissions_a_job_seeker_needs(staff_bob):
    perms = staff_bob.get_all_permissions()
    for model in ("company", "jobapplication"):
        assert {f"crm.{a}_{model}" for a in ("add", "change", "delete", "view")} <= perms
    assert {"crm.view_profile", "crm.change_profile"} <= perms
    assert "crm.add_profile" not in perms
    assert "crm.delete_profile" not in perms
    for bookkeeping in ("schedulertick", "digestdelivery"):
        assert not [p for p in perms if p.endswith(f"_{bookkeeping}")], bookkeeping
    assert not [p for p in perms if p.endswith("_followupevent") and "view" not in p]
    assert not [p for p in perms if p.startswith(("auth.", "django_q.", "admin.", "sessions."))]


def test_the_admin_index_shows_bob_no_scheduler_or_bookkeeping(bob_admin):
    response = bob_admin.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Contacts" in response.text
    for hidden in ("Scheduler ticks", "Digest deliveries", "Follow up events", "Users", "Groups"):
        assert hidden not in response.text, hidden


def test_an_existing_job_seekers_group_is_narrowed_on_migrate(staff_bob):
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command

    group = Group.objects.get(name="Job seekers")
    group.permissions.add(Permission.objects.get(codename="change_schedulertick"))
    call_command("migrate", verbosity=0)
    assert not group.permissions.filter(codename="change_schedulertick").exists()


def test_a_second_staff_account_does_not_see_bobs_profile(client, staff_bob):
    carol = make_user("carol")
    enable_admin_editing(carol)
    client.login(username="carol", password=PASSWORD)
    profile = Profile.for_user(staff_bob)
    assert client.get(reverse("admin:crm_profile_change", args=[profile.pk])).status_code == 404
    listing = client.get(reverse("admin:crm_profile_changelist"))
    assert "bob" not in listing.text
