"""Online reporting through the real views: gate, questions, errors, save, check, send."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from cairn.audit.models import AuditEvent
from cairn.contacts.drafts import draft_for_token, save_answer, start_draft
from cairn.contacts.models import Contact, Evidence, ReportDraft
from cairn.contacts.report_forms import load_forms
from cairn.events.models import DomainEvent
from tests.contacts import evidence_files
from tests.portal.test_reporting_support import complete_answers

pytestmark = pytest.mark.django_db

THEFT = "/report/theft/"


def page(response) -> str:
    return response.content.decode()


def token_from(url: str) -> str:
    return re.search(r"/resume/([^/]+)/", url).group(1)


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """The test client leaves the last request's language active in this thread."""
    yield
    translation.deactivate()


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


def started(client: Client, slug: str = "theft", prefix: str = "") -> str:
    """Pass the emergency gate; returns the first question's URL."""
    response = client.post(f"{prefix}/report/{slug}/", {"danger": "no"})
    assert response.status_code == 302
    return response["Location"]


def answered_draft(slug: str = "theft", *, anonymous: bool = False, language: str = "en"):
    draft, token = start_draft(slug, language)
    for question_id, value in complete_answers(load_forms()[slug], anonymous=anonymous).items():
        save_answer(draft, question_id, value)
    return draft, token


def test_the_list_shows_every_report_type_in_english_and_gaelic(client):
    english, gaelic = page(client.get("/report/")), page(client.get("/gd/report/"))
    for form in load_forms().values():
        assert form.title("en") in english
        assert form.title("gd") in gaelic
    assert 'href="/report/theft/"' in english
    assert 'href="/gd/report/theft/"' in gaelic


def test_the_arabic_pages_are_right_to_left(client):
    html = page(client.get("/ar/report/theft/"))
    assert '<html lang="ar" dir="rtl">' in html
    assert load_forms()["theft"].title("ar") in html


def test_an_unknown_report_type_is_not_found(client):
    assert client.get("/report/burglary-of-the-moon/").status_code == 404


def test_the_gate_asks_again_when_not_answered(client):
    response = client.post(THEFT, {})
    assert response.status_code == 200
    assert 'class="ds_error-summary"' in page(response)
    assert 'href="#danger"' in page(response)
    assert ReportDraft.objects.count() == 0


def test_someone_in_danger_is_told_to_call_999_with_the_deaf_routes(client):
    response = client.post(THEFT, {"danger": "yes"}, follow=True)
    html = page(response)
    assert "Call 999 now" in html
    assert "18000" in html
    assert "register" in html
    assert "contactSCOTLAND-BSL" in html
    assert ReportDraft.objects.count() == 0


def test_passing_the_gate_starts_a_draft_in_the_page_language(client):
    first = started(client, prefix="/pl")
    assert first.startswith("/pl/report/resume/")
    assert first.endswith("/stolen_items/")
    draft = draft_for_token(token_from(first))
    assert draft.form_slug == "theft"
    assert draft.language == "pl"
    assert draft.answers == {}


def test_a_question_page_asks_one_question_in_the_page_language(client):
    first = started(client, prefix="/uk")
    html = page(client.get(first))
    assert load_forms()["theft"].question("stolen_items").label("uk") in html
    assert 'name="stolen_items"' in html
    assert html.count("<textarea") == 1


def test_an_empty_required_answer_shows_the_summary_and_the_inline_error(client):
    first = started(client)
    response = client.post(first, {"stolen_items": "   ", "action": "continue"})
    html = page(response)
    assert response.status_code == 200
    assert 'class="ds_error-summary"' in html
    assert '<a href="#q-stolen_items">Tell us what was stolen</a>' in html
    assert 'id="q-stolen_items-error"' in html
    assert "<title>Error:" in html
    assert draft_for_token(token_from(first)).answers == {}


def test_errors_are_in_the_page_language(client):
    first = started(client, prefix="/gd")
    html = page(client.post(first, {"stolen_items": ""}))
    assert "Innis dhuinn dè chaidh a ghoid" in html


