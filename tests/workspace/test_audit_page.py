"""The audit log page: supervisors only, and every search is itself a consultation event."""

import pytest

from cairn.audit.models import AuditEvent, Operation

pytestmark = pytest.mark.django_db

AUDIT = "/staff/audit/"


def consultations():
    return AuditEvent.objects.filter(operation=Operation.CONSULTATION)


def test_a_supervisor_search_writes_exactly_one_consultation_event(signed_in, supervisor):
    client = signed_in(supervisor)
    response = client.get(AUDIT, {"actor": "supervisor", "operation": "security.login"})
    assert response.status_code == 200
    assert consultations().count() == 1


def test_the_consultation_event_names_the_audit_log_and_the_searcher(signed_in, supervisor):
    signed_in(supervisor).get(AUDIT, {"actor": "supervisor"})
    event = consultations().get()
    assert event.object_type == "audit_log"
    assert (event.actor_id, event.actor_username) == (supervisor.pk, "supervisor")
    assert event.channel == "web"


def test_the_consultation_event_carries_the_filters(signed_in, supervisor):
    signed_in(supervisor).get(
        AUDIT,
        {
            "actor": "supervisor",
            "object_type": "staff_user",
            "object_id": str(supervisor.pk),
            "operation": "security.login",
            "since": "2026-03-01",
            "until": "2026-03-02",
        },
    )
    context = consultations().get().context
    assert context["actor_username"] == "supervisor"
    assert context["object_type"] == "staff_user"
    assert context["object_id"] == str(supervisor.pk)
    assert context["operation"] == "security.login"
    assert context["since"].startswith("2026-03-01T00:00:00")
    assert context["until"].startswith("2026-03-03T00:00:00")  # "to" is inclusive
    assert context["page"] == 1


def test_the_consultation_event_counts_the_results(signed_in, supervisor):
    client = signed_in(supervisor)
    client.get(AUDIT, {"actor": "supervisor", "operation": "security.login"})
    assert consultations().get().context["results"] == 1


def test_the_search_finds_the_matching_events(signed_in, supervisor, advisor):
    signed_in(advisor)
    response = signed_in(supervisor).get(AUDIT, {"actor": "advisor"})
    page = response.content.decode()
    assert "Password accepted" in page
    assert "Second factor accepted" in page


def test_opening_the_empty_search_form_records_no_consultation(signed_in, supervisor):
    response = signed_in(supervisor).get(AUDIT)
    assert response.status_code == 200
    assert not consultations().exists()


@pytest.mark.parametrize("persona", ["advisor", "analyst", "administrator"])
def test_a_non_supervisor_is_refused_the_audit_page(signed_in, request, persona):
    user = request.getfixturevalue(persona)
    response = signed_in(user).get(AUDIT, {"actor": "supervisor"})
    assert response.status_code == 403
    assert not consultations().exists()


@pytest.mark.parametrize("persona", ["advisor", "analyst", "administrator"])
def test_a_refusal_of_the_audit_page_is_recorded(signed_in, request, persona):
    user = request.getfixturevalue(persona)
    signed_in(user).get(AUDIT)
    denied = AuditEvent.objects.get(operation=Operation.ACCESS_DENIED)
    assert (denied.actor_id, denied.object_type, denied.outcome) == (
        user.pk,
        "audit_log",
        "denied",
    )


def test_the_rows_shown_match_the_count_recorded(signed_in, supervisor):
    response = signed_in(supervisor).get(AUDIT, {"object_type": ""})
    rows = response.content.decode().count("<tr>") - 1  # less the header row
    recorded = consultations().get().context["results"]
    assert rows == recorded == response.context["page"].paginator.count
