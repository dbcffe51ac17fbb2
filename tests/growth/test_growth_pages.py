"""The growth page and its forms: what the owner sees, and that nobody else sees it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Interaction
from crm.models import JobApplication
from followups.models import FeedbackTheme, FollowUp, Goal, GoalProgress, Reflection
from tests.factories import make_application, make_interaction, make_user

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def make_feedback(owner, body: str, **fields) -> Interaction:
    return make_interaction(
        owner,
        kind=Interaction.Kind.FEEDBACK,
        direction=Interaction.Direction.INBOUND,
        body=body,
        **fields,
    )


def make_goal(owner, **fields) -> Goal:
    fields.setdefault("specific", "Add three achievements with figures to my CV")
    fields.setdefault("deadline", date(2026, 3, 20))
    return Goal.objects.create(owner=owner, **fields)


# The growth page ---------------------------------------------------------------------


def test_growth_page_lists_open_goals_with_their_latest_progress(alice, alice_client):
    goal = make_goal(alice)
    GoalProgress.objects.create(goal=goal, on=date(2026, 3, 3), note="Found the sales figures")
    make_goal(alice, specific="Practise answers aloud").mark_done()

    page = alice_client.get(reverse("followups:growth")).content.decode()

    assert "Add three achievements with figures to my CV" in page
    assert "1 progress note" in page
    assert "Found the sales figures" in page
    assert "Recently done" in page


def test_growth_page_charts_themes_counted_once_per_application(alice, alice_client):
    first, second = make_application(alice), make_application(alice)
    for application in (first, second):
        feedback = make_feedback(alice, "You seemed nervous.", application=application)
        FeedbackTheme.set_for(feedback, {"nerves"})
    again = make_feedback(alice, "Quite nervous, and the CV had typos.", application=first)
    FeedbackTheme.set_for(again, {"nerves", "materials"})

    response = alice_client.get(reverse("followups:growth"))
    page = response.content.decode()

    assert "<svg" in page
    bars = {bar.theme: bar for bar in response.context["chart"]["bars"]}
    assert bars["nerves"].count == 2 and bars["nerves"].recurring
    assert bars["materials"].count == 1 and not bars["materials"].recurring
    assert ">2</text>" in page
    assert "Make this a goal" in page  # next steps for the top themes


def test_growth_page_lists_the_ten_latest_rejections_logged_or_set_by_hand(alice, alice_client):
    rejected = JobApplication.Status.REJECTED
    logged = [make_application(alice, title=f"Logged {n}", status=rejected) for n in range(8)]
    # Each logged application got two rejections; the later one is its rejection time.
    Interaction.objects.bulk_create(
        Interaction(
            owner=alice,
            application=application,
            direction="inbound",
            kind="rejection",
            occurred_at=NOW - timedelta(days=2 * n + extra),
        )
        for n, application in enumerate(logged)
        for extra in (1, 30)
    )
    by_hand = [make_application(alice, title=f"By hand {n}", status=rejected) for n in range(8)]
    for n, application in enumerate(by_hand):
        JobApplication.objects.filter(pk=application.pk).update(
            updated_at=NOW - timedelta(days=2 * n + 2)
        )
    # Logged long ago but edited yesterday: its rejection time is the logged one, too old.
    stale = make_application(alice, title="Stale", status=rejected)
    make_interaction(
        alice, application=stale, kind="rejection", occurred_at=NOW - timedelta(days=90)
    )

    shown = alice_client.get(reverse("followups:growth")).context["to_reflect"]

    # Logged n: 2n + 1 days ago; by hand n: 2n + 2 days ago; newest first, ten of them.
    expected = [a for pair in zip(logged, by_hand, strict=True) for a in pair][:10]
    assert [a.title for a in shown] == [a.title for a in expected]
    assert shown[0].rejected_at == NOW - timedelta(days=1)


def test_growth_page_asks_for_reflections_on_recent_rejections_only(alice, alice_client):
    recent = make_application(alice, title="Data Analyst", status=JobApplication.Status.REJECTED)
    make_interaction(
        alice,
        application=recent,
        kind=Interaction.Kind.REJECTION,
        occurred_at=NOW - timedelta(days=3),
    )
    old = make_application(alice, title="Old Role", status=JobApplication.Status.REJECTED)
    make_interaction(
        alice,
        application=old,
        kind=Interaction.Kind.REJECTION,
        occurred_at=NOW - timedelta(days=200),
    )
    done = make_application(alice, title="Reflected Role", status=JobApplication.Status.REJECTED)
    Reflection.objects.create(owner=alice, application=done, takeaway="Shorter answers")

    response = alice_client.get(reverse("followups:growth"))

    assert "Data Analyst" in response.content.decode()
    assert "Old Role" not in response.content.decode()
    assert [application.pk for application in response.context["to_reflect"]] == [recent.pk]


def test_growth_page_lists_feedback_still_to_sort(alice, alice_client):
    feedback = make_feedback(alice, "We felt you lacked enthusiasm for the role.")

    page = alice_client.get(reverse("followups:growth")).content.decode()

    assert reverse("followups:feedback-themes", args=[feedback.pk]) in page


def test_growth_page_shows_nothing_of_another_user(alice, bob, bob_client):
    make_goal(alice, specific="Alice's secret goal")
    make_feedback(alice, "Alice's feedback about nerves")

    page = bob_client.get(reverse("followups:growth")).content.decode()

    assert "Alice&#x27;s secret goal" not in page and "Alice's secret goal" not in page
    assert "feedback about nerves" not in page


def test_growth_is_in_the_main_navigation(alice_client):
    page = alice_client.get(reverse("followups:growth")).content.decode()
    assert f'href="{reverse("followups:growth")}">Growth</a>' in page


# Feedback themes ---------------------------------------------------------------------


def test_feedback_page_pre_ticks_the_suggested_themes(alice, alice_client):
    feedback = make_feedback(alice, "Your answers were hard to follow and you seemed anxious.")

    response = alice_client.get(reverse("followups:feedback-themes", args=[feedback.pk]))

    assert set(response.context["form"].initial["themes"]) == {"communication", "nerves"}
    assert not FeedbackTheme.objects.exists()  # nothing stored until the user confirms


def test_confirming_themes_stores_them_and_shows_suggested_actions(alice, alice_client):
    feedback = make_feedback(alice, "Your answers were hard to follow and you seemed anxious.")
    url = reverse("followups:feedback-themes", args=[feedback.pk])

    response = alice_client.post(url, {"themes": ["nerves", "other"]}, follow=True)

    assert set(feedback.feedback_themes.values_list("theme", flat=True)) == {"nerves", "other"}
    page = response.content.decode()
    assert "mock interviews" in page
    assert "Make this a goal" in page


def test_unticking_a_theme_removes_it(alice, alice_client):
    feedback = make_feedback(alice, "You seemed nervous.")
    FeedbackTheme.set_for(feedback, {"nerves", "materials"})

    alice_client.post(
        reverse("followups:feedback-themes", args=[feedback.pk]), {"themes": ["nerves"]}
    )

    assert list(feedback.feedback_themes.values_list("theme", flat=True)) == ["nerves"]


def test_an_unknown_theme_is_a_field_error(alice, alice_client):
    feedback = make_feedback(alice, "You seemed nervous.")

    response = alice_client.post(
        reverse("followups:feedback-themes", args=[feedback.pk]), {"themes": ["laziness"]}
    )

    assert response.status_code == 200
    assert "themes" in response.context["form"].errors
    assert not FeedbackTheme.objects.exists()


def test_only_inbound_feedback_can_be_tagged(alice, alice_client):
    note = make_interaction(alice, kind=Interaction.Kind.NOTE, body="You seemed nervous.")
    response = alice_client.get(reverse("followups:feedback-themes", args=[note.pk]))
    assert response.status_code == 404


def test_another_users_feedback_answers_404(alice, bob_client):
    feedback = make_feedback(alice, "You seemed nervous.")
    url = reverse("followups:feedback-themes", args=[feedback.pk])

    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url, {"themes": ["nerves"]}).status_code == 404
    assert not FeedbackTheme.objects.exists()


# Goals -------------------------------------------------------------------------------


def test_one_click_turns_a_suggested_action_into_a_goal(alice, alice_client):
    application = make_application(alice)

    response = alice_client.post(
        reverse("followups:goal-from-action"),
        {"action": "nerves-mock-interviews", "application": application.pk},
    )

    goal = Goal.objects.get(owner=alice)
    assert response.url == reverse("followups:goal-detail", args=[goal.pk])
    assert "mock interviews" in goal.specific
    assert goal.measurable and goal.achievable and goal.relevant
    assert goal.theme == "nerves" and goal.application == application
    assert goal.deadline == date(2026, 3, 18)  # the action's 14 days from today
    assert goal.followup.kind == FollowUp.Kind.GOAL


def test_a_suggested_action_cannot_attach_another_users_application(alice, bob, bob_client):
    application = make_application(alice)

    bob_client.post(
        reverse("followups:goal-from-action"),
        {"action": "nerves-mock-interviews", "application": application.pk},
    )

    assert not Goal.objects.exists()


def test_creating_a_goal_with_the_form(alice, alice_client):
    response = alice_client.post(
        reverse("followups:goal-create"),
        {
            "specific": "Rewrite my CV summary",
            "measurable": "Two friends read it",
            "achievable": "One evening",
            "relevant": "Feedback said it was generic",
            "deadline": "2026-03-27",
            "remind_days_before": "2",
            "theme": "materials",
            "application": "",
        },
    )

    goal = Goal.objects.get(owner=alice)
    assert response.status_code == 302
    assert goal.followup.status == FollowUp.Status.PENDING


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("specific", ""),
        ("deadline", "2026-03-01"),  # in the past
        ("deadline", "next friday"),
        ("remind_days_before", "-1"),
        ("remind_days_before", "500"),
        ("theme", "laziness"),
    ],
)
def test_bad_goal_input_gives_a_field_error(alice, alice_client, field, value):
    data = {"specific": "Practise", "deadline": "2026-03-27", "remind_days_before": "2"}
    data[field] = value

    response = alice_client.post(reverse("followups:goal-create"), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Goal.objects.exists()


def test_the_goal_form_offers_only_the_users_own_applications(alice, bob, alice_client):
    bobs = make_application(bob)
    data = {
        "specific": "Practise",
        "deadline": "2026-03-27",
        "remind_days_before": "2",
        "application": bobs.pk,
    }

    response = alice_client.post(reverse("followups:goal-create"), data)

    assert "application" in response.context["form"].errors


def test_a_past_deadline_may_stay_when_editing_other_fields(alice, alice_client):
    goal = make_goal(alice, deadline=date(2026, 3, 5))
    with time_machine.travel(datetime(2026, 3, 10, 10, tzinfo=UTC), tick=False):
        response = alice_client.post(
            reverse("followups:goal-edit", args=[goal.pk]),
            {"specific": "Reworded", "deadline": "2026-03-05", "remind_days_before": "2"},
        )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.specific == "Reworded"


def test_progress_notes_are_added_with_their_date(alice, alice_client):
    goal = make_goal(alice)
    url = reverse("followups:goal-detail", args=[goal.pk])

    alice_client.post(url, {"on": "2026-03-03", "note": "Drafted two bullet points"})
    page = alice_client.get(url).content.decode()

    assert goal.progress_notes.get().on == date(2026, 3, 3)
    assert "Drafted two bullet points" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"on": "2026-03-03", "note": ""}, "note"),
        ({"on": "2026-04-01", "note": "From the future"}, "on"),
        ({"on": "yesterday", "note": "Did it"}, "on"),
    ],
)
def test_bad_progress_notes_give_field_errors(alice, alice_client, data, field):
    goal = make_goal(alice)

    response = alice_client.post(reverse("followups:goal-detail", args=[goal.pk]), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not goal.progress_notes.exists()


def test_marking_a_goal_done_from_its_page(alice, alice_client):
    goal = make_goal(alice)

    alice_client.post(reverse("followups:goal-done", args=[goal.pk]))

    goal.refresh_from_db()
    assert goal.status == Goal.Status.DONE
    assert goal.followup.status == FollowUp.Status.DONE


def test_deleting_a_goal_asks_first_then_cancels_its_reminder(alice, alice_client):
    goal = make_goal(alice)
    url = reverse("followups:goal-delete", args=[goal.pk])

    assert "Delete this goal?" in alice_client.get(url).content.decode()
    alice_client.post(url)

    assert not Goal.objects.exists()
    assert FollowUp.objects.get().status == FollowUp.Status.CANCELLED


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("followups:goal-detail", "get"),
        ("followups:goal-detail", "post"),
        ("followups:goal-edit", "get"),
        ("followups:goal-edit", "post"),
        ("followups:goal-done", "post"),
        ("followups:goal-reopen", "post"),
        ("followups:goal-delete", "get"),
        ("followups:goal-delete", "post"),
    ],
)
def test_another_users_goal_answers_404(alice, bob_client, name, method):
    goal = make_goal(alice)

    response = getattr(bob_client, method)(reverse(name, args=[goal.pk]))

    assert response.status_code == 404
    goal.refresh_from_db()
    assert goal.status == Goal.Status.OPEN


# Reflections -------------------------------------------------------------------------


def test_writing_a_reflection_answers_each_question_with_a_note(alice, alice_client):
    application = make_application(alice, status=JobApplication.Status.REJECTED)
    url = reverse("followups:reflection", args=[application.pk])

    page = alice_client.get(url).content.decode()
    assert "body language" in page
    response = alice_client.post(
        url,
        {
            "tailored_answer": "partly",
            "tailored_note": "Same CV as for the last three",
            "clear_answers_answer": "no",
            "clear_answers_note": "Rambled on the system design question",
            "takeaway": "Prepare two stories per posting",
        },
    )

    assert response.status_code == 302
    reflection = application.reflection
    assert reflection.tailored_answer == "partly"
    assert reflection.clear_answers_note == "Rambled on the system design question"
    assert "Same CV as for the last three" in alice_client.get(url).content.decode()


def test_weak_answers_in_a_reflection_suggest_steps_for_their_theme(alice, alice_client):
    application = make_application(alice, status=JobApplication.Status.REJECTED)
    url = reverse("followups:reflection", args=[application.pk])

    alice_client.post(url, {"body_language_answer": "no", "tailored_answer": "yes"})
    page = alice_client.get(url).content.decode()

    assert "mock interviews" in page  # nerves, from the body-language answer
    assert "cover letter for its posting" not in page  # materials were fine
    assert f'name="application" value="{application.pk}"' in page


def test_written_reflections_are_linked_from_the_growth_page(alice, alice_client):
    application = make_application(alice, title="Data Analyst")
    Reflection.objects.create(owner=alice, application=application, takeaway="Slow down")

    page = alice_client.get(reverse("followups:growth")).content.decode()

    assert reverse("followups:reflection", args=[application.pk]) in page


def test_an_empty_reflection_is_refused(alice, alice_client):
    application = make_application(alice, status=JobApplication.Status.REJECTED)

    response = alice_client.post(reverse("followups:reflection", args=[application.pk]), {})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Reflection.objects.exists()


def test_a_bad_reflection_answer_is_a_field_error(alice, alice_client):
    application = make_application(alice, status=JobApplication.Status.REJECTED)

    response = alice_client.post(
        reverse("followups:reflection", args=[application.pk]), {"tailored_answer": "maybe"}
    )

    assert "tailored_answer" in response.context["form"].errors


def test_another_users_application_has_no_reflection_page(alice, bob_client):
    application = make_application(alice, status=JobApplication.Status.REJECTED)
    url = reverse("followups:reflection", args=[application.pk])

    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url, {"takeaway": "x"}).status_code == 404
    assert not Reflection.objects.exists()


def test_the_goal_page_shows_its_reminder_in_the_owners_time(db, client):
    owner = make_user("carol", time_zone="Europe/Berlin")
    client.force_login(owner)
    goal = make_goal(owner, deadline=date(2026, 3, 13))

    page = client.get(reverse("followups:goal-detail", args=[goal.pk])).content.decode()

    assert "Wed 11 Mar, 09:00" in page  # 08:00 UTC is 09:00 in Berlin
    assert "Friday 13 March 2026" in page
