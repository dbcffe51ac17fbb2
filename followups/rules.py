"""The follow-up rules R1–R8 of docs/rules.md, as plain functions over models.

Read top to bottom: the entry points that followups/signals.py calls on every save and
delete, then one section per rule, then "mark sent". Each rule names the advice it
encodes. Times are computed on the owner's wall clock (followups/timing.py) and stored
in UTC; every offset and every on/off switch comes from the owner's Profile, read
fresh on each save so a changed setting applies to the next follow-up.

The rules run inside the transaction that saved the interaction, so the follow-ups it
causes exist exactly when that transaction commits (at once in autocommit) and vanish
with it on a rollback. They are idempotent: each follow-up remembers its `source`, and a
second save finds it instead of creating another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm.models import JobApplication, Profile, is_historic_application
from followups.drafts import draft_for, fill_for
from followups.models import FollowUp
from followups.timing import (
    add_days,
    add_hours,
    add_months,
    at_local_time,
    local_date,
    working_day_on_or_before,
    working_morning_on_or_after,
    working_morning_on_or_after_date,
)

Kind = FollowUp.Kind
Pending = FollowUp.Status.PENDING
Inbound = Interaction.Direction.INBOUND
Outbound = Interaction.Direction.OUTBOUND
IKind = Interaction.Kind

# Changing any of these on an interaction re-runs its effects on other follow-ups.
INTERACTION_RULE_FIELDS = (
    "owner_id",
    "contact_id",
    "application_id",
    "direction",
    "kind",
    "requests_feedback",
    "occurred_at",
)
CONTACT_RULE_FIELDS = ("do_not_contact", "check_in_months")
APPLICATION_RULE_FIELDS = ("status", "applied_on", "closing_date")
R8_FIELDS = ("status", "applied_on")

# Follow-ups one interaction causes by itself (R1, R3, R4, R7); R5's connect and R6's
# check-in are handled by their own rules below.
SOURCED_KINDS = (Kind.REPLY, Kind.FEEDBACK_NUDGE, Kind.THANK_YOU)


class FollowUpNotPending(ValueError):
    """Only a pending follow-up can be marked sent."""


# ---------------------------------------------------------------------------------------
# Entry points (followups/signals.py)
# ---------------------------------------------------------------------------------------


def interaction_saved(
    interaction: Interaction, *, created: bool, now: datetime | None = None
) -> None:
    """Applies every rule to an interaction that was just created or edited."""
    now = now or timezone.now()
    changed = created or any(interaction.has_changed(f) for f in INTERACTION_RULE_FIELDS)
    profile = profile_of(interaction.owner_id)
    with transaction.atomic():
        if changed:
            apply_effects(interaction, profile, now)
        ensure_sourced_followups(interaction, profile, now)
        if interaction.contact:
            ensure_check_in(interaction.contact, profile, now, cause=interaction)
        old_contact_id = interaction.loaded_value("contact_id")
        if not created and old_contact_id and old_contact_id != interaction.contact_id:
            # The interaction moved to another contact: the old one's check-in now
            # counts from its own latest interaction.
            old_contact = Contact.objects.filter(pk=old_contact_id).first()
            if old_contact is not None:
                ensure_check_in(old_contact, profile, now)
    interaction.remember_values()


def interaction_deleting(interaction: Interaction, *, now: datetime | None = None) -> None:
    """Before an interaction is deleted: what it caused and is still pending is cancelled."""
    now = now or timezone.now()
    pending = FollowUp.objects.filter(source=interaction, status=Pending).exclude(
        kind=Kind.CHECK_IN  # recomputed from the remaining interactions afterwards
    )
    for followup in pending:
        followup.cancel("The interaction it came from was deleted", now=now)


def interaction_deleted(interaction: Interaction, *, now: datetime | None = None) -> None:
    """After an interaction is deleted: the contact's check-in counts from what is left."""
    if not interaction.contact_id:
        return
    contact = Contact.objects.filter(pk=interaction.contact_id).first()
    if contact is not None:
        ensure_check_in(contact, profile_of(interaction.owner_id), now or timezone.now())


