"""The per-process cache of API keys: no query for a key seen recently, bounded staleness."""

import pytest

from cairn.accounts import api_keys
from cairn.accounts.api_keys import CACHE_SECONDS, client_for_key, issue_api_key, revoke_api_key
from cairn.accounts.models import ApiClient
from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent


@pytest.fixture
def clock(monkeypatch):
    """A clock for the cache that moves only when told to."""
    now = [1000.0]
    monkeypatch.setattr(api_keys, "_clock", lambda: now[0])
    return now


@pytest.fixture
def issued(db, clock):
    with acting_as("command"):
        return issue_api_key("Cached integrator")


def test_a_key_seen_recently_costs_no_query(issued, django_assert_num_queries):
    client, key = issued
    with django_assert_num_queries(1):
        assert client_for_key(key) == client
    with django_assert_num_queries(0):
        assert client_for_key(key) == client


def test_a_wrong_key_always_asks_the_database(issued, django_assert_num_queries):
    _client, key = issued
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    for _ in range(2):
        with django_assert_num_queries(1):
            assert client_for_key(wrong) is None


def test_a_revoked_key_is_refused_at_once_in_the_process_that_revoked_it(issued):
    client, key = issued
    assert client_for_key(key) == client
    with acting_as("command"):
        revoke_api_key(client)
    assert client_for_key(key) is None
    assert AuditEvent.objects.filter(
        object_type="api_client", object_id=str(client.pk), fields=["is_active"]
    ).exists()


def test_a_key_deactivated_elsewhere_is_refused_within_cache_seconds(issued, clock):
    client, key = issued
    assert client_for_key(key) == client
    # Another process deactivates it: no signal reaches this one.
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    clock[0] += CACHE_SECONDS - 1
    assert client_for_key(key) == client  # still remembered: the documented bound
    clock[0] += 2
    assert client_for_key(key) is None


def test_the_cache_is_bounded(issued, monkeypatch):
    client, key = issued
    monkeypatch.setattr(api_keys, "CACHE_SIZE", 2)
    with acting_as("command"):
        _other, other_key = issue_api_key("Second integrator")
    assert client_for_key(key) == client
    assert client_for_key(other_key) is not None
    assert len(api_keys._recent) <= 2
    with acting_as("command"):
        _third, third_key = issue_api_key("Third integrator")
    assert client_for_key(key) is not None
    assert client_for_key(other_key) is not None
    assert client_for_key(third_key) is not None
    assert len(api_keys._recent) <= 2
