"""URLconf of the API benchmark: the whole site plus the same follow-up page serialised
by hand with json.dumps, which the API's list is compared against."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from followups.models import ApiToken, FollowUp


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def hand_page(request: HttpRequest) -> HttpResponse:
    """The API list's query and fields, as a dict per row and one json.dumps."""
    raw = request.headers.get("Authorization", "").removeprefix("Bearer ")
    token = ApiToken.authenticate(raw)
    if token is None:
        return HttpResponse(status=401)
    size = int(request.GET.get("page_size", 100))
    page = int(request.GET.get("page", 1))
    queryset = (
        FollowUp.objects.filter(owner=token.owner, status="pending")
        .select_related("contact")
        .order_by("due_at", "pk")
    )
    count = queryset.count()
    rows = [
        {
            "id": f.pk,
            "kind": f.kind,
            "status": f.status,
            "contact": f.contact_id,
            "contact_name": f.contact.full_name if f.contact_id else "",
            "application": f.application_id,
            "source": f.source_id,
            "due_at": iso(f.due_at),
            "deadline": iso(f.deadline),
            "draft_subject": f.draft_subject,
            "draft_body": f.draft_body,
            "notified_at": iso(f.notified_at),
            "completed_by": f.completed_by_id,
            "completed_at": iso(f.completed_at),
            "cancel_reason": f.cancel_reason,
            "created_at": iso(f.created_at),
            "updated_at": iso(f.updated_at),
        }
        for f in queryset[(page - 1) * size : page * size]
    ]
    body = json.dumps({"count": count, "next": None, "previous": None, "results": rows})
    return HttpResponse(body, content_type="application/json")


hand_page.login_required = False

urlpatterns = [
    path("bench/hand-followups/", hand_page, name="bench-hand-followups"),
    path("", include("crm.urls")),
]
