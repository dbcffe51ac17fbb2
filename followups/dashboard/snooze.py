"""Snoozing: the choices offered (later today, tomorrow morning, next week…) and the
instant each one means in the user's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from crm.models import Profile
from followups.timing import at_local_time, working_morning_on_or_after

# Snoozing ---------------------------------------------------------------------------

SNOOZE_CHOICES = [
    ("tomorrow", "Tomorrow morning"),
    ("three_days", "In 3 days"),
    ("next_week", "Next week"),
    ("date", "On a date"),
]


def local_noon(day: date, zone: ZoneInfo) -> datetime:
    # Noon, not midnight: a DST change never moves noon to another calendar day.
    return datetime.combine(day, time(12), tzinfo=zone)


def snooze_until(choice: str, picked: date | None, now: datetime, profile: Profile) -> datetime:
    """When a snoozed follow-up is due again; mornings are working mornings."""
    zone = profile.zone
    today = now.astimezone(zone).date()
    if choice == "date" and picked is not None:
        # The user picked this exact day, weekend or not: respect it.
        return at_local_time(picked, profile.morning_hour, zone)
    offset = {"tomorrow": 1, "three_days": 3, "next_week": 7 - today.weekday()}[choice]
    return working_morning_on_or_after(local_noon(today + timedelta(days=offset), zone), profile)


class SnoozeForm(forms.Form):
    choice = forms.ChoiceField(choices=SNOOZE_CHOICES, label="Snooze until")
    date = forms.DateField(
        required=False, label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, now: datetime, zone: ZoneInfo, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = now.astimezone(zone).date()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        picked = data.get("date")
        if data.get("choice") == "date":
            if picked is None:
                self.add_error("date", "Pick the day to be reminded again.")
            elif picked <= self.today:
                self.add_error("date", "Pick a day after today.")
            elif picked > self.today + timedelta(days=730):
                self.add_error("date", "Pick a day within the next two years.")
        return data
