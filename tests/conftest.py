"""The shared cast: alice owns data, bob is another user who must see none of it."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_user


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def alice_client(client, alice):
    client.login(username="alice", password=PASSWORD)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.login(username="bob", password=PASSWORD)
    return client
