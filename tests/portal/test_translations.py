"""Every public page works in each public language, from complete catalogues.

The catalogues (cairn/locale/<lang>/LC_MESSAGES/django.po) are read with the
small parser below, so the tests need nothing beyond the standard library.
A string counts as public unless every place it comes from is staff-only
(the workspace, staff accounts, the audit log or triage).
"""

import functools
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from cairn.contacts.drafts import save_answer, start_draft
from cairn.contacts.report_forms import load_forms
from tests.portal.test_reporting_support import complete_answers

PUBLIC_LANGUAGES = ["gd", "pl", "uk", "ar"]
RIGHT_TO_LEFT = {"ar"}
LOCALE = Path(settings.BASE_DIR) / "cairn" / "locale"
STAFF_ONLY = (
    "cairn/workspace/",
    "cairn/accounts/",
    "cairn/audit/",
    "cairn/triage/",
    "cairn/performance/",  # the dashboards; the open-data page has its own labels
)
PUBLIC_TEMPLATES = [
    Path(settings.BASE_DIR) / "cairn" / "templates",
    Path(settings.BASE_DIR) / "cairn" / "portal" / "templates",
]
# What must come through a translation unchanged: numbers to call, services' names.
KEPT_AS_IS = ("999", "101", "18000", "18001 101", "contactSCOTLAND-BSL", "Relay UK")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|%%|\{\d*\}")


# --- a tiny .po reader ------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def public(self) -> bool:
        return any(not where.startswith(STAFF_ONLY) for where in self.references)

    @property
    def forms(self) -> list[str]:
        return [self.msgstr[index] for index in sorted(self.msgstr)]


def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda match: escapes[match.group(1)], text.strip()[1:-1])


def parse_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            finish()
        elif line.startswith("#~"):
            continue  # an obsolete entry: not used
        elif line.startswith("#"):
            if target is not None and line[:2] in ("#:", "#,"):
                finish()
            if line.startswith("#:"):
                entry.references += [where.rsplit(":", 1)[0] for where in line[2:].split()]
            elif line.startswith("#,"):
                entry.flags += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith('"'):
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, kind, getattr(entry, kind) + _unquote(line))
        else:
            keyword, _space, value = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                finish()
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[index] = _unquote(value)
                target = ("msgstr", index)
            else:
                name = {"msgid_plural": "plural"}.get(keyword, keyword)
                setattr(entry, name, _unquote(value))
                target = (name, None)
    finish()
    return entries


@functools.cache
def catalogue(language: str) -> tuple[Entry, dict[tuple[str | None, str], Entry]]:
    """The header entry, and every message by (context, msgid)."""
    entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    header = next(entry for entry in entries if entry.msgid == "")
    return header, {(entry.msgctxt, entry.msgid): entry for entry in entries if entry.msgid}


def translation_of(language: str, msgid: str) -> str:
    return catalogue(language)[1][(None, msgid)].msgstr[0]


def nplurals(language: str) -> int:
    header, _messages = catalogue(language)
    return int(re.search(r"nplurals=(\d+)", header.msgstr[0]).group(1))


# --- the strings the public templates ask for -------------------------------------

TRANSLATE_TAG = re.compile(
    r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')(?P<rest>[^%]*)%}"""
)
BLOCK_TAG = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)(?P<options>[^%]*)%}(?P<body>.*?)"
    r"{%\s*(?:endblocktranslate|endblocktrans)\s*%}",
    re.S,
)
CONTEXT = re.compile(r"""context\s+(?:"([^"]*)"|'([^']*)')""")


def _context(options: str) -> str | None:
    match = CONTEXT.search(options)
    return None if match is None else (match.group(1) or match.group(2) or "")


def template_msgids() -> set[tuple[str | None, str, str]]:
    """(context, msgid, file) for each translated string in the public templates.

    The msgid is what makemessages writes: a literal % doubled, {{ name }} as
    %(name)s and, for `trimmed`, the lines joined by single spaces. Plural
    blocks (`count`) are left to the catalogue test below.
    """
    found = set()
    for folder in PUBLIC_TEMPLATES:
        for path in sorted(folder.rglob("*.html")):
            source = path.read_text(encoding="utf-8")
            where = str(path.relative_to(settings.BASE_DIR))
            for match in TRANSLATE_TAG.finditer(source):
                text = match.group(1) if match.group(1) is not None else match.group(2)
                found.add((_context(match.group("rest")), text.replace("%", "%%"), where))
            for match in BLOCK_TAG.finditer(source):
                options, body = match.group("options"), match.group("body")
                if re.search(r"\b(count|counter)\b", options) or "{% plural" in body:
                    continue
                body = body.replace("%", "%%")
                body = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body)
                if re.search(r"\btrimmed\b", options):
                    body = re.sub(r"\s*\n\s*", " ", body.strip())
                found.add((_context(options), body, where))
    return found


# --- the catalogues ---------------------------------------------------------------


