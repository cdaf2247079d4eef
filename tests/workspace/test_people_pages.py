"""The people pages over HTTP: who may see them, one audit row per read, restricted markers,
merge and undo, the decisions on a contact's possible matches, and a bounded person page."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cairn.accounts.roles import Role
from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent, Operation
from cairn.contacts.models import Contact
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.people.markers import add_marker
from cairn.people.merging import merge_people
from cairn.people.models import (
    Combination,
    ContactMatch,
    LinkMethod,
    Marker,
    MatchOutcome,
    MatterRole,
    Person,
    PossibleMatch,
    Rectification,
)
from cairn.people.services import link_person_to_contact, match_contact, record_person
from tests.conftest import make_staff
from tests.support import body

pytestmark = pytest.mark.django_db

PEOPLE = "/staff/people/"
PHONE = "07700 900123"
SECRET_NOTE = "Lives with the suspect; call only on the mobile."


def person_url(person, action: str = "") -> str:
    return f"{PEOPLE}{person.pk}/{action + '/' if action else ''}"


def new_contact(**changes) -> Contact:
    fields = {
        "channel": "web_form",
        "narrative": "Someone took my bike from the stair.",
        "reporter_name": "Morag MacLeod",
        "reporter_email": "morag.macleod@example.org",
        "reporter_phone": PHONE,
        **changes,
    }
    with acting_as("web"):
        return Contact.objects.get(pk=receive_contact(ContactSubmission(**fields)).contact_id)


def consultations(person) -> int:
    return AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, object_type="person", object_id=str(person.pk)
    ).count()


@pytest.fixture
def handler(advisor, signed_in) -> Client:
    return signed_in(advisor)


@pytest.fixture
def morag(advisor) -> Person:
    with acting_as("web", user=advisor):
        return record_person(
            given_name="Morag",
            family_name="MacLeod",
            date_of_birth="1979-05-14",
            phones=(PHONE,),
            emails=("morag.macleod@example.org",),
            address="12 Leith Walk, Edinburgh",
            postcode="EH6 5DT",
            actor=advisor,
        )


@pytest.fixture
def duplicate(advisor) -> Person:
    with acting_as("web", user=advisor):
        return record_person(
            given_name="Morag",
            family_name="Stewart",
            phones=("0131 496 0500",),
            address="4 Easter Road",
            postcode="EH7 5QL",
            actor=advisor,
        )


def markers_shown(html: str) -> str:
    """The markers section of a person page (the add-marker form lists every kind)."""
    start = html.index('id="markers"')
    return html[start : html.index('id="repeat-contact"', start)].split('id="add-marker"')[0]


def restricted_marker(person, user) -> Marker:
    with acting_as("web", user=user):
        return add_marker(
            person, kind="domestic_abuse_victim", source="Partner referral", note=SECRET_NOTE,
            actor=user,
        )  # fmt: skip


# Who may see them --------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PEOPLE, f"{PEOPLE}1/", f"{PEOPLE}1/subject-access/"])
def test_anonymous_visitors_are_sent_to_sign_in(path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")


@pytest.mark.parametrize("role", [Role.PARTNER_USER, Role.ANALYST, Role.ADMINISTRATOR])
def test_roles_without_people_are_refused_and_the_refusal_is_audited(role, morag, signed_in):
    client = signed_in(make_staff("someone", role))
    pages = [
        f"{PEOPLE}?q=MacLeod",
        person_url(morag),
        person_url(morag, "merge"),
        person_url(morag, "subject-access"),
    ]
    for path in pages:
        assert client.get(path).status_code == 403, path
    marker_post = client.post(person_url(morag, "markers/new"), {"marker-kind": "older_person"})
    assert marker_post.status_code == 403
    assert not Marker.objects.exists()
    denied = AuditEvent.objects.filter(operation=Operation.ACCESS_DENIED, outcome="denied")
    assert denied.count() == len(pages) + 1
    assert consultations(morag) == 0
    assert "You cannot see this page" in body(client.get(person_url(morag)))


def test_a_handler_may_not_open_subject_access_but_a_supervisor_may(
    morag, handler, supervisor, signed_in
):
    assert handler.get(person_url(morag, "subject-access")).status_code == 403
    assert person_url(morag, "subject-access") not in body(handler.get(person_url(morag)))
    response = signed_in(supervisor).get(person_url(morag, "subject-access"))
    assert response.status_code == 200
    assert "Correct the record" in body(response)


def test_the_navigation_links_to_people_for_those_who_may_see_them(advisor, analyst, signed_in):
    assert f'href="{PEOPLE}"' in body(signed_in(advisor).get("/staff/"))
    assert f'href="{PEOPLE}"' not in body(signed_in(analyst).get("/staff/"))


# Search and the person page ----------------------------------------------------------------


def test_search_by_phone_email_or_name_finds_the_record_and_is_audited_without_the_query(
    handler, morag
):
    for query in ("07700900123", "MORAG.MACLEOD@example.org", "morag macleod"):
        html = body(handler.get(PEOPLE, {"q": query}))
        assert f'href="{person_url(morag)}"' in html, query
    searches = AuditEvent.objects.filter(object_type="person_search")
    assert searches.count() == 3
    for event in searches:
        assert (
            "07700" not in json.dumps(event.context)
            and "morag" not in json.dumps(event.context).lower()
        )


def test_an_empty_search_shows_the_error_summary(handler):
    html = body(handler.get(PEOPLE, {"q": ""}))
    assert "There is a problem" in html
    assert 'href="#id_q"' in html
    assert not AuditEvent.objects.filter(object_type="person_search").exists()


def test_one_consultation_per_person_page_view(handler, morag):
    before = consultations(morag)
    response = handler.get(person_url(morag))
    assert response.status_code == 200
    assert consultations(morag) == before + 1
    html = body(response)
    for shown in ("Morag MacLeod", "14 May 1979", "+447700900123", "12 Leith Walk", "EH6 5DT"):
        assert shown in html
    handler.get(person_url(morag))
    assert consultations(morag) == before + 2


def test_the_person_page_shows_markers_roles_repeat_counts_and_history(handler, advisor, morag):
    earlier = new_contact()
    match_contact(earlier.pk)
    later = new_contact(related_reference=earlier.reference)
    match_contact(later.pk)
    with acting_as("web", user=advisor):
        add_marker(morag, kind="violence_warning", source="Officer report", actor=advisor)
        add_marker(morag, kind="older_person", source="Caller", actor=advisor)
    html = body(handler.get(person_url(morag)))
    assert html.index("Violent towards others") < html.index("Who they are")  # markers first
    assert "ds_tag--red" in html and "ds_tag--purple" in html  # risk and vulnerability differ
    assert "2 contacts in the last 90 days, 1 about an earlier report" in html
    assert earlier.reference in html and later.reference in html
    assert "Matched automatically" in html
    assert "same phone number" in html or "same email" in html
    assert "Contact received" in html  # the timeline


def test_a_missing_person_is_not_found(handler):
    assert handler.get(f"{PEOPLE}999999/").status_code == 404


def test_the_person_page_reads_a_bounded_number_of_queries(
    handler, advisor, morag, django_assert_max_num_queries
):
    for number in range(8):
        contact = new_contact(narrative=f"Report {number}")
        with acting_as("web", user=advisor):
            if not MatterRole.objects.filter(contact=contact).exists():
                link_person_to_contact(contact, morag, role="witness", actor=advisor)
            add_marker(morag, kind="older_person", source=f"Source {number}", actor=advisor)
    restricted_marker(morag, advisor)
    handler.get(person_url(morag))  # warm the session and caches
    with django_assert_max_num_queries(20):
        response = handler.get(person_url(morag))
    assert response.status_code == 200


# Restricted markers ------------------------------------------------------------------------


def test_a_restricted_marker_is_hidden_until_a_purpose_is_given(handler, advisor, morag):
    marker = restricted_marker(morag, advisor)
    html = markers_shown(body(handler.get(person_url(morag))))
    assert "Restricted marker" in html
    assert "Domestic abuse victim" not in html and SECRET_NOTE not in body(
        handler.get(person_url(morag))
    )
    assert "Why do you need to see this?" in html

    reveal = person_url(morag, f"markers/{marker.pk}/reveal")
    refused = handler.post(reveal, {f"reveal-{marker.pk}-purpose": ""})
    assert refused.status_code == 200
    assert "Say why you need to see this marker" in body(refused)
    assert SECRET_NOTE not in body(refused)

    shown = handler.post(reveal, {f"reveal-{marker.pk}-purpose": "Planning a safe call back"})
    assert "Domestic abuse victim" in markers_shown(body(shown)) and SECRET_NOTE in body(shown)
    audit = AuditEvent.objects.get(fields=["markers.restricted"])
    assert audit.purpose == "Planning a safe call back"
    assert audit.object_id == str(morag.pk) and audit.context["marker"] == marker.pk

    again = body(handler.get(person_url(morag)))  # on that response only
    assert SECRET_NOTE not in again and "Restricted marker" in markers_shown(again)
    assert "Domestic abuse victim" not in markers_shown(again)


# Markers -----------------------------------------------------------------------------------


def test_adding_a_marker_keeps_what_was_typed_on_an_error_and_defaults_restricted(handler, morag):
    url = person_url(morag, "markers/new")
    refused = handler.post(url, {"marker-kind": "mental_health_crisis", "marker-note": "In crisis"})
    html = body(refused)
    assert refused.status_code == 200
    assert "There is a problem" in html and 'href="#id_marker-source"' in html
    assert "In crisis</textarea>" in html
    assert '<option value="mental_health_crisis" selected>' in html
    assert not Marker.objects.exists()

    done = handler.post(
        url, {"marker-kind": "mental_health_crisis", "marker-source": "Ambulance service"}
    )
    assert done.status_code == 302
    marker = Marker.objects.get()
    assert marker.restricted  # the kind's default
    assert marker.added_by.username == "advisor"


def test_a_marker_in_the_past_is_refused_by_the_service_on_the_field(handler, morag):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = handler.post(
        person_url(morag, "markers/new"),
        {
            "marker-kind": "older_person",
            "marker-source": "Caller",
            "marker-restricted": "no",
            "marker-review_on": yesterday,
        },
    )
    assert "The review date must be in the future" in body(response)
    assert 'href="#id_marker-review_on"' in body(response)
    assert not Marker.objects.exists()


def test_reviewing_a_marker_keeps_or_withdraws_it(handler, advisor, morag):
    with acting_as("web", user=advisor):
        marker = add_marker(morag, kind="older_person", source="Caller", actor=advisor)
    url = person_url(morag, f"markers/{marker.pk}/review")
    refused = handler.post(url, {f"review-{marker.pk}-decision": "withdraw"})
    assert "Say why the marker is withdrawn" in body(refused)
    next_review = (timezone.localdate() + timedelta(days=30)).isoformat()
    kept = handler.post(
        url,
        {f"review-{marker.pk}-decision": "keep", f"review-{marker.pk}-next_review_on": next_review},
    )
    assert kept.status_code == 302
    marker.refresh_from_db()
    assert marker.review_on.isoformat() == next_review
    handler.post(
        url, {f"review-{marker.pk}-decision": "withdraw", f"review-{marker.pk}-note": "Moved away"}
    )
    marker.refresh_from_db()
    assert marker.status == Marker.Status.WITHDRAWN


# Merge and undo ----------------------------------------------------------------------------


def test_merge_and_undo_through_the_pages(handler, morag, duplicate):
    found = body(handler.get(person_url(morag, "merge"), {"q": "Morag Stewart"}))
    compare = person_url(morag, f"merge/{duplicate.pk}")
    assert f'href="{compare}"' in found
    assert f'href="{person_url(morag, f"merge/{morag.pk}")}"' not in found  # never itself

    page = body(handler.get(compare))
    assert "Morag Stewart" in page and "Morag MacLeod" in page and "EH7 5QL" in page

    refused = handler.post(compare, {"reason": ""})
    assert "Say why these are the same person" in body(refused)
    assert not Combination.objects.exists()

    merged = handler.post(compare, {"reason": "Same person after marriage"}, follow=True)
    assert merged.redirect_chain[-1][0] == person_url(morag)
    html = body(merged)
    assert "Records merged" in html and "Undo merge" in html and "Stewart" in html
    duplicate.refresh_from_db()
    assert duplicate.merged_into == morag
    absorbed_page = body(handler.get(person_url(duplicate)))
    assert "This record was merged into" in absorbed_page
    assert f'href="{person_url(morag)}"' in absorbed_page

    combination = Combination.objects.get()
    undo = person_url(morag, f"merges/{combination.pk}/undo")
    refused = handler.post(undo, {f"undo-{combination.pk}-reason": ""})
    assert "Say why these are not the same person" in body(refused)
    undone = handler.post(undo, {f"undo-{combination.pk}-reason": "Two different women"})
    assert undone.status_code == 302
    duplicate.refresh_from_db()
    combination.refresh_from_db()
    assert duplicate.merged_into is None and combination.undone_at is not None
    assert duplicate.identifiers.filter(value="+441314960500").exists()


def test_a_merged_record_cannot_be_merged_again(handler, advisor, morag, duplicate):
    merge_people(morag, duplicate, actor=advisor, reason="Same")
    page = handler.get(person_url(duplicate, f"merge/{morag.pk}"))
    assert "already been merged" in body(page)
    response = handler.post(person_url(duplicate, f"merge/{morag.pk}"), {"reason": "Again"})
    assert response.status_code == 200
    assert Combination.objects.count() == 1


# The people on a contact -------------------------------------------------------------------


@pytest.fixture
def twins(advisor) -> tuple[Person, Person]:
    """Two records that fit a contact equally well: the matcher leaves them to the handler."""
    with acting_as("web", user=advisor):
        return tuple(
            record_person(given_name="Ailsa", family_name="Grant", phones=("0131 496 0999",),
                          actor=advisor)
            for _ in range(2)
        )  # fmt: skip


def contact_from_twins() -> Contact:
    contact = new_contact(
        reporter_name="Ailsa Grant", reporter_email="", reporter_phone="0131 496 0999"
    )
    assert match_contact(contact.pk).outcome == MatchOutcome.POSSIBLE
    return contact


def triage_page(contact) -> str:
    return f"/staff/queue/{contact.pk}/"


def test_the_triage_page_matches_an_unmatched_contact_and_shows_the_person(handler, advisor, morag):
    with acting_as("web", user=advisor):
        add_marker(morag, kind="violence_warning", source="Officer report", actor=advisor)
    contact = new_contact()
    assert not ContactMatch.objects.filter(contact=contact).exists()
    html = body(handler.get(triage_page(contact)))
    assert ContactMatch.objects.get(contact=contact).outcome == MatchOutcome.LINKED
    panel = html[html.index('id="people"') :]
    assert "Morag MacLeod" in panel and "Violent towards others" in panel
    assert "1 contact in the last 90 days" in panel
    assert f'href="{person_url(morag)}"' in panel
    assert AuditEvent.objects.filter(
        operation=Operation.CONSULTATION,
        object_type="person",
        object_id=str(morag.pk),
        context__contact=contact.pk,
    ).exists()


def test_a_possible_match_is_accepted_or_rejected_from_the_contact(handler, twins):
    first, second = twins
    contact = contact_from_twins()
    html = body(handler.get(triage_page(contact)))
    assert "Possible matches" in html and "This is them" in html and "Not this person" in html
    first_match = PossibleMatch.objects.get(contact=contact, person=first)
    second_match = PossibleMatch.objects.get(contact=contact, person=second)

    base = f"{PEOPLE}contacts/{contact.pk}/possible/"
    rejected = handler.post(f"{base}{second_match.pk}/reject/")
    assert rejected.status_code == 302 and rejected["Location"].endswith("#people")
    accepted = handler.post(f"{base}{first_match.pk}/accept/")
    assert accepted.status_code == 302
    second_match.refresh_from_db()
    first_match.refresh_from_db()
    assert second_match.status == PossibleMatch.Status.REJECTED
    assert first_match.status == PossibleMatch.Status.ACCEPTED
    role = MatterRole.objects.get(contact=contact)
    assert (role.person, role.role, role.method) == (first, "reporter", LinkMethod.MANUAL)
    assert "Possible matches" not in body(handler.get(triage_page(contact)))
    stale = handler.post(f"{base}{second_match.pk}/accept/", follow=True)  # an old page
    assert "already decided" in body(stale)
    assert MatterRole.objects.filter(contact=contact).count() == 1


def test_none_of_these_makes_a_new_person(handler, twins):
    contact = contact_from_twins()
    response = handler.post(f"{PEOPLE}contacts/{contact.pk}/new-person/")
    assert response.status_code == 302
    role = MatterRole.objects.get(contact=contact)
    assert role.person not in twins
    assert not PossibleMatch.objects.filter(status=PossibleMatch.Status.OPEN).exists()


def test_linking_another_person_with_a_role_keeps_the_choice_on_an_error(handler, morag, duplicate):
    contact = new_contact(reporter_name="", reporter_email="", reporter_phone="", anonymous=True)
    url = f"{PEOPLE}contacts/{contact.pk}/link/"
    found = body(handler.get(url, {"q": "Morag Stewart"}))
    assert f'value="{duplicate.pk}"' in found
    refused = handler.post(url, {"q": "Morag Stewart", "person": duplicate.pk})
    html = body(refused)
    assert "Choose the person&#x27;s role" in html or "Choose the person's role" in html
    assert f'value="{duplicate.pk}" checked' in html
    linked = handler.post(url, {"q": "Morag Stewart", "person": duplicate.pk, "role": "witness"})
    assert linked.status_code == 302
    assert MatterRole.objects.get(contact=contact, person=duplicate).role == "witness"


def test_unlinking_needs_a_reason_and_keeps_the_history(handler, morag):
    contact = new_contact()
    match_contact(contact.pk)
    role = MatterRole.objects.get(contact=contact)
    url = f"{PEOPLE}contacts/{contact.pk}/roles/{role.pk}/unlink/"
    page = body(handler.get(url))
    assert "Morag MacLeod" in page and "reporter" in page
    refused = handler.post(url, {"reason": ""})
    assert "Say why this person is not linked to the contact" in body(refused)
    done = handler.post(url, {"reason": "Wrong Morag: the caller is her daughter"})
    assert done.status_code == 302
    role.refresh_from_db()
    assert role.ended_at is not None and role.end_reason.startswith("Wrong Morag")
    assert handler.get(url).status_code == 404  # already unlinked


# Subject access ----------------------------------------------------------------------------


@pytest.fixture
def disclosure_officer(supervisor, signed_in) -> Client:
    return signed_in(supervisor)


def test_subject_access_shows_and_downloads_the_export_with_restricted_items_withheld(
    disclosure_officer, advisor, morag
):
    restricted_marker(morag, advisor)
    page = body(disclosure_officer.get(person_url(morag, "subject-access")))
    assert "Morag" in page and "1 item is withheld" in page
    assert SECRET_NOTE not in page
    download = disclosure_officer.get(person_url(morag, "subject-access") + "export.json")
    assert download["Content-Disposition"].startswith("attachment;")
    export = json.loads(download.content)
    assert export["person"]["given_name"] == "Morag" and export["withheld_items"] == 1
    html = disclosure_officer.get(person_url(morag, "subject-access") + "export.html")
    assert html["Content-Type"].startswith("text/html") and b"MacLeod" in html.content
    exports = AuditEvent.objects.filter(object_id=str(morag.pk), fields=["subject_access_export"])
    assert exports.count() == 3


def test_rectification_keeps_the_old_value_and_shows_errors_on_the_fields(
    disclosure_officer, morag
):
    url = person_url(morag, "subject-access/rectify")
    refused = disclosure_officer.post(url, {"field": "date_of_birth", "value": "14/05/1979"})
    html = body(refused)
    assert "Say why the record is being corrected" in html
    assert 'value="14/05/1979"' in html
    refused = disclosure_officer.post(
        url, {"field": "date_of_birth", "value": "14/05/1979", "reason": "Typo"}
    )
    assert "Enter the date as YYYY-MM-DD" in body(refused)
    done = disclosure_officer.post(
        url, {"field": "date_of_birth", "value": "1979-05-15", "reason": "Birth certificate"}
    )
    assert done.status_code == 302
    change = Rectification.objects.get()
    assert (change.old_value, change.new_value) == ("1979-05-14", "1979-05-15")
    person_page = body(disclosure_officer.get(person_url(morag)))
    assert "Birth certificate" in person_page and "1979-05-14" in person_page


def test_preferences_are_recorded_from_the_person_page(handler, morag):
    response = handler.post(
        person_url(morag, "preferences"),
        {
            "preferences-preferred_language": "gd",
            "preferences-access_needs": ["bsl", "easy_read"],
            "preferences-preferred_channel": "sms",
            "preferences-preferred_times": "Weekday evenings",
            "preferences-consents_to_updates": "on",
        },
    )
    assert response.status_code == 302
    morag.refresh_from_db()
    assert morag.preferred_language == "gd"
    assert morag.access_needs == ["bsl", "easy_read"]
    assert morag.consents_to_updates and morag.consent_recorded_at
    page = handler.get(person_url(morag)).content.decode()
    assert "British Sign Language" in page


def test_an_interpreter_needs_a_language_and_what_was_typed_stays(handler, morag):
    response = handler.post(
        person_url(morag, "preferences"),
        {"preferences-access_needs": ["interpreter"], "preferences-preferred_times": "Mornings"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say which language the interpreter is for" in page
    assert 'value="Mornings"' in page
    morag.refresh_from_db()
    assert morag.access_needs == []
