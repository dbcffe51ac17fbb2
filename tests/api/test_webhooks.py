"""Webhooks delivered to a real HTTP server the test starts on 127.0.0.1: signed, retried
after a 500, de-duplicable by id, and never sent to a private address unless allowed."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from followups import tasks
from followups.api import webhooks
from followups.models import FollowUp, Webhook, WebhookDelivery
from tests.factories import PASSWORD, make_application, make_contact, make_followup

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook receiver: records each request, answers the queued status codes."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as running, override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"]):
        yield running


def hook_for(user, url: str, *events: str) -> Webhook:
    return Webhook.objects.create(owner=user, url=url, events=list(events))


def deliver_all() -> list[WebhookDelivery]:
    for delivery in WebhookDelivery.objects.order_by("pk"):
        tasks.deliver_webhook(delivery.pk)
    return list(WebhookDelivery.objects.order_by("pk"))


def test_an_interaction_logged_through_the_api_arrives_signed(alice, alice_api, receiver):
    hook = hook_for(alice, receiver.url, "interaction.created")
    contact = make_contact(alice, first_name="Priya")
    response = alice_api.post(
        "/api/v1/interactions/",
        {
            "contact": contact.pk,
            "direction": "inbound",
            "kind": "rejection",
            "occurred_at": timezone.now().isoformat(),
        },
    )
    [delivery] = deliver_all()
    assert delivery.status == "delivered" and delivery.response_code == 200
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert webhooks.verify(
        hook.secret, int(headers["X-Webhook-Timestamp"]), body, headers["X-Webhook-Signature"]
    )
    assert not webhooks.verify(
        "whsec_wrong", int(headers["X-Webhook-Timestamp"]), body, headers["X-Webhook-Signature"]
    )
    event = json.loads(body)
    assert event["event"] == "interaction.created"
    assert event["id"] == headers["X-Webhook-Id"] == str(delivery.delivery_id)
    assert event["data"]["id"] == response.json()["id"]


def test_a_500_from_the_receiver_is_retried_with_backoff_under_the_same_id(alice, receiver):
    hook_for(alice, receiver.url, "interaction.created")
    receiver.statuses = [500]
    make_contact(alice).interactions.create(
        owner=alice, direction="inbound", kind="note", occurred_at=timezone.now()
    )
    [delivery] = WebhookDelivery.objects.all()
    now = delivery.next_attempt_at
    assert webhooks.deliver(delivery.pk, now=now) is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == now + timedelta(seconds=30)
    # The sweep leaves it until its time, then sends it again.
    with time_machine.travel(now + timedelta(seconds=20)):
        assert tasks.deliver_webhooks() == 0
    assert len(receiver.requests) == 1
    with time_machine.travel(now + timedelta(seconds=31)):
        assert tasks.deliver_webhooks() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    ids = {r["headers"]["X-Webhook-Id"] for r in receiver.requests}
    assert len(receiver.requests) == 2 and ids == {str(delivery.delivery_id)}


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(alice, receiver):
    hook_for(alice, receiver.url, "interaction.created")
    receiver.statuses = [503] * webhooks.MAX_ATTEMPTS
    make_contact(alice).interactions.create(
        owner=alice, direction="inbound", kind="note", occurred_at=timezone.now()
    )
    [delivery] = WebhookDelivery.objects.all()
    when = timezone.now()
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver(delivery.pk, now=when)
        delivery.refresh_from_db()
        when = delivery.next_attempt_at
    assert delivery.status == "failed" and delivery.attempts == webhooks.MAX_ATTEMPTS


def test_mark_sent_announces_the_completed_follow_up_and_a_rejection_the_status(
    alice, alice_api, receiver
):
    hook_for(alice, receiver.url, "followup.completed", "application.status_changed")
    application = make_application(alice)
    contact = make_contact(alice)
    alice_api.post(
        "/api/v1/interactions/",
        {
            "contact": contact.pk,
            "application": application.pk,
            "direction": "inbound",
            "kind": "rejection",
            "occurred_at": timezone.now().isoformat(),
        },
    )
    reply = FollowUp.objects.get(owner=alice, kind="reply")
    alice_api.post(f"/api/v1/followups/{reply.pk}/mark-sent/", {})
    deliver_all()
    events = [json.loads(r["body"]) for r in receiver.requests]
    assert [e["event"] for e in events] == ["application.status_changed", "followup.completed"]
    assert events[0]["data"]["old_status"] == "applied"
    assert events[0]["data"]["status"] == "rejected"
    assert events[1]["data"]["id"] == reply.pk


def test_a_follow_up_falling_due_is_announced_once(alice, receiver):
    hook = hook_for(alice, receiver.url, "followup.due")
    now = timezone.now()
    hook.created_at = now - timedelta(hours=2)
    hook.save()
    followup = make_followup(alice, due_at=now - timedelta(minutes=5))
    make_followup(alice, due_at=now + timedelta(hours=1))  # not yet
    assert tasks.deliver_webhooks() == 1
    assert tasks.deliver_webhooks() == 0
    [request] = receiver.requests
    assert json.loads(request["body"])["data"]["id"] == followup.pk


def test_nothing_is_queued_for_a_user_without_hooks(alice):
    make_contact(alice).interactions.create(
        owner=alice, direction="inbound", kind="note", occurred_at=timezone.now()
    )
    assert not WebhookDelivery.objects.exists()


@override_settings(WEBHOOK_ALLOWED_HOSTS=[])
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "ftp://example.com/hook",
    ],
)
def test_a_private_or_local_address_is_refused_on_the_page(alice_client, url):
    response = alice_client.post(
        "/preferences/api/", {"hook-url": url, "hook-events": ["followup.due"]}
    )
    assert response.status_code == 200
    assert not Webhook.objects.exists()
    assert "public addresses only" in response.content.decode() or "http://" in (
        response.content.decode()
    )


def test_a_hook_whose_host_became_private_is_not_sent_to(alice, receiver):
    hook_for(alice, receiver.url, "interaction.created")
    make_contact(alice).interactions.create(
        owner=alice, direction="inbound", kind="note", occurred_at=timezone.now()
    )
    with override_settings(WEBHOOK_ALLOWED_HOSTS=[]):
        [delivery] = deliver_all()
    assert receiver.requests == []
    assert delivery.status == "pending" and "private or local address" in delivery.last_error


def test_the_page_adds_a_webhook_and_lists_its_deliveries_with_status_codes(
    alice, client, receiver
):
    client.login(username="alice", password=PASSWORD)
    response = client.post(
        "/preferences/api/",
        {"hook-url": receiver.url, "hook-events": ["interaction.created"]},
    )
    hook = Webhook.objects.get(owner=alice)
    assert hook.secret in response.content.decode()  # shown once
    receiver.statuses = [500]
    make_contact(alice).interactions.create(
        owner=alice, direction="inbound", kind="note", occurred_at=timezone.now()
    )
    deliver_all()
    page = client.get("/preferences/api/").content.decode()
    assert "interaction.created" in page and "500" in page
    assert hook.secret not in page


def test_the_webhook_sweep_is_scheduled_once_however_often_migrate_runs():
    from django_q.models import Schedule

    tasks.ensure_webhook_schedule()
    tasks.ensure_webhook_schedule()
    schedule = Schedule.objects.get(func=tasks.WEBHOOK_TASK)
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 1, -1)
    # The reminder tick keeps its own schedule beside it.
    assert Schedule.objects.filter(func=tasks.TASK).count() == 1


def test_a_delivery_is_handed_to_the_worker_once_the_save_commits(
    alice, receiver, django_capture_on_commit_callbacks, settings
):
    from django_q.models import OrmQ

    if "orm" not in settings.Q_CLUSTER:
        pytest.skip("reads the ORM broker's queue; REDIS_URL is set")

    hook_for(alice, receiver.url, "interaction.created")
    with django_capture_on_commit_callbacks(execute=True):
        make_contact(alice).interactions.create(
            owner=alice, direction="inbound", kind="note", occurred_at=timezone.now()
        )
    [queued] = OrmQ.objects.all()
    assert queued.func() == "followups.tasks.deliver_webhook"
    assert queued.args() == (WebhookDelivery.objects.get().pk,)
