"""Email: a raw RFC 5322 message into a contact."""

import hashlib
from email.message import EmailMessage

import pytest

from cairn.contacts.channels.base import InboundRejected, Rejection
from cairn.contacts.channels.email.html import html_to_text
from cairn.contacts.channels.email.inbound import parse
from cairn.contacts.models import Contact, InboundMessage
from tests.contacts.channels.conftest import jpeg_bytes, multipart_email, post

RFC822 = "message/rfc822"


def simple_email(**headers) -> bytes:
    message = EmailMessage()
    for name, value in {"From": "jo@example.org", "Subject": "Noise", **headers}.items():
        if value is not None:
            message[name.replace("_", "-")] = value
    message.set_content("Loud music every night at number 4.")
    return message.as_bytes()


def test_plain_text_wins_over_the_html_alternative():
    parsed = parse(multipart_email(), RFC822)
    submission = parsed.submission
    assert parsed.provider_message_id == "<a1b2c3@mail.example.org>"
    assert submission.reporter_email == "jo.bloggs@example.org"
    assert submission.reporter_name == "Jo Bloggs"
    assert submission.narrative == (
        "Car window smashed on Leith Walk\n\n"
        "Someone smashed my car window last night.\nPhoto attached."
    )
    assert submission.answers["email_body_format"] == "plain"
    assert parsed.reply_to == "jo.bloggs@example.org"


def test_attachments_are_listed_with_their_detected_type_and_hash():
    parsed = parse(multipart_email(), RFC822)
    jpeg = jpeg_bytes()
    assert [item.name for item in parsed.attachments] == ["window.jpg"]
    assert parsed.submission.answers["attachments"] == [
        {
            "name": "window.jpg",
            "content_type": "image/jpeg",
            "detected_type": "image/jpeg",
            "size": len(jpeg),
            "sha256": hashlib.sha256(jpeg).hexdigest(),
        }
    ]
    assert parsed.submission.answers["attachment_count"] == 1


def test_an_attachment_is_typed_by_its_bytes_not_its_name():
    message = EmailMessage()
    message["From"] = "jo@example.org"
    message.set_content("See attached")
    message.add_attachment(
        b"MZ\x90\x00binary", maintype="image", subtype="jpeg", filename="../../etc/photo.jpg"
    )
    (listed,) = parse(message.as_bytes(), RFC822).submission.answers["attachments"]
    assert listed["name"] == "photo.jpg"
    assert listed["content_type"] == "image/jpeg"
    assert listed["detected_type"] != "image/jpeg"


def test_an_html_only_email_is_read_as_text():
    message = EmailMessage()
    message["From"] = "jo@example.org"
    message["Subject"] = "Bike stolen"
    message.set_content(
        "<p>My bike was taken from <b>outside</b> the library &amp; the lock cut.</p>"
        "<script>alert('x')</script><p>Blue frame</p>",
        subtype="html",
    )
    submission = parse(message.as_bytes(), RFC822).submission
    assert submission.narrative == (
        "Bike stolen\n\nMy bike was taken from outside the library & the lock cut.\n\nBlue frame"
    )
    assert submission.answers["email_body_format"] == "html"


def test_a_latin1_email_is_decoded_by_its_charset():
    raw = (
        b"From: jo@example.org\r\nSubject: =?iso-8859-1?q?Caf=E9?=\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\nLe caf\xe9 est ferm\xe9.\r\n"
    )
    assert parse(raw, RFC822).submission.narrative == "Café\n\nLe café est fermé."


def test_an_unknown_charset_still_reads():
    raw = b"From: jo@example.org\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\nHello\r\n"
    assert parse(raw, RFC822).submission.narrative == "Hello"


def test_without_a_message_id_the_content_hash_stands_in():
    raw = simple_email()
    assert parse(raw, RFC822).provider_message_id == f"sha256:{hashlib.sha256(raw).hexdigest()}"


@pytest.mark.parametrize(
    ("raw", "field", "kind"),
    [
        (simple_email(From=None), "from", Rejection.INVALID),
        (simple_email(From="not an address"), "from", Rejection.INVALID),
        (simple_email(Message_ID="<" + "x" * 300 + "@a>"), "message_id", Rejection.INVALID),
        (b"From: jo@example.org\r\n\r\nhello\x00", "body", Rejection.MALFORMED),
        (b"just some bytes", "body", Rejection.MALFORMED),
        (b"", "body", Rejection.MALFORMED),
        (b"From: jo@example.org\r\nSubject: \r\n\r\n   \r\n", "body", Rejection.INVALID),
    ],
)
def test_malformed_email_is_rejected_naming_the_field(raw, field, kind):
    with pytest.raises(InboundRejected) as caught:
        parse(raw, RFC822)
    assert (caught.value.field, caught.value.kind) == (field, kind)


