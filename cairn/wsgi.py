"""The WSGI application granian serves (cairn.launcher.web_server_command), one per worker."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
application = get_wsgi_application()


def _freeze_the_long_lived() -> None:
    """Load what every request needs, then take it out of the garbage collector's sight.

    Every Django request is a little reference cycle (the request, its session,
    messages and CSP nonce point at one another), so requests are freed by the
    collector, and now and then it makes a full collection, which walks every
    tracked object in the process: the settings, every module, the URL
    patterns, the API's schemas, about 140,000 objects. Measured under the
    intake benchmark, each full collection held a worker for 90 to 110 ms, once
    every 13 s or so, and every request in flight in that worker waited: at
    1,500 requests a second that alone is 1 % of requests, the whole p99.
    ``gc.freeze`` moves everything alive now into a generation the collector
    never walks; after it, a worker made no full collection in 15 s of load
    and its slowest young collection took 3 ms. The URL patterns load lazily
    (and with them the views, the API and its schemas), so they are loaded
    first; ``gc.collect`` first so that no garbage is frozen with them.
    """
    # Populating the URLconf imports every view, the API and its schemas.
    get_resolver().reverse_dict  # noqa: B018
    gc.collect()
    gc.freeze()


_freeze_the_long_lived()