def contact_saved(contact: Contact, *, created: bool, now: datetime | None = None) -> None:
    """Do-not-contact and check-in cadence changes (R6)."""
    now = now or timezone.now()
    if created:
        if contact.check_in_months and may_contact(contact):
            ensure_check_in(contact, profile_of(contact.owner_id), now)
    elif contact.do_not_contact and contact.has_changed("do_not_contact"):
        cancel_everything_for(contact, now)
    elif any(contact.has_changed(f) for f in CONTACT_RULE_FIELDS):
        ensure_check_in(contact, profile_of(contact.owner_id), now)
    contact.remember_values()


def application_saved(
    application: JobApplication, *, created: bool, now: datetime | None = None
) -> None:
    """Status and applied-on changes of an application (R8)."""
    now = now or timezone.now()
    if created or any(application.has_changed(f) for f in R8_FIELDS):
        if application.status == JobApplication.Status.APPLIED:
            ensure_application_check(application, profile_of(application.owner_id), now)
        elif not created:
            stop_application_checks(
                application,
                f"The application moved to {application.get_status_display().lower()}",
                now,
            )
    if (not created or application.closing_date) and any(
        application.has_changed(f) for f in ("status", "closing_date")
    ):
        ensure_apply_before(application, now)
    application.remember_values()


# ---------------------------------------------------------------------------------------
# Effects of an interaction on other follow-ups (R1's status, R2, R4, R5, R8's cancel)
# ---------------------------------------------------------------------------------------


def apply_effects(interaction: Interaction, profile: Profile, now: datetime) -> None:
    """What a new (or edited) interaction does to the follow-ups that were waiting for it."""
    if interaction.direction == Inbound:
        if interaction.kind == IKind.REJECTION and interaction.application:
            mark_rejected(interaction.application)
        if interaction.kind != IKind.NOTE:  # a note to self is not an answer
            they_answered(interaction, profile, now)
    elif interaction.kind != IKind.NOTE:
        completed = complete_matching(interaction, profile, now)
        if interaction.contact_id and any(f.kind == Kind.REPLY for f in completed):
            after_reply(interaction, profile, now)


# R1 (docs/rules.md#r1): a rejection closes the application; the reply is scheduled below.
def mark_rejected(application: JobApplication) -> None:
    if application.status != JobApplication.Status.REJECTED:
        application.status = JobApplication.Status.REJECTED
        application.save(update_fields=["status", "updated_at"])


# R2 and the completion table (docs/rules.md#r2, #completion): whatever you send is the
# follow-up that was waiting for it.
def complete_matching(interaction: Interaction, profile: Profile, now: datetime) -> list[FollowUp]:
    """Completes the pending follow-ups this outbound interaction fulfils.

    `reply` and `check_in` by any outbound message to the contact (a reply tagged with
    an application completes only that application's reply), `feedback_nudge` by a
    nudge, `connect` by a connection request, `thank_you` by a thank-you, and
    `application_check` by any outbound message on its application. Only follow-ups
    whose source happened at or before this interaction count: a message cannot answer
    something that came after it.
    """
    wanted = Q()
    if interaction.contact_id:
        by_kind: dict[str, str] = {
            IKind.NUDGE: Kind.FEEDBACK_NUDGE,
            IKind.CONNECT: Kind.CONNECT,
            IKind.THANK_YOU: Kind.THANK_YOU,
        }
        kinds = [Kind.CHECK_IN] + (
            [by_kind[interaction.kind]] if interaction.kind in by_kind else []
        )
        replies = Q(kind=Kind.REPLY)
        if interaction.application_id:
            replies &= Q(application_id=interaction.application_id)
        wanted |= Q(contact_id=interaction.contact_id) & (replies | Q(kind__in=kinds))
    if interaction.application_id:
        wanted |= Q(application_id=interaction.application_id, kind=Kind.APPLICATION_CHECK)
    if not wanted:
        return []
    candidates = _earlier_pending(interaction, profile).filter(wanted)
    return [f for f in candidates if f.complete(interaction, now=now)]


