"""Message templates: one plain-text file per template and language.

``cairn/notify/templates/notify/<template>.<language>.txt``; the first line is
``Subject: …`` (used by email, ignored by SMS), then a blank line, then the
body. A language with no file of its own falls back to English. The files are
Django templates rendered without HTML escaping (they are plain text), with
the message's language active, so lazy translations in the context (the
force's name) come out in that language.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import translation

FALLBACK_LANGUAGE = "en"
TEMPLATE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# Templates whose body holds a one-time secret: the body is erased as soon as the
# message is sent or given up on (the outbox keeps that it was sent, not the code).
ONE_TIME_SECRETS = frozenset({"verification_code"})

_engine = Engine(dirs=[Path(__file__).resolve().parent / "templates"])


class UnknownTemplate(LookupError):
    pass


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    language: str  # the language of the file used (English after a fallback)


def languages_to_try(language: str) -> list[str]:
    """'pt-BR' -> ['pt-br', 'pt', 'en']: the most specific first, English last."""
    wanted = (language or "").strip().lower().replace("_", "-")
    return list(dict.fromkeys(c for c in (wanted, wanted.split("-")[0], FALLBACK_LANGUAGE) if c))


def _split(text: str) -> tuple[str, str]:
    first, _newline, rest = text.partition("\n")
    if first.startswith("Subject:"):
        return first.removeprefix("Subject:").strip(), rest.strip("\n").rstrip() + "\n"
    return "", text.strip("\n").rstrip() + "\n"


def render_message(template: str, language: str, context: dict[str, Any]) -> Rendered:
    """The subject and body of ``template`` in ``language`` (or English)."""
    if not TEMPLATE_CODE.match(template or ""):
        raise UnknownTemplate("a template code is lower case letters, digits and _")
    for code in languages_to_try(language):
        try:
            compiled = _engine.get_template(f"notify/{template}.{code}.txt")
        except TemplateDoesNotExist:
            continue
        with translation.override(code):
            values = {"force_name": str(settings.CAIRN_FORCE_NAME), **context}
            subject, body = _split(compiled.render(Context(values, autoescape=False)))
        return Rendered(subject=" ".join(subject.split())[:200], body=body, language=code)
    raise UnknownTemplate(f"no template {template!r} in {language!r} or English")
