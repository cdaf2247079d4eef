"""The queue and triage pages over HTTP: who may see them, what is audited, forms keep input."""

import pytest
from django.test import Client

from cairn.accounts.roles import Role
from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent, Operation
from cairn.contacts.models import Contact, Status
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.triage import decisions, services
from cairn.triage.models import THRIVE_DIMENSIONS, Assessment, Claim, Cue, Decision
from cairn.triage.policy import current_policy
from cairn.triage.queries import suggestion_for
from tests.conftest import make_staff
from tests.support import body

pytestmark = pytest.mark.django_db

QUEUE = "/staff/queue/"


def new_contact(narrative: str = "Someone keyed my car on Leith Walk last night.") -> Contact:
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(
                channel="web_form",
                narrative=narrative,
                reporter_name="Robin Hay",
                reporter_email="robin.hay@example.org",
            )
        )
    return Contact.objects.get(pk=receipt.contact_id)


def page(contact: Contact, action: str = "") -> str:
    return f"{QUEUE}{contact.pk}/{action + '/' if action else ''}"


def thrive_post(**changes) -> dict[str, str]:
    data = {}
    for dimension in THRIVE_DIMENSIONS:
        data[f"thrive-{dimension}"] = "medium"
        data[f"thrive-{dimension}_note"] = f"{dimension} noted"
    data["thrive-rationale"] = "Property damage, no one at risk."
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def contact(db):
    return new_contact()


@pytest.fixture
def handler(advisor, signed_in):
    return signed_in(advisor)


def claimed_and_assessed(contact, user):
    services.claim_contact(contact, user)
    services.assess_contact(
        contact,
        user,
        {
            name: value
            for dimension in THRIVE_DIMENSIONS
            for name, value in ((dimension, "low"), (f"{dimension}_note", "noted"))
        },
        "Low all round.",
    )


def other_response(contact) -> str:
    suggestion = suggestion_for(contact)
    for code, pathway in current_policy().pathways.items():
        if pathway.grade != suggestion.grade:
            return f"{pathway.grade}:{code}"
    raise AssertionError("the policy has one grade only")


# Who may see them --------------------------------------------------------------------------


@pytest.mark.parametrize("path", [QUEUE, f"{QUEUE}table/", f"{QUEUE}1/"])
def test_anonymous_visitors_are_sent_to_sign_in(path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")


@pytest.mark.parametrize("role", [Role.PARTNER_USER, Role.ANALYST])
def test_partners_and_analysts_are_refused_and_the_refusal_is_audited(role, contact, signed_in):
    client = signed_in(make_staff("someone", role))
    for path in (QUEUE, f"{QUEUE}table/", page(contact)):
        assert client.get(path).status_code == 403
    assert client.post(page(contact, "claim")).status_code == 403
    assert not Claim.objects.exists()
    denied = AuditEvent.objects.filter(operation=Operation.ACCESS_DENIED, object_type="triage")
    assert denied.count() == 4
    assert not AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, object_type="contact"
    ).exists()


def test_the_home_page_links_to_the_queue_for_handlers_only(advisor, analyst, signed_in):
    assert 'href="/staff/queue/"' in body(signed_in(advisor).get("/staff/"))
    assert 'href="/staff/queue/"' not in body(signed_in(analyst).get("/staff/"))


# The queue ---------------------------------------------------------------------------------


def test_the_queue_lists_the_contact_with_a_claim_button_and_a_refresh_link(handler, contact):
    response = handler.get(QUEUE)
    html = body(response)
    assert response.status_code == 200
    assert contact.reference in html
    assert f'action="{page(contact, "claim")}"' in html
    assert "Refresh the queue" in html
    assert 'id="queue-live"' in html
    assert 'data-queue-table-url="/staff/queue/table/"' in html
    assert "Leith Walk" not in html  # no narrative in the queue


def test_the_table_alone_is_served_with_the_same_filters(handler, contact):
    response = handler.get(f"{QUEUE}table/?channel=phone_999")
    assert response.status_code == 200
    html = body(response)
    assert "<html" not in html
    assert contact.reference not in html
    assert contact.reference in body(handler.get(f"{QUEUE}table/?channel=web_form"))


def test_a_filter_keeps_its_value_in_the_form_and_the_table_url(handler, contact):
    html = body(handler.get(f"{QUEUE}?channel=web_form"))
    assert '<option value="web_form" selected>' in html
    assert 'data-queue-table-url="/staff/queue/table/?channel=web_form"' in html


def test_claiming_from_the_queue_opens_the_triage_page(handler, contact, advisor):
    response = handler.post(page(contact, "claim"))
    assert response.status_code == 302
    assert response["Location"] == page(contact)
    assert Claim.objects.get(contact=contact).handler == advisor


def test_a_second_claimer_is_told_who_has_it(contact, advisor, signed_in):
    services.claim_contact(contact, advisor)
    other = signed_in(make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR))
    response = other.post(page(contact, "claim"), follow=True)
    assert "already being assessed by Advisor" in body(response)
    assert Claim.objects.get(contact=contact).handler == advisor