# R4 and R8 (docs/rules.md#r4, #r8): once they write back, stop chasing them.
def they_answered(interaction: Interaction, profile: Profile, now: datetime) -> None:
    """An inbound message cancels the pending feedback nudge to its contact and the
    pending status check on its application."""
    chasing = Q()
    if interaction.contact_id:
        chasing |= Q(contact_id=interaction.contact_id, kind=Kind.FEEDBACK_NUDGE)
    if interaction.application_id:
        chasing |= Q(application_id=interaction.application_id, kind=Kind.APPLICATION_CHECK)
    if not chasing:
        return
    for followup in _earlier_pending(interaction, profile).filter(chasing):
        who = interaction.contact.first_name if interaction.contact else "They"
        reason = (
            f"{who} answered, so no nudge is needed"
            if followup.kind == Kind.FEEDBACK_NUDGE
            else "They got back to you about this application"
        )
        followup.cancel(reason, interaction=interaction, now=now)


def _earlier_pending(interaction: Interaction, profile: Profile):
    """The owner's pending follow-ups that began before this interaction: those whose
    source happened at or before it, and source-less ones (R8's application checks)
    unless their application was applied for after the interaction's local day."""
    day = local_date(interaction.occurred_at, profile.zone)
    return FollowUp.objects.filter(owner_id=interaction.owner_id, status=Pending).filter(
        Q(source__occurred_at__lte=interaction.occurred_at)
        | (Q(source__isnull=True) & ~Q(application__applied_on__gt=day))
    )


# R5 (docs/rules.md#r5): after a gracious reply, stay in touch: a check-in cadence and a
# LinkedIn connection.
def after_reply(interaction: Interaction, profile: Profile, now: datetime) -> None:
    contact = interaction.contact
    if contact is None:  # a reply is completed by a message to its contact
        return
    if contact.check_in_months is None:
        contact.check_in_months = profile.check_in_months
        contact.save(update_fields=["check_in_months", "updated_at"])  # R6 follows from it
    if not (profile.connect_enabled and contact.linkedin_url and may_contact(contact)):
        return
    already_connecting = (
        FollowUp.objects.filter(contact=contact, kind=Kind.CONNECT)
        .exclude(status=FollowUp.Status.CANCELLED)
        .exists()
        or Interaction.objects.filter(
            contact=contact, direction=Outbound, kind=IKind.CONNECT
        ).exists()
    )
    if not already_connecting:
        FollowUp.schedule(
            owner=contact.owner,
            kind=Kind.CONNECT,
            contact=contact,
            application=interaction.application,
            source=interaction,
            due_at=connect_due(interaction, profile),
            draft=draft_for,
            reason="You replied: connect on LinkedIn to stay in touch",
            now=now,
        )


def connect_due(interaction: Interaction, profile: Profile) -> datetime:
    later = add_days(interaction.occurred_at, profile.connect_after_days, profile.zone)
    return working_morning_on_or_after(later, profile)


# ---------------------------------------------------------------------------------------
# Follow-ups an interaction causes by itself (R1, R3, R4's thank-you, R7: docs/rules.md#r1,
# #r3, #r4, #r7)
# ---------------------------------------------------------------------------------------


class Triggered(NamedTuple):
    """A follow-up one rule asks for: when, until when, why, and whether that rule is on."""

    due_at: datetime
    deadline: datetime | None
    reason: str
    enabled: bool


