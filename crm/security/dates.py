"""Every date the app accepts lies within a sane range (issue 13, item 7).

Year 9999 overflows the timing helpers (a due date a day later does not exist) and a
follow-up due then broke the dashboard for good; 1969 is before anything a job search
holds. The models validate every date and time field with `validate_sane_date`, so forms,
the admin and its imports, restores and the API all refuse such values with one message.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

EARLIEST_YEAR = 1970
LATEST_YEAR = 2200


@deconstructible
class SaneDateValidator:
    message = f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}."
    code = "date_out_of_range"

    def __call__(self, value: date | datetime | None) -> None:
        if value is None:
            return
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SaneDateValidator)

    def __hash__(self) -> int:
        return hash(SaneDateValidator)


validate_sane_date = SaneDateValidator()
