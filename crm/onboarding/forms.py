"""Forms of sign-up and the first-run page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from crm.models import Profile
from crm.onboarding.timezones import canonical_time_zone

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EMAIL_HELP = (
    "Reminder emails and password resets go to this address. It is not verified (no "
    "confirmation email is sent, so nothing waits on a mail server): check it is right."
)


class SignUpForm(UserCreationForm):
    """Username, the reminder address and a password."""

    email = forms.EmailField(
        label="Email",
        help_text=EMAIL_HELP,
        error_messages={"required": "This field is required. Your reminders go there."},
    )

    # Django defines Meta on BaseUserCreationForm; django-stubs 5.2.9 leaves it out.
    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]
        model = get_user_model()
        fields = ("username", "email")


class FirstRunForm(forms.ModelForm):
    """Time zone (pre-filled from the browser), name and signature, on one page."""

    time_zone = forms.CharField(
        max_length=64,
        help_text="Filled in from your browser; follow-ups fall due at your local hours.",
        widget=forms.TextInput(
            attrs={"list": "time-zone-names", "autocomplete": "off", "data-browser-time-zone": ""}
        ),
    )
    first_name = forms.CharField(max_length=150, required=False, label="First name")
    last_name = forms.CharField(max_length=150, required=False, label="Last name")

    class Meta:
        model = Profile
        fields = ["time_zone", "signature"]
        widgets = {"signature": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"signature": "Fills [Signature] at the end of your drafts."}

    field_order = ["time_zone", "first_name", "last_name", "signature"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["first_name"].initial = user.first_name
        self.fields["last_name"].initial = user.last_name

    def clean_time_zone(self) -> str:
        name = canonical_time_zone(self.cleaned_data["time_zone"])
        if name is None:
            raise forms.ValidationError(
                f"“{self.cleaned_data['time_zone']}” is not a time zone; pick one from the "
                "list, such as America/New_York or Europe/London."
            )
        return name

    def save(self, commit: bool = True) -> Profile:
        profile = super().save(commit=commit)
        self.user.first_name = self.cleaned_data["first_name"].strip()
        self.user.last_name = self.cleaned_data["last_name"].strip()
        if commit:
            self.user.save(update_fields=["first_name", "last_name"])
        return profile
