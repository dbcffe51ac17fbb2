"""The dashboard: pending follow-ups grouped by when they are due, in the user's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact
from crm.models import Company, JobApplication
from followups.dashboard import (
    COUNT_CAP,
    Row,
    capped_counts,
    due_count,
    first_rows,
    group_counts,
    group_filters,
    pending_followups,
)
from followups.models import FollowUp
from tests.factories import make_application, make_company, make_contact, make_followup
from tests.htmx import as_shown

# Tuesday 10 March 2026, 10:00 UTC = 11:00 in Berlin (CET).
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def section(html: str, key: str) -> str:
    """The HTML of one dashboard group, '' when the group is not shown."""
    match = re.search(rf'<section[^>]*aria-labelledby="group-{key}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def followup_for(owner, name: str, **fields) -> FollowUp:
    contact = make_contact(owner, first_name=name, last_name="Example")
    return make_followup(owner, contact=contact, **fields)


@pytest.fixture
def berlin_alice(alice):
    alice.profile.time_zone = "Europe/Berlin"
    alice.profile.save()
    return alice


def test_a_new_user_is_told_to_start_by_logging_a_rejection(alice_client):
    response = alice_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Start with the last rejection you received" in html
    assert reverse("followups:log-rejection") in html


def test_a_user_with_nothing_pending_is_told_they_are_caught_up(alice, alice_client):
    followup = followup_for(alice, "Dana")
    followup.dismiss()
    html = alice_client.get("/").content.decode()
    assert "You are all caught up" in html
    assert "Dana Example" not in html


def test_the_dashboard_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@time_machine.travel(NOW, tick=False)
def test_followups_are_grouped_overdue_today_this_week_and_later(alice, alice_client):
    followup_for(alice, "Olga", due_at=NOW - timedelta(days=2))
    followup_for(alice, "Tess", due_at=NOW + timedelta(hours=3))
    followup_for(alice, "Wim", due_at=NOW + timedelta(days=3))
    followup_for(alice, "Luz", due_at=NOW + timedelta(days=30))
    html = as_shown(alice_client)
    assert "Olga Example" in section(html, "overdue")
    assert "Tess Example" in section(html, "today")
    assert "Wim Example" in section(html, "week")
    assert "Luz Example" in section(html, "later")
    assert "Tess Example" not in section(html, "overdue") + section(html, "week")


@time_machine.travel(NOW, tick=False)
def test_this_week_and_later_load_when_they_scroll_into_view(alice, alice_client):
    followup_for(alice, "Olga", due_at=NOW - timedelta(days=2))
    followup_for(alice, "Wim", due_at=NOW + timedelta(days=3))
    for n in range(12):
        followup_for(alice, f"Luz{n}", due_at=NOW + timedelta(days=30, minutes=n))

    html = alice_client.get("/").content.decode()

    assert "Olga Example" in section(html, "overdue")
    assert "Wim Example" not in html  # not read until asked for
    assert 'hx-trigger="revealed"' in section(html, "week")
    assert 'href="?group=later">Show later: 12</a>' in section(html, "later")  # without JS
    later = alice_client.get("/", {"group": "later", "part": "rows"}, headers={"HX-Request": "1"})
    fragment = later.content.decode()
    assert "<html" not in fragment
    assert fragment.count('class="list-group-item') == 10
    assert "Luz0 Example" in fragment
    assert "Show all 12 later" in fragment


@time_machine.travel(NOW, tick=False)
def test_a_followup_past_its_deadline_is_overdue_even_if_it_was_due_today(alice, alice_client):
    followup_for(
        alice, "Pia", due_at=NOW - timedelta(hours=2), deadline=NOW - timedelta(minutes=30)
    )
    html = alice_client.get("/").content.decode()
    assert "Pia Example" in section(html, "overdue")
    assert section(html, "today") == ""


@time_machine.travel(NOW, tick=False)
def test_a_late_followup_snoozed_to_a_later_day_leaves_overdue(alice, alice_client):
    late = followup_for(
        alice, "Sol", due_at=NOW - timedelta(days=2), deadline=NOW - timedelta(days=1)
    )
    late.snooze(NOW + timedelta(days=2))
    html = as_shown(alice_client)
    assert "Sol Example" in section(html, "week")
    assert section(html, "overdue") == ""


@time_machine.travel(datetime(2026, 3, 10, 22, 30, tzinfo=UTC), tick=False)
def test_days_are_the_users_local_days(berlin_alice, bob, alice_client):
    # 23:30 UTC is already tomorrow (00:30) in Berlin, but still today in UTC.
    due = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    followup_for(berlin_alice, "Kai", due_at=due)
    followup_for(bob, "Kai", due_at=due)
    alice_html = as_shown(alice_client)
    assert "Kai Example" in section(alice_html, "week")
    assert "Wed 11 Mar, 00:30" in alice_html
    alice_client.force_login(bob)
    bob_html = alice_client.get("/").content.decode()
    assert "Kai Example" in section(bob_html, "today")
    assert "Tue 10 Mar, 23:30" in bob_html


@time_machine.travel(NOW, tick=False)
def test_a_row_shows_who_where_what_and_when_in_local_time(berlin_alice, alice_client):
    company = make_company(berlin_alice, name="Acme Robotics")
    application = make_application(berlin_alice, company=company, title="Data Engineer")
    contact = make_contact(berlin_alice, first_name="Dana", last_name="Reyes", company=company)
    make_followup(
        berlin_alice,
        contact=contact,
        application=application,
        kind=FollowUp.Kind.REPLY,
        due_at=NOW + timedelta(hours=5),
        deadline=NOW + timedelta(days=2),
        draft_body="Hi Dana,\n\nThank you for letting me know about the decision.\n",
    )
    html = alice_client.get("/").content.decode()
    row = section(html, "today")
    assert "Reply to the rejection: Dana Reyes" in row
    assert "Data Engineer at Acme Robotics" in row
    assert "Tue 10 Mar, 16:00" in row  # 15:00 UTC in Berlin
    assert "(in 5 hours)" in row
    assert "Thu 12 Mar, 11:00" in row and "(in 2 days)" in row
    # The greeting says nothing; the preview is the line after it.
    assert "Thank you for letting me know about the decision." in row
    assert reverse("followups:mark-sent", args=[contact.followups.get().pk]) in row


@time_machine.travel(NOW, tick=False)
def test_a_missed_deadline_says_how_late_it_is(alice, alice_client):
    followup_for(alice, "Lou", due_at=NOW - timedelta(days=3), deadline=NOW - timedelta(days=2))
    row = section(alice_client.get("/").content.decode(), "overdue")
    assert "2 days late" in row
    assert "(3 days ago)" in row


@time_machine.travel(NOW, tick=False)
def test_a_reminder_the_mail_server_kept_refusing_shows_its_last_error(alice, alice_client):
    followup_for(alice, "Lou", due_at=NOW - timedelta(hours=2))
    FollowUp.objects.filter(owner=alice).update(
        send_attempts=FollowUp.MAX_SEND_ATTEMPTS, last_error="550 mailbox unavailable"
    )
    row = section(alice_client.get("/").content.decode(), "today")
    assert "The reminder email could not be sent: 550 mailbox unavailable" in row


@time_machine.travel(NOW, tick=False)
def test_a_refusal_that_will_be_retried_is_not_shown_as_a_failure(alice, alice_client):
    followup_for(alice, "Lou", due_at=NOW - timedelta(hours=2))
    FollowUp.objects.filter(owner=alice).update(send_attempts=1, last_error="421 try later")
    assert "could not be sent" not in alice_client.get("/").content.decode()


def test_finished_followups_are_not_listed(alice, alice_client):
    followup_for(alice, "Done").complete(None)
    followup_for(alice, "Gone").dismiss()
    followup_for(alice, "Dropped").cancel("The contact answered.")
    followup_for(alice, "Open")
    html = alice_client.get("/").content.decode()
    assert "Open Example" in html
    for name in ("Done", "Gone", "Dropped"):
        assert f"{name} Example" not in html


def test_another_users_followups_never_show(alice, bob, alice_client):
    followup_for(bob, "Secret", due_at=datetime(2020, 1, 1, tzinfo=UTC))
    html = alice_client.get("/").content.decode()
    assert "Secret Example" not in html
    assert "Start with the last rejection you received" in html


@time_machine.travel(NOW, tick=False)
def test_the_nav_counts_the_followups_that_are_due(alice, bob, alice_client):
    followup_for(alice, "A", due_at=NOW - timedelta(days=1))
    followup_for(alice, "B", due_at=NOW - timedelta(minutes=1))
    followup_for(alice, "C", due_at=NOW + timedelta(hours=1))
    followup_for(bob, "D", due_at=NOW - timedelta(days=1))
    html = alice_client.get("/").content.decode()
    badge = re.search(r'<span id="nav-due-count">(.*?)</span></span>', html, re.S).group(1)
    assert ">2<" in badge and "due" in badge


def test_the_nav_shows_no_badge_when_nothing_is_due(alice, alice_client):
    followup_for(alice, "Later", due_at=datetime(2099, 1, 1, tzinfo=UTC))
    html = alice_client.get("/").content.decode()
    assert '<span id="nav-due-count"></span>' in html


@time_machine.travel(NOW, tick=False)
def test_a_big_group_shows_its_first_rows_and_links_to_all_of_them(alice, alice_client):
    contact = make_contact(alice, first_name="Many", last_name="Rows")
    FollowUp.objects.bulk_create(
        FollowUp(owner=alice, contact=contact, kind="custom", due_at=NOW - timedelta(days=n + 1))
        for n in range(60)
    )
    html = alice_client.get("/").content.decode()
    assert section(html, "overdue").count('class="list-group-item') == 10
    assert "Show all 60 overdue" in html

    page_two = alice_client.get("/", {"group": "overdue", "page": 2}).content.decode()
    assert page_two.count('class="list-group-item') == 10
    assert "Page 2 of 2" in page_two


def test_a_bad_page_number_shows_a_page_not_an_error(alice, alice_client):
    followup_for(alice, "Una")
    response = alice_client.get("/", {"group": "today", "page": "x'; drop"})
    assert response.status_code == 200


@time_machine.travel(NOW, tick=False)
def test_group_counts_agree_with_the_groups_rows(alice):
    hours = [-80, -30, -11, -9, -1, 0, 1, 5, 13, 14, 30, 100, 170, 190, 2000]
    for n, offset in enumerate(hours):
        due = NOW + timedelta(hours=offset)
        for deadline in (None, due + timedelta(hours=2), due + timedelta(days=2)):
            make_followup(alice, due_at=due, deadline=deadline, draft_body=str(n))
    zone = ZoneInfo("Europe/Berlin")
    pending = FollowUp.objects.filter(owner=alice, status="pending")
    expected = {
        key: pending.filter(condition).count()
        for key, condition in group_filters(NOW, zone).items()
    }
    assert group_counts(alice, NOW, zone) == expected
    assert sum(expected.values()) == len(hours) * 3
    assert all(expected.values())


@time_machine.travel(NOW, tick=False)
def test_the_pages_counts_agree_with_the_groups_up_to_the_cap(alice, bob):
    hours = [-80, -30, -11, -9, -1, 0, 1, 5, 13, 14, 30, 100, 170, 190, 2000]
    for n, offset in enumerate(hours):
        due = NOW + timedelta(hours=offset)
        for deadline in (None, due + timedelta(hours=2), due + timedelta(days=2)):
            make_followup(alice, due_at=due, deadline=deadline, draft_body=str(n))
    make_followup(bob, due_at=NOW - timedelta(days=1))
    zone = ZoneInfo("Europe/Berlin")
    pending = FollowUp.objects.filter(owner=alice, status="pending")
    exact = {key: pending.filter(q).count() for key, q in group_filters(NOW, zone).items()}
    exact["due"] = pending.filter(due_at__lte=NOW).count()
    assert capped_counts(alice, NOW, zone) == exact
    assert due_count(alice, NOW) == exact["due"]

    FollowUp.objects.bulk_create(
        FollowUp(owner=alice, kind="custom", due_at=NOW + timedelta(hours=offset, minutes=n))
        for n in range(COUNT_CAP)
        for offset in (-50, 3, 40, 500)
    )
    assert capped_counts(alice, NOW, zone) == dict.fromkeys(
        ("overdue", "today", "week", "later", "due"), COUNT_CAP
    )
    assert due_count(alice, NOW) == COUNT_CAP


@time_machine.travel(NOW, tick=False)
def test_the_pages_first_rows_are_each_groups_first_rows(alice, bob):
    company = make_company(alice, name="Acme")
    contact = make_contact(alice, first_name="Dana", last_name="Reyes", company=company)
    application = make_application(alice, company=make_company(alice, name="Initech"))
    for n in range(40):
        due = NOW + timedelta(hours=(n * 7) % 300 - 60, minutes=n)
        make_followup(
            alice,
            contact=contact if n % 3 else None,
            application=application if n % 2 else None,
            due_at=due,
            deadline=due + timedelta(hours=n % 5) if n % 4 else None,
        )
    make_followup(bob, due_at=NOW - timedelta(days=1))
    zone = ZoneInfo("Europe/Berlin")
    keys = ("overdue", "today", "week", "later")
    rows = first_rows(alice, keys, NOW, zone)
    for key, condition in group_filters(NOW, zone).items():
        expected = list(pending_followups(alice).filter(condition)[:10])
        assert [fu.pk for fu in rows[key]] == [fu.pk for fu in expected], key
        assert [Row(fu, NOW).where for fu in rows[key]] == [Row(fu, NOW).where for fu in expected]
        assert [Row(fu, NOW).who for fu in rows[key]] == [Row(fu, NOW).who for fu in expected]
        assert all(rows[key]), key


@time_machine.travel(NOW, tick=False)
def test_counts_past_99_show_as_99_plus(alice, alice_client):
    FollowUp.objects.bulk_create(
        FollowUp(owner=alice, kind="custom", due_at=NOW - timedelta(days=2, minutes=n))
        for n in range(150)
    )
    FollowUp.objects.bulk_create(
        FollowUp(owner=alice, kind="custom", due_at=NOW + timedelta(hours=3, minutes=n))
        for n in range(99)
    )
    html = alice_client.get("/").content.decode()
    overdue, today = section(html, "overdue"), section(html, "today")
    assert '">99+</span></h2>' in overdue and "Show all 99+ overdue" in overdue
    assert '">99</span></h2>' in today and "Show all 99 due today" in today
    badge = re.search(r'<span id="nav-due-count">(.*?)</span></span>', html, re.S).group(1)
    assert ">99+<" in badge  # 150 due: the nav says "99+" on every page
    page = alice_client.get("/", {"group": "overdue"}).content.decode()
    assert "Page 1 of 3" in page  # the group's own pages count all 150


def make_pending_rows(owner, count: int, start: int = 0) -> None:
    """`count` follow-ups spread over all four groups, each with contact and application."""
    companies = Company.objects.bulk_create(
        Company(owner=owner, name=f"Co {n}") for n in range(start, start + count)
    )
    applications = JobApplication.objects.bulk_create(
        JobApplication(owner=owner, company=c, title="Engineer") for c in companies
    )
    contacts = Contact.objects.bulk_create(
        Contact(owner=owner, first_name="P", last_name=str(start + n), company=c)
        for n, c in enumerate(companies)
    )
    offsets = [-3, 0, 3, 30]
    FollowUp.objects.bulk_create(
        FollowUp(
            owner=owner,
            contact=contact,
            application=application,
            kind="reply",
            due_at=NOW + timedelta(days=offsets[n % 4], minutes=n),
            deadline=NOW + timedelta(days=offsets[n % 4] + 1),
            draft_body="Hi P,\n\nThanks.",
        )
        for n, (contact, application) in enumerate(zip(contacts, applications, strict=True))
    )


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_makes_the_same_queries_for_10_or_1000_rows(
    alice, alice_client, django_assert_max_num_queries
):
    make_pending_rows(alice, 10)
    with CaptureQueriesContext(connection) as with_ten:
        alice_client.get("/")
    # session, user, profile, the counts (the nav badge's among them), the 2 groups
    # shown first, the scheduler banner, the mailbox
    assert len(with_ten) <= 8

    make_pending_rows(alice, 990, start=10)
    with django_assert_max_num_queries(len(with_ten)):
        response = alice_client.get("/")
    html = response.content.decode()
    assert section(html, "overdue").count('class="list-group-item') == 10
    assert "Show all 99+ overdue" in html  # 251: the page counts up to 99, then "99+"
    assert "P 0" in html


@time_machine.travel(NOW, tick=False)
def test_a_group_page_makes_the_same_queries_for_10_or_1000_rows(
    alice, alice_client, django_assert_max_num_queries
):
    make_pending_rows(alice, 10)
    with CaptureQueriesContext(connection) as with_ten:
        alice_client.get("/", {"group": "later"})
    make_pending_rows(alice, 990, start=10)
    with django_assert_max_num_queries(len(with_ten)):
        response = alice_client.get("/", {"group": "later", "page": 3})
    assert "Page 3 of 5" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_group_loaded_on_demand_makes_the_same_queries_for_10_or_1000_rows(
    alice, alice_client, django_assert_max_num_queries
):
    make_pending_rows(alice, 10)
    params, htmx = {"group": "week", "part": "rows"}, {"HX-Request": "true"}
    with CaptureQueriesContext(connection) as with_ten:
        alice_client.get("/", params, headers=htmx)
    make_pending_rows(alice, 990, start=10)
    with django_assert_max_num_queries(len(with_ten)):
        response = alice_client.get("/", params, headers=htmx)
    assert response.content.decode().count('class="list-group-item') == 10
    assert group_counts(alice, NOW, ZoneInfo("UTC"))["week"] == 287
    assert "Show all 99+ this week" in response.content.decode()
