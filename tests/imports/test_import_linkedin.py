"""Importing LinkedIn's Connections.csv: matching, updating, and the management command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contacts.importers import ImportFileError, import_linkedin, plan_linkedin
from contacts.models import Contact
from crm.models import Company
from tests.factories import make_company, make_contact

# Written the way LinkedIn writes it: a notes block, a blank line, then the header;
# most emails empty, quoted commas, CRLF line ends.
LINKEDIN_NOTES = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email '
    "addresses are missing. You will only see email addresses for connections who have "
    'allowed it."\r\n'
    "\r\n"
)
LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"


def linkedin_file(*rows: str) -> bytes:
    return (LINKEDIN_NOTES + LINKEDIN_HEADER + "".join(r + "\r\n" for r in rows)).encode()


FIRST_EXPORT = linkedin_file(
    "Priya,Natarajan,https://www.linkedin.com/in/priya-natarajan,,Acme Corp,"
    "Technical Recruiter,05 Nov 2024",
    'Tom,Berg,https://www.linkedin.com/in/tomberg,tom@example.com,"Globex, Inc.",'
    "Engineering Manager,5 Nov 2024",
    "Lena,Vogt,https://www.linkedin.com/in/lena-vogt,,ACME CORP,Staff Engineer,12 Jan 2023",
)
SECOND_EXPORT = linkedin_file(
    # Priya moved on; LinkedIn now spells the URL with a trailing slash.
    "Priya,Natarajan,https://www.linkedin.com/in/priya-natarajan/,,Initech,"
    "Head of Talent,05 Nov 2024",
    'Tom,Berg,https://www.linkedin.com/in/tomberg,tom@example.com,"Globex, Inc.",'
    "Engineering Manager,5 Nov 2024",
    "Lena,Vogt,https://www.linkedin.com/in/lena-vogt,,Acme Corp,Staff Engineer,12 Jan 2023",
    "Sam,Okafor,https://www.linkedin.com/in/sam-okafor,,,,2024-02-30",
)


def test_contacts_are_created_with_their_company_position_and_url(alice):
    _, result = import_linkedin(alice, FIRST_EXPORT)

    assert (result.created, result.updated, result.rejected) == (3, 0, 0)
    tom = Contact.objects.get(owner=alice, first_name="Tom")
    assert tom.last_name == "Berg"
    assert tom.email == "tom@example.com"
    assert tom.company.name == "Globex, Inc."
    assert tom.title == "Engineering Manager"
    assert tom.linkedin_url == "https://www.linkedin.com/in/tomberg"
    assert "05 Nov 2024" in tom.notes


def test_companies_are_matched_ignoring_case(alice):
    make_company(alice, name="acme corp")

    import_linkedin(alice, FIRST_EXPORT)

    assert Company.objects.filter(owner=alice, name__iexact="acme corp").count() == 1
    assert Contact.objects.filter(owner=alice, company__name="acme corp").count() == 2


def test_recruiters_are_recognised_by_position_and_others_become_peers(alice):
    import_linkedin(alice, FIRST_EXPORT)

    roles = dict(Contact.objects.filter(owner=alice).values_list("first_name", "role"))
    assert roles == {"Priya": "recruiter", "Tom": "peer", "Lena": "peer"}


def test_a_second_import_updates_instead_of_duplicating(alice):
    import_linkedin(alice, FIRST_EXPORT)
    first_seen = Contact.objects.get(owner=alice, first_name="Priya").updated_at

    plan, result = import_linkedin(alice, SECOND_EXPORT)

    assert (result.created, result.updated, result.rejected) == (1, 3, 0)
    assert Contact.objects.filter(owner=alice).count() == 4
    priya = Contact.objects.get(owner=alice, first_name="Priya")
    assert priya.company.name == "Initech"
    assert priya.title == "Head of Talent"
    assert priya.updated_at > first_seen
    assert [row.status_label for row in plan.rows[1:3]] == ["Matches existing (no changes)"] * 2


def test_a_second_import_keeps_what_the_user_edited_and_the_file_leaves_empty(alice):
    import_linkedin(alice, FIRST_EXPORT)
    priya = Contact.objects.get(owner=alice, first_name="Priya")
    priya.email = "priya@acme.example"
    priya.role = Contact.Role.HIRING_MANAGER
    priya.notes = "Met at the meetup."
    priya.save()

    import_linkedin(alice, SECOND_EXPORT)

    priya.refresh_from_db()
    assert priya.email == "priya@acme.example"
    assert priya.role == Contact.Role.HIRING_MANAGER
    assert priya.notes == "Met at the meetup."


def test_contacts_are_matched_by_email_when_they_have_no_linkedin_url(alice):
    existing = make_contact(alice, first_name="Tom", last_name="B.", email="TOM@example.com")

    _, result = import_linkedin(alice, FIRST_EXPORT)

    assert result.updated == 1
    existing.refresh_from_db()
    assert existing.linkedin_url == "https://www.linkedin.com/in/tomberg"
    assert existing.last_name == "Berg"


def test_an_unreadable_connection_date_is_a_warning_not_a_rejection(alice):
    plan = plan_linkedin(alice, SECOND_EXPORT)

    sam = plan.rows[3]
    assert sam.status == "new"
    assert "Connected on" in sam.warnings[0]


def test_rows_without_a_name_or_with_a_bad_email_are_rejected_and_the_rest_imported(alice):
    raw = linkedin_file(
        ",,https://www.linkedin.com/in/hidden,,,,01 Jan 2024",
        "Ana,Lopez,https://www.linkedin.com/in/ana,not-an-email,,,01 Jan 2024",
        "Ben,Ito,https://www.linkedin.com/in/ben,,,,01 Jan 2024",
    )

    plan, result = import_linkedin(alice, raw)

    assert (result.created, result.rejected) == (1, 2)
    assert "No name" in plan.rows[0].errors[0]
    assert "not an email address" in plan.rows[1].errors[0]
    assert list(Contact.objects.filter(owner=alice).values_list("first_name", flat=True)) == ["Ben"]


def test_the_same_person_twice_in_one_file_is_imported_once(alice):
    raw = linkedin_file(
        "Ana,Lopez,https://www.linkedin.com/in/ana,,,,01 Jan 2024",
        "Ana,Lopez,https://linkedin.com/in/ana/,,,,01 Jan 2024",
    )

    plan, result = import_linkedin(alice, raw)

    assert (result.created, result.rejected) == (1, 1)
    assert "line 5" in plan.rows[1].errors[0]


def test_another_users_contacts_are_never_matched(alice, bob):
    make_contact(bob, first_name="Tom", email="tom@example.com")

    _, result = import_linkedin(alice, FIRST_EXPORT)

    assert result.created == 3
    assert Contact.objects.get(owner=bob).last_name != "Berg"


def test_planning_writes_nothing(alice, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        plan = plan_linkedin(alice, FIRST_EXPORT)

    assert plan.new_count == 3
    assert not Contact.objects.exists()
    assert not Company.objects.exists()


def test_a_file_without_the_linkedin_header_is_refused(alice):
    with pytest.raises(ImportFileError, match="First Name,Last Name,URL"):
        plan_linkedin(alice, b"name,email\nAna,ana@example.com\n")


# Management command ---------------------------------------------------------------


def test_the_command_prints_created_updated_and_rejected(alice, tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_bytes(SECOND_EXPORT)
    import_linkedin(alice, FIRST_EXPORT)
    out, err = StringIO(), StringIO()

    call_command("import_linkedin", str(path), user="alice", stdout=out, stderr=err)

    assert "created: 1, updated: 3, rejected: 0" in out.getvalue()
    assert Contact.objects.filter(owner=alice).count() == 4


def test_the_command_lists_rejected_rows(alice, tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_bytes(linkedin_file(",,https://www.linkedin.com/in/x,,,,"))
    out, err = StringIO(), StringIO()

    call_command("import_linkedin", str(path), "--user", "alice", stdout=out, stderr=err)

    assert "rejected: 1" in out.getvalue()
    assert "Rejected line 5: No name" in err.getvalue()


def test_the_command_dry_run_writes_nothing(alice, tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_bytes(FIRST_EXPORT)
    out = StringIO()

    call_command("import_linkedin", str(path), user="alice", dry_run=True, stdout=out)

    assert "would create 3" in out.getvalue()
    assert not Contact.objects.exists()


def test_the_command_refuses_an_unknown_user(db, tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_bytes(FIRST_EXPORT)

    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("import_linkedin", str(path), user="nobody")


def test_the_command_explains_a_file_that_is_not_a_linkedin_export(alice, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)

    with pytest.raises(CommandError, match="not a CSV text file"):
        call_command("import_linkedin", str(path), user="alice")
    assert not Contact.objects.exists()


# Scale ------------------------------------------------------------------------------


def big_linkedin_file(rows: int, *, position: str = "Engineer") -> bytes:
    return linkedin_file(
        *(
            f"First{n},Last{n},https://www.linkedin.com/in/person-{n},"
            f"{f'person{n}@example.com' if n % 3 == 0 else ''},Company {n % 700},"
            f"{position},{1 + n % 28:02d} Nov 2024"
            for n in range(rows)
        )
    )


# At least 50 rows per query on average. SQLite caps a statement at 999 parameters, so
# an INSERT carries ~70 contacts there; PostgreSQL takes 500 per batch (~25 queries).
MAX_QUERIES_FOR_10K_ROWS = 10_000 // 50


def test_ten_thousand_rows_import_in_batches_not_one_query_per_row(
    alice, django_assert_max_num_queries
):
    with django_assert_max_num_queries(MAX_QUERIES_FOR_10K_ROWS):
        _, result = import_linkedin(alice, big_linkedin_file(10_000))
    assert (result.created, result.companies_created) == (10_000, 700)

    with django_assert_max_num_queries(MAX_QUERIES_FOR_10K_ROWS):
        _, result = import_linkedin(alice, big_linkedin_file(10_000, position="Lead"))

    assert (result.created, result.updated) == (0, 10_000)
    assert Contact.objects.filter(owner=alice).count() == 10_000
    assert Contact.objects.filter(owner=alice, title="Lead").count() == 10_000