def test_too_many_parts_are_refused_before_parsing():
    part = b"--b\r\nContent-Type: image/png\r\n\r\nx\r\n"
    raw = b"From: jo@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    with pytest.raises(InboundRejected) as caught:
        parse(raw + part * 300 + b"--b--", RFC822)
    assert caught.value.message == "An email can have at most 200 parts."


@pytest.mark.parametrize("line_end", [b"\r\n", b"\n", b"\r"])
def test_a_mime_header_with_too_many_parameters_is_refused(line_end):
    params = b"; ".join(b"a=b" for _ in range(20))
    raw = line_end.join(
        [b"From: jo@example.org", b"Content-Type: text/plain;", b" " + params, b"", b"hi"]
    )
    with pytest.raises(InboundRejected) as caught:
        parse(raw, RFC822)
    assert caught.value.field == "content-type"


def test_an_overlong_subject_is_refused():
    with pytest.raises(InboundRejected) as caught:
        parse(
            b"From: jo@example.org\r\nSubject: " + b"=?utf-8?q?a?= " * 2000 + b"\r\n\r\nhi", RFC822
        )
    assert caught.value.field == "subject"


def test_email_needs_its_content_type():
    with pytest.raises(InboundRejected) as caught:
        parse(multipart_email(), "text/plain")
    assert caught.value.kind == Rejection.UNSUPPORTED_MEDIA_TYPE


def test_an_email_through_the_webhook_becomes_one_contact(client, db):
    raw = multipart_email()
    first = post(client, "email", raw, RFC822)
    assert first.status_code == 201, first.content
    again = post(client, "email", raw, RFC822)
    assert again.status_code == 200
    assert again.json() == first.json()
    contact = Contact.objects.get()
    assert contact.reporter_email == "jo.bloggs@example.org"
    assert contact.preferred_contact == "email"
    assert bytes(InboundMessage.objects.get().raw) == raw


def test_a_malformed_email_through_the_webhook_is_kept_as_rejected(client, db):
    response = post(client, "email", simple_email(From=None), RFC822)
    assert response.status_code == 422
    assert response.json()["details"] == [
        {"field": "from", "message": "The email has no sender address."}
    ]
    assert InboundMessage.objects.get().status == "rejected"


def test_html_to_text_keeps_text_and_drops_what_is_never_shown():
    markup = (
        "<html><head><title>T</title><style>b{}</style></head><body>"
        "<h1>Heading</h1><div>one<br>two</div><ul><li>a</li><li>b</li></ul>"
        "<p>5 &lt; 6 &nbsp; and &#x263A;</p><script>var x = '<p>';</script>"
        "<p>unclosed <b>bold"
    )
    assert html_to_text(markup) == "Heading\n\none\ntwo\n\na\n\nb\n\n5 < 6 and ☺\n\nunclosed bold"


def test_html_to_text_is_empty_for_nothing_visible():
    assert html_to_text("<script>x</script><style>y</style>") == ""
    assert html_to_text("") == ""


def test_an_email_photo_becomes_evidence_on_the_contact(client, db):
    """A picture attached to an email is kept as evidence with a clean display copy;
    a file we do not take is refused but stays listed (and inside the raw message)."""
    from cairn.contacts.models import Evidence
    from tests.contacts.evidence_files import jpeg

    message = EmailMessage()
    message["From"] = "Ann Other <ann@example.org>"
    message["To"] = "contact@police.example"
    message["Subject"] = "Damage to my car"
    message["Message-ID"] = "<photo-1@example.org>"
    message.set_content("Someone scratched my car, photo attached.")
    message.add_attachment(jpeg(), maintype="image", subtype="jpeg", filename="car.jpg")
    message.add_attachment(
        b"MZ\x90\x00not really",
        maintype="application",
        subtype="octet-stream",
        filename="tool.exe",
    )
    response = post(client, "email", message.as_bytes(), "message/rfc822")
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    assert evidence.contact.reference == response.json()["reference"]
    assert evidence.original_name == "car.jpg"
    assert evidence.display
    assert len(evidence.contact.answers["attachments"]) == 2
