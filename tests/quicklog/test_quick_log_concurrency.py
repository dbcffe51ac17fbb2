"""Quick log under concurrency: requests naming the same new company, contact and job at
once each get their page, never a 500, and the names end up as one row each.

Real threads, each with its own database connection, post the quick-log form through the
whole Django stack (middleware, session, form, rules) at the same instant. On PostgreSQL
(READ COMMITTED) a look-up followed by an insert lets two requests both miss and both
insert; SQLite takes the write lock at BEGIN (IMMEDIATE) so the race cannot happen there
and the test would prove nothing.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from crm.models import Company, JobApplication
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REJECTION_URL = reverse("followups:log-rejection")
THREADS = 8
ROUNDS = 6


def _post_all_at_once(data: dict, threads: int) -> list[int]:
    """POSTs `data` from `threads` logged-in clients released by one barrier."""
    clients = []
    for _ in range(threads):
        client = Client(raise_request_exception=False)
        client.login(username="alice", password=PASSWORD)
        clients.append(client)
    barrier = threading.Barrier(threads)
    statuses: list[int] = []
    lock = threading.Lock()

    def post(client: Client) -> None:
        try:
            barrier.wait()
            status = client.post(REJECTION_URL, data).status_code
        finally:
            connection.close()
        with lock:
            statuses.append(status)

    workers = [threading.Thread(target=post, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers at BEGIN")
def test_requests_naming_the_same_new_company_at_once_never_answer_500():
    alice = make_user("alice")
    for _ in range(ROUNDS):
        name = f"Racing {uuid.uuid4().hex[:8]}"
        statuses = _post_all_at_once(
            {
                "action": "save",
                "contact_name": f"Dana {name}",
                "contact_email": f"dana.{name.split()[1]}@example.com",
                "company_name": name,
                "job_title": "Backend Engineer",
                "occurred_at": "2026-03-09T16:12",
                "channel": "email",
                "subject": "Your application",
                "body": "We decided to go with another candidate.",
            },
            THREADS,
        )
        assert sorted(statuses) == [302] * THREADS
        assert Company.objects.filter(owner=alice, name=name).count() == 1
        assert Contact.objects.filter(owner=alice, last_name=name).count() == 1
        assert JobApplication.objects.filter(owner=alice, company__name=name).count() == 1
