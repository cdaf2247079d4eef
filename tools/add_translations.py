"""Append translations to the catalogues: add_translations.py FILE.json, a list of {source, msgid, gd, pl, uk, ar[, context]}."""
import json, sys
from pathlib import Path
entries = json.load(open(sys.argv[1]))
def q(s): return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'
for lang in ("gd", "pl", "uk", "ar"):
    p = Path(__file__).resolve().parents[1] / "cairn" / "locale" / lang / "LC_MESSAGES" / "django.po"
    text = p.read_text()
    add = []
    for e in entries:
        ctx = e.get("context")
        key = (f'msgctxt {q(ctx)}\n' if ctx else '') + f'msgid {q(e["msgid"])}\n'
        if key in text:
            continue
        add.append(f'\n#: {e["source"]}\n{key}msgstr {q(e[lang])}\n')
    p.write_text(text.rstrip("\n") + "\n" + "".join(add))
    print(lang, len(add))
