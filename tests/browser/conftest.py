"""Browser tests: Debian's chromium, driven by Playwright, against the real server on a loopback port.

One server for the whole session: a fresh instance folder, ``review-service init``, the demo
data set (``review_service/demo.py``: a user for every role, password ``Demo@2026review``) and
a few prepared cases (``seed.py``), then ``review-service serve`` as a subprocess. One chromium for the
session; each user gets their own browser context (their own cookies), closed after the test.

These tests run on SQLite only: with ``REVIEW_SERVICE_TEST_DATABASE_URL`` set (the PostgreSQL
run of ``scripts/test``) they are skipped, since the server would need its own database and
the browser flow is the same on both. Chromium is never downloaded: without
``/usr/bin/chromium`` (or ``REVIEW_SERVICE_CHROMIUM``) they are skipped.

Screenshots for a reviewer of the change go to ``test-artifacts/screenshots/`` at the repo root.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.pages import TIMEOUT_MS, log_in
from tests.fixtures.live_server import LiveServer

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("REVIEW_SERVICE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip (never fail) the browser tests where they cannot run: PostgreSQL runs, no chromium, no Playwright."""
    reason = None
    if os.environ.get("REVIEW_SERVICE_TEST_DATABASE_URL"):
        reason = "browser tests run on SQLite only (REVIEW_SERVICE_TEST_DATABASE_URL is set)"
    elif not Path(CHROMIUM).exists():
        reason = f"no chromium at {CHROMIUM} (never downloaded: apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed"
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed and "live_server" in getattr(item, "fixturenames", ()):
        server = item.funcargs.get("live_server")  # type: ignore[attr-defined]
        if isinstance(server, LiveServer):
            report.sections.append(("server log (last lines)", server.log_tail()))
    return report


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(env: dict[str, str], module: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", module, *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        pytest.fail(f"{module} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``review-service serve`` on a free loopback port over a fresh instance with the demo data set."""
    instance = tmp_path_factory.mktemp("browser") / "instance"
    env = {**os.environ, "REVIEW_SERVICE_INSTANCE": str(instance),
           "REVIEW_SERVICE_DATABASE_URL": f"sqlite:///{instance / 'review-service.sqlite3'}"}
    env.pop("REVIEW_SERVICE_TEST_DATABASE_URL", None)
    _run(env, "review_service.cli", "init")
    cases = json.loads(_run(env, "tests.browser.seed").strip().splitlines()[-1])
    port = _free_port()
    log = instance / "server.log"
    with log.open("wb") as out:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen([sys.executable, "-m", "review_service.cli", "serve", "--host", "127.0.0.1",
                                    "--port", str(port), "--workers", "2"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", instance, log, cases)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/login", timeout=2) as response:
                    if response.status == 200:
                        break
            except urllib.error.HTTPError as error:
                pytest.fail(f"the server answers /login with {error.code}:\n{server.log_tail()}")
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{server.log_tail()}")
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the session (Debian's; never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def new_context(browser: Any, live_server: LiveServer) -> Iterator[Callable[[], Any]]:
    """Open a fresh browser context (its own cookies) on the server; all are closed after the test."""
    contexts: list[Any] = []

    def open_context() -> Any:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def user_page(new_context: Callable[[], Any]) -> Callable[[str], Any]:
    """A page in a new context, logged in as ``username`` (a demo user), on the page login leads to."""

    def open_as(username: str) -> Any:
        page = new_context().new_page()
        page.goto("/login")
        log_in(page, username)
        assert "/login" not in page.url, f"{username} could not log in: {page.inner_text('main')[:300]}"
        return page

    return open_as
