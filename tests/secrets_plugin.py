"""The suite's secrets check: no secret a simulator handed out may reach what a user can see.

While each test runs, this plugin keeps every log record (DEBUG and up; the integration's
loggers are raised to DEBUG so their debug lines are really made), every diagnostics download,
every repair issue and every error or flow text shown to the user. When the test ends they are
searched for the secrets ``simulators.secrets_ledger`` recorded since the test began (the
simulators are made afresh for each test, so a fixed secret such as a password is recorded
again by every test that meets it). A leak fails the run at the end, naming the test, the place
and the kind of secret with a hash of it, never the secret itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Generator, Iterable
import functools
import json
import logging
import time
from typing import Any

from homeassistant import data_entry_flow
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry
import pytest

from custom_components.kitchen_connect import diagnostics
from simulators import secrets_ledger
from simulators.secrets_ledger import Leak

INTEGRATION_LOGGER = "custom_components.kitchen_connect"
# The simulators are the other side of the wire: they may log what they were sent.
_NOT_CHECKED_LOGGERS = ("simulators",)
_SESSION = "(outside any test)"
# Places a kind of secret may show up because it is public there anyway: a La Marzocco machine
# advertises its serial number (older ones their module's) as its Bluetooth name, which Home
# Assistant's Bluetooth stack logs.
_BLUETOOTH_LOGS = (
    "log line (habluetooth",
    "log line (bleak",
    "log line (homeassistant.components.bluetooth",
)
_PUBLIC_ELSEWHERE: dict[str, tuple[str, ...]] = {
    "La Marzocco serial number": _BLUETOOTH_LOGS,
    "La Marzocco module serial": _BLUETOOTH_LOGS,
}
# Tests (of other files) that show a secret on purpose, as the ``secrets_allowed`` marker would.
_ALLOWED_IN_TESTS: dict[str, tuple[tuple[str, str], ...]] = {}


def _text(value: Any) -> str:
    return json.dumps(value, default=repr, ensure_ascii=False)


class SecretsCheck:
    """Collects what users can see per test and keeps the leaks found in it."""

    def __init__(self) -> None:
        """Start outside any test."""
        self.leaks: list[tuple[str, Leak]] = []
        self.texts_checked = 0
        self.secrets_checked = 0
        self.seconds = 0.0  # spent searching, so the check's own cost shows in every run
        self._test = _SESSION
        self._mark = 0
        self._allowed: tuple[tuple[str, str], ...] = ()
        self._seen: defaultdict[str, list[str]] = defaultdict(list)

    def observe(self, where: str, text: str) -> None:
        """Keep a text a user (or whoever reads the log) can see."""
        self._seen[where].append(text)

    def seen(self, where: str) -> list[str]:
        """The texts kept so far in this test from places starting with ``where``."""
        return [
            text for place, texts in self._seen.items() if place.startswith(where) for text in texts
        ]

    def begin(self, test: str, allowed: Iterable[tuple[str, str]] = ()) -> None:
        """A test starts: what follows belongs to it; ``allowed`` are (kind, place) it may show."""
        self.finish()
        self._test = test
        self._allowed = tuple(allowed)
        self._mark = secrets_ledger.mark()

    def _is_allowed(self, leak: Leak) -> bool:
        places = (*_PUBLIC_ELSEWHERE.get(leak.kind, ()),)
        places += tuple(where for kind, where in self._allowed if kind == leak.kind)
        return leak.where.startswith(places)

    def finish(self) -> None:
        """Search what the current test showed for the secrets recorded since it began."""
        started = time.perf_counter()
        if self._seen:
            secrets = secrets_ledger.since(self._mark)
            self.texts_checked += sum(len(chunks) for chunks in self._seen.values())
            self.secrets_checked += len(secrets)
            texts = ((where, "\n".join(chunks)) for where, chunks in self._seen.items())
            found = secrets_ledger.find_leaks(texts, secrets)
            self.leaks += [(self._test, leak) for leak in found if not self._is_allowed(leak)]
        self._seen.clear()
        self._test = _SESSION
        self._allowed = ()
        self.seconds += time.perf_counter() - started
        self._mark = secrets_ledger.mark()

    def report(self) -> Iterable[str]:
        """One line per leak, without the secret."""
        for test, leak in self.leaks:
            yield f"{test}: {leak.kind} ({leak.fingerprint}) in {leak.where}: ...{leak.excerpt}..."


class _LogTap(logging.Handler):
    """Hands every log record's text to the check."""

    def __init__(self, check: SecretsCheck) -> None:
        super().__init__(logging.DEBUG)
        self._check = check

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(_NOT_CHECKED_LOGGERS) or _is_slow_task_warning(record):
            return
        try:
            text = record.getMessage()
        except Exception:  # a broken record is the logging module's to report
            text = f"{record.msg!r} {record.args!r}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f"\n{record.exc_info[1]!r}"
        self._check.observe(f"log line ({record.name}, {record.levelname})", text)