def triggered_followups(interaction: Interaction, profile: Profile) -> dict[str, Triggered]:
    """kind → what each rule this interaction triggers asks for."""
    if not interaction.contact_id:
        return {}
    t, zone = interaction.occurred_at, profile.zone
    inbound = interaction.direction == Inbound
    kind = interaction.kind
    found: dict[str, Triggered] = {}
    # R1: answer a rejection within a day or two, while they still remember you.
    if inbound and kind == IKind.REJECTION:
        found[Kind.REPLY] = Triggered(
            add_hours(t, profile.reply_due_hours),
            add_hours(t, profile.reply_deadline_hours),
            "Rejection received: a short, gracious reply keeps the door open",
            profile.reply_enabled,
        )
    # R3: if they have not answered a feedback request in a week, ask once more — once.
    if not inbound and interaction.requests_feedback and kind not in (IKind.NUDGE, IKind.NOTE):
        found[Kind.FEEDBACK_NUDGE] = Triggered(
            working_morning_on_or_after(add_days(t, profile.nudge_after_days, zone), profile),
            add_days(t, profile.nudge_deadline_days, zone),
            "You asked for feedback: one polite nudge if they stay silent",
            profile.feedback_nudge_enabled,
        )
    # R4: feedback is a gift; thank them for it.
    # R7: thank the people who interviewed you within a day.
    if (inbound and kind == IKind.FEEDBACK) or kind == IKind.INTERVIEW:
        found[Kind.THANK_YOU] = Triggered(
            add_hours(t, profile.thank_you_due_hours),
            add_hours(t, profile.thank_you_deadline_hours),
            "They shared feedback: say thank you"
            if kind == IKind.FEEDBACK
            else "After an interview: send a thank-you note",
            profile.thank_you_enabled,
        )
    return found


def ensure_sourced_followups(interaction: Interaction, profile: Profile, now: datetime) -> None:
    """Creates, moves or cancels the follow-ups this interaction sources, idempotently.

    A follow-up it already sourced is never created twice, whatever its status: a
    dismissed reply stays dismissed when the interaction is saved again.
    """
    triggered = triggered_followups(interaction, profile)
    existing: dict[str, list[FollowUp]] = {}
    for followup in FollowUp.objects.filter(
        source=interaction, kind__in=[*SOURCED_KINDS, Kind.CONNECT]
    ):
        existing.setdefault(followup.kind, []).append(followup)

    for kind, followups in existing.items():
        for followup in followups:
            if not followup.is_pending:
                continue
            if kind == Kind.CONNECT:  # R5's, sourced by the reply that was sent
                due, deadline = connect_due(interaction, profile), None
            elif kind in triggered:
                due, deadline = triggered[kind].due_at, triggered[kind].deadline
            else:
                followup.cancel(
                    "The interaction it came from no longer calls for it",
                    interaction=interaction,
                    now=now,
                )
                continue
            _follow_the_source(followup, interaction)
            followup.reschedule(
                due,
                deadline=deadline,
                reason="Its interaction was edited",
                interaction=interaction,
                now=now,
            )

    if interaction.contact is None or not may_contact(interaction.contact):
        return
    for kind, wanted in triggered.items():
        if not wanted.enabled or kind in existing:
            continue
        if kind in (Kind.REPLY, Kind.FEEDBACK_NUDGE) and _pending_for(interaction, kind):
            continue  # one reply per rejection thread, one nudge at a time
        FollowUp.schedule(
            owner=interaction.owner,
            kind=kind,
            contact=interaction.contact,
            application=interaction.application,
            source=interaction,
            due_at=wanted.due_at,
            deadline=wanted.deadline,
            draft=draft_for,
            reason=wanted.reason,
            now=now,
        )


def _pending_for(interaction: Interaction, kind: str) -> bool:
    return FollowUp.objects.filter(
        contact=interaction.contact_id,
        application=interaction.application_id,
        kind=kind,
        status=Pending,
    ).exists()


def _follow_the_source(followup: FollowUp, interaction: Interaction) -> None:
    """An edit moved the interaction to another contact or application: so does the
    follow-up, with a draft addressed to the right person."""
    if (followup.contact_id, followup.application_id) == (
        interaction.contact_id,
        interaction.application_id,
    ):
        return
    followup.contact = interaction.contact
    followup.application = interaction.application
    followup.draft_subject, followup.draft_body = draft_for(followup)
    followup.save(update_fields=["contact", "application", "draft_subject", "draft_body"])


