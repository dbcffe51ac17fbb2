"""Forms of the applications pages."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from crm.applications import find_or_create_company
from crm.models import Company, JobApplication


class QuickSelect(forms.Select):
    """A select whose options are rendered in Python.

    Django renders one template per option, which takes about a second for the 2,000
    applications of a heavy user; the HTML here is the same, escaped alike.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", label)
                for _, group, _ in widget["optgroups"]
                for option in group
                for label in [option["label"]]
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class QuickSelectMultiple(QuickSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)

    def value_omitted_from_data(self, data, files, name) -> bool:
        return False  # an unticked multi-select sends nothing, which means "none"


class CompanyNameField(forms.CharField):
    """A company typed by name; the page offers the user's companies as suggestions."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("label", "Company")
        kwargs.setdefault(
            "help_text", "Pick one of yours or type a new name; it is matched ignoring case."
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"list": "company-options", "autocomplete": "off"})


class ApplicationForm(forms.ModelForm):
    company_name = CompanyNameField()
    posting_url = forms.URLField(
        label="Job posting URL", required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = JobApplication
        fields = ["title", "status", "applied_on", "posting_url", "notes"]
        widgets = {
            "applied_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    field_order = ["company_name", "title", "status", "applied_on", "posting_url", "notes"]

    def __init__(self, *args, owner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        if self.instance.pk:
            self.fields["company_name"].initial = self.instance.company.name

    def clean_company_name(self) -> str:
        name = " ".join(self.cleaned_data["company_name"].split())
        if not name:
            raise forms.ValidationError("Enter the company's name.")
        return name

    def save(self, commit: bool = True) -> JobApplication:
        application = super().save(commit=False)
        application.owner = self.owner
        application.company = find_or_create_company(self.owner, self.cleaned_data["company_name"])
        if commit:
            application.save()
        return application


class ApplicationStatusForm(forms.Form):
    """Moves a card on the board."""

    status = forms.ChoiceField(choices=JobApplication.Status.choices, label="Move to")


class OwnedListFilterForm(forms.Form):
    """Filters of a list page: a search box, the owner's companies and what subclasses add."""

    FILTERS: tuple[str, ...] = ()

    q = forms.CharField(required=False, label="Search", max_length=200)
    # The company is typed (with suggestions, see templates/includes/company_filter.html),
    # never listed: a select of every company was most of the page for a big account.
    # `company` (an id) still works for links made elsewhere.
    company_name = forms.CharField(required=False, label="Company", max_length=200)
    company = forms.ModelChoiceField(required=False, queryset=Company.objects.none())

    def __init__(self, *args, owner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(owner=owner)
        self.owner = owner

    def clean(self) -> dict:
        data = super().clean()
        name = " ".join(data.get("company_name", "").split())
        if name:
            data["company"] = Company.objects.filter(owner=self.owner, name__iexact=name).first()
            if data["company"] is None:
                self.add_error("company_name", f"You have no company called “{name}”.")
        return data

    @property
    def company_display(self) -> str:
        """What the company field shows: the typed name, or the name of the company the
        `company` id picked."""
        if self.data.get("company_name"):
            return self.data["company_name"]
        company = self.cleaned_data.get("company") if hasattr(self, "cleaned_data") else None
        return company.name if company else ""

    def filters(self) -> dict:
        """The valid filters; an invalid value (a stale link, a typo) is just ignored."""
        self.is_valid()
        return {name: self.cleaned_data[name] for name in self.FILTERS if name in self.cleaned_data}


class ApplicationFilterForm(OwnedListFilterForm):
    FILTERS = ("q", "status", "company", "no_response")

    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *JobApplication.Status.choices]
    )
    no_response = forms.BooleanField(required=False, label="No response only")

    field_order = ["q", "status", "company", "no_response"]