def test_a_rejected_answer_is_shown_back_exactly_as_typed(client):
    url = started(client).replace("stolen_items", "where_postcode")
    draft = draft_for_token(token_from(url))
    save_answer(draft, "stolen_items", "A bike")
    typed = 'not a <b>"postcode"</b> & more'
    html = page(client.post(url, {"where_postcode": typed}))
    assert 'value="not a &lt;b&gt;&quot;postcode&quot;&lt;/b&gt; &amp; more"' in html
    assert "Enter a real postcode, like EH1 1YZ" in html
    assert draft_for_token(token_from(url)).answers == {"stolen_items": "A bike"}


def test_a_good_answer_is_kept_and_leads_to_the_next_question(client):
    first = started(client)
    response = client.post(first, {"stolen_items": "A red bike"})
    assert response["Location"].endswith("/stolen_value/")
    assert draft_for_token(token_from(first)).answers == {"stolen_items": "A red bike"}


def test_not_knowing_the_date_skips_the_date_and_time(client):
    url = started(client).replace("stolen_items", "when_known")
    response = client.post(url, {"when_known": "not_sure"})
    assert response["Location"].endswith("/when_approx/")
    response = client.post(url, {"when_known": "exact"})
    assert response["Location"].endswith("/when_date/")


def test_a_question_not_shown_yet_sends_the_person_back_to_where_they_are(client):
    first = started(client)
    response = client.get(first.replace("stolen_items", "suspect_description"))
    assert response["Location"].endswith(f"/resume/{token_from(first)}/")


def test_save_and_come_back_later_shows_the_whole_link_and_when_it_stops_working(client):
    first = started(client)
    response = client.post(first, {"stolen_items": "A bike", "action": "save"}, follow=True)
    html = page(response)
    token = token_from(first)
    assert f'value="http://testserver/report/resume/{token}/"' in html
    expires = draft_for_token(token).expires_at.astimezone()
    assert str(expires.year) in html
    assert draft_for_token(token).answers == {"stolen_items": "A bike"}


def test_save_and_come_back_later_does_not_keep_a_wrong_answer(client):
    url = started(client).replace("stolen_items", "where_postcode")
    response = client.post(url, {"where_postcode": "nonsense", "action": "save"})
    assert response["Location"].endswith("/saved/")
    assert "where_postcode" not in draft_for_token(token_from(url)).answers


def test_the_resume_link_opens_the_first_unanswered_question(client):
    first = started(client)
    client.post(first, {"stolen_items": "A bike"})
    response = Client().get(f"/report/resume/{token_from(first)}/")
    assert response["Location"].endswith("/stolen_value/")


@pytest.mark.parametrize("token", ["not-a-real-token-at-all-123456", "x"])
def test_an_unknown_link_says_it_has_expired_with_a_404(client, token):
    response = client.get(f"/report/resume/{token}/stolen_items/")
    assert response.status_code == 404
    assert "This link has expired" in page(response)
    assert 'href="/report/"' in page(response)


def test_an_expired_link_says_so_with_a_404(client):
    draft, token = start_draft("theft", "en")
    ReportDraft.objects.filter(pk=draft.pk).update(expires_at=draft.created_at)
    response = client.get(f"/report/resume/{token}/")
    assert response.status_code == 404
    assert "This link has expired" in page(response)


def test_draft_pages_are_never_cached(client):
    first = started(client)
    assert "no-store" in client.get(first)["Cache-Control"]


def test_check_answers_lists_every_answer_with_a_change_link(client):
    _draft, token = answered_draft()
    html = page(client.get(f"/report/resume/{token}/check/"))
    assert "Check your answers" in html
    assert "Alex Morgan" in html
    assert "Less than £100" in html
    assert "1 June 2025" in html
    assert f'href="/report/resume/{token}/reporter_name/?return=check"' in html


def test_changing_an_answer_returns_to_check_answers(client):
    _draft, token = answered_draft()
    response = client.post(
        f"/report/resume/{token}/stolen_items/?return=check", {"stolen_items": "Two bikes"}
    )
    assert response["Location"] == f"/report/resume/{token}/check/"


