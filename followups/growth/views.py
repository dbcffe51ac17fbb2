"""Pages of the growth plan: overview, feedback themes, goals, progress, reflections."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from contacts.models import Interaction
from crm.http import AuthenticatedHttpRequest
from crm.models import JobApplication, Profile
from followups import growth
from followups.growth.forms import (
    FeedbackThemesForm,
    GoalForm,
    GoalFromActionForm,
    GoalProgressForm,
    ReflectionForm,
)
from followups.models import (
    FeedbackTheme,
    Goal,
    Reflection,
    feedback_to_tag,
    reflections_to_write,
    theme_counts,
)


def _today(request: AuthenticatedHttpRequest) -> date:
    """The user's local date: deadlines and progress notes are calendar days where they live."""
    return timezone.localdate(timezone.now(), Profile.for_user(request.user).zone)


def _posted(request: AuthenticatedHttpRequest):
    # Not `request.POST or None`: an empty POST must still be validated and refused.
    return request.POST if request.method == "POST" else None


def _owned_goal(request: AuthenticatedHttpRequest, pk: int) -> Goal:
    return get_object_or_404(Goal, pk=pk, owner=request.user)


# Overview ----------------------------------------------------------------------------


def growth_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open goals with progress, recurring themes as a chart, reflections still to write."""
    now = timezone.now()
    counts = theme_counts(request.user)
    context = {
        "today": _today(request),
        "open_goals": Goal.objects.filter(owner=request.user, status=Goal.Status.OPEN)
        .select_related("application__company")
        .prefetch_related("progress_notes"),
        "done_goals": Goal.objects.filter(owner=request.user, status=Goal.Status.DONE).order_by(
            "-done_at"
        )[:5],
        "chart": growth.theme_chart(counts),
        # Next steps for the two most frequent themes: where a goal helps most.
        "suggestions": [
            (theme, label, growth.SUGGESTED_ACTIONS[theme]) for theme, label, _ in counts[:2]
        ],
        "to_reflect": reflections_to_write(request.user, now=now)[:10],
        "reflections": Reflection.objects.filter(owner=request.user).select_related(
            "application__company"
        )[:5],
        "to_tag": feedback_to_tag(request.user)[:10],
    }
    return render(request, "followups/growth/growth.html", context)


# Feedback themes ---------------------------------------------------------------------


def feedback_themes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Suggests themes for one piece of feedback; the user confirms them."""
    feedback = get_object_or_404(
        Interaction.objects.select_related("contact", "application__company"),
        pk=pk,
        owner=request.user,
        kind=Interaction.Kind.FEEDBACK,
        direction=Interaction.Direction.INBOUND,
    )
    confirmed = set(feedback.feedback_themes.values_list("theme", flat=True))
    suggested = growth.suggest_themes(f"{feedback.subject}\n{feedback.body}")
    form = FeedbackThemesForm(_posted(request), initial={"themes": sorted(confirmed or suggested)})
    if request.method == "POST" and form.is_valid():
        FeedbackTheme.set_for(feedback, form.cleaned_data["themes"])
        messages.success(request, "Themes saved. Turn a suggested step into a goal below.")
        return redirect("followups:feedback-themes", pk=feedback.pk)
    context = {
        "feedback": feedback,
        "form": form,
        "suggested": [growth.THEME_LABELS[theme] for theme in sorted(suggested)],
        "actions": [
            (theme, growth.THEME_LABELS[theme], growth.SUGGESTED_ACTIONS[theme])
            for theme in sorted(confirmed)
        ],
    }
    return render(request, "followups/growth/feedback.html", context)


# Goals -------------------------------------------------------------------------------


def goal_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new SMART goal; ?theme= and ?application= pre-fill the links."""
    today = _today(request)
    initial = {"deadline": today + timedelta(days=14), **request.GET.dict()}
    form = GoalForm(_posted(request), owner=request.user, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.instance.owner = request.user
        goal = form.save()
        messages.success(request, "Goal saved; you will get a reminder before its deadline.")
        return redirect(goal)
    return render(request, "followups/growth/goal_form.html", {"form": form})


@require_POST
def goal_from_action(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One click: a suggested action becomes a goal with its SMART fields filled in."""
    form = GoalFromActionForm(request.POST, owner=request.user)
    if not form.is_valid():
        messages.error(request, "That suggestion could not be turned into a goal.")
        return redirect("followups:growth")
    action = form.cleaned_data["action"]
    goal = Goal.objects.create(
        owner=request.user,
        specific=action.text,
        measurable=action.measurable,
        achievable=action.achievable,
        relevant=action.relevant,
        deadline=_today(request) + timedelta(days=action.days),
        theme=action.theme,
        action_key=action.key,
        application=form.cleaned_data["application"],
    )
    messages.success(request, "Goal created from the suggestion. Adjust it to fit you.")
    return redirect(goal)


def goal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A goal, its reminder and its progress notes; posting here adds a progress note."""
    goal = _owned_goal(request, pk)
    form = GoalProgressForm(_posted(request), today=_today(request))
    if request.method == "POST" and form.is_valid():
        form.instance.goal = goal
        form.save()
        messages.success(request, "Progress noted.")
        return redirect(goal)
    context = {"goal": goal, "form": form, "today": _today(request)}
    return render(request, "followups/growth/goal_detail.html", context)


def goal_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = _owned_goal(request, pk)
    form = GoalForm(_posted(request), instance=goal, owner=request.user, today=_today(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Goal updated.")
        return redirect(goal)
    return render(request, "followups/growth/goal_form.html", {"form": form, "goal": goal})


@require_POST
def goal_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = _owned_goal(request, pk)
    if goal.is_open:
        goal.mark_done()
        messages.success(request, "Well done! The goal is marked done.")
    return redirect(goal)


@require_POST
def goal_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = _owned_goal(request, pk)
    if not goal.is_open:
        goal.reopen()
        messages.info(request, "The goal is open again.")
    return redirect(goal)


def goal_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Asks first; deleting cancels the goal's reminder."""
    goal = _owned_goal(request, pk)
    if request.method == "POST":
        goal.delete()
        messages.info(request, "Goal deleted and its reminder cancelled.")
        return redirect("followups:growth")
    return render(request, "followups/growth/goal_delete.html", {"goal": goal})


# Reflections -------------------------------------------------------------------------


def reflection(request: AuthenticatedHttpRequest, application_pk: int) -> HttpResponse:
    """The guided reflection on one application (written once, edited later)."""
    application = get_object_or_404(
        JobApplication.objects.select_related("company"), pk=application_pk, owner=request.user
    )
    instance = Reflection.objects.filter(application=application).first() or Reflection(
        owner=request.user, application=application
    )
    form = ReflectionForm(_posted(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Reflection saved. The steps beside it can become goals.")
        return redirect("followups:reflection", application_pk=application.pk)
    # Suggestions follow what was saved, not what is being typed.
    weak = instance.weak_themes() if instance.pk else []
    context = {
        "application": application,
        "form": form,
        "reflection": instance,
        "actions": [
            (theme, growth.THEME_LABELS[theme], growth.SUGGESTED_ACTIONS[theme]) for theme in weak
        ],
    }
    return render(request, "followups/growth/reflection.html", context)
