"""Queries per POST /api/v1/contacts: a slow regression (a query more) fails here.

Counted after one request has warmed the API-key cache. psycopg's BEGIN and
COMMIT are counted where the view opens a transaction; pytest-django wraps each
test in one, so the view's own transaction shows as a savepoint instead.
Django's connection health check (one SELECT 1 per request, sent by psycopg
directly) is not counted here, and the raw-SQL reference pays it too.
"""

import json
import uuid

import pytest

from cairn.contacts.models import Contact
from tests.api.test_contacts_api import REPORT, post


@pytest.fixture
def warm(client, api_headers):
    assert post(client, REPORT, api_headers).status_code == 201


def test_without_a_key_one_statement(client, api_headers, warm, django_assert_max_num_queries):
    # The contact, its audit event and its domain event: one INSERT … RETURNING.
    with django_assert_max_num_queries(1):
        assert post(client, REPORT, api_headers).status_code == 201


def test_with_a_key_still_one_statement(client, api_headers, warm, django_assert_max_num_queries):
    # The key, the submission's digest and the secret derived from the key go
    # in the same contact row: nothing else to write.
    with django_assert_max_num_queries(1):
        response = post(client, REPORT, api_headers, key=uuid.uuid4().hex)
    assert response.status_code == 201


def test_a_replay_reads_and_writes_nothing_new(
    client, api_headers, warm, django_assert_max_num_queries
):
    first = post(client, REPORT, api_headers, key="replay-me")
    # The statement (writes nothing: the key is taken) and the first contact.
    with django_assert_max_num_queries(2):
        second = post(client, REPORT, api_headers, key="replay-me")
    assert second.json() == first.json()
    assert Contact.objects.count() == 2  # the warm-up's and the first keyed one


def test_a_refused_body_sends_no_query(client, api_headers, warm, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = post(client, {**REPORT, "narrative": ""}, api_headers)
    assert response.status_code == 422
    assert json.loads(response.content)["error"] == "validation_error"