def test_a_change_that_opens_new_questions_asks_them_before_check_answers(client):
    _draft, token = answered_draft(anonymous=True)
    response = client.post(
        f"/report/resume/{token}/reporting_as/?return=check", {"reporting_as": "named"}
    )
    assert response["Location"] == f"/report/resume/{token}/reporter_name/?return=check"
    response = client.get(f"/report/resume/{token}/check/")
    assert response["Location"] == f"/report/resume/{token}/reporter_name/?return=check"


def test_sending_shows_the_reference_and_the_tracking_code_once(client):
    _draft, token = answered_draft()
    response = client.post(f"/report/resume/{token}/check/", follow=True)
    html = page(response)
    contact = Contact.objects.get()
    assert contact.reference in html
    code = re.search(r'id="tracking-code" dir="ltr">([A-Z2-7-]+)<', html).group(1)
    assert len(code.replace("-", "")) == 26  # 130 bits
    assert 'href="/track/"' in html
    again = page(client.get(f"/report/resume/{token}/done/"))
    assert contact.reference in again
    assert code not in again
    assert "was shown once" in again


def test_sending_twice_makes_one_contact(client):
    _draft, token = answered_draft()
    client.post(f"/report/resume/{token}/check/")
    response = client.post(f"/report/resume/{token}/check/")
    assert response["Location"] == f"/report/resume/{token}/done/"
    assert Contact.objects.count() == 1


def test_the_contact_keeps_the_language_it_was_sent_in(client):
    _draft, token = answered_draft(language="en")
    client.post(f"/ar/report/resume/{token}/check/")
    assert Contact.objects.get().language == "ar"


def test_a_sent_report_cannot_be_changed(client):
    _draft, token = answered_draft()
    client.post(f"/report/resume/{token}/check/")
    response = client.post(f"/report/resume/{token}/stolen_items/", {"stolen_items": "Later"})
    assert response["Location"] == f"/report/resume/{token}/done/"
    assert Contact.objects.get().answers["stolen_items"] != "Later"


def test_no_ip_address_or_user_agent_is_stored_anywhere(client):
    browser = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Cairn-Probe-Agent/9.9")
    first = started(browser)
    token = token_from(first)
    for question_id, value in complete_answers(load_forms()["theft"], anonymous=True).items():
        save_answer(draft_for_token(token), question_id, value)
    browser.post(f"/report/resume/{token}/check/", follow=True)
    stored = json.dumps(
        [
            list(Contact.objects.values()),
            list(ReportDraft.objects.values()),
            list(AuditEvent.objects.values()),
            list(DomainEvent.objects.values()),
        ],
        default=str,
    )
    assert "203.0.113.77" not in stored
    assert "Cairn-Probe-Agent" not in stored


def test_a_file_can_be_added_listed_and_removed(client, media):
    url = started(client).replace("stolen_items", "evidence")
    token = token_from(url)
    photo = SimpleUploadedFile("bike.png", evidence_files.png(), content_type="image/png")
    response = client.post(url, {"evidence": photo, "action": "upload"})
    assert response["Location"] == url
    html = page(client.get(url))
    assert "bike.png" in html
    assert "Photos can reveal where they were taken" in html
    evidence = Evidence.objects.get()
    client.post(f"/report/resume/{token}/evidence/remove/", {"file": evidence.pk})
    assert not Evidence.objects.exists()


def test_a_refused_file_shows_why_as_the_error(client, media):
    url = started(client).replace("stolen_items", "evidence")
    junk = SimpleUploadedFile("notes.txt", b"just some text", content_type="text/plain")
    html = page(client.post(url, {"evidence": junk, "action": "upload"}))
    assert 'class="ds_error-summary"' in html
    assert "We cannot accept this type of file" in html
    assert not Evidence.objects.exists()


def test_sending_attaches_the_files_to_the_contact(client, media):
    _draft, token = answered_draft()
    photo = SimpleUploadedFile("bike.png", evidence_files.png(), content_type="image/png")
    client.post(f"/report/resume/{token}/evidence/", {"evidence": photo, "action": "upload"})
    assert "bike.png" in page(client.get(f"/report/resume/{token}/check/"))
    client.post(f"/report/resume/{token}/check/")
    assert Evidence.objects.get().contact == Contact.objects.get()
