"""Email through Django's default mailer (``settings.MAILERS["default"]``).

Django 6.1 replaces ``EMAIL_BACKEND`` and the other ``EMAIL_*`` settings by
``MAILERS``; ``CAIRN_EMAIL_BACKEND`` chooses its backend. SMTP in production;
in development the console backend prints the message (so a developer sees a
code), and tests get Django's in-memory backend. The provider message id is
the ``Message-ID`` we give the message.
"""

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME

from cairn.notify.channels.base import DeliveryResult, Envelope

# The server said no to this address, sender or message. A 5xx code is final;
# a 4xx code (greylisting, a full mailbox) asks us to try again later.
REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)


def refusal_code(error: smtplib.SMTPException) -> int:
    """The SMTP reply code of a refusal (the lowest, when each recipient had its own)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return min(codes) if codes else 550
    return int(getattr(error, "smtp_code", 550))


class EmailSender:
    def send(self, message: Envelope) -> DeliveryResult:
        message_id = make_msgid(domain=str(DNS_NAME))
        headers = {"Message-ID": message_id, "Auto-Submitted": "auto-generated"}
        in_reply_to = getattr(message, "in_reply_to", "")
        if in_reply_to:
            headers |= {"In-Reply-To": in_reply_to, "References": in_reply_to}
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers=headers,
        )
        try:
            sent = email.send()
        except (*REFUSED, smtplib.SMTPDataError) as error:
            # Their text names the refused addresses: keep only the kind and the code.
            code = refusal_code(error)
            return DeliveryResult(
                False,
                error=f"refused by the mail server ({type(error).__name__} {code})",
                retryable=400 <= code < 500,  # 4xx: "try again later" (greylisting, full box)
            )
        except (smtplib.SMTPException, OSError) as error:
            return DeliveryResult(
                False, error=f"mail server unavailable ({type(error).__name__})", retryable=True
            )
        if not sent:
            return DeliveryResult(False, error="the email backend sent nothing", retryable=True)
        return DeliveryResult(True, provider_message_id=message_id)
