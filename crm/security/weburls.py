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
