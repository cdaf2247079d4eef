"""Production settings refuse to load without their secrets, and pass `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from cairn.contacts.channels import ADAPTERS
from cairn.contacts.channels.signatures import secret_variable

ROOT = Path(__file__).resolve().parent.parent
# Set by `make test` for the test process only (Playwright needs the async guard
# off); a deployment never has them, and check --deploy rightly objects to it.
TEST_ONLY_VARIABLES = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def production_environment(**overrides: str | None) -> dict[str, str]:
    """This process's environment minus any CAIRN_* setting, as production with every secret."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CAIRN_") and name not in TEST_ONLY_VARIABLES
    }
    environment.update(
        CAIRN_ENV="production",
        CAIRN_SECRET_KEY=secrets.token_urlsafe(64),
        CAIRN_ALLOWED_HOSTS="cairn.example",
        DATABASE_URL=os.environ["DATABASE_URL"],
        DJANGO_SETTINGS_MODULE="cairn.settings",
        **{secret_variable(channel): secrets.token_urlsafe(32) for channel in ADAPTERS},
    )
    for name, value in overrides.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_load_without_a_secret_key():
    result = manage("check", environment=production_environment(CAIRN_SECRET_KEY=None))
    assert result.returncode != 0
    assert "CAIRN_SECRET_KEY must be set when CAIRN_ENV=production" in result.stderr


@pytest.mark.parametrize("name", ["CAIRN_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_settings_refuse_to_load_without_another_required_variable(name):
    result = manage("check", environment=production_environment(**{name: None}))
    assert result.returncode != 0
    assert f"{name} must be set when CAIRN_ENV=production" in result.stderr


def test_check_deploy_reports_no_issues_in_production():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=production_environment()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_a_missing_webhook_secret():
    result = manage(
        "check",
        "--deploy",
        environment=production_environment(CAIRN_WEBHOOK_SECRET_SMS=None),
    )
    assert result.returncode != 0
    assert "CAIRN_WEBHOOK_SECRET_SMS is missing" in result.stderr
