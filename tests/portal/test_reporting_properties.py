"""Whatever is posted to any question of any form: never a server error, never lost answers.

For every question of every shipped form definition, hypothesis posts
arbitrary text, lists and raw bytes through the real view with Django's test
client, on a draft that already holds valid answers.
"""

from urllib.parse import quote_from_bytes

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.contacts.drafts import draft_for_token, start_draft
from cairn.contacts.models import ReportDraft
from cairn.contacts.report_forms import load_forms
from tests.portal.test_reporting_support import answers_reaching, complete_answers

CASES = [
    pytest.param(slug, question.id, id=f"{slug}:{question.id}")
    for slug, form in load_forms().items()
    for question in form.questions
]
ACTIONS = st.sampled_from(["continue", "save", "upload", "", "\x00", "délai"])
TEXTS = st.one_of(
    st.text(max_size=300),
    st.builds(lambda text, times: text * times, st.text(min_size=1, max_size=3), st.just(7000)),
    st.sampled_from(["", " ", "yes", "no", "named", "anonymous", "31/2/2025", "EH1 1YZ"]),
)
POSTED = st.one_of(
    st.tuples(st.just("text"), TEXTS),
    st.tuples(st.just("list"), st.lists(TEXTS, max_size=5)),
    st.tuples(st.just("bytes"), st.binary(max_size=300)),
    st.tuples(st.just("raw body"), st.binary(max_size=300)),
)


def seeded_draft(slug: str, question_id: str) -> tuple[str, dict]:
    """A draft holding valid answers, with ``question_id`` shown."""
    form = load_forms()[slug]
    seed = complete_answers(form) | answers_reaching(form, form.question(question_id))
    draft, token = start_draft(slug, "en")
    ReportDraft.objects.filter(pk=draft.pk).update(answers=seed)
    return token, seed


def post(client: Client, url: str, question_id: str, kind: str, value, action: str):
    if kind == "text":
        return client.post(url, {question_id: value, "action": action})
    if kind == "list":
        return client.post(url, {question_id: value, "action": action})
    encoded = quote_from_bytes(question_id.encode()) + "=" + quote_from_bytes(value)
    body = encoded.encode() if kind == "bytes" else question_id.encode() + b"=" + value
    return client.generic(
        "POST", url, body + b"&action=continue", content_type="application/x-www-form-urlencoded"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "question_id"), CASES)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(posted=POSTED, action=ACTIONS)
def test_anything_posted_to_a_question_is_answered_without_a_server_error(
    client, slug, question_id, posted, action
):
    token, seed = seeded_draft(slug, question_id)
    url = f"/report/resume/{token}/{question_id}/"
    kind, value = posted
    response = post(client, url, question_id, kind, value, action)
    assert response.status_code < 500
    kept = draft_for_token(token).answers
    others = {key: item for key, item in kept.items() if key != question_id}
    assert others == {key: item for key, item in seed.items() if key != question_id}
    if response.status_code == 200:  # the page came back with an error: nothing changed
        assert 'class="ds_error-summary"' in response.content.decode()
        assert kept == seed
    else:
        assert response.status_code == 302
