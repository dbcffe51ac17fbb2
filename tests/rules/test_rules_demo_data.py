"""The demo account shows the rules at work: follow-ups of every kind and in every state."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from followups.models import FollowUp

pytestmark = pytest.mark.django_db


def demo_followups():
    return FollowUp.objects.filter(owner__username="demo")


def test_the_demo_has_follow_ups_in_every_state():
    call_command("load_demo")
    states = set(demo_followups().values_list("status", flat=True))
    assert states == {s for s, _ in FollowUp.Status.choices}


def test_the_demo_has_a_follow_up_from_every_rule():
    call_command("load_demo")
    kinds = set(demo_followups().values_list("kind", flat=True))
    assert kinds >= {
        "reply",
        "feedback_nudge",
        "check_in",
        "connect",
        "thank_you",
        "application_check",
    }


def test_the_do_not_contact_person_has_nothing_pending():
    call_command("load_demo")
    assert not demo_followups().filter(contact__do_not_contact=True, status="pending").exists()


def test_every_demo_follow_up_has_its_history():
    call_command("load_demo")
    for followup in demo_followups():
        events = list(followup.events.all())
        assert events[0].old_status == "" and events[-1].new_status == followup.status


def test_resetting_the_demo_gives_the_same_follow_ups():
    call_command("load_demo")
    first = sorted(demo_followups().values_list("kind", "status"))
    call_command("load_demo", reset=True)
    assert sorted(demo_followups().values_list("kind", "status")) == first
