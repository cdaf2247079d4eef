"""Correct a person's record (UK GDPR art. 16), keeping what it said before."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cairn.accounts.roles import Capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.events.services import record_event
from cairn.people.identity import normalise_name
from cairn.people.models import (
    AccessNeed,
    NameKind,
    Person,
    PersonName,
    PreferredChannel,
    Rectification,
)
from cairn.people.services import require

RECTIFIABLE = {
    "given_name": gettext_lazy("First name"),
    "family_name": gettext_lazy("Last name"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "preferred_language": gettext_lazy("Preferred language"),
    "interpreter_language": gettext_lazy("Interpreter language"),
    "preferred_channel": gettext_lazy("Preferred way to contact"),
    "preferred_times": gettext_lazy("Preferred times"),
    "access_needs": gettext_lazy("Access needs"),
}


def _parse(field: str, value: str):
    value = (value or "").strip()
    if field == "date_of_birth":
        if not value:
            return None
        try:
            born = date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                {"value": _("Enter the date as YYYY-MM-DD, like 1984-03-27")}
            ) from None
        if born > date.today():
            raise ValidationError({"value": _("A date of birth cannot be in the future")})
        return born
    if field == "access_needs":
        needs = [need.strip() for need in value.split(",") if need.strip()]
        unknown = [need for need in needs if need not in AccessNeed.values]
        if unknown:
            raise ValidationError(
                {
                    "value": _("Access needs are any of: %(choices)s")
                    % {"choices": ", ".join(AccessNeed.values)}
                }
            )
        return needs
    if field == "preferred_channel" and value and value not in PreferredChannel.values:
        raise ValidationError(
            {
                "value": _("Choose one of: %(choices)s")
                % {"choices": ", ".join(PreferredChannel.values)}
            }
        )
    max_length = Person._meta.get_field(field).max_length
    if max_length and len(value) > max_length:
        raise ValidationError({"value": _("Keep it under %(n)s characters") % {"n": max_length}})
    return value


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


@transaction.atomic
def rectify_person(
    person: Person, *, field: str, value: str, reason: str, actor: Any
) -> Rectification:
    """Change one field, keeping the old and new values and why (a name: the primary name too)."""
    require(actor, Capability.SUBJECT_ACCESS)
    errors = {}
    if field not in RECTIFIABLE:
        errors["field"] = _("Choose what to correct")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the record is being corrected")
    if errors:
        raise ValidationError(errors)
    person = Person.objects.select_for_update().get(pk=person.pk)
    new = _parse(field, value)
    old = getattr(person, field)
    if _shown(old) == _shown(new):
        raise ValidationError({"value": _("That is what the record already says")})
    setattr(person, field, new)
    person.save(update_fields=[field, "updated_at"])
    if field in ("given_name", "family_name"):
        person.search_name = normalise_name(person.given_name, person.family_name)
        person.save(update_fields=["search_name"])
        PersonName.objects.filter(person=person, kind=NameKind.PRIMARY).update(
            given_name=person.given_name,
            family_name=person.family_name,
            normalised=normalise_name(person.given_name, person.family_name),
        )
    rectification = Rectification.objects.create(
        person=person,
        field=field,
        old_value=_shown(old),
        new_value=_shown(new),
        reason=reason.strip(),
        rectified_by=actor,
    )
    record(
        Operation.ALTERATION,
        object_type="person",
        object_id=person.pk,
        fields=[field],
        actor=actor,
        purpose="rectification",
        context={"rectification": rectification.pk},
    )
    record_event(
        "person.rectified", subject_type="person", subject_id=person.pk, data={"field": field}
    )
    return rectification
