"""Unsubscribe links: one-click POST without a session, confirmation on GET, no forgery."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crm.models import Profile
from followups.scheduler.emails import DIGEST, REMINDERS, unsubscribe_token

pytestmark = pytest.mark.django_db


def url(user, kind: str = REMINDERS) -> str:
    return reverse("followups:unsubscribe", args=[unsubscribe_token(user.pk, kind)])


def profile(user) -> Profile:
    return Profile.objects.get(user=user)


def test_one_click_post_without_a_session_turns_reminder_emails_off(alice):
    # Mail providers POST "List-Unsubscribe=One-Click" with no cookie and no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(alice), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You will no longer get reminder emails" in response.text
    assert profile(alice).email_reminders is False
    assert profile(alice).digest_hour == 8  # the digest is a separate choice


def test_the_digest_link_turns_only_the_digest_off(alice):
    Client().post(url(alice, DIGEST))
    assert profile(alice).digest_hour is None
    assert profile(alice).email_reminders is True


def test_opening_the_link_asks_for_confirmation_and_changes_nothing(alice):
    response = Client().get(url(alice))
    assert response.status_code == 200
    assert "Stop reminder emails?" in response.text and '<form method="post"' in response.text
    assert profile(alice).email_reminders is True


def test_a_tampered_token_is_refused(alice, bob):
    token = unsubscribe_token(alice.pk, REMINDERS)
    # Bob's payload under Alice's signature: someone trying to unsubscribe another user.
    forged = unsubscribe_token(bob.pk, REMINDERS).split(":", 1)[0] + ":" + token.split(":", 1)[1]
    assert forged != token
    for bad in (forged, token[:-2] + "xx", "not-a-token"):
        response = Client().post(reverse("followups:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.text
    assert profile(alice).email_reminders is True and profile(bob).email_reminders is True


def test_a_token_signed_for_something_else_is_refused(alice):
    from django.core import signing

    token = signing.dumps({"u": alice.pk, "k": REMINDERS}, salt="another.purpose")
    response = Client().post(reverse("followups:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert profile(alice).email_reminders is True


def test_the_link_of_a_deleted_user_is_refused_without_an_error(alice):
    link = url(alice)
    alice.delete()
    assert Client().post(link).status_code == 400
