"""The preferences page: time zone, hours, workdays, emails and rule settings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.models import Profile

pytestmark = pytest.mark.django_db

URL = reverse("crm:preferences")


def valid_data(**changes) -> dict:
    data = {
        "time_zone": "Europe/Berlin",
        "morning_hour": "9",
        "workdays": ["0", "1", "2", "3", "4"],
        "email_reminders": "on",
        "digest_hour": "8",
        "signature": "Sam",
        "reply_enabled": "on",
        "reply_due_hours": "24",
        "reply_deadline_hours": "48",
        "feedback_nudge_enabled": "on",
        "nudge_after_days": "7",
        "nudge_deadline_days": "14",
        "thank_you_enabled": "on",
        "thank_you_due_hours": "24",
        "thank_you_deadline_hours": "48",
        "connect_enabled": "on",
        "connect_after_days": "1",
        "check_in_enabled": "on",
        "check_in_months": "3",
        "application_check_enabled": "on",
        "application_check_days": "14",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_page_offers_a_searchable_list_of_time_zone_names(alice_client):
    page = alice_client.get(URL).text
    assert 'list="time-zone-names"' in page
    assert '<option value="Pacific/Auckland">' in page
    assert '<option value="America/New_York">' in page


def test_saving_stores_time_zone_hours_workdays_and_emails(alice_client, alice):
    response = alice_client.post(
        URL,
        valid_data(
            time_zone="america/new_york",  # typed in lower case
            morning_hour="7",
            workdays=["0", "2", "4"],
            email_reminders=None,  # unticked
            digest_hour="",  # off
            signature="Sam Lee\nsam@example.com",
        ),
        follow=True,
    )
    assert "Preferences saved." in response.text
    profile = Profile.objects.get(user=alice)
    assert profile.time_zone == "America/New_York"
    assert (profile.morning_hour, profile.workdays) == (7, [0, 2, 4])
    assert (profile.email_reminders, profile.digest_hour) == (False, None)
    assert profile.signature == "Sam Lee\nsam@example.com"


def test_rule_settings_can_be_switched_off_and_their_offsets_changed(alice_client, alice):
    alice_client.post(
        URL, valid_data(feedback_nudge_enabled=None, reply_due_hours="12", check_in_months="6")
    )
    profile = Profile.objects.get(user=alice)
    assert profile.feedback_nudge_enabled is False
    assert (profile.reply_due_hours, profile.check_in_months) == (12, 6)


def test_an_unknown_time_zone_is_refused_with_a_field_error(alice_client, alice):
    response = alice_client.post(URL, valid_data(time_zone="Mars/Olympus_Mons"))
    assert response.status_code == 200
    assert "is not a time zone name" in response.text
    assert Profile.objects.get(user=alice).time_zone == "UTC"


@pytest.mark.parametrize(
    "field, value",
    [("morning_hour", "24"), ("digest_hour", "-1"), ("workdays", ["9"]), ("workdays", None)],
)
def test_out_of_range_hours_and_workdays_are_refused(alice_client, alice, field, value):
    response = alice_client.post(URL, valid_data(**{field: value}))
    assert response.status_code == 200 and "is-invalid" in response.text
    assert Profile.objects.get(user=alice).morning_hour == 9


def test_a_window_that_ends_before_its_reminder_is_refused(alice_client, alice):
    response = alice_client.post(URL, valid_data(reply_due_hours="48", reply_deadline_hours="24"))
    assert "The window cannot end before the reminder is due." in response.text
    assert Profile.objects.get(user=alice).reply_due_hours == 24


def test_each_user_changes_only_their_own_preferences(alice_client, alice, bob):
    alice_client.post(URL, valid_data(time_zone="Asia/Tokyo"))
    assert Profile.for_user(bob).time_zone == "UTC"
    assert Profile.objects.get(user=alice).time_zone == "Asia/Tokyo"


def test_the_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_account_menu_links_to_preferences(alice_client):
    assert f'href="{URL}"' in alice_client.get(URL).text


def test_the_profile_of_one_user_object_is_read_once(alice, django_assert_num_queries):
    first = Profile.for_user(alice)
    with django_assert_num_queries(0):
        assert Profile.for_user(alice) is first
