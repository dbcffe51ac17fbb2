"""The preferences page: time zone, reminder hours, workdays, emails and rule settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from crm.http import AuthenticatedHttpRequest
from crm.models import WEEKDAY_NAMES, Profile
from crm.onboarding.timezones import canonical_time_zone, time_zone_names

HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]

# Rule settings grouped per rule, so the page reads like the rules table: the switch
# first, then the offsets it uses.
RULE_GROUPS = [
    ("Reply to rejections", ["reply_enabled", "reply_due_hours", "reply_deadline_hours"]),
    (
        "Nudge for feedback",
        ["feedback_nudge_enabled", "nudge_after_days", "nudge_deadline_days"],
    ),
    (
        "Thank-you notes",
        ["thank_you_enabled", "thank_you_due_hours", "thank_you_deadline_hours"],
    ),
    ("Connect on LinkedIn", ["connect_enabled", "connect_after_days"]),
    ("Periodic check-ins", ["check_in_enabled", "check_in_months"]),
    ("Chase silent applications", ["application_check_enabled", "application_check_days"]),
]
RULE_FIELDS = [name for _, names in RULE_GROUPS for name in names]


class PreferencesForm(forms.ModelForm):
    email = forms.EmailField(
        required=False,
        label="Email for reminders",
        help_text="Reminders, the digest and password resets go here (not verified: "
        "check it is right). Empty means no reminder emails.",
    )
    time_zone = forms.CharField(
        max_length=64,
        help_text="Start typing a city, e.g. Berlin, New York or Europe/London.",
        widget=forms.TextInput(attrs={"list": "time-zone-names", "autocomplete": "off"}),
    )
    morning_hour = forms.TypedChoiceField(
        choices=HOUR_CHOICES,
        coerce=int,
        help_text="Follow-ups computed for a day fall due at this local hour.",
    )
    workdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Follow-ups computed for a day off move to your next working day.",
    )
    digest_hour = forms.TypedChoiceField(
        label="Daily digest",
        choices=[("", "Off: no digest"), *HOUR_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="One email a day at this local hour with what is overdue, due today and "
        "coming up this week; none on a day with nothing to say.",
    )

    class Meta:
        model = Profile
        fields = [
            "time_zone",
            "morning_hour",
            "workdays",
            "email_reminders",
            "digest_hour",
            "signature",
            *RULE_FIELDS,
        ]
        labels = {
            # The rule switches without the rules table's codes (R1…R8): words a person uses.
            "reply_enabled": "Remind me to reply to rejections",
            "feedback_nudge_enabled": "Remind me to nudge once for feedback",
            "thank_you_enabled": "Remind me to send thank-you notes",
            "connect_enabled": "Suggest connecting on LinkedIn",
            "check_in_enabled": "Remind me to check in",
            "application_check_enabled": "Remind me to ask about silent applications",
            "email_reminders": "Email me when a follow-up falls due",
            "check_in_months": "Check in every … months",
            "reply_due_hours": "Remind me after (hours)",
            "reply_deadline_hours": "Reply window ends after (hours)",
            "nudge_after_days": "Nudge after (days)",
            "nudge_deadline_days": "Nudge window ends after (days)",
            "thank_you_due_hours": "Remind me after (hours)",
            "thank_you_deadline_hours": "Window ends after (hours)",
            "connect_after_days": "Suggest connecting after (days)",
            "application_check_days": "Ask about an application after (days)",
        }
        widgets = {"signature": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = self.instance.user.email
        self.order_fields(["email", *self.fields])

    def save(self, commit: bool = True) -> Profile:
        profile = super().save(commit=commit)
        user = profile.user
        if commit and user.email != self.cleaned_data["email"]:
            user.email = self.cleaned_data["email"]
            user.save(update_fields=["email"])
        return profile

    def clean_time_zone(self) -> str:
        # Any capitalisation, or the city alone; the canonical IANA name is stored.
        value = self.cleaned_data["time_zone"].strip()
        name = canonical_time_zone(value)
        if name is None:
            raise forms.ValidationError(
                f"“{value}” is not a time zone name; pick one from the list, "
                "such as Europe/Berlin or America/New_York."
            )
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for due, deadline in [
            ("reply_due_hours", "reply_deadline_hours"),
            ("nudge_after_days", "nudge_deadline_days"),
            ("thank_you_due_hours", "thank_you_deadline_hours"),
        ]:
            if (
                cleaned.get(due) is not None
                and cleaned.get(deadline) is not None
                and cleaned[deadline] < cleaned[due]
            ):
                self.add_error(deadline, "The window cannot end before the reminder is due.")
        return cleaned

    def rule_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in RULE_GROUPS]


def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Shows and saves the signed-in user's own preferences."""
    profile = Profile.for_user(request.user)
    form = PreferencesForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Preferences saved.")
        return redirect("crm:preferences")
    return render(
        request,
        "crm/preferences.html",
        {"form": form, "time_zone_names": time_zone_names()},
    )