# ---------------------------------------------------------------------------------------
# R6 (docs/rules.md#r6): check in every few months, counting from the last time in touch
# ---------------------------------------------------------------------------------------


def ensure_check_in(
    contact: Contact,
    profile: Profile,
    now: datetime,
    *,
    cause: Interaction | None = None,
) -> FollowUp | None:
    """Keeps exactly one pending check-in for a contact with a cadence, none otherwise.

    Due the working morning on/after the latest interaction (either direction; notes
    are not contact) plus the contact's check_in_months.
    """
    pending = FollowUp.objects.filter(contact=contact, kind=Kind.CHECK_IN, status=Pending).first()
    months = contact.check_in_months
    if not profile.check_in_enabled:
        return pending  # switched off: applies to check-ins not yet scheduled
    if not (months and may_contact(contact)):
        if pending is not None:
            pending.cancel("Check-ins are off for this contact", interaction=cause, now=now)
        return None
    latest = (
        Interaction.objects.filter(contact=contact)
        .exclude(kind=IKind.NOTE)
        .order_by("-occurred_at", "-id")
        .first()
    )
    base = latest.occurred_at if latest else now
    due = working_morning_on_or_after(add_months(base, months, profile.zone), profile)
    if pending is None:
        try:
            return FollowUp.schedule(
                owner=contact.owner,
                kind=Kind.CHECK_IN,
                contact=contact,
                source=latest,
                due_at=due,
                draft=draft_for,
                reason=f"Stay in touch: check in every {months} months",
                now=now,
            )
        except IntegrityError:
            # A concurrent save scheduled it first (the partial unique constraint keeps
            # one); schedule() ran in a savepoint, so this transaction goes on with theirs.
            return FollowUp.objects.filter(
                contact=contact, kind=Kind.CHECK_IN, status=Pending
            ).first()
    if latest is not None and pending.source_id != latest.pk:
        pending.source = latest
        pending.save(update_fields=["source"])
    pending.reschedule(
        due,
        reason="A newer interaction moved the check-in",
        interaction=cause,
        now=now,
    )
    return pending


# ---------------------------------------------------------------------------------------
# R8 (docs/rules.md#r8): an application nobody answered deserves one polite status question
# ---------------------------------------------------------------------------------------


def ensure_application_check(
    application: JobApplication, profile: Profile, now: datetime
) -> FollowUp | None:
    """A pending application check due the working morning on/after the day applied plus
    application_check_days, unless they wrote back since that day or it was applied for
    more than HISTORIC_APPLICATION_DAYS ago (history, typically imported)."""
    if not profile.application_check_enabled:
        return None
    zone = profile.zone
    applied_on = application.applied_on or local_date(now, zone)
    if is_historic_application(applied_on, local_date(now, zone)):
        stop_application_checks(application, "Applied too long ago to ask about it now", now)
        return None
    heard_back = Interaction.objects.filter(
        application=application,
        direction=Inbound,
        occurred_at__gte=at_local_time(applied_on, 0, zone),
    ).exists()
    if heard_back:
        return None
    later = add_days(at_local_time(applied_on, 12, zone), profile.application_check_days, zone)
    due = working_morning_on_or_after_date(local_date(later, zone), profile)
    pending = FollowUp.objects.filter(
        application=application, kind=Kind.APPLICATION_CHECK, status=Pending
    ).first()
    if pending is not None:
        pending.reschedule(due, reason="The application date changed", now=now)
        return pending
    return FollowUp.schedule(
        owner=application.owner,
        kind=Kind.APPLICATION_CHECK,
        contact=application.contacts.filter(do_not_contact=False).first(),
        application=application,
        due_at=due,
        draft=draft_for,
        reason="No answer yet: ask about your application",
        now=now,
    )


# ---------------------------------------------------------------------------------------
# Closing date: a wishlist posting with a closing date is a reminder to apply in time
# (posting capture, docs/capture.md). A `custom` follow-up, found again by the reason of
# its first history row, so editing its draft does not lose it.
# ---------------------------------------------------------------------------------------

