"""The partners API: real keys, the agency's own referrals only (another's is 404),
audited reads."""

import json

import pytest

from cairn.accounts.api_keys import issue_api_key
from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent, Operation
from cairn.cases.models import CaseUpdate
from cairn.events.models import DomainEvent
from cairn.partners.models import AgencyApiClient, ReferralStatus
from tests.partners.conftest import case, directory, handler, refer  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def key_for(agency, name: str, scopes=("referrals.respond",)) -> tuple:
    with acting_as("command"):
        client, key = issue_api_key(name, scopes=scopes)
    if agency is not None:
        AgencyApiClient.objects.create(client=client, agency=agency)
    return client, {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def dbi_key(directory):  # noqa: F811
    return key_for(directory.dbi, "DBI case system")


@pytest.fixture
def other_key(directory):  # noqa: F811
    return key_for(directory.victim_support, "Victim Support case system")


@pytest.fixture
def referral(case, directory, handler):  # noqa: F811
    return refer(case, directory.dbi_service, handler)


def post(client, path, headers, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json", **headers)


def test_without_a_key_it_is_a_structured_401(client, referral):
    response = client.get("/api/v1/partners/referrals")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorised"
    response = client.post(f"/api/v1/partners/referrals/{referral.reference}/accept")
    assert response.status_code == 401


def test_a_key_without_the_scope_or_an_agency_is_403(client, referral, directory):  # noqa: F811
    _client, no_scope = key_for(directory.dbi, "No scope", scopes=())
    _client, no_agency = key_for(None, "No agency")
    for headers in (no_scope, no_agency):
        listed = client.get("/api/v1/partners/referrals", **headers)
        assert listed.status_code == 403 and listed.json()["error"] == "forbidden"
        read = client.get(f"/api/v1/partners/referrals/{referral.reference}", **headers)
        assert read.status_code == 403
        accepted = post(client, f"/api/v1/partners/referrals/{referral.reference}/accept", headers)
        assert accepted.status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_the_agency_lists_and_reads_its_referral_and_each_read_is_a_disclosure(
    client, referral, dbi_key
):
    api_client, headers = dbi_key
    listed = client.get("/api/v1/partners/referrals", **headers)
    assert listed.status_code == 200
    assert [r["reference"] for r in listed.json()["referrals"]] == [referral.reference]

    response = client.get(f"/api/v1/partners/referrals/{referral.reference}", **headers)
    assert response.status_code == 200
    body = response.json()
    assert body["person"] == {"name": "Morag MacLeod", "phone": "07700 900123", "email": ""}
    assert body["consent"]["lawful_basis"] == "consent"
    assert body["consent"]["method"] == "verbal_on_call"
    assert body["case_reference"] == referral.case.reference
    assert body["service_type"] == "distress_brief_intervention"
    assert "timeline" not in body and "narrative" not in json.dumps(body)
    disclosures = AuditEvent.objects.filter(
        operation=Operation.DISCLOSURE, context__api_client=api_client.pk
    )
    assert disclosures.count() == 2
    one = disclosures.get(object_type="referral")
    assert one.object_id == str(referral.pk)
    assert one.context["recipient_agency"] == "dbi-edinburgh"
    assert one.channel == "api"


def test_the_list_filters_by_status(client, referral, dbi_key):
    _c, headers = dbi_key
    assert client.get("/api/v1/partners/referrals?status=accepted", **headers).json() == {
        "referrals": []
    }
    bad = client.get("/api/v1/partners/referrals?status=lost", **headers)
    assert bad.status_code == 422 and bad.json()["error"] == "validation_error"


def test_another_agencys_referral_is_404_on_every_route(client, referral, other_key):
    _c, headers = other_key
    assert client.get("/api/v1/partners/referrals", **headers).json() == {"referrals": []}
    base = f"/api/v1/partners/referrals/{referral.reference}"
    answers = [
        client.get(base, **headers),
        post(client, f"{base}/accept", headers),
        post(client, f"{base}/decline", headers, {"reason": "Not for us"}),
        post(client, f"{base}/outcome", headers, {"outcome": "support_provided"}),
    ]
    for answer in answers:
        assert answer.status_code == 404, answer.content
        assert answer.json() == {
            "error": "not_found",
            "message": "No referral with that reference.",
            "details": [],
        }
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert not AuditEvent.objects.filter(
        operation=Operation.DISCLOSURE, context__api_client=_c.pk
    ).exists()


def test_guessed_references_are_404(client, referral, dbi_key):
    _c, headers = dbi_key
    prefix, number = referral.reference.rsplit("-", 1)
    for guess in (
        f"{prefix}-{int(number) + 1:05d}",
        f"{prefix}-{int(number) - 1:05d}",
        "REF-000000-00001",
        "x" * 300,
        str(referral.pk),
    ):
        assert client.get(f"/api/v1/partners/referrals/{guess}", **headers).status_code == 404
        assert (
            post(client, f"/api/v1/partners/referrals/{guess}/accept", headers).status_code == 404
        )


def test_the_agency_accepts_then_records_an_outcome(client, referral, dbi_key):
    api_client, headers = dbi_key
    base = f"/api/v1/partners/referrals/{referral.reference}"
    early = post(client, f"{base}/outcome", headers, {"outcome": "support_provided"})
    assert early.status_code == 409 and early.json()["error"] == "conflict"

    accepted = post(client, f"{base}/accept", headers)
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert post(client, f"{base}/accept", headers).status_code == 200  # idempotent

    unknown = post(client, f"{base}/outcome", headers, {"outcome": "made_up"})
    assert unknown.status_code == 422
    assert unknown.json()["details"] == [
        {"field": "outcome", "message": "Choose the outcome from the list."}
    ]
    done = post(
        client, f"{base}/outcome", headers, {"outcome": "referred_on", "text": "To housing."}
    )
    assert done.status_code == 200 and done.json()["status"] == "outcome_recorded"
    referral.refresh_from_db()
    assert referral.responded_by is None
    assert referral.outcome_code == "referred_on"
    update = CaseUpdate.objects.filter(case=referral.case, text__contains="To housing.").get()
    assert update.author is None and update.visibility == "internal"
    event = DomainEvent.objects.get(name="referral.outcome_recorded", subject_id=str(referral.pk))
    assert event.data["via"] == "api"
    assert (
        AuditEvent.objects.filter(
            operation=Operation.ALTERATION,
            object_type="referral",
            context__api_client=api_client.pk,
        ).count()
        == 2
    )


def test_a_decline_needs_a_reason(client, referral, dbi_key):
    _c, headers = dbi_key
    base = f"/api/v1/partners/referrals/{referral.reference}"
    missing = post(client, f"{base}/decline", headers, {})
    assert missing.status_code == 422 and missing.json()["details"][0]["field"] == "reason"
    blank = post(client, f"{base}/decline", headers, {"reason": "   "})
    assert blank.status_code == 422
    declined = post(client, f"{base}/decline", headers, {"reason": "Full this month."})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    again = post(client, f"{base}/accept", headers)
    assert again.status_code == 409


def test_an_inactive_agency_key_is_refused(client, referral, dbi_key, directory):  # noqa: F811
    _c, headers = dbi_key
    directory.dbi.is_active = False
    directory.dbi.save()
    read = client.get(f"/api/v1/partners/referrals/{referral.reference}", **headers)
    assert read.status_code == 403 and read.json()["error"] == "forbidden"
