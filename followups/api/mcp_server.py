"""The MCP server: the tools an AI assistant uses to ask what is due and log what happened.

Built with the official `mcp` SDK (MCPServer). One server acts for one user, fixed when
it starts (`python manage.py mcp --user NAME`): every tool reads and writes that user's
rows only, through the same flows as the REST API (followups/api/flows.py), so the rules
fire exactly as from a page. Write tools answer what they changed and what the rules
scheduled. Tools are plain functions; the SDK runs them in a worker thread, where the
Django ORM may block.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils import timezone
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from contacts.models import Contact
from crm.models import Company, JobApplication, Profile
from followups.api import flows
from followups.api.words import read_words
from followups.dashboard import GROUP_TITLES, dashboard_groups
from followups.drafts import check_followup_draft
from followups.models import FollowUp
from followups.quicklog.forms import InteractionForm
from followups.timing import at_local_time

INSTRUCTIONS = """\
Follow-up CRM: a job seeker's applications, contacts and the follow-ups its rules
schedule (reply to a rejection within 48 hours, one nudge for feedback, check-ins).
Ask whats_due first; log what happened with log_interaction (plain words are fine);
after the user sends a draft, call mark_sent. The app never writes to contacts itself.
"""


def local(when: datetime | None, zone) -> str | None:
    return when.astimezone(zone).strftime("%a %d %b %Y, %H:%M") if when else None


def describe(followup: FollowUp, zone, now: datetime) -> dict[str, Any]:
    who = followup.contact.full_name if followup.contact is not None else ""
    return {
        "id": followup.pk,
        "kind": followup.kind,
        "what": f"{followup.get_kind_display()}: {who}" if who else followup.get_kind_display(),
        "status": followup.status,
        "due": local(followup.due_at, zone),
        "deadline": local(followup.deadline, zone),
        "late": bool(followup.deadline and followup.deadline < now and followup.is_pending),
        "draft_subject": followup.draft_subject,
        "draft_body": followup.draft_body,
    }


class Tools:
    """The tools, bound to one user."""

    def __init__(self, user) -> None:
        self.user = user

    # Helpers ---------------------------------------------------------------------------

    def profile(self) -> Profile:
        return Profile.objects.get_or_create(user=self.user)[0]

    def followup(self, followup_id: int) -> FollowUp:
        found = (
            FollowUp.objects.select_related("contact", "application")
            .filter(pk=followup_id, owner=self.user)
            .first()
        )
        if found is None:
            raise ToolError(f"You have no follow-up #{followup_id}.")
        return found

    # Tools -------------------------------------------------------------------------------

    def whats_due(self) -> dict[str, Any]:
        """What is due: overdue, today and this week, each follow-up with its draft.

        Ids are for mark_sent, snooze and draft_for.
        """
        now = timezone.now()
        zone = self.profile().zone
        groups = dashboard_groups(self.user, now, zone, with_rows=("overdue", "today", "week"))
        answer: dict[str, Any] = {"now": local(now, zone), "groups": []}
        for group in groups:
            if group.key == "later":
                answer["later_count"] = group.count
                continue
            answer["groups"].append(
                {
                    "key": group.key,
                    "title": GROUP_TITLES[group.key],
                    "count": group.count,
                    "more_not_shown": group.more,
                    "followups": [describe(row.followup, zone, now) for row in group.rows],
                }
            )
        return answer

    def log_interaction(
        self,
        text: str = "",
        contact_name: str = "",
        contact_email: str = "",
        company_name: str = "",
        job_title: str = "",
        kind: str = "",
        direction: str = "",
        channel: str = "",
        occurred_at: str = "",
        subject: str = "",
        body: str = "",
        requests_feedback: bool | None = None,
    ) -> dict[str, Any]:
        """Logs what happened, said in words ("Priya from Northwind rejected me today")
        and/or as fields; explicit fields win over what the words say.

        kind: rejection, reply, feedback_request, feedback, nudge, check_in, connect,
        thank_you, interview, offer, note, other. direction: inbound (they wrote) or
        outbound (you wrote). occurred_at: ISO date or date-time (default now).
        Answers what was logged and the follow-ups the rules scheduled or completed.
        """
        now = timezone.now()
        zone = self.profile().zone
        fields: dict[str, Any] = {"kind": "other", "direction": "inbound", "channel": "email"}
        fields |= read_words(text, now, zone) if text else {}
        explicit = {
            "contact_name": contact_name,
            "contact_email": contact_email,
            "company_name": company_name,
            "job_title": job_title,
            "kind": kind,
            "direction": direction,
            "channel": channel,
            "subject": subject,
            "body": body,
        }
        fields |= {name: value for name, value in explicit.items() if value}
        if occurred_at:
            fields["occurred_at"] = self.parse_when(occurred_at, zone)
        fields.setdefault("occurred_at", now)
        if requests_feedback is not None:
            fields["requests_feedback"] = requests_feedback
        if not fields.get("body") and text:
            fields["body"] = text
        self.known_contact(fields)
        form = InteractionForm(data=fields, owner=self.user)
        if not form.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(str(e) for e in errors)}"
                for name, errors in form.errors.items()
            )
            raise ToolError(f"Nothing was logged. {problems}")
        with flows.new_followups(self.user) as scheduled:
            interaction = form.save()
        completed = flows.completed_by(interaction)
        application = interaction.application
        return {
            "logged": {
                "id": interaction.pk,
                "what": str(interaction),
                "kind": interaction.kind,
                "direction": interaction.direction,
                "contact": (
                    interaction.contact.full_name if interaction.contact is not None else None
                ),
                "application": str(application) if application else None,
                "application_status": application.status if application else None,
                "occurred_at": local(interaction.occurred_at, zone),
            },
            "scheduled": [describe(f, zone, now) for f in scheduled],
            "completed": [describe(f, zone, now) for f in completed],
        }

    def mark_sent(self, followup_id: int, subject: str = "", body: str = "") -> dict[str, Any]:
        """The user sent the draft of follow-up `followup_id` (or `subject`/`body`, the
        text actually sent): logs it and lets the rules schedule what comes next."""
        followup = self.followup(followup_id)
        zone = self.profile().zone
        try:
            interaction, scheduled = flows.mark_sent(
                followup, subject=subject or None, body=body or None
            )
        except flows.ActionRefused as refused:
            raise ToolError(str(refused)) from refused
        now = timezone.now()
        return {
            "followup": describe(followup, zone, now),
            "logged": str(interaction) if interaction else "Marked done (nothing to send).",
            "asked_for_feedback": bool(interaction and interaction.requests_feedback),
            "scheduled": [describe(f, zone, now) for f in scheduled],
        }

    def snooze(self, followup_id: int, until: str = "", days: int = 0) -> dict[str, Any]:
        """Moves follow-up `followup_id` to `until` (an ISO date, taken at the user's
        morning hour, or date-time) or `days` days from now."""
        followup = self.followup(followup_id)
        profile = self.profile()
        now = timezone.now()
        if until:
            when = self.parse_when(until, profile.zone, hour=profile.morning_hour)
        elif 1 <= days <= 730:
            when = now + timedelta(days=days)
        else:
            raise ToolError("Say until when (a date) or for how many days (1 to 730).")
        if not now < when <= now + timedelta(days=730):
            raise ToolError("Snooze to a time in the future, within two years.")
        try:
            flows.snooze(followup, when, now=now)
        except flows.ActionRefused as refused:
            raise ToolError(str(refused)) from refused
        return {
            "followup": describe(followup, profile.zone, now),
            "snoozed_until": local(when, profile.zone),
        }

    def draft_for(self, followup_id: int) -> dict[str, Any]:
        """The draft of follow-up `followup_id` and what the draft checker finds in it
        (placeholders to fill, length, missing thanks or feedback request, tone, lateness)."""
        followup = self.followup(followup_id)
        findings = check_followup_draft(followup, followup.draft_subject, followup.draft_body)
        return {
            "followup": describe(followup, self.profile().zone, timezone.now()),
            "subject": followup.draft_subject,
            "body": followup.draft_body,
            "findings": [{"code": f.code, "message": f.message} for f in findings],
        }

    def find(self, query: str) -> dict[str, Any]:
        """Searches contacts (name, email), companies, applications (job title) and the
        pending follow-ups of the contacts found."""
        words = query.split()
        if not words:
            raise ToolError("Say what to look for.")
        contact_q = Q()
        for word in words:
            contact_q &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(company__name__icontains=word)
            )
        contacts = list(
            Contact.objects.filter(contact_q, owner=self.user).select_related("company")[:10]
        )
        companies = Company.objects.filter(owner=self.user, name__icontains=query)[:10]
        applications = JobApplication.objects.filter(
            Q(title__icontains=query) | Q(company__name__icontains=query), owner=self.user
        ).select_related("company")[:10]
        pending = FollowUp.objects.filter(
            owner=self.user, status=FollowUp.Status.PENDING, contact__in=contacts
        ).select_related("contact")[:20]
        zone, now = self.profile().zone, timezone.now()
        return {
            "contacts": [
                {
                    "id": c.pk,
                    "name": c.full_name,
                    "email": c.email,
                    "company": c.company.name if c.company is not None else "",
                    "role": c.role,
                }
                for c in contacts
            ],
            "companies": [{"id": c.pk, "name": c.name} for c in companies],
            "applications": [
                {"id": a.pk, "title": a.title, "company": a.company.name, "status": a.status}
                for a in applications
            ],
            "pending_followups": [describe(f, zone, now) for f in pending],
        }

    # Reading what the assistant said ------------------------------------------------------

    @staticmethod
    def parse_when(value: str, zone, *, hour: int = 12) -> datetime:
        try:
            if len(value) == 10:
                return at_local_time(date.fromisoformat(value), hour, zone)
            when = datetime.fromisoformat(value)
        except ValueError as error:
            raise ToolError(f"{value!r} is not an ISO date (2026-03-10) or date-time.") from error
        when = when if timezone.is_aware(when) else when.replace(tzinfo=zone)
        try:
            # In UTC: PostgreSQL refuses offsets past ±15:59, which Python accepts.
            return when.astimezone(UTC)
        except OverflowError as error:
            raise ToolError(f"{value!r} is outside the calendar.") from error

    def known_contact(self, fields: dict) -> None:
        """A bare first name ("I replied to Priya") means the one contact of that name,
        if there is exactly one: fill in the email and company it is known by."""
        name = fields.get("contact_name", "")
        if not name or fields.get("contact_email"):
            return
        first, _, last = name.partition(" ")
        candidates = Contact.objects.filter(owner=self.user, first_name__iexact=first)
        if last:
            candidates = candidates.filter(last_name__iexact=last)
        if fields.get("company_name"):
            candidates = candidates.filter(company__name__iexact=fields["company_name"])
        found = list(candidates.select_related("company")[:2])
        if len(found) == 1:
            contact = found[0]
            fields["contact_name"] = contact.full_name
            if contact.email:
                fields["contact_email"] = contact.email
            if contact.company is not None:
                fields["company_name"] = contact.company.name


READ_TOOLS = ("whats_due", "draft_for", "find")
WRITE_TOOLS = ("log_interaction", "mark_sent", "snooze")


def in_own_connection(tool):
    """The SDK runs each call in a worker thread; Django opens a connection per thread,
    so each call closes its own when done instead of leaving it to the thread's end."""

    @functools.wraps(tool)
    def call(*args, **kwargs):
        close_old_connections()
        try:
            return tool(*args, **kwargs)
        finally:
            connection.close()

    return call


def build_server(user, *, read_only: bool = False) -> MCPServer:
    """An MCP server whose tools act for `user` (only the read tools when `read_only`)."""
    tools = Tools(user)
    server = MCPServer(name="followup-crm", instructions=INSTRUCTIONS)
    for name in READ_TOOLS + (() if read_only else WRITE_TOOLS):
        server.add_tool(in_own_connection(getattr(tools, name)), name=name)
    return server
