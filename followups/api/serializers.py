"""What the API reads and writes for each resource, always within the requesting user's rows.

A related id (a contact's company, an interaction's contact) is looked up among the
user's own rows only, so another user's id reads as "does not exist", never as a link.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication
from followups.models import FollowUp, ReplyTemplate


class OwnedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id among the requesting user's own rows."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(owner=user)


def owned(model, **kwargs) -> OwnedPrimaryKeyRelatedField:
    return OwnedPrimaryKeyRelatedField(queryset=model.objects.all(), **kwargs)


class OwnedModelSerializer(serializers.ModelSerializer):
    """Creates rows for the requesting user; `owner` is never read from the request."""

    def create(self, validated_data):
        validated_data["owner"] = self.context["request"].user
        return super().create(validated_data)


# The quick-log forms' bounds: far-off dates are typos, and the rules add months to them.
PAST_LIMIT = timedelta(days=365 * 30)
FUTURE_LIMIT = timedelta(days=365)


# Companies and applications -------------------------------------------------------------


class CompanySerializer(OwnedModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "website", "notes", "created_at"]
        read_only_fields = ["created_at"]

    def validate_name(self, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise serializers.ValidationError("Give the company a name.")
        user = self.context["request"].user
        clash = Company.objects.filter(owner=user, name__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("You already have a company with this name.")
        return value


class ApplicationSerializer(OwnedModelSerializer):
    company = owned(Company)

    class Meta:
        model = JobApplication
        fields = [
            *("id", "company", "title", "status", "applied_on", "posting_url", "notes"),
            *("created_at", "updated_at"),
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_applied_on(self, value):
        # R8 counts days from it: a far-off date is a typo and would overflow.
        today = timezone.now().date()
        if value is not None and not today - PAST_LIMIT <= value <= today + FUTURE_LIMIT:
            raise serializers.ValidationError(
                "Enter a date within the last 30 years or the next year."
            )
        return value


# Contacts and interactions ----------------------------------------------------------------


class ContactSerializer(OwnedModelSerializer):
    company = owned(Company, allow_null=True, required=False)
    applications = owned(JobApplication, many=True, required=False)
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = [
            *("id", "first_name", "last_name", "full_name", "email", "company", "title"),
            *("role", "linkedin_url", "phone", "notes", "check_in_months", "do_not_contact"),
            *("applications", "created_at", "updated_at"),
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"check_in_months": {"max_value": 120}}


class FollowUpSerializer(serializers.ModelSerializer):
    contact_name = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            *("id", "kind", "status", "contact", "contact_name", "application", "source"),
            *("due_at", "deadline", "draft_subject", "draft_body", "notified_at"),
            *("completed_by", "completed_at", "cancel_reason", "created_at", "updated_at"),
        ]
        # Only the draft is edited directly; the state changes through the actions.
        read_only_fields = [name for name in fields if name not in ("draft_subject", "draft_body")]

    def get_contact_name(self, followup: FollowUp) -> str:
        return followup.contact.full_name if followup.contact is not None else ""


class InteractionSerializer(OwnedModelSerializer):
    contact = owned(Contact, allow_null=True, required=False)
    application = owned(JobApplication, allow_null=True, required=False)

    class Meta:
        model = Interaction
        fields = [
            *("id", "contact", "application", "direction", "channel", "kind"),
            *("requests_feedback", "occurred_at", "subject", "body", "created_at", "updated_at"),
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_occurred_at(self, value):
        now = timezone.now()
        if not now - PAST_LIMIT <= value <= now + FUTURE_LIMIT:
            raise serializers.ValidationError(
                "Enter a date within the last 30 years or the next year."
            )
        return value

    def validate(self, data: dict) -> dict:
        direction = data.get("direction", getattr(self.instance, "direction", None))
        if data.get("requests_feedback") and direction != Interaction.Direction.OUTBOUND:
            raise serializers.ValidationError(
                {"requests_feedback": "Only a message you sent can ask for feedback."}
            )
        return data


class InteractionResultSerializer(InteractionSerializer):
    """An interaction as a write answers it: with what the rules did about it."""

    scheduled = FollowUpSerializer(many=True, read_only=True)
    completed = FollowUpSerializer(many=True, read_only=True)

    class Meta(InteractionSerializer.Meta):
        fields = [*InteractionSerializer.Meta.fields, "scheduled", "completed"]


# Templates ----------------------------------------------------------------------------------


class ReplyTemplateSerializer(serializers.ModelSerializer):
    built_in = serializers.SerializerMethodField()

    class Meta:
        model = ReplyTemplate
        fields = ["id", "kind", "variant", "name", "channel", "subject", "body", "built_in"]
        read_only_fields = fields

    def get_built_in(self, template: ReplyTemplate) -> bool:
        return template.owner_id is None


# Follow-up actions ---------------------------------------------------------------------------


class MarkSentSerializer(serializers.Serializer):
    """What was actually sent; the draft when left out."""

    subject = serializers.CharField(max_length=300, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class SnoozeSerializer(serializers.Serializer):
    until = serializers.DateTimeField(help_text="When the reminder is due again (in the future).")

    def validate_until(self, value):
        now = timezone.now()
        if value <= now:
            raise serializers.ValidationError("Snooze to a time in the future.")
        if value > now + timedelta(days=730):
            raise serializers.ValidationError("Snooze to a time within the next two years.")
        return value


class FollowUpActionSerializer(serializers.Serializer):
    """A follow-up after an action, with the interaction it logged and what followed."""

    followup = FollowUpSerializer()
    interaction = InteractionSerializer(allow_null=True)
    scheduled = FollowUpSerializer(many=True)
    detail = serializers.CharField()
