"""Drafts: kept on the server behind a hashed token, sent exactly once, anonymous to the hour."""

import hashlib
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from cairn.audit.models import AuditEvent
from cairn.contacts.drafts import (
    DraftIncomplete,
    DraftSubmitted,
    draft_for_token,
    purge_expired_drafts,
    save_answer,
    start_draft,
    submit_draft,
)
from cairn.contacts.evidence import store_evidence
from cairn.contacts.models import Contact, Evidence, ReportDraft
from cairn.contacts.report_forms import load_forms
from cairn.contacts.tracking import secret_matches
from cairn.events.models import DomainEvent
from tests.contacts import evidence_files
from tests.portal.test_reporting_support import complete_answers


def answered(slug: str = "theft", *, anonymous: bool = False) -> ReportDraft:
    draft, _token = start_draft(slug, "en")
    for question_id, value in complete_answers(load_forms()[slug], anonymous=anonymous).items():
        save_answer(draft, question_id, value)
    return draft


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


@pytest.mark.django_db
class TestStartAndResume:
    def test_only_the_hash_of_the_token_is_stored(self):
        draft, token = start_draft("theft", "gd")
        assert len(token) == 32  # 24 random bytes: 192 bits
        assert draft.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(ReportDraft.objects.filter(pk=draft.pk).values().get())

    def test_a_draft_lasts_seven_days(self):
        draft, _token = start_draft("theft", "en")
        assert draft.expires_at - timezone.now() > timedelta(days=6, hours=23)
        assert draft.expires_at - timezone.now() <= timedelta(days=7)

    def test_there_is_no_draft_for_an_unknown_form(self):
        with pytest.raises(LookupError):
            start_draft("no-such-form", "en")

    def test_the_token_opens_its_draft_and_nothing_else_does(self):
        draft, token = start_draft("theft", "en")
        assert draft_for_token(token) == draft
        assert draft_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert draft_for_token("") is None
        assert draft_for_token("x" * 5000) is None

    def test_an_expired_draft_cannot_be_opened(self):
        draft, token = start_draft("theft", "en")
        ReportDraft.objects.filter(pk=draft.pk).update(expires_at=timezone.now())
        assert draft_for_token(token) is None

    def test_answers_are_kept_one_by_one(self):
        draft, token = start_draft("theft", "en")
        save_answer(draft, "stolen_items", "A bike")
        save_answer(draft_for_token(token), "stolen_value", "under_100")
        assert draft_for_token(token).answers == {
            "stolen_items": "A bike",
            "stolen_value": "under_100",
        }


@pytest.mark.django_db
class TestSubmit:
    def test_a_named_report_becomes_a_contact_from_the_portal(self):
        draft = answered()
        receipt = submit_draft(draft, "pl")
        contact = receipt.contact
        assert receipt.created
        assert contact.channel == "web_form"
        assert contact.source == "portal"
        assert contact.idempotency_key == f"draft:{draft.pk}"
        assert contact.language == "pl"
        assert contact.category == "crime.theft"
        assert contact.reporter_name == "Alex Morgan"
        assert contact.reference.startswith("CRN-")
        assert secret_matches(receipt.tracking_secret, contact.tracking_secret_hash)

    def test_sending_twice_makes_one_contact_and_gives_the_code_once(self):
        draft = answered()
        first = submit_draft(draft, "en")
        second = submit_draft(ReportDraft.objects.get(pk=draft.pk), "en")
        assert second.contact == first.contact
        assert (first.created, second.created) == (True, False)
        assert second.tracking_secret is None
        assert Contact.objects.count() == 1

    def test_the_draft_keeps_no_second_copy_of_the_answers(self):
        draft = answered()
        submit_draft(draft, "en")
        draft.refresh_from_db()
        assert draft.answers == {}
        assert draft.contact.answers["stolen_items"]

    def test_a_sent_draft_cannot_change(self):
        draft = answered()
        submit_draft(draft, "en")
        with pytest.raises(DraftSubmitted):
            save_answer(draft, "stolen_items", "Something else")

    def test_an_unfinished_draft_is_not_sent(self):
        draft, _token = start_draft("theft", "en")
        save_answer(draft, "stolen_items", "A bike")
        with pytest.raises(DraftIncomplete) as raised:
            submit_draft(draft, "en")
        assert raised.value.question_id == "stolen_value"
        assert not Contact.objects.exists()

    def test_answers_are_checked_again_when_sending(self):
        draft = answered()
        ReportDraft.objects.filter(pk=draft.pk).update(
            answers={**draft.answers, "where_postcode": "<script>"}
        )
        draft.refresh_from_db()
        with pytest.raises(DraftIncomplete) as raised:
            submit_draft(draft, "en")
        assert raised.value.question_id == "where_postcode"
        assert not Contact.objects.exists()

    def test_files_go_with_the_report(self, media):
        draft = answered()
        store_evidence(SimpleUploadedFile("a.png", evidence_files.png()), draft=draft)
        contact = submit_draft(draft, "en").contact
        assert Evidence.objects.get().contact == contact


