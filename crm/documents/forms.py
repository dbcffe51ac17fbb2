"""The upload form of documents."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django import forms

from crm.documents.validation import CONTENT_TYPES, suffix_of
from crm.models import Document

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["kind", "name", "file"]
        labels = {"name": "Version", "file": "File (PDF, DOCX, ODT or TXT)"}
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": ",".join(CONTENT_TYPES)})}

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.instance.owner = owner
        self.fields["name"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        upload = cleaned.get("file")
        if upload is not None and not cleaned.get("name"):
            cleaned["name"] = PurePath(upload.name).stem[:200] or "Untitled"
        return cleaned

    def save(self, commit: bool = True) -> Document:
        document = super().save(commit=False)
        upload = self.cleaned_data["file"]
        document.name = self.cleaned_data["name"]
        document.original_name = PurePath(upload.name).name[:255]
        document.size = upload.size or 0
        document.content_type = CONTENT_TYPES[suffix_of(upload.name)]
        if commit:
            document.save()
        return document
