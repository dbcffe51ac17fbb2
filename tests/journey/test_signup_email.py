"""Item 3 of issue 12: a signed-up user gives the address reminders go to, can change it
in Preferences, and every page says so when reminders are on but there is no address."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.web.test_preferences import valid_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def signup_on(settings):
    settings.SIGNUP_ENABLED = True


def sign_up(client, **changes):
    data = {
        "username": "carol",
        "email": "carol@example.org",
        "password1": "a-long-pass-phrase-42",
        "password2": "a-long-pass-phrase-42",
    }
    data.update(changes)
    return client.post(reverse("signup"), {k: v for k, v in data.items() if v is not None})


def test_sign_up_asks_for_the_email_reminders_go_to_and_says_it_is_not_verified(client, signup_on):
    page = client.get(reverse("signup")).text
    assert 'name="email"' in page
    assert "not verified" in page


def test_sign_up_stores_the_email(client, signup_on):
    response = sign_up(client)
    assert response.status_code == 302
    assert get_user_model().objects.get(username="carol").email == "carol@example.org"


def test_sign_up_without_an_email_is_refused_and_creates_nothing(client, signup_on):
    response = sign_up(client, email="")
    assert response.status_code == 200
    assert "reminders" in response.text and "This field is required." in response.text
    assert not get_user_model().objects.filter(username="carol").exists()


def test_sign_up_refuses_a_malformed_email(client, signup_on):
    response = sign_up(client, email="carol-at-example")
    assert "Enter a valid email address." in response.text
    assert not get_user_model().objects.filter(username="carol").exists()


def test_preferences_show_and_change_the_reminder_address(alice_client, alice):
    page = alice_client.get(reverse("crm:preferences")).text
    assert 'value="alice@example.com"' in page
    response = alice_client.post(reverse("crm:preferences"), valid_data(email="alice@new.example"))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@new.example"


def test_every_page_warns_when_reminders_are_on_but_there_is_no_address(alice_client, alice):
    assert "no email address" not in alice_client.get(reverse("home")).text
    alice.email = ""
    alice.save()
    for name in ("home", "crm:application-list", "contacts:list"):
        page = alice_client.get(reverse(name)).text
        assert "Reminder emails are on, but you have no email address" in page
        assert reverse("crm:preferences") in page


def test_no_address_warning_when_reminders_are_off(alice_client, alice):
    alice.email = ""
    alice.save()
    alice.profile.email_reminders = False
    alice.profile.save()
    assert "no email address" not in alice_client.get(reverse("home")).text
