"""The REST endpoints under /api/v1/: one viewset per resource, every queryset the
requesting user's own rows, so another user's id answers 404."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication, Profile
from followups.api import filters, flows
from followups.api import serializers as s
from followups.api.problems import problem
from followups.dashboard import GROUP_TITLES, dashboard_groups
from followups.models import FollowUp, ReplyTemplate
from followups.stats import summary as stats

# Shared behaviour ---------------------------------------------------------------------


if TYPE_CHECKING:  # what the mixin is mixed into, for its super() calls
    from rest_framework.views import APIView as _ViewBase
else:
    _ViewBase = object


class ConditionalGetMixin(_ViewBase):
    """ETag on every successful GET (a hash of the body); If-None-Match → 304.

    The body is rendered anyway; hashing it is cheap next to the query, and a script
    polling a list gets an empty 304 while nothing changed.
    """

    def finalize_response(self, request: Request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method != "GET" or response.status_code != 200:
            return response
        response.render()
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        response["ETag"] = etag
        wanted = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
        if etag in wanted or "*" in wanted:
            not_modified = Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
            return super().finalize_response(request, not_modified, *args, **kwargs)
        return response


class OwnedViewSet(ConditionalGetMixin, viewsets.ModelViewSet):
    """CRUD over the requesting user's rows of `model`."""

    if TYPE_CHECKING:
        model: type[Company] | type[JobApplication] | type[Contact] | type[Interaction]
    else:
        model = None
    ordering: tuple[str, ...] = ("pk",)
    prefetch: tuple[str, ...] = ()
    lookup_value_regex = r"\d+"
    filter_backends = [DjangoFilterBackend]
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model.objects.none()
        rows = self.model.objects.filter(owner=self.request.user)
        return rows.prefetch_related(*self.prefetch).order_by(*self.ordering)


# Companies, applications, contacts ------------------------------------------------------


class CompanyViewSet(OwnedViewSet):
    model = Company
    serializer_class = s.CompanySerializer
    filterset_class = filters.CompanyFilter
    ordering = ("name", "pk")


class ApplicationViewSet(OwnedViewSet):
    model = JobApplication
    serializer_class = s.ApplicationSerializer
    filterset_class = filters.ApplicationFilter
    ordering = ("-created_at", "-pk")


class ContactViewSet(OwnedViewSet):
    model = Contact
    serializer_class = s.ContactSerializer
    filterset_class = filters.ContactFilter
    prefetch = ("applications",)


# Interactions: written through the model's save path, so the rules fire ----------------


class InteractionViewSet(OwnedViewSet):
    model = Interaction
    serializer_class = s.InteractionSerializer
    filterset_class = filters.InteractionFilter
    ordering = ("-occurred_at", "-pk")

    def write(self, request: Request, instance: Interaction | None, *, partial: bool):
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        interaction = serializer.instance or Interaction(owner=request.user)
        for name, value in serializer.validated_data.items():
            setattr(interaction, name, value)
        interaction.scheduled, interaction.completed = flows.save_interaction(interaction)
        answer = s.InteractionResultSerializer(interaction, context=self.get_serializer_context())
        return Response(
            answer.data, status=status.HTTP_201_CREATED if instance is None else status.HTTP_200_OK
        )

    @extend_schema(responses={201: s.InteractionResultSerializer})
    def create(self, request: Request, *args, **kwargs):
        """Logs an interaction; the answer lists the follow-ups the rules scheduled."""
        return self.write(request, None, partial=False)

    @extend_schema(responses=s.InteractionResultSerializer)
    def update(self, request: Request, *args, **kwargs):
        return self.write(request, self.get_object(), partial=kwargs.get("partial", False))

    @extend_schema(responses=s.InteractionResultSerializer)
    def partial_update(self, request: Request, *args, **kwargs):
        return self.write(request, self.get_object(), partial=True)


# Follow-ups: read, edit the draft, and the dashboard's actions --------------------------

action_answer = s.FollowUpActionSerializer


