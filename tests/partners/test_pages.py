"""The partner portal and the referral form over the real HTTP stack: isolation (another
agency's referral is 404 on every page and form), consent, and the audit of each read."""

import pytest
from django.utils.html import escape

from cairn.audit.models import AuditEvent, Operation
from cairn.cases.services import add_contact_to_case
from cairn.partners.models import Referral, ReferralStatus
from tests.cases.conftest import new_contact
from tests.partners.conftest import edinburgh_case, partner_user, refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(case, directory, handler):
    return refer(case, directory.dbi_service, handler)


def test_the_partner_sees_their_agencys_referrals_only(
    referral, case, directory, handler, partner, partner2, signed_in
):
    theirs = refer(case, directory.victim_service, handler, shared_name="Other Person")
    page = signed_in(partner).get("/staff/partners/referrals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert referral.reference in html and "Morag MacLeod" in html
    assert theirs.reference not in html and "Other Person" not in html

    other = signed_in(partner2).get("/staff/partners/referrals/").content.decode()
    assert theirs.reference in other and referral.reference not in other
    listed = AuditEvent.objects.get(object_type="referral_list", actor_id=partner.pk)
    assert listed.operation == Operation.CONSULTATION
    assert listed.context["referrals"] == [referral.pk]


def test_the_list_filters_by_status(referral, partner, signed_in):
    client = signed_in(partner)
    assert (
        referral.reference in client.get("/staff/partners/referrals/?status=sent").content.decode()
    )
    accepted = client.get("/staff/partners/referrals/?status=accepted").content.decode()
    assert referral.reference not in accepted and "No referrals to show." in accepted


def test_the_referral_page_shows_what_was_disclosed_and_not_the_case(referral, partner, signed_in):
    page = signed_in(partner).get(f"/staff/partners/referrals/{referral.reference}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert referral.case.reference in html
    assert "Distressed after the theft" in html
    assert "07700 900123" in html
    assert "Leith Walk" not in html, "the contact's narrative is not disclosed"
    assert "morag.macleod@example.org" not in html, "the email was not shared"
    consultation = AuditEvent.objects.get(
        operation=Operation.CONSULTATION, object_type="referral", actor_id=partner.pk
    )
    assert consultation.object_id == str(referral.pk)
    assert consultation.context["agency"] == referral.agency_id


def test_another_agencys_referral_is_404_on_every_page_and_form(referral, partner2, signed_in):
    client = signed_in(partner2)
    base = f"/staff/partners/referrals/{referral.reference}"
    assert client.get(f"{base}/").status_code == 404
    assert client.post(f"{base}/accept/").status_code == 404
    assert client.post(f"{base}/decline/", {"decline-reason": "Not ours"}).status_code == 404
    assert client.post(f"{base}/decline/", {"decline-reason": ""}).status_code == 404
    assert (
        client.post(f"{base}/outcome/", {"outcome-outcome": "support_provided"}).status_code == 404
    )
    assert client.post(f"{base}/withdraw/", {"withdraw-reason": "x"}).status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert not AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, object_type="referral", actor_id=partner2.pk
    ).exists()


def test_guessed_references_are_404(referral, partner, signed_in):
    client = signed_in(partner)
    prefix, number = referral.reference.rsplit("-", 1)
    for guess in (f"{prefix}-{int(number) + 1:05d}", str(referral.pk), "REF-" + "9" * 40):
        assert client.get(f"/staff/partners/referrals/{guess}/").status_code == 404
        assert client.post(f"/staff/partners/referrals/{guess}/accept/").status_code == 404


def test_a_partner_without_an_agency_sees_nothing(referral, signed_in):
    from cairn.accounts.roles import Role
    from tests.conftest import make_staff

    lonely = make_staff("lonely", Role.PARTNER_USER)
    client = signed_in(lonely)
    assert referral.reference not in client.get("/staff/partners/referrals/").content.decode()
    assert client.get(f"/staff/partners/referrals/{referral.reference}/").status_code == 404
    assert client.post(f"/staff/partners/referrals/{referral.reference}/accept/").status_code == 404


def test_the_partner_accepts_declines_and_records_outcomes_through_the_forms(
    case, directory, handler, partner, signed_in
):
    client = signed_in(partner)
    first = refer(case, directory.dbi_service, handler)
    second = refer(case, directory.dbi_service, handler)

    response = client.post(f"/staff/partners/referrals/{first.reference}/accept/")
    assert response.status_code == 302
    missing = client.post(f"/staff/partners/referrals/{first.reference}/outcome/", {})
    assert missing.status_code == 400
    assert "Choose the outcome" in missing.content.decode()
    done = client.post(
        f"/staff/partners/referrals/{first.reference}/outcome/",
        {"outcome-outcome": "support_ongoing", "outcome-text": "Weekly calls."},
    )
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.status == ReferralStatus.OUTCOME_RECORDED and first.outcome_text == "Weekly calls."

    blank = client.post(f"/staff/partners/referrals/{second.reference}/decline/", {})
    assert blank.status_code == 400
    assert "Say why you are declining the referral" in blank.content.decode()
    client.post(
        f"/staff/partners/referrals/{second.reference}/decline/",
        {"decline-reason": "Not in our area."},
    )
    second.refresh_from_db()
    assert second.status == ReferralStatus.DECLINED
    late = client.post(f"/staff/partners/referrals/{second.reference}/accept/")
    assert late.status_code == 409 and "cannot be accepted" in late.content.decode()


def test_partners_cannot_refer_and_staff_cannot_answer(referral, partner, handler, signed_in):
    assert (
        signed_in(partner).get(f"/staff/partners/refer/{referral.case.reference}/").status_code
        == 403
    )
    staff = signed_in(handler)
    assert staff.post(f"/staff/partners/referrals/{referral.reference}/accept/").status_code == 403
    # Police staff read every referral and may withdraw it.
    page = staff.get(f"/staff/partners/referrals/{referral.reference}/")
    assert page.status_code == 200 and "Withdraw the referral" in page.content.decode()
    staff.post(
        f"/staff/partners/referrals/{referral.reference}/withdraw/",
        {"withdraw-reason": "She asked us to."},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN


# Referring from a case -------------------------------------------------------------------------


def referral_form(service, **changes) -> dict:
    return {
        "service": str(service.pk),
        "reason": "Would like support after the break-in.",
        "consent_given": "yes",
        "consent_method": "verbal_on_call",
        "shared_name": "Morag MacLeod",
        "shared_phone": "07700 900123",
        "shared_email": "",
        **changes,
    }


def test_the_form_offers_services_covering_the_case_division_prefilled_from_the_contact(
    case, directory, handler, signed_in
):
    page = signed_in(handler).get(f"/staff/partners/refer/{case.reference}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert directory.dbi.name in html and directory.victim_support.name in html
    assert escape(directory.womens_aid.name) not in html, "Glasgow only: not for an Edinburgh case"
    assert 'value="Morag MacLeod"' in html and 'value="morag.macleod@example.org"' in html
    assert AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, object_type="contact", actor_id=handler.pk
    ).exists()


def test_referring_with_consent_from_the_form(case, directory, handler, signed_in):
    response = signed_in(handler).post(
        f"/staff/partners/refer/{case.reference}/", referral_form(directory.dbi_service)
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert response["Location"] == f"/staff/partners/referrals/{referral.reference}/?made=1"
    assert referral.consent_method == "verbal_on_call" and referral.shared_email == ""


def test_a_referral_without_consent_or_basis_is_refused_keeping_what_was_typed(
    case, directory, handler, signed_in
):
    client = signed_in(handler)
    response = client.post(
        f"/staff/partners/refer/{case.reference}/",
        referral_form(directory.dbi_service, consent_given="no", consent_method=""),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "choose why sharing is lawful" in html
    assert "Would like support after the break-in." in html
    assert not Referral.objects.exists()

    explained = client.post(
        f"/staff/partners/refer/{case.reference}/",
        referral_form(directory.dbi_service, consent_given="no", other_basis="safeguarding"),
    )
    assert explained.status_code == 400
    assert "Explain why sharing without consent is lawful here." in explained.content.decode()

    no_method = client.post(
        f"/staff/partners/refer/{case.reference}/",
        referral_form(directory.dbi_service, consent_method=""),
    )
    assert no_method.status_code == 400
    assert "Say how the person gave their consent." in no_method.content.decode()

    glasgow = client.post(
        f"/staff/partners/refer/{case.reference}/",
        referral_form(directory.womens_aid_service),
    )
    assert glasgow.status_code == 400, "a service not offered is not accepted"
    assert not Referral.objects.exists()


def test_a_case_with_two_contacts_asks_whose(case, directory, handler, signed_in):
    second = new_contact(reporter_name="Ali Khan", reporter_email="ali@example.org")
    add_contact_to_case(case, second, actor=handler)
    client = signed_in(handler)
    page = client.get(f"/staff/partners/refer/{case.reference}/")
    assert "Who are you referring?" in page.content.decode()
    chosen = client.get(f"/staff/partners/refer/{case.reference}/?contact={second.pk}")
    assert 'value="Ali Khan"' in chosen.content.decode()
    client.post(
        f"/staff/partners/refer/{case.reference}/",
        {**referral_form(directory.dbi_service, shared_name="Ali Khan"), "contact": second.pk},
    )
    assert Referral.objects.get().contact == second


def test_an_unknown_case_is_404(handler, signed_in, db):
    assert signed_in(handler).get("/staff/partners/refer/CAS-000000-00000/").status_code == 404


def test_the_directory_searches_by_type_and_area(directory, handler, partner, signed_in):
    client = signed_in(handler)
    everything = client.get("/staff/partners/").content.decode()
    assert all(
        name in everything
        for name in (
            directory.dbi.name,
            escape(directory.womens_aid.name),
            directory.victim_support.name,
        )
    )
    glasgow = client.get("/staff/partners/?division=G").content.decode()
    assert escape(directory.womens_aid.name) in glasgow and directory.victim_support.name in glasgow
    assert directory.dbi.name not in glasgow
    dbi = client.get("/staff/partners/?service_type=distress_brief_intervention").content.decode()
    assert directory.dbi.name in dbi and directory.victim_support.name not in dbi
    words = client.get("/staff/partners/?q=witness").content.decode()
    assert directory.victim_support.name in words and directory.dbi.name not in words
    assert signed_in(partner).get("/staff/partners/").status_code == 200


def test_a_second_agency_user_from_a_fresh_agency(directory, handler, signed_in):
    case = edinburgh_case(handler)
    referral = refer(case, directory.dbi_service, handler)
    stranger = partner_user("stranger", directory.womens_aid)
    assert (
        signed_in(stranger).get(f"/staff/partners/referrals/{referral.reference}/").status_code
        == 404
    )


def test_a_closed_case_refuses_the_referral_on_the_form(case, directory, handler, signed_in):
    from cairn.cases.services import close_case

    close_case(case, outcome="no_crime", public_message="Thank you.", actor=handler)
    response = signed_in(handler).post(
        f"/staff/partners/refer/{case.reference}/", referral_form(directory.dbi_service)
    )
    assert response.status_code == 400
    assert "is closed: it takes no more referrals." in response.content.decode()
    assert not Referral.objects.exists()
