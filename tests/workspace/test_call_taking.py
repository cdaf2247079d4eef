"""The call-taking page: who may use it, what it refuses, one contact per submit."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.accounts.roles import Role
from cairn.audit.models import AuditEvent, Operation
from cairn.contacts.call_services import CallEventReport, record_call_event
from cairn.contacts.models import Call, Contact
from tests.conftest import make_staff
from tests.support import body

pytestmark = pytest.mark.django_db

NEW = "/staff/calls/new/"


def a_call(**change) -> dict:
    return {
        "line": "999",
        "caller_number": "0131 496 0123",
        "caller_name": "Jo Bloggs",
        "address_text": "12 Leith Walk, Edinburgh",
        "postcode": "EH6 8RY",
        "narrative": "Two men are fighting outside the bar.",
        "category": "crime",
        "submission_id": str(uuid.uuid4()),
        **change,
    }


@pytest.fixture
def controlroom(db):
    return make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR)


@pytest.fixture
def resolution(db):
    return make_staff("resolution", Role.RESOLUTION_OFFICER)


@pytest.mark.parametrize("persona", ["advisor", "controlroom", "supervisor"])
def test_call_handlers_and_supervisors_may_take_calls(signed_in, request, persona):
    response = signed_in(request.getfixturevalue(persona)).get(NEW)
    assert response.status_code == 200
    assert "Take a call" in body(response)


@pytest.mark.parametrize("persona", ["analyst", "administrator", "resolution"])
def test_other_roles_are_refused_and_the_refusal_is_recorded(signed_in, request, persona):
    user = request.getfixturevalue(persona)
    client = signed_in(user)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, a_call()).status_code == 403
    assert not Contact.objects.exists()
    denied = AuditEvent.objects.filter(operation=Operation.ACCESS_DENIED, actor_id=user.pk)
    assert denied.count() == 2
    assert denied.first().object_type == "call_taking"


def test_the_page_needs_a_signed_in_user(client, db):
    response = client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_line_is_101_unless_the_link_says_999(signed_in, advisor):
    client = signed_in(advisor)
    assert client.get(NEW).context["form"]["line"].value() == "101"
    assert client.get(NEW, {"line": "999"}).context["form"]["line"].value() == "999"
    assert client.get(NEW, {"line": "112"}).context["form"]["line"].value() == "101"


def test_the_first_field_has_the_focus(signed_in, advisor):
    page = body(signed_in(advisor).get(NEW))
    assert page.count("autofocus") == 1
    assert 'value="101" checked autofocus' in page
    assert "accesskey" not in page


def test_a_call_makes_one_contact_and_shows_its_reference(signed_in, advisor):
    client = signed_in(advisor)
    response = client.post(NEW, a_call())
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:calls:taken", args=[contact.reference])
    confirmation = client.get(response["Location"])
    assert contact.reference in body(confirmation)
    assert contact.channel == "phone_999"
    assert contact.call.agent == advisor


def test_the_same_form_submitted_twice_makes_one_contact(signed_in, advisor):
    client = signed_in(advisor)
    form = a_call()
    first = client.post(NEW, form)
    second = client.post(NEW, form)
    assert first["Location"] == second["Location"]
    assert Contact.objects.count() == 1
    assert Call.objects.count() == 1


def test_two_calls_make_two_contacts(signed_in, advisor):
    client = signed_in(advisor)
    client.post(NEW, a_call())
    client.post(NEW, a_call())
    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"narrative": ""}, "narrative", "Say what is happening"),
        ({"category": ""}, "category", "Choose what the call is about"),
        ({"line": ""}, "line", "Choose 999 or 101"),
        ({"caller_number": "0131"}, "caller_number", "Enter a real phone number"),
        ({"postcode": "NOT A PC"}, "postcode", "Enter a real postcode"),
        ({"anonymous": "on"}, "caller_name", "Leave the name empty for an anonymous caller"),
    ],
)
def test_an_invalid_call_shows_the_error_and_keeps_what_was_typed(
    signed_in, advisor, change, field, message
):
    response = signed_in(advisor).post(NEW, a_call(**change))
    assert response.status_code == 200
    page = body(response)
    assert "There is a problem" in page
    assert message in page
    assert f'id="id_{field}-error"' in page
    assert 'value="12 Leith Walk, Edinburgh"' in page  # what was typed is still there
    assert not Contact.objects.exists()


def test_the_error_summary_takes_the_focus(signed_in, advisor):
    page = body(signed_in(advisor).post(NEW, a_call(narrative="")))
    assert page.count("autofocus") == 1
    assert 'role="alert" tabindex="-1" autofocus' in page


def test_an_anonymous_caller_without_name_or_number_is_accepted(signed_in, advisor):
    response = signed_in(advisor).post(
        NEW, a_call(anonymous="on", caller_name="", caller_number="")
    )
    assert response.status_code == 302
    assert Contact.objects.get().anonymous


def test_taking_a_call_is_audited(signed_in, advisor):
    signed_in(advisor).post(NEW, a_call())
    contact = Contact.objects.get()
    collections = AuditEvent.objects.filter(operation=Operation.COLLECTION, actor_id=advisor.pk)
    assert {(event.object_type, event.object_id) for event in collections} == {
        ("contact", str(contact.pk)),
        ("call", str(contact.call_id)),
    }


def test_viewing_the_confirmation_is_a_consultation(signed_in, advisor):
    client = signed_in(advisor)
    client.get(client.post(NEW, a_call())["Location"])
    contact = Contact.objects.get()
    consultation = AuditEvent.objects.get(operation=Operation.CONSULTATION)
    assert (consultation.object_type, consultation.object_id, consultation.actor_id) == (
        "contact",
        str(contact.pk),
        advisor.pk,
    )


def test_the_confirmation_of_an_unknown_reference_is_404(signed_in, advisor):
    response = signed_in(advisor).get(reverse("workspace:calls:taken", args=["CRN-000000-0"]))
    assert response.status_code == 404


def test_the_confirmation_offers_the_next_call_on_the_same_line(signed_in, advisor):
    client = signed_in(advisor)
    page = body(client.get(client.post(NEW, a_call(line="999"))["Location"]))
    assert f'href="{NEW}?line=999"' in page
    assert "autofocus" in page


def test_a_telephony_call_fills_in_the_number_and_links_the_contact(signed_in, advisor):
    record_call_event(
        CallEventReport(
            event_id="e1",
            call_id="tel-1",
            kind="offered",
            line="999",
            occurred_at=timezone.now(),
            caller_number="0131 496 0999",
        )
    )
    client = signed_in(advisor)
    form = client.get(NEW, {"call": "tel-1"}).context["form"]
    assert form["caller_number"].value() == "+441314960999"
    assert form["line"].value() == "999"
    consulted = AuditEvent.objects.get(operation=Operation.CONSULTATION, object_type="call")
    assert consulted.fields == ["caller_number"]
    client.post(NEW, a_call(call_id="tel-1", caller_number="+441314960999"))
    assert Contact.objects.get().call.external_id == "tel-1"


def test_a_call_whose_events_have_not_arrived_is_still_linked(signed_in, advisor):
    client = signed_in(advisor)
    form = client.get(NEW, {"call": "tel-2", "line": "999"}).context["form"]
    assert form["call_id"].value() == "tel-2"
    client.post(NEW, a_call(call_id=form["call_id"].value()))
    assert Contact.objects.get().call.external_id == "tel-2"


def test_opening_the_page_takes_few_queries(signed_in, advisor, django_assert_max_num_queries):
    client = signed_in(advisor)
    with django_assert_max_num_queries(6):
        client.get(NEW)


def test_saving_a_call_takes_a_fixed_number_of_queries(
    signed_in, advisor, django_assert_max_num_queries
):
    client = signed_in(advisor)
    client.post(NEW, a_call())  # the first call in a session
    with django_assert_max_num_queries(17):
        client.post(NEW, a_call())


def test_the_callers_date_of_birth_is_kept_and_matches_them_to_their_record(signed_in, advisor):
    from cairn.people.models import MatchOutcome, MatterRole
    from cairn.people.services import match_contact, record_person

    known = record_person(
        given_name="Jo", family_name="Bloggs", date_of_birth="1979-05-14", actor=advisor
    )
    client = signed_in(advisor)
    response = client.post(
        NEW, a_call(caller_number="", caller_date_of_birth="14/05/1979", postcode="")
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.reporter_details == {"date_of_birth": "1979-05-14"}
    assert match_contact(contact.pk).outcome == MatchOutcome.LINKED
    assert MatterRole.objects.get(contact=contact).person == known


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"caller_date_of_birth": "2999-01-01"}, "Enter a real date of birth"),
        ({"caller_date_of_birth": "14/05/1979x"}, "Enter a real date of birth"),
        (
            {
                "caller_date_of_birth": "1979-05-14",
                "anonymous": "on",
                "caller_name": "",
                "caller_number": "",
            },
            "Leave the date of birth empty for an anonymous caller",
        ),
    ],
)
def test_a_bad_date_of_birth_is_refused_and_what_was_typed_stays(
    signed_in, advisor, change, message
):
    response = signed_in(advisor).post(NEW, a_call(**change))
    assert response.status_code == 200
    assert message in body(response)
    assert "Two men are fighting outside the bar." in body(response)
    assert not Contact.objects.exists()