class FollowUpViewSet(
    ConditionalGetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.FollowUpSerializer
    filterset_class = filters.FollowUpFilter
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        return (
            FollowUp.objects.filter(owner=self.request.user)
            .select_related("contact")
            .order_by("due_at", "pk")
        )

    def acted(self, followup: FollowUp, detail: str, interaction=None, scheduled=()) -> Response:
        context = self.get_serializer_context()
        body = {
            "followup": s.FollowUpSerializer(followup, context=context).data,
            "interaction": s.InteractionSerializer(interaction, context=context).data
            if interaction is not None
            else None,
            "scheduled": s.FollowUpSerializer(scheduled, many=True, context=context).data,
            "detail": detail,
        }
        return Response(body)

    @extend_schema(request=s.MarkSentSerializer, responses=action_answer)
    @action(detail=True, methods=["post"], url_path="mark-sent")
    def mark_sent(self, request: Request, pk=None) -> Response:
        """Logs the draft (or `subject`/`body`, the text actually sent) as sent."""
        followup = self.get_object()
        form = s.MarkSentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            interaction, scheduled = flows.mark_sent(followup, **form.validated_data)
        except flows.ActionRefused as refused:
            return problem(409, str(refused))
        return self.acted(followup, "Marked sent.", interaction, scheduled)

    @extend_schema(request=s.SnoozeSerializer, responses=action_answer)
    @action(detail=True, methods=["post"])
    def snooze(self, request: Request, pk=None) -> Response:
        followup = self.get_object()
        form = s.SnoozeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            flows.snooze(followup, form.validated_data["until"])
        except flows.ActionRefused as refused:
            return problem(409, str(refused))
        return self.acted(followup, "Snoozed.")

    @extend_schema(request=None, responses=action_answer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk=None) -> Response:
        followup = self.get_object()
        try:
            flows.dismiss(followup)
        except flows.ActionRefused as refused:
            return problem(409, str(refused))
        return self.acted(followup, "Dismissed.")

    @extend_schema(request=None, responses=action_answer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk=None) -> Response:
        followup = self.get_object()
        try:
            flows.reopen(followup)
        except flows.ActionRefused as refused:
            return problem(409, str(refused))
        return self.acted(followup, "Back on your list.")


# Templates: the built-ins and the user's own overrides ----------------------------------


class ReplyTemplateViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ReplyTemplateSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReplyTemplate.objects.none()
        return ReplyTemplate.objects.filter(
            Q(owner=self.request.user) | Q(owner__isnull=True)
        ).order_by("kind", "owner_id", "variant", "pk")


# Dashboard and stats ---------------------------------------------------------------------

ROW_FIELDS = (
    "DashboardRow",
    {
        "id": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "title": serializers.CharField(),
        "contact_name": serializers.CharField(),
        "company": serializers.CharField(),
        "job": serializers.CharField(),
        "due_at": serializers.DateTimeField(),
        "deadline": serializers.DateTimeField(allow_null=True),
        "late": serializers.BooleanField(),
        "draft_subject": serializers.CharField(),
        "draft_body": serializers.CharField(),
    },
)
group_schema = inline_serializer(
    "DashboardGroup",
    {
        "key": serializers.CharField(),
        "title": serializers.CharField(),
        "count": serializers.IntegerField(),
        "rows": inline_serializer(*ROW_FIELDS, many=True),
    },
    many=True,
)


def dashboard_row(row) -> dict:
    followup = row.followup
    return {
        "id": followup.pk,
        "kind": followup.kind,
        "title": row.title,
        "contact_name": row.who,
        "company": row.company,
        "job": row.job,
        "due_at": followup.due_at.isoformat(),
        "deadline": followup.deadline.isoformat() if followup.deadline else None,
        "late": row.is_late,
        "draft_subject": followup.draft_subject,
        "draft_body": followup.draft_body,
    }


class DashboardView(ConditionalGetMixin, APIView):
    """The dashboard's groups (overdue, today, this week, later), each with its first rows."""

    @extend_schema(responses={200: inline_serializer("Dashboard", {"groups": group_schema})})
    def get(self, request: Request) -> Response:
        now = timezone.now()
        zone = Profile.for_user(request.user).zone
        groups = dashboard_groups(request.user, now, zone, with_rows=GROUP_TITLES)
        body = [
            {
                "key": group.key,
                "title": group.title,
                "count": group.count,
                "rows": [dashboard_row(row) for row in group.rows],
            }
            for group in groups
        ]
        return Response({"groups": body})


def bars(items) -> list[dict]:
    return [
        {"label": b.label, "value": b.value, "total": b.total, "percent": b.percent} for b in items
    ]


class BarSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


def bar_schema() -> BarSerializer:
    return BarSerializer(many=True)


class StatsView(ConditionalGetMixin, APIView):
    """The stats page's figures: funnel, reply speed, feedback answers, punctuality."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "Stats",
                {
                    "funnel": bar_schema(),
                    "reply_speed": inline_serializer(
                        "ReplySpeed",
                        {
                            "bars": bar_schema(),
                            "sent": serializers.IntegerField(),
                            "within_target": serializers.IntegerField(),
                            "median_hours": serializers.FloatField(allow_null=True),
                            "missed": serializers.IntegerField(),
                        },
                    ),
                    "feedback": bar_schema(),
                    "punctuality": bar_schema(),
                    "target_hours": serializers.IntegerField(),
                },
            )
        }
    )
    def get(self, request: Request) -> Response:
        now = timezone.now()
        speed = stats.reply_speed(request.user, now)
        return Response(
            {
                "funnel": bars(stats.pipeline_funnel(request.user)),
                "reply_speed": {
                    "bars": bars(speed.bars),
                    "sent": speed.sent,
                    "within_target": speed.within_target,
                    "median_hours": speed.median_hours,
                    "missed": speed.missed,
                },
                "feedback": bars(stats.feedback_answers(request.user)),
                "punctuality": bars(stats.punctuality(request.user, now)),
                "target_hours": stats.REPLY_TARGET_HOURS,
            }
        )


@extend_schema(exclude=True)
@api_view(["GET"])
def root(request: Request) -> Response:
    """Where to start: the resources and the schema."""
    base = request.build_absolute_uri("/api/v1/")
    names = ["companies", "applications", "contacts", "interactions", "followups", "templates"]
    return Response(
        {
            **{name: f"{base}{name}/" for name in names},
            "dashboard": f"{base}dashboard/",
            "stats": f"{base}stats/",
            "schema": f"{base}schema/",
            "docs": f"{base}docs/",
        }
    )
