"""cairn.wsgi: what a web worker holds when it starts serving.

In a subprocess, so that this test run's own imports do not count.
"""

import json
import os

from tests.support import last_line_of_fresh_python

LOAD_AND_REPORT = """
import gc, json, sys
import cairn.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "api_loaded": "cairn.api.contacts" in sys.modules,
    "portal_loaded": any(
        name.startswith("cairn.portal.") and name.endswith("views") for name in sys.modules
    ),
}))
"""


def test_a_worker_starts_with_its_views_loaded_and_frozen_out_of_the_collectors_sight():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cairn.settings", "CAIRN_ENV": "test"}
    report = json.loads(last_line_of_fresh_python(LOAD_AND_REPORT, environment))
    # The URLconf was populated before the freeze: the views, the API and its schemas.
    assert report["api_loaded"] and report["portal_loaded"]
    # A full collection walks only what is not frozen: a small share of the process.
    assert report["frozen"] > 50_000
    assert report["tracked"] < report["frozen"] / 10, report
