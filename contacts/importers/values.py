"""Cell values: dates as spreadsheets write them, LinkedIn profile URLs, company keys, and
field lengths."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
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


# Day/month or month/day: 05/01/2024, 5-1-24, Google Sheets' 1/22/2024 14:03:00.
_NUMERIC_DATE = re.compile(
    r"(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?)?",
    re.IGNORECASE,
)
DAY_FIRST, MONTH_FIRST = "dmy", "mdy"
DATE_ORDER_CHOICES = [
    (DAY_FIRST, "Day first (31/12/2024)"),
    (MONTH_FIRST, "Month first (12/31/2024)"),
]
MIXED = "mixed"


def _numeric_parts(value: str) -> tuple[int, int, int] | None:
    match = _NUMERIC_DATE.fullmatch(" ".join(value.strip().split()))
    if not match:
        return None
    first, second, year = (int(part) for part in match.groups())
    return first, second, year + (2000 if year < 100 else 0)


def date_order_of(values: Iterable[str]) -> str | None:
    """The order a file writes its dates in, as its unambiguous rows show it: "dmy" when
    some row has a day over 12 first (22/01/2024), "mdy" when some has it second
    (1/22/2024), None when no row says, MIXED when rows say both."""
    seen = set()
    for value in values:
        parts = _numeric_parts(value) if value else None
        if parts:
            first, second, _ = parts
            if first > 12 >= second:
                seen.add(DAY_FIRST)
            elif second > 12 >= first:
                seen.add(MONTH_FIRST)
    if len(seen) > 1:
        return MIXED
    return seen.pop() if seen else None


def is_ambiguous_date(value: str) -> bool:
    """05/01/2024: a real date either way round, so only the file's order can tell."""
    parts = _numeric_parts(value)
    return parts is not None and parts[0] <= 12 and parts[1] <= 12 and parts[0] != parts[1]


def parse_date(value: str, order: str | None = None) -> date:
    """A date as trackers and LinkedIn write it; day/month or month/day by `order` (the
    file's, see date_order_of) when the date itself cannot tell."""
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
    parts = _numeric_parts(value)
    if parts:
        first, second, year = parts
        if first > 12 or first == second:
            day, month = first, second
        elif second > 12:
            day, month = second, first
        elif order == DAY_FIRST:
            day, month = first, second
        elif order == MONTH_FIRST:
            day, month = second, first
        elif order == MIXED:
            raise ValueError(
                f"“{value}” could be day/month or month/day, and the file writes dates "
                "both ways; write it as YYYY-MM-DD"
            )
        else:
            raise ValueError(f"“{value}” could be day/month or month/day; choose the order")
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(f"“{value}” is not a date of the calendar") from None
    raise ValueError(f"“{value}” is not a date we can read; write it as YYYY-MM-DD")


@dataclass(frozen=True)
class FileDates:
    """The date order of one file: `order` to parse with, whether the file itself said
    so (`inferred`), and whether the user must still be asked (`needed`)."""

    order: str | None
    inferred: bool
    needed: bool


def resolve_date_order(values: list[str], chosen: str | None = None) -> FileDates:
    """The file's rows decide; the user's `chosen` order only when no row says (the
    preview asks once, and only then)."""
    found = date_order_of(values)
    if found is not None:
        return FileDates(found, found != MIXED, False)
    if chosen in (DAY_FIRST, MONTH_FIRST):
        return FileDates(chosen, False, False)
    return FileDates(None, False, any(v and is_ambiguous_date(v) for v in values))


_SCHEMELESS_HOST = re.compile(r"^(www\.)?[\w-]+(\.[\w-]+)+(:\d+)?(/\S*)?$", re.ASCII)


def with_scheme(url: str) -> str:
    """`soylent.example/jobs/backend` as people paste it, with the https:// it lacks."""
    url = url.strip()
    if url and "://" not in url and _SCHEMELESS_HOST.match(url):
        return "https://" + url
    return url


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
