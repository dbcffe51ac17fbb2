"""Blanks the LinkedIn URLs stored before they were validated (issue 13, items 6 and
11); what was removed is noted in the contact's notes."""

from django.db import migrations

from crm.security.weburls import clear_stored_non_web_urls


def clear(apps, schema_editor):
    clear_stored_non_web_urls(apps.get_model("contacts", "Contact"), "linkedin_url", "LinkedIn URL")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0005_interaction_external_id"),
    ]

    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
