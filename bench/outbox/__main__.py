"""python -m bench.outbox: the outbox benchmark alone (DATABASE_URL: the bench database)."""

import os
import sys

if __name__ == "__main__":
    if not os.environ.get("DATABASE_URL"):
        print("bench.outbox: DATABASE_URL is not set; run `make bench ARGS=outbox`.")
        sys.exit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    import django

    django.setup()
    from bench.outbox import PreflightError, run

    try:
        report = run()
    except PreflightError as error:
        print(f"bench.outbox: {error}")
        sys.exit(1)
    sys.exit(0 if report.valid else 1)
