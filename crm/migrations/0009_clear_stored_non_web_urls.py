"""Blanks the websites and posting URLs stored before they were validated (issue 13,
items 6 and 11): a `javascript:` or otherwise invalid address made the account's own
backup unrestorable. What was removed is noted in the row's notes."""

from django.db import migrations

from crm.security.weburls import clear_stored_non_web_urls


def clear(apps, schema_editor):
    clear_stored_non_web_urls(apps.get_model("crm", "Company"), "website", "website")
    clear_stored_non_web_urls(
        apps.get_model("crm", "JobApplication"), "posting_url", "posting URL"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0008_profile_feed_deleted_at"),
    ]

    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