@pytest.mark.parametrize("language", PUBLIC_LANGUAGES)
def test_the_catalogue_header_names_the_language_and_its_plural_rule(language):
    header, _messages = catalogue(language)
    assert f"Language: {language}\n" in header.msgstr[0]
    assert "Project-Id-Version: Cairn\n" in header.msgstr[0]
    assert nplurals(language) >= 2
    assert "fuzzy" not in header.flags


@pytest.mark.parametrize("language", PUBLIC_LANGUAGES)
def test_every_public_string_has_a_checked_translation(language):
    _header, messages = catalogue(language)
    public = [entry for entry in messages.values() if entry.public]
    assert len(public) > 100  # the catalogue was read, not skipped
    missing = [
        entry.msgid
        for entry in public
        if "fuzzy" in entry.flags
        or not all(entry.forms)
        or len(entry.forms) != (nplurals(language) if entry.plural is not None else 1)
    ]
    assert missing == []


@pytest.mark.parametrize("language", PUBLIC_LANGUAGES)
def test_translations_keep_placeholders_numbers_and_service_names(language):
    _header, messages = catalogue(language)
    wrong = []
    for entry in messages.values():
        for form in filter(None, entry.forms):
            if entry.plural is None and sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(
                PLACEHOLDER.findall(form)
            ):
                wrong.append(("placeholders", entry.msgid, form))
            wrong += [
                ("kept", kept, entry.msgid)
                for kept in KEPT_AS_IS
                if kept in entry.msgid and kept not in form
            ]
    assert wrong == []


@pytest.mark.parametrize("language", PUBLIC_LANGUAGES)
def test_every_string_in_the_public_templates_is_translated(language):
    _header, messages = catalogue(language)
    asked = template_msgids()
    assert len(asked) > 100
    untranslated = sorted(
        (where, msgid)
        for context, msgid, where in asked
        if (context, msgid) not in messages or not all(messages[(context, msgid)].forms)
    )
    assert untranslated == []


# --- the pages --------------------------------------------------------------------

HEADINGS = {"/": "Contact the police", "/track/": "Track your report", "/report/": "Report online"}


def heading(page: str) -> str:
    match = re.search(r'<h1 class="ds_page-header__title">(.*?)</h1>', page, re.S)
    assert match, "the page has no main heading"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(HEADINGS))
@pytest.mark.parametrize("language", PUBLIC_LANGUAGES)
def test_the_public_pages_are_served_in_each_language(client, language, path):
    response = client.get(f"/{language}{path}")
    page = response.content.decode()
    assert response.status_code == 200
    direction = "rtl" if language in RIGHT_TO_LEFT else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in page
    english = HEADINGS[path]
    assert heading(page) != english
    assert heading(page) == translation_of(language, english)
    assert translation_of(language, "Exit this page") in page
    assert translation_of(language, "Skip to main content") in page


@pytest.mark.django_db
def test_arabic_pages_read_right_to_left(client):
    page = client.get("/ar/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "تواصل مع الشرطة" in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", PUBLIC_LANGUAGES)
def test_messages_made_in_python_are_translated_too(client, language):
    response = client.post(f"/{language}/track/", {"reference": "CRN-000000-00000", "code": "x"})
    assert response.status_code == 400
    english = "The reference and tracking code do not match. Check both and try again."
    assert html.escape(translation_of(language, english)) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", PUBLIC_LANGUAGES)
def test_a_report_sent_and_tracked_in_a_language_stays_in_it(client, language):
    draft, token = start_draft("theft", language)
    for question_id, value in complete_answers(load_forms()["theft"]).items():
        save_answer(draft, question_id, value)
    prefix = f"/{language}/report/resume/{token}"
    assert client.post(f"{prefix}/check/").status_code == 302
    done = client.get(f"{prefix}/done/").content.decode()
    assert heading(done) == translation_of(language, "Report sent")
    reference = re.search(r'<strong id="reference">([^<]+)</strong>', done).group(1)
    secret = re.search(r'<strong id="tracking-code" dir="ltr">([^<]+)</strong>', done).group(1)

    response = client.post(
        f"/{language}/track/", {"reference": reference, "code": secret}, follow=True
    )
    status = response.content.decode()
    assert response.status_code == 200
    assert heading(status) == translation_of(language, "We have your report")
    assert html.escape(translation_of(language, "What happens next")) in status


@pytest.mark.parametrize(
    ("language", "days", "expected"),
    [
        ("en", 1, "work for 1 day."),
        ("en", 7, "work for 7 days."),
        ("pl", 1, "przez 1 dzień."),
        ("pl", 3, "przez 3 dni."),
        ("uk", 1, "діють 1 день."),
        ("uk", 3, "діють 3 дні."),
        ("uk", 7, "діють 7 днів."),
        ("gd", 7, "fad 7 làithean."),
        ("gd", 2, "fad 2 latha."),
        ("ar", 7, "لمدة 7 أيام."),
        ("ar", 11, "لمدة 11 يومًا."),
    ],
)
def test_a_number_of_days_takes_the_languages_plural(rf, db, language, days, expected):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(language):
        page = render_to_string(
            "portal/report/expired.html", {"days": days}, request=rf.get("/report/")
        )
    assert expected in html.unescape(" ".join(page.split()))
