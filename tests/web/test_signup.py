"""Sign-up is off unless the server turns it on."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_up_is_off_by_default(client):
    assert client.get(reverse("signup")).status_code == 404
    assert "Create an account" not in client.get(reverse("login")).text


def test_with_sign_up_on_a_visitor_creates_an_account_and_is_logged_in(client, settings):
    settings.SIGNUP_ENABLED = True
    response = client.post(
        reverse("signup"),
        {
            "username": "carol",
            "email": "carol@example.org",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    carol = get_user_model().objects.get(username="carol")
    assert carol.is_staff and not carol.is_superuser
    assert client.get(reverse("admin:contacts_contact_changelist")).status_code == 200


def test_sign_up_shows_field_errors_and_creates_nothing(client, settings):
    settings.SIGNUP_ENABLED = True
    response = client.post(
        reverse("signup"), {"username": "carol", "password1": "x", "password2": "y"}
    )
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.text
    assert not get_user_model().objects.filter(username="carol").exists()


def test_login_page_is_styled_and_served_without_a_cdn(client):
    page = client.get(reverse("login")).text
    assert "/static/bootstrap/css/bootstrap.min.css" in page
    assert "cdn" not in page.lower()
