"""Facts about the machine and the stack that cost nothing to gather.

They go into the summary so a figure can be read next to what produced it: a
ratio is comparable between machines, an absolute req/s figure is not.
"""

import os
import platform
import subprocess
from importlib import metadata

from django.conf import settings
from django.db import connection

from bench.load import wrk_version
from cairn.launcher import ROOT


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gib() -> str:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown memory"


def cpus() -> str:
    count = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else count
    text = f"{count} CPUs"
    if usable != count:
        text += f" ({usable} usable by this process)"
    return text


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown commit"
    return f"{head} (with uncommitted changes)" if dirty else head


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def software() -> str:
    return (
        f"Python {platform.python_version()}, Django {_version('django')}, "
        f"granian {_version('granian')}, psycopg {_version('psycopg')}, {wrk_version()}"
    )


def database() -> str:
    """PostgreSQL's version and the settings that decide commit cost, then Django's side."""
    names = ("server_version", "fsync", "synchronous_commit", "max_connections", "shared_buffers")
    with connection.cursor() as cursor:
        values = {}
        for name in names:
            cursor.execute(f"SHOW {name}")
            values[name] = cursor.fetchone()[0]
    connection.close()
    options = settings.DATABASES["default"]
    pool = "pool on" if options.get("OPTIONS", {}).get("pool") else "no pool"
    return (
        f"PostgreSQL {values['server_version'].split()[0]}, fsync {values['fsync']}, "
        f"synchronous_commit {values['synchronous_commit']}, "
        f"max_connections {values['max_connections']}, shared_buffers {values['shared_buffers']}; "
        f"Django CONN_MAX_AGE {options.get('CONN_MAX_AGE')}, {pool}"
    )
