"""Stored URLs are web addresses: http or https, and nothing else (issue 13, item 6).

The model fields validate with `validate_web_url`, so the forms, the admin, its imports
(full_clean) and the API refuse `javascript:` and friends; `web_url_or_empty` is what
every page, email and export puts in a link, so a row written before the rule (or by raw
SQL) still never becomes a clickable script or an extra line in a file.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

validate_web_url = URLValidator(
    schemes=["http", "https"], message="Enter a valid URL (http or https)."
)


def is_web_url(value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in value):  # CR, LF, NUL, tab…
        return False
    try:
        validate_web_url(value)
    except ValidationError:
        return False
    return True


def web_url_or_empty(value: object) -> str:
    """The URL when it is a plain http(s) address, else "" (no link at all)."""
    return value if is_web_url(value) else ""  # type: ignore[return-value]


def clear_stored_non_web_urls(model, field: str, label: str) -> int:
    """For data migrations (issue 13, item 11): blanks every stored `field` that is not an
    http(s) address (rows imported before validation, `javascript:` and friends), noting
    in the row's `notes` what was removed; returns how many rows changed. `model` may be
    a historical model (apps.get_model in RunPython)."""
    changed = 0
    rows = model._default_manager.exclude(**{field: ""}).only("pk", field, "notes")
    for row in rows.iterator(chunk_size=500):
        value = getattr(row, field)
        if is_web_url(value):
            continue
        shown = value if len(value) <= 200 else value[:199] + "…"
        shown = "".join(c if ord(c) >= 32 and ord(c) != 127 else "\ufffd" for c in shown)
        note = f"Removed on upgrade: the {label} “{shown}” was not a web address (http or https)."
        row.notes = f"{row.notes}\n\n{note}" if row.notes else note
        setattr(row, field, "")
        row.save(update_fields=[field, "notes"])
        changed += 1
    return changed
