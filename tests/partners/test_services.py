"""Referrals: consent or a stated basis, one transaction of timeline, audit, event, next step."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cairn.audit.models import AuditEvent, Operation
from cairn.cases.models import CaseUpdate, UpdateKind, Visibility
from cairn.cases.services import close_case
from cairn.events.models import DomainEvent
from cairn.notify.models import OutboundMessage
from cairn.partners.models import LawfulBasis, Referral, ReferralStatus, WebhookDelivery
from cairn.partners.responses import (
    accept_referral,
    decline_referral,
    record_outcome,
    responder,
)
from cairn.partners.services import ReferralError, ReferralNotFound, withdraw_referral
from tests.partners.conftest import refer

pytestmark = pytest.mark.django_db


def events(referral, name):
    return list(
        DomainEvent.objects.filter(subject_type="referral", subject_id=str(referral.pk), name=name)
    )


def test_a_referral_with_consent_is_made_whole(case, directory, handler):
    referral = refer(case, directory.dbi_service, handler)

    assert re.fullmatch(r"REF-\d{6}-\d{5,}", referral.reference)
    assert referral.status == ReferralStatus.SENT
    assert referral.agency == directory.dbi
    assert referral.consent_recorded_by == handler and referral.consent_recorded_at
    updates = list(CaseUpdate.objects.filter(case=case, kind=UpdateKind.REFERRAL))
    internal = [u for u in updates if u.visibility == Visibility.INTERNAL]
    public = [u for u in updates if u.visibility == Visibility.PUBLIC]
    assert len(internal) == 1 and directory.dbi.name in internal[0].text
    assert referral.reference in internal[0].text
    assert len(public) == 1 and public[0].text == "We have referred you to a support service."
    assert directory.dbi.name not in public[0].text
    assert public[0].text_code == "referral_made"
    disclosure = AuditEvent.objects.get(
        operation=Operation.DISCLOSURE, object_type="referral", object_id=str(referral.pk)
    )
    assert disclosure.context["recipient_agency"] == "dbi-edinburgh"
    assert disclosure.actor_id == handler.pk
    assert set(disclosure.fields) == {"reason", "shared_name", "shared_phone"}
    made = events(referral, "referral.made")
    assert len(made) == 1
    assert made[0].division == "E"
    assert made[0].data["service_type"] == "distress_brief_intervention"
    assert "Morag" not in str(made[0].data) and "theft" not in str(made[0].data)
    # The person hears there is news (the message says only that, with a link).
    assert OutboundMessage.objects.filter(template="case_updated").count() == 1
    # A portal-only agency gets no webhook.
    assert not WebhookDelivery.objects.exists()


def test_a_referral_without_consent_is_refused_and_writes_nothing(case, directory, handler):
    with pytest.raises(ValidationError) as refused:
        refer(case, directory.dbi_service, handler, consent_given=False)
    assert "consent_given" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        refer(case, directory.dbi_service, handler, consent_method="")
    assert "consent_method" in refused.value.message_dict
    assert not Referral.objects.exists()
    assert not CaseUpdate.objects.filter(kind=UpdateKind.REFERRAL).exists()
    assert not AuditEvent.objects.filter(operation=Operation.DISCLOSURE).exists()


def test_another_lawful_basis_needs_an_explanation(case, directory, handler):
    with pytest.raises(ValidationError) as refused:
        refer(
            case,
            directory.dbi_service,
            handler,
            lawful_basis=LawfulBasis.VITAL_INTERESTS,
            consent_given=False,
            consent_method="",
        )
    assert "basis_explanation" in refused.value.message_dict

    referral = refer(
        case,
        directory.dbi_service,
        handler,
        lawful_basis=LawfulBasis.VITAL_INTERESTS,
        consent_given=False,
        consent_method="",
        basis_explanation="Said she would end her life tonight; could not consent.",
    )
    assert referral.consent_recorded_by is None and referral.consent_method == ""
    assert events(referral, "referral.made")[0].data["lawful_basis"] == "vital_interests"


def test_the_database_refuses_a_consent_referral_without_who_and_when(case, directory, handler):
    referral = refer(case, directory.dbi_service, handler)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(consent_recorded_by=None)


def test_a_way_to_reach_the_person_is_needed(case, directory, handler):
    with pytest.raises(ValidationError) as refused:
        refer(case, directory.dbi_service, handler, shared_phone="", shared_email="")
    assert "shared_phone" in refused.value.message_dict


def test_only_case_workers_refer(case, directory, partner, analyst):
    for user in (partner, analyst):
        with pytest.raises(PermissionDenied):
            refer(case, directory.dbi_service, user)


def test_a_service_outside_the_case_division_is_refused(case, directory, handler):
    with pytest.raises(ValidationError) as refused:
        refer(case, directory.womens_aid_service, handler)
    assert "service" in refused.value.message_dict
    # Victim Support covers all of Scotland.
    assert refer(case, directory.victim_service, handler).agency == directory.victim_support


def test_a_closed_case_takes_no_referral(case, directory, handler):
    close_case(case, outcome="no_crime", public_message="Thank you.", actor=handler)
    with pytest.raises(ReferralError, match="is closed"):
        refer(case, directory.dbi_service, handler)


def test_references_are_made_by_the_database_in_sequence(case, directory, handler):
    first = refer(case, directory.dbi_service, handler)
    second = refer(case, directory.victim_service, handler)
    assert int(second.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1


# The partner's answers -------------------------------------------------------------------------


def test_the_partner_accepts_and_records_an_outcome(case, directory, handler, partner):
    referral = refer(case, directory.dbi_service, handler)
    by = responder(user=partner)

    accepted = accept_referral(referral.reference, by=by)
    assert accepted.status == ReferralStatus.ACCEPTED and accepted.responded_by == partner
    assert accept_referral(referral.reference, by=by).status == ReferralStatus.ACCEPTED
    assert len(events(referral, "referral.accepted")) == 1, "accepting twice changes nothing"

    done = record_outcome(
        referral.reference, outcome="support_provided", text="Two sessions.", by=by
    )
    assert done.status == ReferralStatus.OUTCOME_RECORDED
    assert done.outcome_code == "support_provided"
    timeline = list(CaseUpdate.objects.filter(case=case, kind=UpdateKind.REFERRAL, author=partner))
    assert [u.visibility for u in timeline] == [Visibility.INTERNAL, Visibility.INTERNAL]
    assert "accepted" in timeline[0].text
    assert "Support provided" in timeline[1].text and "Two sessions." in timeline[1].text
    assert events(referral, "referral.outcome_recorded")[0].data["outcome"] == "support_provided"
    assert (
        AuditEvent.objects.filter(
            operation=Operation.ALTERATION, object_type="referral", actor_id=partner.pk
        ).count()
        == 2
    )


def test_an_outcome_needs_acceptance_and_a_known_code(case, directory, handler, partner):
    referral = refer(case, directory.dbi_service, handler)
    by = responder(user=partner)
    with pytest.raises(ReferralError):
        record_outcome(referral.reference, outcome="support_provided", by=by)
    accept_referral(referral.reference, by=by)
    with pytest.raises(ValidationError):
        record_outcome(referral.reference, outcome="made_up", by=by)


def test_the_partner_declines_with_a_reason(case, directory, handler, partner):
    referral = refer(case, directory.dbi_service, handler)
    by = responder(user=partner)
    with pytest.raises(ValidationError):
        decline_referral(referral.reference, reason="  ", by=by)
    declined = decline_referral(referral.reference, reason="Outside our age range.", by=by)
    assert declined.status == ReferralStatus.DECLINED
    assert declined.decline_reason == "Outside our age range."
    with pytest.raises(ReferralError):
        accept_referral(referral.reference, by=by)
    assert CaseUpdate.objects.filter(case=case, text__contains="Outside our age range.").exists()


def test_another_agencys_partner_cannot_answer(case, directory, handler, partner2):
    referral = refer(case, directory.dbi_service, handler)
    by = responder(user=partner2)
    for act in (
        lambda: accept_referral(referral.reference, by=by),
        lambda: decline_referral(referral.reference, reason="Not ours", by=by),
        lambda: record_outcome(referral.reference, outcome="support_provided", by=by),
    ):
        with pytest.raises(ReferralNotFound):
            act()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_staff_and_agencyless_users_are_no_responders(handler, directory):
    from cairn.accounts.roles import Role
    from tests.conftest import make_staff

    lonely = make_staff("lonely", Role.PARTNER_USER)
    for user in (handler, lonely):
        with pytest.raises(PermissionDenied):
            responder(user=user)


def test_police_withdraw_an_open_referral(case, directory, handler, partner):
    referral = refer(case, directory.dbi_service, handler)
    with pytest.raises(PermissionDenied):
        withdraw_referral(referral, reason="No longer needed", actor=partner)
    withdrawn = withdraw_referral(referral, reason="The person asked us to.", actor=handler)
    assert withdrawn.status == ReferralStatus.WITHDRAWN
    assert len(events(referral, "referral.withdrawn")) == 1
    with pytest.raises(ReferralError):
        withdraw_referral(referral, reason="Again", actor=handler)
    with pytest.raises(ReferralError):
        accept_referral(referral.reference, by=responder(user=partner))
