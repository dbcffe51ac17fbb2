"""Brute force (issue 13, item 8): after a few wrong passwords the user and address are
locked out for a while, on the login page and the admin's, with a page saying so."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def _login(client: Client, username: str, password: str, url: str | None = None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_right_one_out_with_a_clear_message(alice):
    client = Client()
    for _ in range(4):
        assert _login(client, "alice", "wrong").status_code == 200
    assert _login(client, "alice", "wrong").status_code == 429  # the fifth locks
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    assert "Try again in 15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_the_cool_off(alice):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _login(client, "alice", "wrong")
        assert _login(client, "alice", PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = _login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_another_address_or_another_user_is_not_locked_out(alice, bob):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(6):
        _login(attacker, "alice", "wrong")
    assert _login(Client(REMOTE_ADDR="198.51.100.7"), "alice", PASSWORD).status_code == 302
    assert _login(attacker, "bob", PASSWORD).status_code == 302


def test_the_admin_login_locks_out_too(alice):
    get_user_model().objects.filter(pk=alice.pk).update(is_staff=True)
    client = Client()
    url = reverse("admin:login")
    for _ in range(5):
        _login(client, "alice", "wrong", url)
    response = _login(client, "alice", PASSWORD, url)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_a_right_password_resets_the_count(alice):
    client = Client()
    for _ in range(4):
        _login(client, "alice", "wrong")
    assert _login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "alice", "wrong")
    assert _login(client, "alice", PASSWORD).status_code == 302
