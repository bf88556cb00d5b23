"""What a newcomer runs first: the helper scripts' command lines and the develop setup."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import subprocess
import sys

import pytest
import yaml

from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.ge.server import SmartHqSimulator
from simulators.jura.simulator import JuraSimulator
from tests.helpers import load_develop_setup

ROOT = Path(__file__).parents[2]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def test_benchmark_help_prints_usage_without_measuring() -> None:
    """--help explains the options and exits at once instead of running the benchmark."""
    result = _run(sys.executable, "-m", "tests.benchmark.run", "--help")

    assert result.returncode == 0
    assert "--brand" in result.stdout
    assert "Kitchen Connect benchmark (Jura)" not in result.stdout


@pytest.mark.parametrize(("brand", "option"), [("jura", "--auto-ok"), ("ge", "--port")])
def test_simulator_script_runs_each_brand_in_the_venv(brand: str, option: str) -> None:
    result = _run("scripts/simulator", brand, "--help")

    assert result.returncode == 0, result.stderr
    assert option in result.stdout


def test_simulator_script_names_the_brands_it_knows() -> None:
    result = _run("scripts/simulator", "toaster")

    assert result.returncode == 2
    assert "{jura,ge}" in result.stderr


def test_develop_configuration_sets_the_country(tmp_path: Path) -> None:
    """A fresh develop config has a country, so no repair greets the newcomer."""
    develop_setup = load_develop_setup()

    develop_setup.write_configuration(tmp_path)

    config = yaml.safe_load((tmp_path / "configuration.yaml").read_text(encoding="utf-8"))
    assert config["homeassistant"]["country"]


async def _develop_setup_process(*args: str) -> str:
    """Run scripts/develop_setup.py as scripts/develop does (its own process and loop)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "scripts/develop_setup.py",
        *args,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


async def test_develop_banner_links_to_the_simulated_machine(tmp_path: Path) -> None:
    """On the very first run the banner's link opens the machine's device page."""
    profile = get_profile("EF1091")
    assert profile is not None
    jura = JuraSimulator(profile, auto_confirm_pairing=True)
    ge = SmartHqSimulator()
    await jura.start()
    await ge.start()
    try:
        await _develop_setup_process(
            "--config",
            str(tmp_path),
            "--host",
            jura.host,
            "--port",
            str(jura.port),
            "--ge-port",
            str(ge.port),
        )
    finally:
        await jura.stop()
        await ge.stop()

    url = await _develop_setup_process(
        "--config", str(tmp_path), "--print-device-url", "http://127.0.0.1:8123"
    )

    assert url.startswith("http://127.0.0.1:8123/config/devices/device/")
