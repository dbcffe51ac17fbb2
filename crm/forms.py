"""Forms of the applications pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from crm.applications.queries import find_or_create_company
from crm.capture.forms import DuplicateCheckMixin
from crm.models import Company, Document, JobApplication

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field `name` as the ModelChoiceField it is, to scope its queryset."""
    return cast(forms.ModelChoiceField, form.fields[name])


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


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """QuickSelect's rendering, SelectMultiple's reading of the submitted list."""

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


class ApplicationForm(DuplicateCheckMixin, forms.ModelForm):
    company_name = CompanyNameField()
    posting_url = forms.URLField(
        label="Job posting URL", required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = JobApplication
        fields = [
            "title",
            "status",
            "applied_on",
            "posting_url",
            "location",
            "remote",
            "employment_type",
            "salary_min",
            "salary_max",
            "salary_currency",
            "salary_period",
            "closing_date",
            "source",
            "documents",
            "description",
            "notes",
        ]
        widgets = {
            "applied_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closing_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "documents": forms.CheckboxSelectMultiple,
        }

    # The company first (it is not a model field), the duplicate check's "save anyway" last.
    field_order = ["company_name", *Meta.fields, "save_anyway"]

    def __init__(self, *args, owner: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        if self.instance.pk:
            self.fields["company_name"].initial = self.instance.company.name
        documents = model_choice_field(self, "documents")
        documents.queryset = Document.objects.filter(owner=owner)
        documents.label = "Documents sent"
        self.fields["salary_currency"].widget.attrs.update({"maxlength": 3, "size": 3})

    def clean_salary_currency(self) -> str:
        code = self.cleaned_data.get("salary_currency", "").strip().upper()
        if code and not (len(code) == 3 and code.isalpha()):
            raise forms.ValidationError("Use a three-letter currency code such as EUR or USD.")
        return code

    def clean_salary_max(self):
        low, high = self.cleaned_data.get("salary_min"), self.cleaned_data.get("salary_max")
        if low is not None and high is not None and high < low:
            raise forms.ValidationError("The maximum is below the minimum.")
        return high

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
            self.save_m2m()
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

    def __init__(self, *args, owner: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "company").queryset = Company.objects.filter(owner=owner)
        self.owner = owner

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
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
