"""Forms of posting capture: the link to capture, and the duplicate check the
application form runs before it saves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from crm.capture.duplicates import find_duplicate
from crm.capture.link import normalise_url

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from crm.models import JobApplication


class CaptureLinkForm(forms.Form):
    url = forms.URLField(
        label="Link to a job posting",
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://…", "autocomplete": "off"}),
    )


def _link_to(application) -> str:
    url = reverse("crm:application-detail", args=[application.pk])
    return format_html('<a href="{}">{}</a>', url, application)


class DuplicateCheckMixin(forms.Form):
    """Flags a new application that repeats an existing one before it is saved.

    The same posting URL is an error (one application per posting and owner, kept by a
    constraint); the same company and title within 90 days asks for a confirmation tick.
    The form using it cleans `company_name`, `title`, `posting_url` and `applied_on`
    (the window counts from it as well as from today), and has `owner`.
    """

    # Set by the form that uses the mixin: whose applications to compare with, and the
    # application being edited (unsaved when new).
    owner: User
    instance: JobApplication

    save_anyway = forms.BooleanField(
        required=False,
        label="Save anyway: this is a different opening",
        help_text="Tick when the application flagged above is another opening.",
    )

    def clean_posting_url(self) -> str:
        url = self.cleaned_data.get("posting_url") or ""
        return normalise_url(url) if url else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self.duplicate = find_duplicate(
            self.owner,
            url=cleaned.get("posting_url") or "",
            company=cleaned.get("company_name") or "",
            title=cleaned.get("title") or "",
            exclude_pk=self.instance.pk,
            applied_on=cleaned.get("applied_on"),
        )
        duplicate = self.duplicate
        if duplicate is None:
            return cleaned
        if duplicate.same_url:
            self.add_error(
                "posting_url",
                format_html("{} Open it: {}.", duplicate.message, _link_to(duplicate.application)),
            )
        elif not self.instance.pk and not cleaned.get("save_anyway"):
            self.add_error(
                None,
                format_html(
                    "{} Open it ({}), or tick “Save anyway” below.",
                    duplicate.message,
                    _link_to(duplicate.application),
                ),
            )
        return cleaned
