"""Pages that had no query-count guard: the same number of queries with 10 or 1,000 rows
of every kind (stats, growth, the calendar feed, the export page and its downloads).

The other pages keep their own guard beside their tests: dashboard
(tests/dashboard/test_dashboard.py), board, applications list and page
(tests/web/test_applications.py), contacts list and page (tests/web/test_contacts_pages.py).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication, Profile
from followups.models import FeedbackTheme, FollowUp, Goal, GoalProgress, Reflection

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
_batch = itertools.count()


def add_rows(owner, n: int) -> None:
    """n applications, contacts and goals, 4n interactions and 2n follow-ups of the kinds
    the pages count (rejections replied to or not, feedback asked and given, interviews)."""
    b = next(_batch)
    company = Company.objects.create(owner=owner, name=f"Company {b}")
    statuses = ["applied", "interviewing", "rejected", "offer"]
    apps = JobApplication.objects.bulk_create(
        JobApplication(
            owner=owner,
            company=company,
            title=f"Job {b}-{i}",
            status=statuses[i % 4],
            applied_on=(NOW - timedelta(days=40)).date(),
        )
        for i in range(n)
    )
    contacts = Contact.objects.bulk_create(
        Contact(owner=owner, first_name=f"P{b}-{i}", company=company) for i in range(n)
    )
    Contact.applications.through.objects.bulk_create(
        Contact.applications.through(contact_id=c.pk, jobapplication_id=a.pk)
        for c, a in zip(contacts, apps, strict=True)
    )
    rows = []
    for i, (c, a) in enumerate(zip(contacts, apps, strict=True)):
        at = NOW - timedelta(days=20, hours=i)
        common = {"owner": owner, "contact": c, "application": a}
        rows += [
            Interaction(**common, direction="inbound", kind="rejection", occurred_at=at),
            Interaction(
                **common,
                direction="outbound",
                kind="reply",
                requests_feedback=True,
                occurred_at=at + timedelta(hours=30),
            ),
            Interaction(
                **common, direction="inbound", kind="feedback", occurred_at=at + timedelta(days=3)
            ),
            Interaction(
                **common, direction="inbound", kind="interview", occurred_at=at - timedelta(days=5)
            ),
        ]
    Interaction.objects.bulk_create(rows)
    FollowUp.objects.bulk_create(
        FollowUp(
            owner=owner,
            contact=rows[4 * i].contact,
            application=rows[4 * i].application,
            source=rows[4 * i],
            kind="reply",
            status="done" if i % 2 else "pending",
            due_at=rows[4 * i].occurred_at + timedelta(hours=24),
            deadline=rows[4 * i].occurred_at + timedelta(hours=48),
            completed_by=rows[4 * i + 1] if i % 2 else None,
            completed_at=rows[4 * i + 1].occurred_at if i % 2 else None,
        )
        for i in range(n)
    )
    FollowUp.objects.bulk_create(
        FollowUp(owner=owner, contact=c, kind="check_in", due_at=NOW + timedelta(days=i % 60))
        for i, c in enumerate(contacts)
    )
    FeedbackTheme.objects.bulk_create(
        FeedbackTheme(owner=owner, interaction=rows[4 * i + 2], theme="experience")
        for i in range(n)
    )
    goals = Goal.objects.bulk_create(
        Goal(
            owner=owner,
            specific=f"Goal {b}-{i}",
            deadline=(NOW + timedelta(days=30)).date(),
            status="open" if i % 2 else "done",
            done_at=None if i % 2 else NOW,
        )
        for i in range(n)
    )
    GoalProgress.objects.bulk_create(
        GoalProgress(goal=g, on=NOW.date(), note="Read a chapter") for g in goals
    )
    Reflection.objects.bulk_create(Reflection(owner=owner, application=a) for a in apps[: n // 2])


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


def urls(owner) -> dict[str, str]:
    token = Profile.for_user(owner).calendar_token
    return {
        "stats": reverse("followups:stats"),
        "growth": reverse("followups:growth"),
        "calendar feed": reverse("followups:calendar-feed", args=[token]),
        "calendar page": reverse("followups:calendar"),
        "export page": reverse("followups:export"),
        "contacts csv": reverse("followups:export-contacts-csv"),
        "backup": reverse("followups:export-backup"),
    }


@pytest.mark.parametrize(
    "page",
    [
        "stats",
        "growth",
        "calendar feed",
        "calendar page",
        "export page",
        "contacts csv",
        "backup",
    ],
)
@time_machine.travel(NOW, tick=False)
def test_the_page_makes_the_same_number_of_queries_for_10_and_1000_rows(
    alice, alice_client, django_assert_max_num_queries, page
):
    url = urls(alice)[page]
    add_rows(alice, 10)
    with_ten = queries(alice_client, url)
    add_rows(alice, 990)

    with django_assert_max_num_queries(with_ten):
        response = alice_client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
