"""Item 4 of issue 12, the page: a new account's first run asks for the time zone
(pre-filled from the browser), the name and the signature."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from crm.models import Profile

pytestmark = pytest.mark.django_db

URL = reverse("crm:first-run")


def test_sign_up_leads_to_the_first_run_page(client, settings):
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
    assert response.url == URL


def test_first_run_asks_for_zone_name_and_signature_and_reads_the_browser_zone(alice_client):
    page = alice_client.get(URL).text
    for name in ("time_zone", "first_name", "last_name", "signature"):
        assert f'name="{name}"' in page
    assert "data-browser-time-zone" in page
    assert "/static/js/first-run.js" in page
    assert "<script>" not in page  # no inline script


def test_first_run_saves_zone_name_and_signature(alice_client, alice):
    response = alice_client.post(
        URL,
        {
            "time_zone": "america/new_york",
            "first_name": "Alice",
            "last_name": "Moreau",
            "signature": "Alice Moreau\n+1 555 0100",
        },
    )
    assert response.status_code == 302 and response.url == reverse("home")
    profile = Profile.objects.get(user=alice)
    assert profile.time_zone == "America/New_York"
    assert profile.signature.startswith("Alice Moreau")
    alice = get_user_model().objects.get(pk=alice.pk)
    assert (alice.first_name, alice.last_name) == ("Alice", "Moreau")


def test_first_run_refuses_an_unknown_zone_and_saves_nothing(alice_client, alice):
    response = alice_client.post(URL, {"time_zone": "Mars/Olympus", "first_name": "A"})
    assert response.status_code == 200
    assert "is not a time zone" in response.text
    assert Profile.objects.get(user=alice).time_zone == "UTC"
    assert get_user_model().objects.get(pk=alice.pk).first_name == ""
