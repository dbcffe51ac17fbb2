"""Forms of the contacts pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm.applications import find_or_create_company
from crm.forms import (
    CompanyNameField,
    OwnedListFilterForm,
    QuickSelect,
    QuickSelectMultiple,
    model_choice_field,
)
from crm.models import JobApplication

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: JobApplication) -> str:
        return f"{obj.title} — {obj.company.name}"


class ApplicationMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: JobApplication) -> str:
        return f"{obj.title} — {obj.company.name}"


def _owned_applications(owner: User):
    return JobApplication.objects.filter(owner=owner).select_related("company")


class ContactForm(forms.ModelForm):
    company_name = CompanyNameField(required=False)
    linkedin_url = forms.URLField(
        label="LinkedIn URL", required=False, max_length=300, assume_scheme="https"
    )
    applications = ApplicationMultipleChoiceField(
        queryset=JobApplication.objects.none(),
        required=False,
        widget=QuickSelectMultiple(attrs={"size": 6}),
        help_text="The applications this person was part of.",
    )

    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "email",
            "title",
            "role",
            "linkedin_url",
            "phone",
            "check_in_months",
            "do_not_contact",
            "applications",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    field_order = ["first_name", "last_name", "email", "company_name", "title", "role"]

    def __init__(self, *args, owner: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        model_choice_field(self, "applications").queryset = _owned_applications(owner)
        self.fields["company_name"].help_text = "Optional; matched to yours ignoring case."
        self.fields["check_in_months"].widget.attrs.update({"min": 0, "max": 120})
        if self.instance.pk and self.instance.company_id:
            self.fields["company_name"].initial = self.instance.company.name

    def clean_check_in_months(self) -> int | None:
        months = self.cleaned_data["check_in_months"]
        if months is not None and months > 120:
            raise forms.ValidationError("Use at most 120 months (ten years).")
        return months

    def save(self, commit: bool = True) -> Contact:
        contact = super().save(commit=False)
        contact.owner = self.owner
        name = " ".join(self.cleaned_data.get("company_name", "").split())
        contact.company = find_or_create_company(self.owner, name) if name else None
        if commit:
            contact.save()
            self.save_m2m()
        return contact


class CadenceForm(forms.Form):
    """ "Check in every N months"; 0 means never, empty means no cadence yet."""

    check_in_months = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=120,
        label="Check in every (months)",
        help_text="0 = never check in; leave empty to decide later.",
    )


class DoNotContactForm(forms.Form):
    do_not_contact = forms.BooleanField(required=False, label="Do not contact")


class InteractionForm(forms.ModelForm):
    """Logs one interaction with a known contact; the rules schedule what follows."""

    application = ApplicationChoiceField(
        queryset=JobApplication.objects.none(),
        required=False,
        empty_label="No application",
        widget=QuickSelect,
    )

    class Meta:
        model = Interaction
        fields = [
            "direction",
            "kind",
            "channel",
            "occurred_at",
            "application",
            "requests_feedback",
            "subject",
            "body",
        ]
        widgets = {
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "body": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {"occurred_at": "When", "body": "Message or notes"}

    def __init__(self, *args, owner: User, contact: Contact, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault(
            "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.contact = contact
        model_choice_field(self, "application").queryset = _owned_applications(owner)
        # The datetime-local input sends "2026-11-26T14:30"; read it in the user's zone.
        occurred_at = cast(forms.DateTimeField, self.fields["occurred_at"])
        occurred_at.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        cast(forms.ChoiceField, self.fields["direction"]).choices = Interaction.Direction.choices

    def save(self, commit: bool = True) -> Interaction:
        interaction = super().save(commit=False)
        interaction.owner = self.owner
        interaction.contact = self.contact
        if commit:
            interaction.save()
        return interaction


class ContactFilterForm(OwnedListFilterForm):
    FILTERS = ("q", "role", "company", "check_in_overdue", "quiet_days")

    role = forms.ChoiceField(required=False, choices=[("", "Any role"), *Contact.Role.choices])
    check_in_overdue = forms.BooleanField(required=False, label="Check-in overdue")
    quiet_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Not contacted in (days)",
    )

    field_order = ["q", "role", "company", "check_in_overdue", "quiet_days"]
