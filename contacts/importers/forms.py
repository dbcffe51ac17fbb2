"""Forms of the import pages: the upload, and the column mapping of an applications CSV."""

from __future__ import annotations

from django import forms

from contacts.importers import (
    APPLICATION_FIELDS,
    DATE_ORDER_CHOICES,
    REQUIRED_APPLICATION_FIELDS,
    ImportFileError,
    is_zip,
    max_archive_bytes,
    max_upload_bytes,
    read_upload,
    status_key,
)
from crm.models import JobApplication

NOT_IN_FILE = ""


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file")

    def __init__(
        self,
        *args,
        help_text: str = "",
        expected: str = "a CSV file",
        archive: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.archive = archive
        limit_mb = max_upload_bytes() // (1024 * 1024)
        size = f"Up to {limit_mb} MB"
        if archive:
            self.fields["file"].label = "CSV or zip file"
            size += f", a zip up to {max_archive_bytes() // (1024 * 1024)} MB"
        self.fields["file"].help_text = f"{help_text} {size}.".strip()
        self.fields["file"].error_messages["empty"] = f"The file is empty. Expected {expected}."

    def clean_file(self) -> bytes:
        """The file's bytes; a file over the size cap is refused before it is read (a
        LinkedIn archive may be larger than a CSV)."""
        try:
            raw = read_upload(
                self.cleaned_data["file"], max_archive_bytes() if self.archive else None
            )
            if self.archive and not is_zip(raw) and len(raw) > max_upload_bytes():
                size, limit = len(raw) / (1024 * 1024), max_upload_bytes() / (1024 * 1024)
                raise ImportFileError(
                    f"The file is {size:.1f} MB; the limit is {limit:.1f} MB for a CSV. Split "
                    "it into smaller files, or upload LinkedIn's whole archive (.zip)."
                )
            return raw
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None


class ColumnMappingForm(forms.Form):
    """One drop-down per field of an application: which column of the file holds it."""

    def __init__(self, *args, headers: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(NOT_IN_FILE, "— not in the file —")] + [
            (str(index), header or f"Column {index + 1}") for index, header in enumerate(headers)
        ]
        for name, label in APPLICATION_FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=label, choices=choices, required=name in REQUIRED_APPLICATION_FIELDS
            )
            if name in REQUIRED_APPLICATION_FIELDS:
                self.fields[name].error_messages["required"] = (
                    f"Choose the column that holds the {label.lower()}; it is needed."
                )

    @staticmethod
    def initial_from(mapping: dict[str, int | None]) -> dict[str, str]:
        return {name: "" if index is None else str(index) for name, index in mapping.items()}

    def mapping(self) -> dict[str, int | None]:
        return {
            name: None if self.cleaned_data.get(name, "") == "" else int(self.cleaned_data[name])
            for name, _ in APPLICATION_FIELDS
        }


class ImportChoicesForm(forms.Form):
    """The preview's questions: the date order when the file never says, and what each
    status word of an applications file means."""

    def __init__(
        self,
        *args,
        ask_date_order: bool,
        status_words: list[tuple[str, str]],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.status_words = status_words
        if ask_date_order:
            self.fields["date_order"] = forms.ChoiceField(
                label="Dates in this file are written", choices=DATE_ORDER_CHOICES
            )
        status_choices = [("", "— not an application status: reject the row —")]
        status_choices += list(JobApplication.Status.choices)
        for index, (word, chosen) in enumerate(status_words):
            self.fields[f"status_{index}"] = forms.ChoiceField(
                label=f"“{word}” means", choices=status_choices, required=False, initial=chosen
            )

    def status_map(self) -> dict[str, str]:
        return {
            status_key(word): self.cleaned_data.get(f"status_{index}", "")
            for index, (word, _) in enumerate(self.status_words)
        }