APPLY_BEFORE_REASON = "The posting closes soon: apply before its closing date"
APPLY_BEFORE_DAYS = 3


def apply_before_due(closing: date, profile: Profile, now: datetime) -> datetime:
    """The working morning APPLY_BEFORE_DAYS days before the closing date (the workday
    before, when that day is not one), never earlier than now."""
    day = working_day_on_or_before(closing - timedelta(days=APPLY_BEFORE_DAYS), profile.workdays)
    return max(at_local_time(day, profile.morning_hour, profile.zone), now)


def ensure_apply_before(application: JobApplication, now: datetime) -> FollowUp | None:
    """One pending "Apply before <date>" follow-up while the application is on the
    wishlist with a closing date still ahead; cancelled once it is not."""
    pending = (
        FollowUp.objects.filter(
            application=application,
            kind=Kind.CUSTOM,
            status=Pending,
            events__reason=APPLY_BEFORE_REASON,
        )
        .distinct()
        .first()
    )
    closing = application.closing_date
    profile = profile_of(application.owner_id)
    today = local_date(now, profile.zone)
    if application.status != JobApplication.Status.WISHLIST or not closing or closing < today:
        if pending is not None:
            if application.status != JobApplication.Status.WISHLIST:
                reason = f"The application moved to {application.get_status_display().lower()}"
            else:
                reason = "The closing date was removed or has passed"
            pending.cancel(reason, now=now)
        return None
    due = apply_before_due(closing, profile, now)
    deadline = at_local_time(closing, 23, profile.zone) + timedelta(minutes=59)  # its last minute
    subject = f"Apply before {closing:%a} {closing.day} {closing:%b}: {application}"
    if pending is not None:
        if pending.reschedule(due, deadline=deadline, reason="The closing date changed", now=now):
            # The new date in the subject, unless the user rewrote it.
            FollowUp.objects.filter(
                pk=pending.pk, draft_subject__startswith="Apply before "
            ).update(draft_subject=subject[:300])
        return pending
    body = (
        f"The posting for {application} closes on {closing:%A} {closing.day} {closing:%B %Y}.\n"
        "Send your application before then, and mark it applied here.\n"
    )
    if application.posting_url:
        body += f"\nPosting: {application.posting_url}\n"
    return FollowUp.schedule(
        owner=application.owner,
        kind=Kind.CUSTOM,
        application=application,
        due_at=due,
        deadline=deadline,
        draft_subject=subject[:300],
        draft_body=body,
        reason=APPLY_BEFORE_REASON,
        now=now,
    )


def address_application_checks(contact: Contact, application_ids: set[int]) -> None:
    """A check scheduled before anyone was linked to the application goes to the first
    contact linked to it later; the draft's placeholders are filled for them, keeping any
    text the user already wrote."""
    if contact.do_not_contact:
        return
    for followup in FollowUp.objects.filter(
        owner_id=contact.owner_id,
        application_id__in=application_ids,
        kind=Kind.APPLICATION_CHECK,
        status=Pending,
        contact__isnull=True,
    ):
        followup.contact = contact
        followup.draft_subject, followup.draft_body = fill_for(
            followup, followup.draft_subject, followup.draft_body
        )
        followup.save(update_fields=["contact", "draft_subject", "draft_body", "updated_at"])


def stop_application_checks(application: JobApplication, reason: str, now: datetime) -> None:
    for followup in FollowUp.objects.filter(
        application=application, kind=Kind.APPLICATION_CHECK, status=Pending
    ):
        followup.cancel(reason, now=now)


# ---------------------------------------------------------------------------------------
# A new time zone, morning hour or workdays: working mornings follow the new hours
# ---------------------------------------------------------------------------------------

