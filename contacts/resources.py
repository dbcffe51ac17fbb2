"""django-import-export resources for contacts and interactions, scoped to one owner.

Interactions are saved one by one through save(), so an imported rejection schedules its
reply like any other (the rules hang off post_save).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from import_export import fields, widgets

from contacts.models import Contact, Interaction
from crm.resources import CompanyColumnResource, OwnedResource

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "company",
    "title",
    "role",
    "linkedin_url",
    "phone",
    "notes",
    "check_in_months",
    "do_not_contact",
)


class ContactResource(CompanyColumnResource):
    class Meta:
        model = Contact
        # full_clean on every row: the same validation as the forms (issue 13, item 6).
        clean_model_instances = True
        fields = CONTACT_FIELDS
        export_order = CONTACT_FIELDS
        import_id_fields = ("first_name", "last_name", "email")
        skip_unchanged = True


class OwnedContactWidget(widgets.ForeignKeyWidget):
    """A contact column by email address, among the owner's contacts only."""

    def __init__(self, owner: User | None, **kwargs) -> None:
        super().__init__(Contact, field="email", **kwargs)
        self.owner = owner

    def get_queryset(self, value, row, *args, **kwargs):
        return Contact.objects.filter(owner=self.owner)


class InteractionResource(OwnedResource):
    contact = fields.Field(attribute="contact", column_name="contact_email")

    def __init__(self, user: User | None = None, **kwargs) -> None:
        super().__init__(user=user, **kwargs)
        self.fields["contact"].widget = OwnedContactWidget(user)

    class Meta:
        model = Interaction
        # full_clean on every row: the same validation as the forms (issue 13, item 6).
        clean_model_instances = True
        fields = (
            "contact",
            "direction",
            "channel",
            "kind",
            "requests_feedback",
            "occurred_at",
            "subject",
            "body",
        )
        import_id_fields = ("contact", "occurred_at", "kind")
        skip_unchanged = True