@pytest.mark.django_db
class TestAnonymous:
    def test_an_anonymous_report_has_no_identity_and_only_the_hour(self, media):
        draft = answered(anonymous=True)
        store_evidence(SimpleUploadedFile("a.png", evidence_files.png()), draft=draft)
        contact = submit_draft(draft, "en").contact
        contact.refresh_from_db()
        assert contact.anonymous
        assert (contact.reporter_name, contact.reporter_email, contact.reporter_phone) == (
            "",
            "",
            "",
        )
        assert contact.preferred_contact == ""
        for moment in (contact.received_at, contact.created_at):
            assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)

    def test_nothing_pointing_at_an_anonymous_contact_keeps_a_precise_time(self, media):
        draft = answered(anonymous=True)
        store_evidence(SimpleUploadedFile("a.png", evidence_files.png()), draft=draft)
        submit_draft(draft, "en")
        draft.refresh_from_db()
        evidence = Evidence.objects.get()
        for moment in (
            draft.created_at,
            draft.updated_at,
            draft.expires_at,
            evidence.uploaded_at,
        ):
            assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)

    def test_the_contacts_audit_and_domain_events_keep_only_the_hour(self, media):
        contact = submit_draft(answered(anonymous=True), "en").contact
        audit = AuditEvent.objects.get(object_type="contact", object_id=str(contact.pk))
        event = DomainEvent.objects.get(subject_type="contact", subject_id=str(contact.pk))
        for moment in (audit.occurred_at, event.occurred_at, event.recorded_at):
            assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)

    def test_a_named_report_keeps_its_precise_times(self, media):
        with time_machine.travel("2026-11-24T10:17:33+00:00", tick=False):
            contact = submit_draft(answered(), "en").contact
        audit = AuditEvent.objects.get(object_type="contact", object_id=str(contact.pk))
        assert (audit.occurred_at.minute, audit.occurred_at.second) == (17, 33)


@pytest.mark.django_db
def test_expired_drafts_never_sent_are_deleted_with_their_files(media):
    expired, _token = start_draft("theft", "en")
    store_evidence(SimpleUploadedFile("a.png", evidence_files.png()), draft=expired)
    ReportDraft.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    current, _token = start_draft("theft", "en")
    sent = answered()
    submit_draft(sent, "en")
    ReportDraft.objects.filter(pk=sent.pk).update(expires_at=timezone.now())
    assert purge_expired_drafts() == 1
    assert set(ReportDraft.objects.values_list("pk", flat=True)) == {current.pk, sent.pk}
    assert not Evidence.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sends_make_one_contact():
    draft = answered()
    receipts, errors = [], []
    barrier = threading.Barrier(2)

    def send():
        try:
            barrier.wait()
            receipts.append(submit_draft(ReportDraft.objects.get(pk=draft.pk), "en"))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert Contact.objects.count() == 1
    assert sorted(receipt.created for receipt in receipts) == [False, True]
    assert len({receipt.contact.pk for receipt in receipts}) == 1
