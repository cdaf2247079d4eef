"""Posting signed deliveries to the real webhook view, as a provider does."""

import io
import json
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from django.test import Client
from PIL import Image

from cairn.contacts.channels.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from cairn.contacts.models import Contact, InboundMessage


def recent(minutes: int = 3) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


def signed_headers(channel: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(channel, body, timestamp),
    }


def post(
    client: Client,
    channel: str,
    body: bytes | dict,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
):
    """POST a delivery; signed correctly unless ``headers`` says otherwise."""
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = signed_headers(channel, raw) if headers is None else headers
    return client.post(f"/api/inbound/{channel}/", raw, content_type=content_type, headers=headers)


def jpeg_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(output, format="JPEG")
    return output.getvalue()


def multipart_email(message_id: str = "<a1b2c3@mail.example.org>") -> bytes:
    """A real email: plain text and an HTML alternative, with a JPEG attached."""
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@example.org>"
    message["To"] = "contact@police.example"
    message["Subject"] = "Car window smashed on Leith Walk"
    message["Date"] = "Thu, 12 Mar 2026 21:04:11 +0000"
    if message_id:
        message["Message-ID"] = message_id
    message.set_content("Someone smashed my car window last night.\nPhoto attached.")
    message.add_alternative(
        "<html><head><style>p{color:red}</style></head><body>"
        "<p>Someone smashed my <b>car window</b> last night.</p><p>Photo attached.</p>"
        "</body></html>",
        subtype="html",
    )
    message.add_attachment(jpeg_bytes(), maintype="image", subtype="jpeg", filename="window.jpg")
    return message.as_bytes()


def snapshot() -> tuple[list, list]:
    """Everything saved that a rejected delivery must not change."""
    contacts = list(
        Contact.objects.order_by("pk").values_list(
            "pk", "reference", "channel", "narrative", "status", "idempotency_key"
        )
    )
    accepted = [
        (row[0], row[1], row[2], bytes(row[3]))
        for row in InboundMessage.objects.filter(status="accepted")
        .order_by("pk")
        .values_list("pk", "provider_message_id", "contact_id", "raw")
    ]
    return contacts, accepted


@pytest.fixture
def sms_payload():
    return {
        "message_id": "SM-0001",
        "from": "07700 900123",
        "to": "+447800000101",
        "text": "There is a man trying car doors on Easter Road",
        "received_at": recent(),
    }
