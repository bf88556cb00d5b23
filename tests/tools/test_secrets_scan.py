"""The suite's secrets check: it sees every place a secret could leak to, and fails on a leak.

A leak is planted on purpose in a separate pytest run (the check fails that run, naming the
test and place but not the secret); the places it watches are probed in this run with texts
that are not secrets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import subprocess
import sys

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.kitchen_connect.const import DOMAIN
from simulators import secrets_ledger
from simulators.jura.simulator import JuraSimulator
from tests.helpers import add_jura_entry
from tests.secrets_plugin import CHECK

ROOT = Path(__file__).parents[2]
PLANTED = "planted-token-4f9c2e"

LEAKING_TESTS = f'''
import logging

from homeassistant.exceptions import HomeAssistantError

from simulators import secrets_ledger


def test_logs_a_token_at_debug():
    secrets_ledger.record("Planted token", "{PLANTED}")
    logging.getLogger("custom_components.kitchen_connect.jura").debug("token %s", "{PLANTED}")


def test_shows_a_token_in_an_error():
    secrets_ledger.record("Planted token", "{PLANTED}")
    HomeAssistantError(translation_placeholders={{"detail": "token {PLANTED}"}})


def test_keeps_its_secrets():
    secrets_ledger.record("Planted token", "{PLANTED}")
    logging.getLogger("custom_components.kitchen_connect").debug("signed in")
'''


def _run_suite(tmp_path: Path, tests: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_planted.py").write_text(tests)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.secrets_plugin", "-p", "no:cov", "-q"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_planted_leak_fails_the_run_without_showing_the_secret(tmp_path: Path) -> None:
    """Every test passes, yet the run fails: once per test and place, the secret hashed."""
    result = _run_suite(tmp_path, LEAKING_TESTS)
    output = result.stdout + result.stderr

    assert result.returncode == pytest.ExitCode.TESTS_FAILED, output
    assert "3 passed" in output
    leaks = [line for line in output.splitlines() if line.startswith("test_planted.py::")]
    fingerprint = secrets_ledger.fingerprint(PLANTED)
    assert leaks == [
        f"test_planted.py::test_logs_a_token_at_debug: Planted token ({fingerprint}) in "
        "log line (custom_components.kitchen_connect.jura, DEBUG): ...token <Planted token>...",
        f"test_planted.py::test_shows_a_token_in_an_error: Planted token ({fingerprint}) in "
        'error (HomeAssistantError: None): ...[[], {"detail": "token <Planted token>"}]...',
    ]
    assert PLANTED not in output
    assert "test_keeps_its_secrets" not in "\n".join(leaks)


def test_short_values_and_numbers_inside_numbers_are_not_leaks() -> None:
    """A four-digit PIN is not checked; a six-digit code only counts as a whole number."""
    secrets_ledger.record("PIN", "4242")
    secrets_ledger.record("One-time code", "135790")
    checked = secrets_ledger.since(0)

    assert "4242" not in checked
    texts = [("log", "at 1700000000.135790 took 0.1 s"), ("log", "id 91357901")]
    assert secrets_ledger.find_leaks(texts, checked) == []
    found = secrets_ledger.find_leaks([("log", "code 135790 sent")], checked)
    assert [(leak.kind, leak.excerpt) for leak in found] == [
        ("One-time code", "code <One-time code> sent")
    ]


def test_bytes_are_checked_in_both_hex_cases_and_as_text() -> None:
    secrets_ledger.record("Key", bytes.fromhex("a1b2c3d4e5f6"))
    secrets_ledger.record("Serial", b"16069D70p1")
    checked = secrets_ledger.since(0)

    for text in ("key a1b2c3d4e5f6", "KEY A1B2C3D4E5F6", "serial 16069D70p1"):
        assert secrets_ledger.find_leaks([("log", text)], checked), text


async def test_the_check_sees_logs_errors_repairs_and_downloads(
    hass: HomeAssistant, jura_simulator: JuraSimulator, hass_client: ClientSessionGenerator
) -> None:
    """Each place is watched in this run (probed with texts that are not secrets)."""
    entry = await add_jura_entry(hass, jura_simulator)
    assert CHECK.seen("log line (custom_components.kitchen_connect"), "no debug line seen"

    ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_device",
        translation_placeholders={"name": "probe-error"},
    )
    assert any("probe-error" in text for text in CHECK.seen("error (ServiceValidationError"))

    ir.async_create_issue(
        hass,
        DOMAIN,
        "probe_issue",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="probe",
        translation_placeholders={"name": "probe-repair"},
    )
    assert any("probe-repair" in text for text in CHECK.seen(f"repair issue ({DOMAIN}.probe)"))

    assert await async_setup_component(hass, "diagnostics", {})
    download = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert json.dumps(download["runtime"]) in "".join(CHECK.seen("diagnostics"))
