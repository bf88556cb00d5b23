"""One Home Assistant process, the simulators and headless Chromium for every browser test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
import contextlib
from dataclasses import dataclass
import json
import os
from pathlib import Path
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

from playwright.sync_api import Browser, Error as PlaywrightError, Page, Playwright, sync_playwright
import pytest
import pytest_socket

from .home_assistant import (
    ROOT,
    RunningHomeAssistant,
    free_port,
    prepare_config,
    run_home_assistant,
)
from .ui import assert_no_raw_keys

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ACTION_TIMEOUT_MS = 15_000
START_TIMEOUT_MS = 90_000
HASS_LOG = "home-assistant.log"
# The frontend fetches brand icons from the internet; the tests reach nothing but loopback.
NOT_LOOPBACK = re.compile(r"^(?!(?:https?|wss?)://127\.0\.0\.1[:/])")
TIMINGS: dict[str, float] = {}
# What the tests ran against, read from the running Home Assistant.
VERSIONS: dict[str, str] = {}
FRONTEND_PACKAGE = "home-assistant-frontend"
INSTALL_HINT = "apt-get install chromium  (or run scripts/bootstrap as root)"


def chromium_path() -> str:
    """Debian's Chromium: $KC_CHROMIUM, else the one on PATH (scripts/bootstrap installs it)."""
    candidate = os.environ.get("KC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(candidate).is_file():
        pytest.fail(f"the browser tests need Debian's chromium; install it with: {INSTALL_HINT}")
    return candidate


class SimulatorHost:
    """The simulators' process (tests/browser/sim_host.py) and its command line."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.sim_host"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ports: dict[str, int] = json.loads(self._readline())

    def _readline(self) -> str:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the simulators stopped (exit {self._process.wait(10)})")
        return line

    def url(self, name: str) -> str:
        """The base URL of the HTTP simulator ``name`` (a cloud)."""
        return f"http://127.0.0.1:{self.ports[name]}"

    def command(self, name: str) -> Any:
        """Send one command and return its result."""
        assert self._process.stdin is not None
        self._process.stdin.write(name + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._readline())
        if "error" in answer:
            raise RuntimeError(f"simulator command {name!r} failed: {answer['error']}")
        return answer["result"]

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)


class BrowserThread:
    """Playwright's sync API on a thread of its own.

    The sync API keeps its event loop marked as running on the thread that started it,
    which would stop the test harness's own loop fixtures on the main thread.
    """

    def __init__(self, executable: str, artifacts: Path) -> None:
        self._artifacts = artifacts
        self.kept_screenshots = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._executable = executable
        self.run_in_thread(self._start)

    def _start(self) -> None:
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=self._executable, args=CHROMIUM_FLAGS, headless=True
        )

    def wait_until_running(self, url: str) -> None:
        """Wait until Home Assistant has started, so pages load with every integration."""

        def _wait() -> None:
            assert self._browser is not None
            page = self._browser.new_page()
            page.route(NOT_LOOPBACK, lambda route: route.abort())
            try:
                page.goto(url)
                page.wait_for_function(
                    "() => document.querySelector('home-assistant')?.hass?.config?.state"
                    " === 'RUNNING'",
                    timeout=START_TIMEOUT_MS,
                )
            finally:
                page.close()

        self.run_in_thread(_wait)

    def versions(self, url: str) -> dict[str, str]:
        """Home Assistant's version and the frontend package it serves."""

        def _read() -> dict[str, str]:
            assert self._browser is not None
            page = self._browser.new_page()
            page.route(NOT_LOOPBACK, lambda route: route.abort())
            try:
                page.goto(url)
                page.wait_for_function("() => document.querySelector('home-assistant')?.hass")
                return dict(
                    page.evaluate(
                        """async package_name => {
                            const hass = document.querySelector('home-assistant').hass;
                            const config = await hass.callWS({type: 'get_config'});
                            const manifest = await hass.callWS(
                                {type: 'manifest/get', integration: 'frontend'});
                            const pinned = manifest.requirements.find(
                                r => r.startsWith(package_name + '=='));
                            return {
                                'Home Assistant': config.version,
                                frontend: pinned ? pinned.split('==')[1] : 'unknown',
                            };
                        }""",
                        FRONTEND_PACKAGE,
                    )
                )
            finally:
                page.close()

        return self.run_in_thread(_read)

    def run_in_thread[T](self, function: Callable[[], T], timeout: float = 110.0) -> T:
        """Run ``function`` on the browser's thread and return its result."""
        return self._executor.submit(function).result(timeout)

    def run_on_page[T](self, name: str, scenario: Callable[[Page], T], *, locale: str) -> T:
        """Run ``scenario`` in a fresh tab; on failure save a screenshot and name its path."""

        def _run() -> T:
            assert self._browser is not None
            context = self._browser.new_context(
                viewport={"width": 1280, "height": 800}, locale=locale
            )
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            context.route(NOT_LOOPBACK, lambda route: route.abort())
            page = context.new_page()
            try:
                result = scenario(page)
                # Whatever page a scenario ends on is scanned too, not only those it checks.
                assert_no_raw_keys(page)
            except BaseException as err:
                path = self._artifacts / f"{name}.png"
                with contextlib.suppress(PlaywrightError):
                    page.screenshot(path=path, full_page=True)
                    self.kept_screenshots = True
                    err.add_note(f"screenshot of the page: {path}")
                    print(f"\nscreenshot of the failing page: {path}")
                err.add_note(f"Home Assistant's log: {self._artifacts / HASS_LOG}")
                raise
            finally:
                context.close()
            return result

        return self.run_in_thread(_run)

    def close(self) -> None:
        def _stop() -> None:
            if self._browser is not None:
                self._browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        try:
            self.run_in_thread(_stop, timeout=30)
        finally:
            self._executor.shutdown(wait=True)


@dataclass(frozen=True, slots=True)
class BrowserEnvironment:
    """What a browser test works with."""

    hass: RunningHomeAssistant
    simulators: SimulatorHost
    browser: BrowserThread


# Package scope: one Home Assistant for every browser test, stopped once they are done.
@pytest.fixture(scope="package")
def browser_environment() -> Iterator[BrowserEnvironment]:
    """Simulators, then Home Assistant prepared like scripts/develop, then Chromium."""
    executable = chromium_path()
    # The harness blocks sockets between tests; this fixture outlives them.
    pytest_socket.enable_socket()
    started = time.monotonic()
    # Kept after the run: screenshots of failing pages and Home Assistant's log.
    artifacts = Path(tempfile.mkdtemp(prefix="kc-browser-tests-"))
    simulators = SimulatorHost()
    try:
        with tempfile.TemporaryDirectory(prefix="kc-browser-hass-") as config:
            config_dir = Path(config)
            http_port = free_port()
            prepare_config(
                config_dir,
                jura_host="127.0.0.1",
                jura_port=simulators.ports["jura"],
                ge_port=simulators.ports["ge"],
                http_port=http_port,
                lamarzocco_local_ports=(
                    simulators.ports["lamarzocco_local"],
                    simulators.ports["lamarzocco_direct"],
                ),
            )
            with run_home_assistant(config_dir, http_port, artifacts / HASS_LOG) as hass:
                browser = BrowserThread(executable, artifacts)
                try:
                    browser.wait_until_running(hass.url)
                    TIMINGS["ready"] = time.monotonic() - started
                    VERSIONS.update(browser.versions(hass.url))
                    yield BrowserEnvironment(hass, simulators, browser)
                finally:
                    browser.close()
                    if not browser.kept_screenshots:
                        shutil.rmtree(artifacts, ignore_errors=True)
    finally:
        simulators.close()
        TIMINGS["total"] = time.monotonic() - started


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how long the browser tests took, start-up included, and what they ran against."""
    if "total" in TIMINGS:
        terminalreporter.write_line(
            f"browser tests: {TIMINGS['total']:.1f} s in all, Home Assistant, simulators and "
            f"Chromium ready after {TIMINGS.get('ready', 0.0):.1f} s"
        )
    if VERSIONS:
        terminalreporter.write_line(
            "browser tests ran against "
            + ", ".join(f"{name} {version}" for name, version in VERSIONS.items())
        )


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No in-process test Home Assistant here: the one under test is its own process."""


@pytest.fixture(autouse=True)
def verify_cleanup() -> None:
    """The harness's check for an in-process Home Assistant's leftovers does not apply.

    It counts threads, and Playwright's loop starts executor threads of its own as it
    needs them; every process these tests start is stopped by the session fixture.
    """
