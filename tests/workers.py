"""The real procrastinate worker for tests, and a clean job table around transactional tests.

``run_worker("notify")`` runs the worker until nothing is left to do on those
queues, with its own connection pool as ``manage.py procrastinate worker``
does: tests using it need committed data (``django_db(transaction=True)``).
"""

import threading
from collections.abc import Iterator

from django.db import connection, connections
from procrastinate.contrib.django import app


def run_worker(*queues: str) -> None:
    """Work the given queues (every queue when none is named) until they are empty."""
    # Tasks run in the worker's threads; procrastinate closes their connections after
    # each task only when they are not persistent, so none must be while it runs here.
    database = connections.settings["default"]
    kept = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 0
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(
                    queues=list(queues) or None,
                    wait=False,
                    install_signal_handlers=False,
                    listen_notify=False,
                )
        except BaseException as failure:  # handed to the test's thread below
            failures.append(failure)

    # Its own thread: the worker runs its own asyncio loop, and the browser tests'
    # Playwright leaves a loop running in this one (asyncio.run refuses to nest).
    worker = threading.Thread(target=work, name=f"worker-{'-'.join(queues) or 'all'}")
    try:
        worker.start()
        worker.join()
    finally:
        database["CONN_MAX_AGE"] = kept
    if failures:
        raise failures[0]


def forget_jobs() -> None:
    """procrastinate's tables are not Django's, so a transactional test's flush keeps them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_events, procrastinate_periodic_defers,"
            " procrastinate_jobs, procrastinate_workers"
        )


def jobs_kept_to_this_test(request) -> Iterator[None]:
    """For an autouse fixture (``yield from``): clear the job tables around a transactional
    test, so its worker finds only that test's jobs."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if transactional:
        request.getfixturevalue("transactional_db")
        forget_jobs()
    yield
    if transactional:
        forget_jobs()
