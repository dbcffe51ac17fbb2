"""The crawl: every page and every admin page, with every id of alice's data, as bob.

Each answer must be a refusal (404, or 403/405 where the page or method is not his to
use), never alice's data (issue 13, items 1 and 13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from contacts.models import Interaction
from crm.accounts import enable_admin_editing
from crm.models import Profile
from followups.models import (
    DigestDelivery,
    FeedbackTheme,
    FollowUp,
    Goal,
    GoalProgress,
    Mailbox,
    MailMessage,
    Reflection,
    ReplyTemplate,
    SchedulerTick,
)
from tests.factories import (
    PASSWORD,
    make_application,
    make_company,
    make_contact,
    make_followup,
    make_interaction,
)

pytestmark = pytest.mark.django_db

SECRET = "Zanzibar-Quokka"  # in every text field of alice's rows; bob must never see it


@pytest.fixture
def alices_data(alice):
    """One row of every kind alice can own, each carrying SECRET where it has text."""
    company = make_company(alice, name=f"{SECRET} Inc")
    application = make_application(alice, company=company, title=f"{SECRET} engineer")
    contact = make_contact(alice, first_name=SECRET, company=company)
    make_interaction(
        alice,
        contact=contact,
        kind=Interaction.Kind.FEEDBACK,
        subject=f"{SECRET} feedback",
        body="You should work on your communication and nerves.",
        application=application,
    )
    followup = make_followup(alice, contact=contact, draft_subject=f"{SECRET} follow-up")
    followup.dismiss()
    goal = Goal.objects.create(
        owner=alice,
        specific=f"{SECRET} practice",
        measurable="3 mock interviews",
        deadline=date.today() + timedelta(days=30),
    )
    GoalProgress.objects.create(goal=goal, note=f"{SECRET} progress")
    Reflection.objects.create(owner=alice, application=application, takeaway=SECRET)
    ReplyTemplate.objects.create(
        owner=alice, kind=FollowUp.Kind.REPLY, name=SECRET, subject=SECRET, body=SECRET
    )
    DigestDelivery.objects.create(owner=alice, local_date=date.today())
    SchedulerTick.objects.create(started_at=timezone.now(), note=f"reminder to {SECRET}@example")
    mailbox = Mailbox(owner=alice, host="imap.example.com", username=f"{SECRET}@example.com")
    mailbox.set_password(SECRET)
    mailbox.save()
    MailMessage.objects.create(
        owner=alice,
        mailbox=mailbox,
        message_key=f"<{SECRET}@example.com>",
        folder="INBOX",
        uid=1,
        direction=MailMessage.Direction.INBOUND,
        from_address=f"{SECRET}@example.com",
        subject=f"{SECRET} rejection",
        sent_at=timezone.now(),
        body=SECRET,
        contact=contact,
    )
    Profile.for_user(alice).__class__.objects.filter(user=alice).update(signature=SECRET)
    models = [
        Profile,
        type(company),
        type(application),
        type(contact),
        Interaction,
        FollowUp,
        Goal,
        GoalProgress,
        Reflection,
        ReplyTemplate,
        DigestDelivery,
        FeedbackTheme,
        Mailbox,
        MailMessage,
    ]
    rows = []
    for model in models:
        field = "user" if model is Profile else "owner"
        if model is GoalProgress:
            rows += list(model.objects.filter(goal__owner=alice))
        else:
            rows += list(model.objects.filter(**{field: alice}))
    rows += list(SchedulerTick.objects.all())
    rows.append(alice)
    assert {type(r) for r in rows} >= {Profile, FollowUp, Goal, SchedulerTick, Mailbox, MailMessage}
    return rows


@pytest.fixture
def bob_admin(client, bob):
    enable_admin_editing(bob)
    client.login(username="bob", password=PASSWORD)
    return client


def _refused(response) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    return response.status_code == 302 and "/login/" in response["Location"]


def test_every_admin_page_of_alices_rows_is_refused_to_bob(bob_admin, alices_data):
    checked = 0
    for row in alices_data:
        model = type(row)
        if not admin.site.is_registered(model):
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for view in ("change", "delete", "history"):
            url = reverse(f"{prefix}_{view}", args=[row.pk])
            for method in (bob_admin.get, bob_admin.post):
                response = method(url, {"post": "yes"} if method == bob_admin.post else None)
                assert _refused(response), f"{method.__name__} {url}: {response.status_code}"
                assert SECRET not in response.content.decode(errors="replace"), url
                checked += 1
    assert checked >= 60
    # Nothing was changed or deleted by the POSTs.
    for row in alices_data:
        assert type(row).objects.filter(pk=row.pk).exists(), row


def test_bobs_admin_lists_show_none_of_alices_rows(bob_admin, alices_data):
    for model in {type(row) for row in alices_data}:
        if not admin.site.is_registered(model):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = bob_admin.get(url)
        assert _refused(response) or response.status_code == 200, url
        assert SECRET not in response.content.decode(), url


def test_the_admins_view_on_site_link_answers_404_for_another_users_row(bob_admin, alices_data):
    checked = 0
    for row in alices_data:
        if not hasattr(row, "get_absolute_url"):
            continue
        ct = ContentType.objects.get_for_model(row)
        response = bob_admin.get(f"/admin/r/{ct.pk}/{row.pk}/")
        assert response.status_code == 404, (type(row).__name__, response.get("Location"))
        checked += 1
    assert checked >= 1


def test_the_view_on_site_link_still_takes_alice_to_her_own_row(client, alice, alices_data):
    enable_admin_editing(alice)
    client.login(username="alice", password=PASSWORD)
    goal = next(r for r in alices_data if isinstance(r, Goal))
    ct = ContentType.objects.get_for_model(goal)
    response = client.get(f"/admin/r/{ct.pk}/{goal.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(goal.get_absolute_url())


def _id_patterns(resolver: URLResolver | None = None, namespace: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _id_patterns(entry, ns)
        elif isinstance(entry, URLPattern):
            converters = getattr(entry.pattern, "converters", {})
            if converters and all(isinstance(c, IntConverter) for c in converters.values()):
                yield f"{namespace}{entry.name}", list(converters)


def test_every_page_with_an_id_refuses_bob_every_id_of_alices(bob_admin, alices_data):
    ids = sorted({row.pk for row in alices_data})
    patterns = list(_id_patterns())
    assert len(patterns) >= 15
    for name, keys in patterns:
        for pk in ids:
            url = reverse(name, kwargs=dict.fromkeys(keys, pk))
            for method in (bob_admin.get, bob_admin.post):
                response = method(url)
                assert response.status_code in (404, 405), f"{method.__name__} {url}"
                assert SECRET not in response.content.decode(errors="replace"), url
