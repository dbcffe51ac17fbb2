"""Query-string filters of the list endpoints (django-filter: a bad value is a 400 with
the field named, and drf-spectacular documents each one)."""

from __future__ import annotations

from datetime import UTC

import django_filters as filters
from django import forms
from django.db.models import Q

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication
from followups.models import FollowUp


class IdFilter(filters.NumberFilter):
    """A related row's id: a whole number (NumberFilter alone accepts 1.5 and 1e9)."""

    field_class = forms.IntegerField


class BoundedIsoDateTimeField(filters.fields.IsoDateTimeField):
    """An ISO 8601 time the database can compare, handed to it in UTC: one whose UTC
    value lies within years 1–9999 (9999-12-31T23:59-12:00 does not), and never with the
    offset it was written in (PostgreSQL refuses offsets past ±15:59, Python allows ±23:59)."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return value
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("Enter a time between the years 1 and 9999.") from None


class TimeFilter(filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class CompanyFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains", help_text="Part of the name.")

    class Meta:
        model = Company
        fields = ["name"]


class ApplicationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=JobApplication.Status.choices)
    company = IdFilter(field_name="company_id")

    class Meta:
        model = JobApplication
        fields = ["status", "company"]


class ContactFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", help_text="Part of the name or the email.")
    role = filters.ChoiceFilter(choices=Contact.Role.choices)
    company = IdFilter(field_name="company_id")

    class Meta:
        model = Contact
        fields = ["q", "role", "company"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )


class InteractionFilter(filters.FilterSet):
    contact = IdFilter(field_name="contact_id")
    application = IdFilter(field_name="application_id")
    kind = filters.ChoiceFilter(choices=Interaction.Kind.choices)
    direction = filters.ChoiceFilter(choices=Interaction.Direction.choices)
    occurred_after = TimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = TimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Interaction
        fields = ["contact", "application", "kind", "direction"]


class FollowUpFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=FollowUp.Status.choices)
    kind = filters.ChoiceFilter(choices=FollowUp.Kind.choices)
    due_before = TimeFilter(
        field_name="due_at", lookup_expr="lt", help_text="Due before this time (ISO 8601)."
    )
    due_after = TimeFilter(
        field_name="due_at", lookup_expr="gte", help_text="Due at or after this time."
    )
    contact = IdFilter(field_name="contact_id")
    application = IdFilter(field_name="application_id")

    class Meta:
        model = FollowUp
        fields = ["status", "kind", "contact", "application"]