def test_claim_is_post_only(handler, contact):
    assert handler.get(page(contact, "claim")).status_code == 405


# The triage page ---------------------------------------------------------------------------


def test_reading_the_triage_page_is_audited_as_a_consultation(handler, contact, advisor):
    html = body(handler.get(page(contact)))
    assert "Leith Walk" in html
    assert "robin.hay@example.org" in html
    audit = AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, object_type="contact", object_id=str(contact.pk)
    )
    assert audit.count() >= 1
    assert {"narrative", "reporter_email"} <= set(audit.first().fields)
    assert audit.first().actor_username == "advisor"


def test_someone_else_sees_the_contact_read_only_with_who_has_it(contact, advisor, signed_in):
    services.claim_contact(contact, advisor)
    other = signed_in(make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR))
    html = body(other.get(page(contact)))
    assert "Advisor is assessing this contact" in html
    assert 'action="' + page(contact, "assess") not in html
    response = other.post(page(contact, "assess"), thrive_post(), follow=True)
    assert "already being assessed by Advisor" in body(response)
    assert not Assessment.objects.exists()


def test_an_incomplete_assessment_shows_errors_and_keeps_what_was_typed(handler, contact):
    handler.post(page(contact, "claim"))
    response = handler.post(
        page(contact, "assess"),
        thrive_post(**{"thrive-harm": None, "thrive-risk_note": "", "thrive-threat": "high"}),
    )
    html = body(response)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_thrive-harm_0">Choose a level for Harm' in html
    assert 'href="#id_thrive-risk_note">Write a note for Risk' in html
    assert "Property damage, no one at risk." in html  # the rationale kept
    assert 'value="high" class="ds_radio__input" id="id_thrive-threat_2" checked' in html
    assert "<title>Error:" in html
    assert not Assessment.objects.exists()


def test_a_complete_assessment_is_saved_and_the_suggestion_shown(handler, contact):
    handler.post(page(contact, "claim"))
    response = handler.post(page(contact, "assess"), thrive_post())
    assert response.status_code == 302
    assert Assessment.objects.get().version == 1
    html = body(handler.get(page(contact)))
    suggestion = suggestion_for(contact)
    assert suggestion.explanation in html
    assert f'value="{suggestion.grade}:{suggestion.pathway}"' in html


def test_an_override_without_a_rationale_is_refused_with_a_clear_message(handler, contact, advisor):
    claimed_and_assessed(contact, advisor)
    choice = other_response(contact)
    response = handler.post(
        page(contact, "decide"), {"decision-response": choice, "decision-rationale": ""}
    )
    html = body(response)
    assert response.status_code == 200
    assert "give a rationale for choosing differently" in html
    assert f'value="{choice}" class="ds_radio__input"' in html
    assert "checked" in html.split(f'value="{choice}"')[1].split(">")[0]
    assert not Decision.objects.exists()


def test_a_decision_with_a_rationale_shows_the_next_step_and_leaves_the_queue(
    handler, contact, advisor
):
    claimed_and_assessed(contact, advisor)
    response = handler.post(
        page(contact, "decide"),
        {"decision-response": other_response(contact), "decision-rationale": "Known offender."},
    )
    assert response.status_code == 302
    html = body(handler.get(page(contact)))
    decision = Decision.objects.get()
    assert decision.next_step.get_kind_display() in html
    assert "Known offender." in html
    contact.refresh_from_db()
    assert contact.status == Status.ASSESSED
    assert contact.reference not in body(handler.get(QUEUE))


def test_a_cue_needs_a_note_to_be_dismissed_on_the_page(handler, advisor):
    contact = new_contact("He said he has a knife in his bag.")
    handler.post(page(contact, "claim"))
    cue = Cue.objects.get(contact=contact, kind="weapon")
    response = handler.post(page(contact, f"cues/{cue.pk}/dismiss"), {f"cue-{cue.pk}-note": " "})
    assert response.status_code == 200
    assert "Say why you are dismissing this cue" in body(response)
    response = handler.post(
        page(contact, f"cues/{cue.pk}/dismiss"), {f"cue-{cue.pk}-note": "A toy knife."}
    )
    assert response.status_code == 302
    cue.refresh_from_db()
    assert cue.dismissal_note == "A toy knife."


def test_a_regrade_without_a_rationale_keeps_the_choice(handler, contact, advisor):
    claimed_and_assessed(contact, advisor)
    suggestion = suggestion_for(contact)
    decisions.decide(contact, advisor, suggestion.grade, suggestion.pathway)
    choice = other_response(contact)
    response = handler.post(
        page(contact, "regrade"), {"regrade-response": choice, "regrade-rationale": ""}
    )
    html = body(response)
    assert "Give a rationale for changing the decision" in html
    assert "checked" in html.split(f'value="{choice}"')[-1].split(">")[0]
    assert Decision.objects.count() == 1
    response = handler.post(
        page(contact, "regrade"), {"regrade-response": choice, "regrade-rationale": "Rang back."}
    )
    assert response.status_code == 302
    assert Decision.objects.count() == 2
    assert "Rang back." in body(handler.get(page(contact)))
