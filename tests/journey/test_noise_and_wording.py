"""Item 12 of issue 12: noise and wording a new user trips over."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage, get_connection
from django.core.management import call_command
from django.urls import reverse

from crm.models import Profile
from followups import scheduler
from followups.models import FollowUp, FollowUpEvent
from tests.web.test_preferences import valid_data

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def test_quick_log_of_a_rejection_for_a_new_job_leaves_no_cancelled_application_check(
    alice, alice_client
):
    from tests.quicklog.test_quick_log import rejection_data

    with time_machine.travel(NOW, tick=False):
        alice_client.post(reverse("followups:log-rejection"), rejection_data())
    assert not FollowUp.objects.filter(kind="application_check").exists()
    assert FollowUpEvent.objects.filter(followup__kind="reply").count() == 1


def test_preferences_name_the_rules_in_words_not_codes(alice_client):
    page = alice_client.get(reverse("crm:preferences")).text
    for code in ("R1 ", "R3 ", "R4/R7", "R5 ", "R6 ", "R8 "):
        assert code not in page
    assert "Remind me to reply to rejections" in page


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("New York", "America/New_York"),
        ("london", "Europe/London"),
        ("europe/berlin", "Europe/Berlin"),
    ],
)
def test_the_time_zone_accepts_a_city_name_in_any_case(alice_client, alice, typed, stored):
    response = alice_client.post(
        reverse("crm:preferences"), valid_data(time_zone=typed, email="alice@example.com")
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=alice).time_zone == stored


def test_growth_offers_suggestions_below_only_when_there_are_some(alice_client):
    page = alice_client.get(reverse("followups:growth")).text
    assert "suggestion below" not in page
    assert reverse("followups:goal-create") in page


def test_the_favicon_is_served_on_every_page(client, alice_client):
    assert client.get("/favicon.ico", follow=True).status_code == 200
    assert 'rel="icon"' in alice_client.get(reverse("home")).text


def test_development_mail_prints_one_line_per_email(capsys, settings):
    connection = get_connection("crm.mail.OneLineConsoleBackend")
    EmailMessage(
        "Reply to the rejection: Dana", "A long body\n" * 50, to=["sam@example.org"]
    ).send()  # the test backend, untouched
    connection.send_messages(
        [EmailMessage("Reply to the rejection: Dana", "A long body\n" * 50, to=["sam@example.org"])]
    )
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "sam@example.org" in out and "Reply to the rejection: Dana" in out
    assert "A long body" not in out
    assert len(mail.outbox) == 1


def test_development_without_email_host_uses_the_one_line_console():
    from tests.web.test_settings import _manage

    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        DEBUG="1",
    )
    assert result.stdout.strip() == "crm.mail.OneLineConsoleBackend"


@pytest.mark.django_db
def test_the_demo_does_not_mail_its_overdue_history_at_start_up():
    call_command("load_demo")
    demo_overdue = FollowUp.objects.filter(
        owner__username="demo", status="pending", due_at__lte=datetime.now(UTC)
    )
    assert demo_overdue.exists()  # the dashboard still shows them as overdue
    Profile.objects.filter(user__username="demo").update(digest_hour=None)
    report = scheduler.tick()
    assert report.reminders_sent == 0
