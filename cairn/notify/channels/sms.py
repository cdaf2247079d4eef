"""Text messages through the SMS provider's HTTP API: the outbound pair of
``cairn/contacts/channels/sms/`` (which takes the provider's inbound webhook).

One POST per message to ``CAIRN_SMS_PROVIDER_URL``::

    POST /messages  Authorization: Bearer <CAIRN_SMS_PROVIDER_TOKEN>
    Content-Type: application/json   Idempotency-Key: <our key for the message>
    {"to": "+447700900123", "body": "123456 is your code…", "client_reference": "<our key>"}

and the provider answers 2xx with ``{"message_id": "…"}`` (``"id"`` is read
too). A 5xx, 408, 429, a timeout or no connection is worth another try (the
``Idempotency-Key`` lets a provider that honours it drop a repeat after a lost
answer); any other 4xx is not. Without a URL, development prints the text to
the console, as Django's console email backend does; production settings
never print it and the message fails with "no SMS provider configured".
"""

import json
import sys
import urllib.error
import urllib.request

from django.conf import settings

from cairn.notify.channels.base import DeliveryResult, Envelope

MAX_ANSWER_BYTES = 64 * 1024
RETRYABLE_STATUS = frozenset({408, 425, 429})


def _provider_id(raw: bytes) -> str:
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    return str(answer.get("message_id") or answer.get("id") or "")[:200]


class SmsSender:
    def send(self, message: Envelope) -> DeliveryResult:
        url = settings.CAIRN_SMS_PROVIDER_URL
        if not url:
            if settings.PRODUCTION:
                return DeliveryResult(False, error="no SMS provider configured")
            return self._to_console(message)
        if not url.startswith(("https://", "http://")):
            return DeliveryResult(False, error="the SMS provider URL must be http(s)")
        key = getattr(message, "idempotency_key", "")
        request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
            url,
            data=json.dumps(
                {"to": message.recipient, "body": message.body, "client_reference": key}
            ).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {settings.CAIRN_SMS_PROVIDER_TOKEN}",
                "Idempotency-Key": key,
                "User-Agent": "Cairn",
            },
        )
        timeout = settings.CAIRN_SMS_TIMEOUT_SECONDS
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                raw = answer.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as error:
            status = error.code
            error.close()
            return DeliveryResult(
                False,
                error=f"the SMS provider answered HTTP {status}",
                retryable=status >= 500 or status in RETRYABLE_STATUS,
            )
        except TimeoutError:
            return DeliveryResult(
                False, error=f"no answer from the SMS provider in {timeout:g} s", retryable=True
            )
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            return DeliveryResult(
                False,
                error=f"could not reach the SMS provider ({type(reason).__name__})",
                retryable=True,
            )
        return DeliveryResult(True, provider_message_id=_provider_id(raw))

    def _to_console(self, message: Envelope) -> DeliveryResult:
        """Development only: the text where a developer will see it (the worker's output)."""
        sys.stdout.write(f"SMS to {message.recipient}:\n{message.body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return DeliveryResult(True, provider_message_id="console")
