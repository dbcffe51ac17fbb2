"""Reading a time zone as a person types it: the IANA name in any case, or its city."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones


@cache
def time_zone_names() -> list[str]:
    """Every IANA zone name, sorted, for the searchable list (computed once per process)."""
    return sorted(name for name in available_timezones() if "/" in name or name == "UTC")


def _key(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


@cache
def _lookup() -> tuple[dict[str, str], dict[str, str]]:
    by_name = {_key(name): name for name in time_zone_names()}
    by_city: dict[str, str] = {}
    # Region zones first, so "London" is Europe/London rather than a legacy alias.
    legacy = ("US/", "Canada/", "Brazil/", "Chile/", "Mexico/", "Etc/", "SystemV/")
    for name in sorted(time_zone_names(), key=lambda n: (n.startswith(legacy), n)):
        by_city.setdefault(_key(name.rsplit("/", 1)[-1]), name)
    return by_name, by_city


def canonical_time_zone(text: str) -> str | None:
    """The IANA name `text` means ("america/new_york", "New York", "london"), or None.

    The zone database names zones after a city, so the city alone is accepted too.
    """
    key = _key(text)
    if not key:
        return None
    by_name, by_city = _lookup()
    return by_name.get(key) or by_city.get(key)
