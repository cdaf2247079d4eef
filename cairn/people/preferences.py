"""Preferences and access needs a handler records during a call."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.events.services import record_event
from cairn.people.models import AccessNeed, Person, PreferredChannel
from cairn.people.services import require

PREFERENCE_FIELDS = (
    "preferred_language",
    "access_needs",
    "interpreter_language",
    "preferred_channel",
    "preferred_times",
    "consents_to_updates",
)


@transaction.atomic
def update_preferences(person: Person, *, actor: Any, **changes: Any) -> list[str]:
    """Record how the person wants to be contacted and what they need; returns the fields changed.

    Consent to updates carries the time it was given or withdrawn.
    """
    require(actor, Capability.MANAGE_PEOPLE)
    unknown = sorted(set(changes) - set(PREFERENCE_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: _("This cannot be changed here")})
    errors = {}
    needs = changes.get("access_needs")
    if needs is not None and any(need not in AccessNeed.values for need in needs):
        errors["access_needs"] = _("Choose access needs from the list")
    channel = changes.get("preferred_channel")
    if channel and channel not in PreferredChannel.values:
        errors["preferred_channel"] = _("Choose how they prefer to be contacted")
    wants_interpreter = AccessNeed.INTERPRETER in (changes.get("access_needs") or [])
    if wants_interpreter and not (
        changes.get("interpreter_language") or person.interpreter_language
    ):
        errors["interpreter_language"] = _("Say which language the interpreter is for")
    if errors:
        raise ValidationError(errors)
    person = Person.objects.select_for_update().get(pk=person.pk)
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, changes[name])
    if "consents_to_updates" in changed:
        person.consent_recorded_at = timezone.now()
        changed.append("consent_recorded_at")
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
        record(
            Operation.ALTERATION,
            object_type="person",
            object_id=person.pk,
            fields=changed,
            actor=actor,
        )
        record_event(
            "person.preferences_updated",
            subject_type="person",
            subject_id=person.pk,
            data={"fields": sorted(changed)},
        )
    return changed
