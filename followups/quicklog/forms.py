"""Quick-log forms: log a rejection or any interaction, pre-filled from a pasted email.

On save the contact, company and application are matched or created (contact by email,
then by name and company; company by name ignoring case; application by company and
title), then the Interaction is saved, and the rules schedule what follows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm.concurrency import company_named, lock_owner
from crm.models import Company, JobApplication
from followups.quicklog.duplicates import already_logged
from followups.quicklog.emailparse import parse_email

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Matching --------------------------------------------------------------------------------


def split_name(name: str) -> tuple[str, str]:
    """'Mary Ann de Vries' → ('Mary', 'Ann de Vries'): first word, then the rest."""
    first, _, last = " ".join(name.split()).partition(" ")
    return first, last


def match_company(owner: User, name: str) -> Company | None:
    name = " ".join(name.split())
    if not name:
        return None
    return company_named(owner, name)


def match_contact(owner: User, name: str, email: str, company: Company | None) -> Contact:
    """The contact with this email, else with this name at this company, else a new one."""
    first, last = split_name(name)
    contact = None
    if email:
        contact = Contact.objects.filter(owner=owner, email__iexact=email).order_by("pk").first()
    if contact is None:
        contact = (
            Contact.objects.filter(
                owner=owner, first_name__iexact=first, last_name__iexact=last, company=company
            )
            .order_by("pk")
            .first()
        )
    if contact is None:
        return Contact.objects.create(
            owner=owner, first_name=first, last_name=last, email=email, company=company
        )
    # Fill what the matched contact is missing; never overwrite what the user entered.
    changed = False
    if email and not contact.email:
        contact.email, changed = email, True
    if company is not None and contact.company_id is None:
        contact.company, changed = company, True
    if changed:
        contact.save()
    return contact


def match_application(
    owner: User,
    company: Company | None,
    title: str,
    *,
    new_status: str = JobApplication.Status.APPLIED,
) -> JobApplication | None:
    title = " ".join(title.split())
    if company is None or not title:
        return None
    application = (
        JobApplication.objects.filter(owner=owner, company=company, title__iexact=title)
        .order_by("-created_at")
        .first()
    )
    return application or JobApplication.objects.create(
        owner=owner, company=company, title=title, status=new_status
    )


def only_open_application(contact: Contact) -> JobApplication | None:
    """The contact's one open application, when there is exactly one: an email from them
    that names no job is about it."""
    closed = (
        JobApplication.Status.REJECTED,
        JobApplication.Status.WITHDRAWN,
        JobApplication.Status.ACCEPTED,
    )
    open_ones = list(contact.applications.exclude(status__in=closed)[:2])
    return open_ones[0] if len(open_ones) == 1 else None


# Forms ------------------------------------------------------------------------------------


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class QuickLogForm(forms.Form):
    """The fields both quick-log forms share: who, where, which job, when, what."""

    email_text = forms.CharField(
        label="Paste the email",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="With its headers (From, Subject, Date) or just the text; then press "
        "“Fill in from the email” and check what was found.",
    )
    contact_name = forms.CharField(label="Their name", max_length=200)
    contact_email = forms.EmailField(label="Their email", required=False)
    company_name = forms.CharField(label="Company", max_length=200, required=False)
    job_title = forms.CharField(
        label="Job title",
        max_length=200,
        required=False,
        help_text="Files it under this application (created if new).",
    )
    occurred_at = forms.DateTimeField(label="When", widget=LocalDateTimeInput())
    subject = forms.CharField(max_length=300, required=False)
    body = forms.CharField(label="Text", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    # The pasted email's Message-ID, carried from "Fill in" to "Save" so the same email
    # is recognised when it is pasted again.
    message_id = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)

    # What a form without kind/direction fields logs.
    interaction_kind = Interaction.Kind.OTHER
    interaction_direction = Interaction.Direction.INBOUND
    # The status of an application the form creates for a job it has not seen.
    new_application_status = JobApplication.Status.APPLIED

    def __init__(self, *args, owner: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner

    @classmethod
    def initial_from_paste(cls, text: str, now: datetime) -> dict:
        """Field values read from a pasted email; the rest keeps its defaults."""
        parsed = parse_email(text)
        sent_at = parsed.sent_at
        if sent_at is not None and timezone.is_naive(sent_at):
            sent_at = sent_at.replace(tzinfo=timezone.get_current_timezone())
        found = {
            "contact_name": parsed.sender_name,
            "contact_email": parsed.sender_email,
            "company_name": parsed.company,
            "job_title": parsed.job_title,
            "subject": parsed.subject[:300],
            "body": parsed.body,
            "message_id": parsed.message_id[:300],
        }
        initial = {name: value for name, value in found.items() if value}
        return {"email_text": text, "occurred_at": sent_at or now, **initial}

    def clean_contact_name(self) -> str:
        first, last = split_name(self.cleaned_data["contact_name"])
        if not first:
            raise forms.ValidationError("Type their name.")
        if len(first) > 100 or len(last) > 100:
            raise forms.ValidationError("That name is too long; shorten it a little.")
        return f"{first} {last}".strip()

    def clean_occurred_at(self) -> datetime:
        when = self.cleaned_data["occurred_at"]
        now = timezone.now()
        # Far-off dates are typos, and the rules add months to them (year 9999 overflows).
        if not now - timedelta(days=365 * 30) <= when <= now + timedelta(days=365):
            raise forms.ValidationError("Enter a date within the last 30 years or the next year.")
        return when

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("job_title", "").strip() and not data.get("company_name", "").strip():
            self.add_error("company_name", "Add the company, so the job can be filed under it.")
        return data

    def interaction_fields(self) -> dict:
        return {"kind": self.interaction_kind, "direction": self.interaction_direction}

    def logged_before(self) -> Interaction | None:
        """The interaction this same email was logged as the first time, if any."""
        data = self.cleaned_data if self.is_bound else self.initial
        return already_logged(
            self.owner,
            message_id=data.get("message_id") or "",
            sender_email=data.get("contact_email") or "",
            occurred_at=data.get("occurred_at"),
            subject=data.get("subject") or "",
        )

    @transaction.atomic
    def save(self) -> Interaction:
        data = self.cleaned_data
        # Two requests naming the same new contact or job at once must not both create it
        # (neither has a unique key): they take turns on the owner's row.
        lock_owner(self.owner)
        company = match_company(self.owner, data["company_name"])
        contact = match_contact(self.owner, data["contact_name"], data["contact_email"], company)
        application = match_application(
            self.owner, company, data["job_title"], new_status=self.new_application_status
        )
        if application is None:
            application = only_open_application(contact)
        if application is not None:
            contact.applications.add(application)
        return Interaction.objects.create(
            owner=self.owner,
            contact=contact,
            application=application,
            occurred_at=data["occurred_at"],
            subject=data["subject"],
            body=data["body"],
            message_id=data.get("message_id", ""),
            **self.interaction_fields(),
        )


class RejectionForm(QuickLogForm):
    """A rejection they sent you: R1 schedules your reply."""

    channel = forms.ChoiceField(
        label="Received by", choices=Interaction.Channel.choices, initial="email"
    )
    field_order = ["email_text", "contact_name", "contact_email", "company_name", "job_title"]

    interaction_kind = Interaction.Kind.REJECTION
    # Created already rejected: as "applied" it would schedule, then at once cancel, a
    # status check (three lines of noise on its timeline).
    new_application_status = JobApplication.Status.REJECTED

    def clean_occurred_at(self) -> datetime:
        when = super().clean_occurred_at()
        # A few minutes of slack for clocks that disagree; a rejection from the future is a typo.
        if when > timezone.now() + timedelta(minutes=10):
            raise forms.ValidationError("A rejection you received cannot be in the future.")
        return when

    def interaction_fields(self) -> dict:
        return {**super().interaction_fields(), "channel": self.cleaned_data["channel"]}


class InteractionForm(QuickLogForm):
    """Any conversation, either way: the rules decide what it schedules or completes."""

    direction = forms.ChoiceField(
        label="Who wrote", choices=Interaction.Direction.choices, initial="inbound"
    )
    # No default: a feedback email logged as a rejection schedules the wrong follow-up.
    kind = forms.ChoiceField(
        label="What it was",
        choices=[("", "Choose what it was…"), *Interaction.Kind.choices],
        error_messages={"required": "Choose what it was: a rejection, feedback, an interview…"},
        widget=forms.Select(attrs={"data-kind-effect": ""}),
    )
    channel = forms.ChoiceField(label="How", choices=Interaction.Channel.choices, initial="email")
    requests_feedback = forms.BooleanField(
        label="I asked them for feedback",
        required=False,
        help_text="Schedules one polite nudge if they have not answered in a week.",
    )
    field_order = [
        "email_text",
        "direction",
        "kind",
        "channel",
        "contact_name",
        "contact_email",
        "company_name",
        "job_title",
        "occurred_at",
        "subject",
        "body",
        "requests_feedback",
    ]

    @classmethod
    def initial_from_paste(cls, text: str, now: datetime) -> dict:
        """As for any paste, and the kind when the email plainly says what it is."""
        initial = super().initial_from_paste(text, now)
        kind = parse_email(text).kind
        if kind:
            initial |= {"kind": kind, "direction": Interaction.Direction.INBOUND}
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("requests_feedback") and data.get("direction") != "outbound":
            self.add_error("requests_feedback", "Only a message you sent can ask for feedback.")
        return data

    def interaction_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "direction": data["direction"],
            "channel": data["channel"],
            "requests_feedback": data["requests_feedback"],
        }
