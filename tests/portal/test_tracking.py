import pytest

from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent
from cairn.contacts.services import ContactSubmission, receive_contact

NARRATIVE = "My bike was taken from the shed at 14 Leith Walk."


@pytest.fixture
def receipt(db):
    with acting_as("web"):
        return receive_contact(
            ContactSubmission(channel="web_form", narrative=NARRATIVE, reporter_name="Sam Reporter")
        )


def track(client, reference, code, **extra):
    return client.post("/track/", {"reference": reference, "code": code}, **extra)


def test_the_right_code_shows_the_status_in_plain_words(client, receipt):
    response = track(client, receipt.contact.reference, receipt.tracking_secret, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "We have your report" in page
    assert receipt.contact.reference in page


def test_the_status_page_shows_nothing_sensitive(client, receipt):
    page = track(
        client, receipt.contact.reference, receipt.tracking_secret, follow=True
    ).content.decode()
    assert "Leith Walk" not in page
    assert "Sam Reporter" not in page


def test_the_code_is_forgiving_about_case_spaces_and_dashes(client, receipt):
    sloppy = receipt.tracking_secret.lower().replace("-", " ")
    response = track(client, receipt.contact.reference.lower(), sloppy)
    assert response.status_code == 302


def test_a_wrong_code_gets_the_same_answer_as_an_unknown_reference(client, receipt):
    wrong = track(client, receipt.contact.reference, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG")
    unknown = track(client, "CRN-000000-99999", receipt.tracking_secret)
    assert wrong.status_code == unknown.status_code == 400
    assert "do not match" in wrong.content.decode()
    assert "do not match" in unknown.content.decode()


def test_the_status_page_needs_the_code_first(client, receipt):
    response = client.get(f"/track/{receipt.contact.reference}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/track/?reference=")


def test_guessing_codes_for_one_reference_is_stopped(client, receipt):
    for attempt in range(10):
        track(client, receipt.contact.reference, f"WRONG{attempt}", REMOTE_ADDR=f"10.0.0.{attempt}")
    response = track(
        client, receipt.contact.reference, receipt.tracking_secret, REMOTE_ADDR="10.0.1.1"
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_one_client_guessing_many_references_is_stopped(client, receipt):
    for attempt in range(20):
        track(client, f"CRN-000000-{attempt:05d}", "WRONG")
    response = track(client, receipt.contact.reference, receipt.tracking_secret)
    assert response.status_code == 429


def test_viewing_the_status_is_audited(client, receipt):
    track(client, receipt.contact.reference, receipt.tracking_secret, follow=True)
    event = AuditEvent.objects.get(operation="consultation", object_type="contact")
    assert event.object_id == str(receipt.contact.pk)
    assert event.fields == ["status"]


def test_the_tracking_page_is_translated(client, receipt):
    response = client.get("/gd/track/")
    assert response.status_code == 200
    assert 'lang="gd"' in response.content.decode()


def test_the_public_updates_of_the_case_show_and_the_internal_ones_do_not(client, receipt):
    from cairn.accounts.roles import Role
    from cairn.cases.services import add_update, open_case
    from tests.conftest import make_staff

    officer = make_staff("resolver", Role.RESOLUTION_OFFICER, last_name="Baird")
    with acting_as("web", user=officer):
        case = open_case(receipt.contact, category="crime.theft", actor=officer)
        add_update(
            case, text="We have checked the CCTV near your shed.", public=True, actor=officer
        )
        add_update(case, text="Suspect known to us: see intel log.", public=False, actor=officer)
    page = track(
        client, receipt.contact.reference, receipt.tracking_secret, follow=True
    ).content.decode()
    assert "We have checked the CCTV near your shed." in page
    assert "Suspect known to us" not in page
    assert "Baird" not in page
    assert "There are no updates yet." not in page


def test_a_signed_link_from_a_message_opens_the_page_and_drops_the_token(client, db):
    from cairn.contacts.tracking_links import tracking_link
    from tests.cases.conftest import new_contact

    contact = new_contact()
    link = tracking_link(contact)
    path = link.split("127.0.0.1:8000", 1)[1] if "127.0.0.1:8000" in link else link

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/track/{contact.reference}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert contact.reference in page.content.decode()


def test_a_link_for_another_report_does_not_open_this_one(client, db):
    from cairn.contacts.tracking_links import tracking_token
    from tests.cases.conftest import new_contact

    mine, theirs = new_contact(), new_contact()

    response = client.get(f"/track/{theirs.reference}/", {"t": tracking_token(mine)})

    assert response.status_code == 302
    assert response["Location"].startswith("/track/?reference=")
