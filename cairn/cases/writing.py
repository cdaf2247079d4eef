"""The building blocks of a write to a case, for cases' own services and the work apps.

Each write is one transaction holding the case's row lock (``locked_case``),
appending to the timeline (``write_update``), with its audit row
(``audit_case``) and its domain event (``case_event``: codes, ids and counts,
never the person's words or an update's text). The work apps (appointments,
partners, dispatch, resolution) build their writes from these so a case's
timeline, audit and events look the same whoever wrote them.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import MAX_UPDATE_LENGTH, Case, CaseUpdate
from cairn.cases.public_texts import PUBLIC_TEXTS
from cairn.contacts.models import Contact
from cairn.events.services import record_event

CASE_CAPABILITY = Capability.WORK_CASES


class CaseError(Exception):
    """A case action refused for a reason the officer can act on; ``str()`` says it."""


class CaseClosed(CaseError):
    def __init__(self, case: Case):
        super().__init__(
            _("%(reference)s is closed: it takes no more changes.") % {"reference": case.reference}
        )


class ContactInAnotherCase(CaseError):
    def __init__(self, contact: Contact, case: Case):
        self.case = case
        super().__init__(
            _("%(contact)s already belongs to case %(case)s.")
            % {"contact": contact.reference, "case": case.reference}
        )


def require_case_worker(user: Any) -> None:
    if not has_capability(user, CASE_CAPABILITY):
        raise PermissionDenied


def locked_case(case: Case) -> Case:
    """The case's row, locked until the transaction ends, as it is now."""
    return Case.objects.select_for_update(of=("self",)).get(pk=case.pk)


def refresh_case(target: Case, source: Case) -> Case:
    """Copy the locked row's values onto the caller's instance, so it sees the change."""
    for field in Case._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def case_contact_ids(case: Case) -> list[int]:
    return list(case.case_contacts.order_by("pk").values_list("contact_id", flat=True))


def audit_case(
    operation: Operation, case: Case, fields: Iterable[str], actor: Any, **context
) -> None:
    record(
        operation,
        object_type="case",
        object_id=case.pk,
        fields=fields,
        actor=actor,
        context=context,
    )


def case_event(name: str, case: Case, **data: Any) -> None:
    record_event(
        name,
        subject_type="case",
        subject_id=case.pk,
        division=case.division_id or "",
        data={"contacts": case_contact_ids(case), **data},
    )


def clean_update_text(text: str, field: str = "text") -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValidationError({field: _("Write the update in a few plain words.")})
    if len(cleaned) > MAX_UPDATE_LENGTH:
        raise ValidationError(
            {
                field: _("Keep an update under %(max)d characters (this one has %(count)d).")
                % {"max": MAX_UPDATE_LENGTH, "count": len(cleaned)}
            }
        )
    return cleaned


def write_update(
    case: Case, *, text: str = "", visibility: str, kind: str, author: Any, text_code: str = ""
) -> CaseUpdate:
    """Append one update; ``text_code`` writes a standard sentence (``public_texts``)."""
    if text_code:
        with translation.override("en"):
            text = str(PUBLIC_TEXTS[text_code])
    update = CaseUpdate(
        case=case,
        text=text,
        text_code=text_code,
        visibility=visibility,
        kind=kind,
        author=author if getattr(author, "pk", None) else None,
    )
    update.save(force_insert=True)
    return update


def require_open(case: Case) -> None:
    if case.is_closed:
        raise CaseClosed(case)
