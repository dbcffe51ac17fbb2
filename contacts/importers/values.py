"""Cell values: dates as spreadsheets write them, LinkedIn profile URLs, company keys, and
field lengths."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from django.core.validators import URLValidator

# Values -----------------------------------------------------------------------------

url_validator = URLValidator(schemes=["http", "https"])
# What LinkedIn writes in the URL column; Django's full URL check of 10,000 of them is the
# slowest part of planning, so this common shape skips it.
PLAIN_LINKEDIN_URL = re.compile(r"^https://(www\.)?linkedin\.com/in/[\w%-]+/?\Z", re.ASCII)

DATE_FORMATS = (
    "%d %b %Y",  # LinkedIn: 05 Nov 2024
    "%d %B %Y",
    "%Y-%m-%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d.%m.%Y",
)


def parse_date(value: str) -> date:
    """A date as trackers and LinkedIn write it; ambiguous 03/04/2024 is refused."""
    value = " ".join(value.strip().split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        pass
    slashed = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", value)
    if slashed:
        first, second, year = (int(part) for part in slashed.groups())
        year += 2000 if year < 100 else 0
        if first > 12 >= second:
            return date(year, second, first)
        if second > 12 >= first:
            return date(year, first, second)
        if first == second:
            return date(year, first, second)
        raise ValueError(f"“{value}” could be day/month or month/day; write it as YYYY-MM-DD")
    raise ValueError(f"“{value}” is not a date we can read; write it as YYYY-MM-DD")


def linkedin_key(url: str) -> str:
    """The part of a LinkedIn URL that identifies the person, for matching."""
    key = url.strip().lower().split("?", 1)[0].split("#", 1)[0]
    key = re.sub(r"^https?://", "", key)
    key = re.sub(r"^(www|[a-z]{2})\.linkedin\.com", "linkedin.com", key)
    return key.rstrip("/")


def company_key(name: str) -> str:
    return " ".join(name.split()).lower()


@functools.cache
def _max_length(model, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


def too_long(label: str, value: str, model, field_name: str) -> str | None:
    limit = _max_length(model, field_name)
    if len(value) > limit:
        return f"{label} is {len(value)} characters long; at most {limit} fit."
    return None
