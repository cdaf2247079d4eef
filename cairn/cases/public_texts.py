"""The standard sentences the system writes on a case's public timeline.

Stored on the update as a code (``CaseUpdate.text_code``) with the English
text beside it for staff; the person's tracking page shows the sentence in the
language they read the page in. Apps that write a standard public update
(appointments, referrals, command and control) add their sentence here.
"""

from django.utils.translation import gettext_lazy as _

PUBLIC_TEXTS = {
    "case_opened": _("We have opened a case for your report."),
    "crime_recorded": _("We have recorded your report as a crime."),
    "dispatch_raised": _("We have passed your report to officers to attend."),
    "dispatch_assigned": _("Officers have been given your report and are on their way."),
    "dispatch_on_scene": _("Officers have arrived."),
    "referral_made": _("We have referred you to a support service."),
    "appointment_booked": _(
        "We have booked an appointment with you. Its date and time are on this page."
    ),
    "appointment_moved": _("Your appointment has moved to the time shown on this page."),
    "appointment_cancelled": _("Your appointment has been cancelled."),
    "appointment_rescheduled": _(
        "Your appointment needs a new time. Choose one on this page, or we will contact you."
    ),
}


def public_text(code: str, fallback: str) -> str:
    """The sentence for ``code`` in the active language, or ``fallback`` for an unknown code."""
    text = PUBLIC_TEXTS.get(code)
    return str(text) if text is not None else fallback
