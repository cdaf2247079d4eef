"""Playwright against Debian's Chromium, with axe-core on every page visited.

Use the ``ui`` fixture: ``ui.goto(path)`` opens a page on the live server and
runs axe on it; call ``ui.check()`` after an action that changes the page
(an error state, a new step). At teardown the fixture fails the test if any
page the browser landed on was never checked, so no page escapes axe.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, current_code

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    }
}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp lets the injected axe script run under our own strict CSP.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB"}


class AxeViolations(AssertionError):
    pass


def axe_violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(
        "options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [node["target"] for node in violation["nodes"]][:5]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


def without_fragment(url: str) -> str:
    """A jump to #main-content is the same page state axe already checked."""
    return url.split("#", 1)[0]


class UI:
    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.landed: list[str] = []
        self.checked: set[str] = set()
        page.on(
            "framenavigated",
            lambda frame: (
                frame == page.main_frame and self.landed.append(without_fragment(frame.url))
            ),
        )

    def goto(self, path: str, *, check: bool = True):
        response = self.page.goto(self.base_url + path)
        if check:
            self.check()
        return response

    def check(self, label: str = "") -> None:
        """Run axe on the page as it is now; fail on any violation."""
        self.page.wait_for_load_state("load")
        violations = axe_violations(self.page)
        self.checked.add(without_fragment(self.page.url))
        if violations:
            where = f"{self.page.url} {label}".strip()
            raise AxeViolations(
                f"axe found {len(violations)} violation(s) on {where}:\n"
                f"{describe(violations)}\n"
                f"{json.dumps([v['id'] for v in violations])}"
            )

    def unchecked_pages(self) -> list[str]:
        return [
            url
            for url in dict.fromkeys(self.landed)
            if url not in self.checked and url != "about:blank"
        ]


@pytest.fixture
def ui(page, live_server):
    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"), "run browser tests through `make test`"
    helper = UI(page, live_server.url)
    yield helper
    missed = helper.unchecked_pages()
    assert not missed, f"pages visited without an axe check: {missed}"


@pytest.fixture(scope="session")
def _live_events_service(live_server, django_db_setup, tmp_path_factory) -> str:
    """The live events service (cairn/live/) as a real granian process on a free port,
    listening on the test database and answering the live server's origin."""
    from django.db import connection

    from cairn.live.process import conninfo_for, running_live_service

    log = tmp_path_factory.mktemp("live") / "live.log"
    with running_live_service(
        conninfo=conninfo_for(connection.settings_dict),
        allowed_origins=[live_server.url],
        log=log,
    ) as url:
        yield url


@pytest.fixture
def live_events(_live_events_service, settings) -> str:
    """Live queue events on: the app hands pages the running service's URL (and its CSP
    allows it). Returns the service's base URL."""
    settings.CAIRN_LIVE_URL = _live_events_service
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "connect-src": [*settings.SECURE_CSP["connect-src"], _live_events_service],
    }
    return _live_events_service


def sign_in(ui: UI, username: str) -> None:
    """A member of staff signs in through both steps, as a person does (axe on each page)."""
    ui.goto("/staff/sign-in/")
    ui.page.get_by_label("Username").fill(username)
    ui.page.get_by_label("Password").fill(PASSWORD)
    ui.page.get_by_role("button", name="Continue").click()
    ui.check("code page")
    ui.page.get_by_label("Code from your authenticator app").fill(current_code())
    ui.page.get_by_role("button", name="Continue").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(re.compile("^Hello"))
    ui.check("workspace home")
