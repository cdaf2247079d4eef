"""Open311 GeoReport v2 documents built from our report forms (no views here)."""

from typing import Any

from cairn.contacts.report_forms import Question, ReportForm, load_forms

LANGUAGE = "en"  # Open311 has no language negotiation; civic apps expect English.

# Questions answered by Open311's own request fields rather than attributes.
STANDARD_FIELDS = {
    "narrative",
    "address_text",
    "postcode",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "preferred_contact",
    "anonymous",
}
DATATYPES = {
    "text": "string",
    "email": "string",
    "phone": "string",
    "postcode": "string",
    "textarea": "text",
    "date": "datetime",
    "time": "string",
    "radios": "singlevaluelist",
    "yesno": "singlevaluelist",
    "checkboxes": "multivaluelist",
}


def attribute_questions(form: ReportForm) -> list[Question]:
    return [
        question
        for question in form.questions
        if question.type in DATATYPES and question.maps_to not in STANDARD_FIELDS
    ]


def service(form: ReportForm) -> dict[str, Any]:
    return {
        "service_code": form.slug,
        "service_name": form.title(LANGUAGE),
        "description": form.description(LANGUAGE),
        "metadata": bool(attribute_questions(form)),
        "type": "realtime",
        "keywords": form.category,
        "group": form.category.split(".", 1)[0],
    }


def service_list() -> list[dict[str, Any]]:
    forms = sorted(load_forms().values(), key=lambda form: form.order)
    return [service(form) for form in forms]


def _values(question: Question) -> list[dict[str, str]]:
    if question.type == "yesno" and not question.options:
        return [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]
    return [{"key": option.value, "name": option.label(LANGUAGE)} for option in question.options]


def service_definition(form: ReportForm) -> dict[str, Any]:
    attributes = []
    for order, question in enumerate(attribute_questions(form), start=1):
        attribute = {
            "variable": True,
            "code": question.id,
            "datatype": DATATYPES[question.type],
            "required": question.required,
            "datatype_description": question.hint(LANGUAGE) or None,
            "order": order,
            "description": question.label(LANGUAGE),
        }
        if attribute["datatype"].endswith("valuelist"):
            attribute["values"] = _values(question)
        attributes.append(attribute)
    return {"service_code": form.slug, "attributes": attributes}