def _is_slow_task_warning(record: logging.LogRecord) -> bool:
    """asyncio's debug-mode "Executing <Task ...> took 0.2 seconds" shows task names and args.

    Only a loop in debug mode (as in tests) writes it, and a test's own entry title (an old
    style one with the e-mail in it, say) would show up there.
    """
    return record.name == "asyncio" and str(record.msg).startswith("Executing")


class _QuietIntegrationDebug(logging.Filter):
    """Keeps the integration's debug lines, raised only for the check, off the console."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG or not record.name.startswith(INTEGRATION_LOGGER)


def _wrap[**P, R](owner: Any, name: str, after: Callable[..., None]) -> None:
    """Replace ``owner.name`` by a function that calls ``after(result, *args, **kwargs)``."""
    original: Callable[P, R] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        result = original(*args, **kwargs)
        after(result, *args, **kwargs)
        return result

    setattr(owner, name, wrapper)


def _wrap_async[**P, R](owner: Any, name: str, after: Callable[..., None]) -> None:
    """Like ``_wrap`` for a coroutine function."""
    original: Callable[P, Any] = getattr(owner, name)

    @functools.wraps(original)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
        result = await original(*args, **kwargs)
        after(result, *args, **kwargs)
        return result

    setattr(owner, name, wrapper)


def _install_taps(check: SecretsCheck) -> None:
    def diagnostics_download(result: Any, *_args: Any) -> None:
        check.observe("diagnostics", _text(result))

    def repair_issue(_result: Any, _registry: Any, domain: str, issue_id: str, **kw: Any) -> None:
        shown = {key: kw.get(key) for key in ("translation_placeholders", "data", "learn_more_url")}
        check.observe(
            f"repair issue ({domain}.{kw.get('translation_key')})", _text([issue_id, shown])
        )

    def flow_step(result: Any, _manager: Any, flow: Any, step_id: str, *_args: Any) -> None:
        shown = {key: result.get(key) for key in ("description_placeholders", "errors", "reason")}
        check.observe(f"flow step ({flow.handler}.{step_id})", _text(shown))

    def error(_result: None, exc: HomeAssistantError, *args: Any, **kw: Any) -> None:
        shown = [args, kw.get("translation_placeholders")]
        check.observe(f"error ({type(exc).__name__}: {kw.get('translation_key')})", _text(shown))

    _wrap_async(diagnostics, "async_get_config_entry_diagnostics", diagnostics_download)
    _wrap(issue_registry.IssueRegistry, "async_get_or_create", repair_issue)
    _wrap_async(data_entry_flow.FlowManager, "_async_handle_step", flow_step)
    _wrap(HomeAssistantError, "__init__", error)


CHECK = SecretsCheck()


def pytest_configure(config: pytest.Config) -> None:
    """Raise the integration's loggers to DEBUG and tap logs, downloads and texts."""
    config.addinivalue_line(
        "markers",
        "secrets_allowed(kind, where, reason): the test shows this kind of secret there on "
        "purpose (where: the start of the place, e.g. 'log line (homeassistant.helpers')",
    )
    if config.getoption("log_level") is None and config.getini("log_level") is None:
        # Failure reports show what they showed before: the raised debug lines stay out.
        config.option.log_level = "INFO"
    root = logging.getLogger()
    for handler in root.handlers:
        handler.addFilter(_QuietIntegrationDebug())
    root.addHandler(_LogTap(CHECK))
    logging.getLogger(INTEGRATION_LOGGER).setLevel(logging.DEBUG)
    _install_taps(CHECK)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """Check each test on its own, so a leak names the test it happened in."""
    allowed = [tuple(mark.args[:2]) for mark in item.iter_markers("secrets_allowed")]
    CHECK.begin(item.nodeid, [*allowed, *_ALLOWED_IN_TESTS.get(item.nodeid, ())])
    # A test may have set the level (Home Assistant's logger integration does); set it again.
    logging.getLogger(INTEGRATION_LOGGER).setLevel(logging.DEBUG)
    try:
        return (yield)
    finally:
        CHECK.finish()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run when any secret leaked."""
    CHECK.finish()
    if CHECK.leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Name every leak: test, kind, a hash of the secret and where it was seen."""
    terminalreporter.write_line(
        f"secrets check: {CHECK.texts_checked} texts searched for "
        f"{CHECK.secrets_checked} secrets (test by test) in {CHECK.seconds:.1f} s, "
        f"{len(CHECK.leaks)} leaks"
    )
    lines = list(CHECK.report())
    if not lines:
        return
    terminalreporter.section("secrets leaked", sep="=", red=True, bold=True)
    for line in lines:
        terminalreporter.line(line)
