"""Applications: the board by status, the list, the detail page and the forms."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from crm.applications.queries import (
    applications_for,
    board_columns,
    mark_no_response,
    search_applications,
)
from crm.forms import ApplicationFilterForm, ApplicationForm, ApplicationStatusForm
from crm.http import AuthenticatedHttpRequest
from crm.models import Company, JobApplication
from crm.timeline import build_timeline

LIST_PAGE_SIZE = 25
# A detail page shows this many of the latest interactions and follow-ups.
TIMELINE_LIMIT = 200


def _today() -> date:
    return timezone.localdate()


# Board --------------------------------------------------------------------------------


def application_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Columns by status; each card has a small form to move it."""
    context = {
        "columns": board_columns(request.user, _today()),
    }
    return render(request, "crm/application_board.html", context)


@require_POST
def application_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Sets a new status; htmx gets the re-rendered board, a plain POST a redirect.

    Wishlist → Applied dates the application today (the rules then schedule its status
    check); a move to Rejected offers to log who sent the rejection (which schedules the
    reply); every move offers an Undo, which posts the previous status back.
    """
    application = get_object_or_404(JobApplication, pk=pk, owner=request.user)
    form = ApplicationStatusForm(request.POST)
    undo = None
    if form.is_valid():
        undo = {"status": application.status, "dated": False}
        application.status = form.cleaned_data["status"]
        if request.POST.get("undo") and request.POST.get("clear_applied_on"):
            application.applied_on = None
        elif application.status == JobApplication.Status.APPLIED and not application.applied_on:
            application.applied_on, undo["dated"] = _today(), True
        application.save()
        level, notice = "success", f"Moved “{application}” to {application.get_status_display()}."
        if request.POST.get("undo"):
            undo = None
    else:
        level, notice = "danger", "Choose one of the listed statuses."
    if request.htmx:
        # Shown inside the swapped board: a queued message would only appear on the
        # next full page load, long after the move.
        context = {
            "columns": board_columns(request.user, _today()),
            "notice": notice,
            "notice_level": level,
            "moved": application if undo else None,
            "undo": undo,
        }
        return render(request, "crm/_application_board_columns.html", context)
    (messages.success if level == "success" else messages.error)(request, notice)
    if request.POST.get("next") == "detail":
        return redirect("crm:application-detail", pk=application.pk)
    return redirect("crm:application-board")


# List and detail ----------------------------------------------------------------------


def application_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search and filters over the user's applications, paginated."""
    form = ApplicationFilterForm(request.GET, owner=request.user)
    today = _today()
    queryset = search_applications(applications_for(request.user), today, **form.filters())
    page = Paginator(queryset, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # fetched once, then marked
    mark_no_response(page.object_list, today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "crm/application_list.html", context)


def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The application with its contacts and one timeline of interactions and follow-ups."""
    application = get_object_or_404(applications_for(request.user), pk=pk)
    mark_no_response([application], _today())
    interactions = application.interactions.select_related("contact")[:TIMELINE_LIMIT]
    followups = application.followups.select_related("contact").order_by("-due_at")[:TIMELINE_LIMIT]
    context = {
        "application": application,
        "contacts": application.contacts.select_related("company"),
        "pending_followups": [f for f in followups if f.is_pending],
        "timeline": build_timeline(interactions, followups, with_events=False),
        "status_form": ApplicationStatusForm(initial={"status": application.status}),
    }
    return render(request, "crm/application_detail.html", context)


# Create and edit ----------------------------------------------------------------------


def application_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial = {"applied_on": _today(), "status": JobApplication.Status.APPLIED}
    return _application_form(request, JobApplication(), initial)


def application_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(JobApplication, pk=pk, owner=request.user)
    return _application_form(request, application, {})


def _application_form(
    request: AuthenticatedHttpRequest, application: JobApplication, initial: dict
):
    form = ApplicationForm(
        request.POST or None, instance=application, initial=initial, owner=request.user
    )
    if request.method == "POST" and form.is_valid():
        application = form.save()
        messages.success(request, f"Saved “{application}”.")
        return redirect("crm:application-detail", pk=application.pk)
    context = {
        "form": form,
        "application": application,
        "companies": Company.names_of(request.user),
    }
    return render(request, "crm/application_form.html", context)