PROFILE_TIMING_FIELDS = ("time_zone", "morning_hour", "workdays")
# Kinds whose due time the rules put on a working morning (R3, R5, R6, R8, goals). A
# reply or a thank-you is due a fixed number of hours after the clock time it answers.
MORNING_KINDS = (
    Kind.FEEDBACK_NUDGE,
    Kind.CHECK_IN,
    Kind.CONNECT,
    Kind.APPLICATION_CHECK,
    Kind.GOAL,
)


@dataclass(frozen=True)
class _Hours:
    """The working hours a profile had when it was loaded."""

    zone: ZoneInfo
    morning_hour: int
    workdays: list[int]


def profile_saved(profile: Profile, *, created: bool, now: datetime | None = None) -> None:
    """Re-times the owner's pending follow-ups due on a working morning when the zone, the
    morning hour or the workdays changed: the same local date they had, at the new morning
    hour, moved on to the next workday if needed. Clock-fixed times stay."""
    loaded = getattr(profile, "_loaded_values", None)
    if (
        created
        # Without the values it was loaded with (a new row, a deferred load) there is no old
        # morning to move from.
        or loaded is None
        or any(f not in loaded for f in PROFILE_TIMING_FIELDS)
        or not any(profile.has_changed(f) for f in PROFILE_TIMING_FIELDS)
    ):
        profile.remember_values()
        return
    try:
        old_zone = ZoneInfo(loaded.get("time_zone") or "UTC")
    except (KeyError, ValueError):
        old_zone = ZoneInfo("UTC")
    old = _Hours(old_zone, loaded.get("morning_hour", 9), loaded.get("workdays") or [])
    retime_working_mornings(profile, old, now or timezone.now())
    profile.remember_values()


def retime_working_mornings(profile: Profile, old: _Hours, now: datetime) -> int:
    """Moves each pending follow-up that was due at the old morning hour; returns how many."""
    moved = 0
    with transaction.atomic():
        for followup in FollowUp.objects.filter(owner_id=profile.user_id, status=Pending):
            local = followup.due_at.astimezone(old.zone)
            if (local.hour, local.minute, local.second) != (old.morning_hour, 0, 0):
                continue  # a time of day the user or the clock chose: it stays
            if followup.kind not in MORNING_KINDS and not _was_snoozed(followup):
                continue
            due = working_morning_on_or_after_date(local.date(), profile)
            moved += followup.reschedule(
                due,
                deadline=followup.deadline,
                reason="Your time zone or working hours changed",
                now=now,
            )
    return moved


def _was_snoozed(followup: FollowUp) -> bool:
    """A reply snoozed to a morning is due on a working morning too (snoozes land there)."""
    latest = followup.events.order_by("-at", "-id").first()
    return latest is not None and latest.reason.startswith("Snoozed")


# ---------------------------------------------------------------------------------------
# Do not contact (docs/rules.md#do-not-contact), and helpers
# ---------------------------------------------------------------------------------------


def may_contact(contact: Contact) -> bool:
    return not contact.do_not_contact


def cancel_everything_for(contact: Contact, now: datetime) -> None:
    """Do not contact: every pending follow-up for the contact goes, and none is scheduled."""
    for followup in FollowUp.objects.filter(contact=contact, status=Pending):
        followup.cancel("Marked do not contact", now=now)


def profile_of(user_id: int) -> Profile:
    """The owner's profile, read fresh so a setting changed a moment ago applies."""
    return Profile.objects.get_or_create(user_id=user_id)[0]


# ---------------------------------------------------------------------------------------
# Mark sent (docs/rules.md#mark-sent)
# ---------------------------------------------------------------------------------------

# What the user sent for each kind of follow-up: (interaction kind, channel).
SENT_AS: dict[str, tuple[str, str]] = {
    Kind.REPLY: (IKind.REPLY, Interaction.Channel.EMAIL),
    Kind.CHECK_IN: (IKind.CHECK_IN, Interaction.Channel.EMAIL),
    Kind.FEEDBACK_NUDGE: (IKind.NUDGE, Interaction.Channel.EMAIL),
    Kind.CONNECT: (IKind.CONNECT, Interaction.Channel.LINKEDIN),
    Kind.THANK_YOU: (IKind.THANK_YOU, Interaction.Channel.EMAIL),
    Kind.APPLICATION_CHECK: (IKind.OTHER, Interaction.Channel.EMAIL),
}


