"""Forms of the import pages: the upload, and the column mapping of an applications CSV."""

from __future__ import annotations

from django import forms

from contacts.importers import (
    APPLICATION_FIELDS,
    REQUIRED_APPLICATION_FIELDS,
    ImportFileError,
    max_upload_bytes,
    read_upload,
)

NOT_IN_FILE = ""


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file")

    def __init__(self, *args, help_text: str = "", expected: str = "a CSV file", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit_mb = max_upload_bytes() // (1024 * 1024)
        self.fields["file"].help_text = f"{help_text} Up to {limit_mb} MB.".strip()
        self.fields["file"].error_messages["empty"] = f"The file is empty. Expected {expected}."

    def clean_file(self) -> bytes:
        """The file's bytes; a file over the size cap is refused before it is read."""
        try:
            return read_upload(self.cleaned_data["file"])
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
