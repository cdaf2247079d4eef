"""Append translations to the catalogues, for strings added without running makemessages.

    python tools/add_translations.py FILE.json

FILE.json is a list of {"source", "msgid", "gd", "pl", "uk", "ar"} objects (and
"context" for a msgctxt). An entry already translated is left as it is; one
already there with an empty translation (a staff string now shown publicly
too) gets the translation.
Run `make messages` afterwards to compile the catalogues.
"""

import json
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "cairn" / "locale"
LANGUAGES = ("gd", "pl", "uk", "ar")


def quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def add(entries: list[dict], language: str) -> int:
    catalogue = LOCALE / language / "LC_MESSAGES" / "django.po"
    text = catalogue.read_text(encoding="utf-8")
    added = []
    for entry in entries:
        context = entry.get("context")
        key = (
            f"msgctxt {quoted(context)}\n" if context else ""
        ) + f"msgid {quoted(entry['msgid'])}\n"
        empty = key + 'msgstr ""\n'
        if empty in text and entry[language]:
            text = text.replace(empty, f"{key}msgstr {quoted(entry[language])}\n", 1)
            added.append("")
            continue
        if key in text:
            continue
        added.append(f"\n#: {entry['source']}\n{key}msgstr {quoted(entry[language])}\n")
    catalogue.write_text(text.rstrip("\n") + "\n" + "".join(added), encoding="utf-8")
    return len(added)


def main(path: str) -> None:
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    for language in LANGUAGES:
        print(language, add(entries, language))


if __name__ == "__main__":
    main(sys.argv[1])
