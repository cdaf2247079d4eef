"""`make run`, `make test` and `make bench` in one place.

    python -m cairn.launcher run      # migrate, demo data, web server, live events, task worker
    python -m cairn.launcher test …   # ruff, then pytest (arguments passed on)
    python -m cairn.launcher bench …  # the benchmarks in bench/

Each uses the embedded PostgreSQL unless DATABASE_URL is set, with its own
data directory (var/pg, var/pgtest, var/pgbench) so a test run never touches
the data `make run` keeps, and stops that server when it finishes.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATA_DIRS = {"run": "var/pg", "test": "var/pgtest", "bench": "var/pgbench"}


def say(message: str) -> None:
    print(f"cairn: {message}", flush=True)


def database_environment(mode: str) -> tuple[dict, bool]:
    """Environment for children (and this process), and whether we started an embedded server."""
    os.environ.setdefault("CAIRN_ENV", "test" if mode == "test" else "development")
    started = False
    if not os.environ.get("DATABASE_URL"):
        # A caller may choose its own data directory (parallel runs on one machine).
        os.environ.setdefault("CAIRN_PG_DATA", str(ROOT / DATA_DIRS[mode]))
        from cairn.embedded_db import embedded_database_url

        os.environ["DATABASE_URL"] = embedded_database_url()
        started = True
    return dict(os.environ), started


def stop_database(started: bool) -> None:
    if started:
        from cairn.embedded_db import stop_embedded_database

        stop_embedded_database()


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_healthy(url: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own URL)
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def web_server_command(port: str, workers: str, threads: str = "4") -> list[str]:
    """granian serving Django over WSGI: each worker runs ``threads`` blocking threads.

    Not ASGI: Django runs every sync view of an ASGI app in a fresh thread, so
    persistent connections leak (PostgreSQL ran out of connections under load)
    and per-request connections cost as much as the work. WSGI threads keep one
    connection each: workers × threads connections in all, well under
    max_connections, and measured 3-8 times faster here (bench/README.md).
    """
    return [
        PYTHON,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--workers",
        workers,
        "--blocking-threads",
        threads,
        "--no-ws",
        "--log-level",
        "warning",
        "cairn.wsgi:application",
    ]


def live_server_command(port: str) -> list[str]:
    """granian serving the live events service (cairn/live/) over ASGI, in one process.

    One worker: it is asyncio only, holds one LISTEN connection, and an open
    event stream costs it a queue and a socket, so one process serves thousands.
    Event streams never end by themselves and granian waits for open requests
    before it stops a worker, so a stop ends them after 2 s (browsers reconnect).
    """
    return [
        PYTHON,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--workers",
        "1",
        "--workers-kill-timeout",
        "2",
        "--no-ws",
        "--log-level",
        "warning",
        "cairn.live.asgi:application",
    ]


def banner(base: str, live: str = "") -> str:
    import django

    django.setup()
    from cairn.demo.data import (
        DEMO_API_KEY,
        DEMO_LOGINS,
        DEMO_PASSWORD,
        demo_totp_secret_base32,
    )
    from cairn.demo.dispatch import DEMO_COMMAND_AND_CONTROL_KEY
    from cairn.demo.partners import DEMO_PARTNER_API_KEY

    width = max(len(login.username) for login in DEMO_LOGINS)
    logins = "\n".join(
        f"    {login.username:<{width}}  {login.role.label}" for login in DEMO_LOGINS
    )
    return f"""
  Cairn is running.

  Public site          {base}/            (Gàidhlig: {base}/gd/)
  Staff workspace      {base}/staff/
  API documentation    {base}/api/docs
  Health               {base}/healthz
  Live queue events    {live or "off"}

  Demo staff logins (password for all: {DEMO_PASSWORD})
{logins}

  Every staff login asks for an authenticator code. Run `make otp` in another
  terminal for the current code, or add this key to any authenticator app:
    {demo_totp_secret_base32()}

  Demo integrator API key (Authorization: Bearer KEY):
    {DEMO_API_KEY}
  Try: curl -H "Authorization: Bearer {DEMO_API_KEY}" \\
         -H "Content-Type: application/json" -d '{{"narrative": "Test report"}}' \\
         {base}/api/v1/contacts

  Demo partner system key (Distress Brief Intervention – Edinburgh; `partner2` is
  a second agency's user who sees none of its referrals):
    {DEMO_PARTNER_API_KEY}
  Try: curl -H "Authorization: Bearer {DEMO_PARTNER_API_KEY}" {base}/api/v1/partners/referrals

  Demo command and control key (status back for incidents, docs/dispatch.md):
    {DEMO_COMMAND_AND_CONTROL_KEY}

  Press Ctrl-C to stop.
"""


def run() -> int:
    env, started = database_environment("run")
    children: list[subprocess.Popen] = []
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_demo")
        manage(env, "load_postcodes", "--if-empty")  # the first run only: ~230k rows, seconds
        manage(env, "collectstatic", "--noinput", "-v", "0")
        port = env.get("PORT", "8000")
        live_port = env.get("LIVE_PORT", str(int(port) + 1))
        env.setdefault("CAIRN_PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
        live = env.setdefault("CAIRN_LIVE_URL", f"http://127.0.0.1:{live_port}")
        env.setdefault(
            "CAIRN_LIVE_ALLOWED_ORIGINS", f"http://127.0.0.1:{port},http://localhost:{port}"
        )
        children.append(
            subprocess.Popen(
                web_server_command(port, env.get("WEB_WORKERS", "2")), cwd=ROOT, env=env
            )
        )
        children.append(subprocess.Popen(live_server_command(live_port), cwd=ROOT, env=env))
        children.append(
            subprocess.Popen([PYTHON, "manage.py", "procrastinate", "worker"], cwd=ROOT, env=env)
        )
        base = f"http://127.0.0.1:{port}"
        if not wait_until_healthy(f"{base}/healthz"):
            say("the web server did not become healthy within 30 s; see the messages above")
            return 1
        if not wait_until_healthy(f"http://127.0.0.1:{live_port}/healthz"):
            say("the live events service did not become healthy within 30 s; see above")
            return 1
        print(banner(base, live), flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        say("a process stopped unexpectedly; shutting down")
        return 1
    except KeyboardInterrupt:
        say("stopping")
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        stop_database(started)


def test(args: list[str]) -> int:
    env, started = database_environment("test")
    try:
        lint = (
            []
            if os.environ.get("SKIP_LINT") == "1"
            else [["ruff", "check", "."], ["ruff", "format", "--check", "."]]
        )  # SKIP_LINT=1 is for a quick local re-run only; CI never sets it
        for check in lint:
            say(" ".join(check))
            if subprocess.run([PYTHON, "-m", *check], cwd=ROOT, env=env).returncode:
                return 1
        manage(env, "collectstatic", "--noinput", "-v", "0")
        env["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop in-thread
        return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=ROOT, env=env).returncode
    finally:
        stop_database(started)


def bench(args: list[str]) -> int:
    env, started = database_environment("bench")
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        return subprocess.run([PYTHON, "-m", "bench", *args], cwd=ROOT, env=env).returncode
    finally:
        stop_database(started)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "bench"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    return bench(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
