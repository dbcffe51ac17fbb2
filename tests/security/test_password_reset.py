"""Password reset (issue 13, item 9): the mail goes out from the worker, the request does
the same work for a known and an unknown address, and requests are throttled per address
and per client."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.module_loading import import_string
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def run_the_worker() -> list:
    """What qcluster does with the queued tasks: run each once, then drop it."""
    results = []
    for row in OrmQ.objects.order_by("id"):
        task = SignedPackage.loads(row.payload)
        results.append(import_string(task["func"])(*task["args"], **task["kwargs"]))
        row.delete()
    return results


def ask_for_reset(email: str, client: Client | None = None):
    return (client or Client()).post(reverse("password_reset"), {"email": email})


def test_the_reset_mail_is_sent_by_the_worker_not_in_the_request(alice):
    response = ask_for_reset("alice@example.com")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail.outbox == []
    assert run_the_worker() == [1]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.com"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    assert link.strip().startswith("http://127.0.0.1:8000/accounts/reset/")
    # The link works: it sets a new password.
    client = Client()
    page = client.get(link.strip().removeprefix("http://127.0.0.1:8000"), follow=True)
    assert page.status_code == 200 and "new_password1" in page.text


def test_a_known_and_an_unknown_address_cost_the_request_the_same(alice):
    answers = []
    for email in ("alice@example.com", "nobody@example.com"):
        with CaptureQueriesContext(connection) as queries:
            response = ask_for_reset(email)
        answers.append((response.status_code, response.url, len(queries)))
    assert answers[0] == answers[1]
    assert "auth_user" not in " ".join(q["sql"] for q in queries.captured_queries)
    assert mail.outbox == []
    assert run_the_worker() == [1, 0]
    assert len(mail.outbox) == 1


def test_twelve_requests_for_one_address_send_three_mails(alice):
    for n in range(12):
        client = Client(REMOTE_ADDR=f"198.51.100.{n}")
        assert ask_for_reset("alice@example.com", client).status_code == 302
    run_the_worker()
    assert len(mail.outbox) == 3


def test_one_client_asking_for_many_addresses_is_stopped(alice):
    client = Client(REMOTE_ADDR="203.0.113.5")
    codes = [ask_for_reset(f"someone{n}@example.com", client).status_code for n in range(12)]
    assert codes == [302] * 10 + [429, 429]
    page = ask_for_reset("alice@example.com", client)
    assert page.status_code == 429 and "Too many reset requests" in page.content.decode()
    assert OrmQ.objects.count() == 10
    # Another client is not affected.
    assert ask_for_reset("alice@example.com", Client(REMOTE_ADDR="198.51.100.1")).status_code == 302


def test_signing_in_with_the_new_password_works(alice):
    ask_for_reset("alice@example.com")
    run_the_worker()
    body = mail.outbox[0].body
    path = next(w for w in body.split() if "/accounts/reset/" in w).removeprefix(
        "http://127.0.0.1:8000"
    )
    client = Client()
    form = client.get(path, follow=True)
    new = "a much better passphrase 42"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert Client().login(username="alice", password=new)
    assert not Client().login(username="alice", password=PASSWORD)