def mark_sent(
    followup: FollowUp,
    *,
    subject: str | None = None,
    body: str | None = None,
    now: datetime | None = None,
    requests_feedback: bool | None = None,
) -> Interaction:
    """The user sent the draft: logs the matching outbound interaction and lets the rules
    complete the follow-up (and do what follows: R3's nudge when the text asks for
    feedback, R5 after a reply, the next check-in).

    `requests_feedback` is the user's override (the pages' checkbox); left None it is
    read from the text actually sent, as the draft checker reads a feedback request.
    Raises FollowUpNotPending when the follow-up is no longer pending.
    """
    now = now or timezone.now()
    kind, channel = SENT_AS.get(followup.kind, (IKind.OTHER, Interaction.Channel.EMAIL))
    subject = followup.draft_subject if subject is None else subject
    body = followup.draft_body if body is None else body
    if requests_feedback is None:
        requests_feedback = sent_text_asks_for_feedback(subject, body)
    with transaction.atomic():
        # Lock the row so two clicks on "mark sent" log one interaction, not two.
        locked = FollowUp.objects.select_for_update().filter(pk=followup.pk, status=Pending)
        if locked.first() is None:
            raise FollowUpNotPending(f"This follow-up is {followup.get_status_display().lower()}.")
        interaction = Interaction.objects.create(
            owner_id=followup.owner_id,
            contact_id=followup.contact_id,
            application_id=followup.application_id,
            direction=Outbound,
            channel=channel,
            kind=kind,
            occurred_at=now,
            subject=subject,
            body=body,
            requests_feedback=requests_feedback,
        )
        followup.refresh_from_db()
        if followup.is_pending:
            # Kinds no rule completes (goal, custom, a follow-up without a contact).
            followup.complete(interaction, now=now)
    return interaction


def undo_sent(followup: FollowUp, *, now: datetime | None = None) -> bool:
    """Undo of mark sent: the interaction it logged is deleted (the rules cancel what it
    scheduled: the nudge, the connect suggestion) and the follow-up is pending again.

    False when there is nothing to undo: not done, or done by something other than an
    outbound message (an answer logged since is history, not a slip of the finger).
    """
    now = now or timezone.now()
    sent = followup.completed_by
    if followup.status != FollowUp.Status.DONE or sent is None or sent.direction != Outbound:
        return False
    with transaction.atomic():
        sent.delete()
        if followup.kind == Kind.CHECK_IN:
            # The check-in the sent message scheduled next gives way to this one.
            for newer in FollowUp.objects.filter(
                contact=followup.contact_id, kind=Kind.CHECK_IN, status=Pending
            ).exclude(pk=followup.pk):
                newer.cancel("Mark sent was undone", now=now)
        followup.refresh_from_db()
        return followup.reopen(now=now)


def sent_text_asks_for_feedback(subject: str, body: str) -> bool:
    """Whether a sent message asks for feedback (the draft checker's notion)."""
    from followups.drafts import asks_for_feedback

    return asks_for_feedback(f"{subject}\n{body}")


def nudge_after(interaction: Interaction) -> FollowUp | None:
    """The pending feedback nudge a sent message scheduled (R3), if any."""
    return FollowUp.objects.filter(
        source=interaction, kind=Kind.FEEDBACK_NUDGE, status=Pending
    ).first()


def whats_next_after_sending(interaction: Interaction, zone: tzinfo) -> str:
    """The sentence the pages show once a draft is marked sent: when the nudge comes."""
    nudge = nudge_after(interaction)
    if nudge is None:
        return ""
    name = interaction.contact.first_name if interaction.contact else ""
    local = nudge.due_at.astimezone(zone)
    when = f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"
    silent = f"If {name} stays silent" if name else "If they stay silent"
    return f"{silent}, a nudge on {when}."
