"""Import time of the integration, and its share of a real Home Assistant's startup.

Every figure comes from fresh interpreters, the median of a few: this process has long
imported everything. Home Assistant has its own core and our dependencies (Bluetooth)
loaded when it imports an integration, so those are imported before the clock starts.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import re
import socket
import statistics
import sys
import tempfile
import time

from tests.benchmark.measure import Report

ROOT = Path(__file__).parents[2]
PACKAGE = "custom_components.kitchen_connect"
BRANDS = ("jura", "ge", "lamarzocco", "nespresso")
RUNS = 3
# What a running Home Assistant has imported before it imports a custom integration.
PRELOADED = ("homeassistant.bootstrap", "homeassistant.components.bluetooth")
STARTUP_TIMEOUT = 120.0

_TIMER = """
import json, sys, time
for name in {preloaded!r}:
    __import__(name)
found = {{}}
def brands():
    return sorted(
        m.split(".")[2] for m in sys.modules
        if m.startswith("{package}.") and m.count(".") == 2 and m.split(".")[2] in {brands!r}
    )
for name in {modules!r}:
    if name.count(".") == 2 and name.split(".")[2] in {brands!r}:
        found["before"] = brands()
    started = time.perf_counter()
    __import__(name)
    found[name] = time.perf_counter() - started
print(json.dumps(found))
"""


async def _python(script: str) -> dict[str, object]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(stderr.decode()[-2000:])
    found: dict[str, object] = json.loads(stdout.decode().strip().splitlines()[-1])
    return found


async def _timed(brand: str) -> tuple[float, float, list[str]]:
    """Median seconds to import the integration with its flow, then ``brand``'s package.

    Also the brand packages the integration had imported before ``brand`` was asked for.
    """
    modules = (PACKAGE, f"{PACKAGE}.config_flow", f"{PACKAGE}.{brand}")
    script = _TIMER.format(preloaded=PRELOADED, modules=modules, package=PACKAGE, brands=BRANDS)
    runs = [await _python(script) for _ in range(RUNS)]
    times = [[float(run[module]) for run in runs] for module in modules]  # type: ignore[arg-type]
    loaded = runs[-1]["before"]
    assert isinstance(loaded, list)
    integration = statistics.median(a + b for a, b in zip(times[0], times[1], strict=True))
    return integration, statistics.median(times[2]), loaded


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _configure(config: Path) -> None:
    """A minimal Home Assistant on loopback with one Jura entry (its machine unreachable)."""
    (config / "custom_components").symlink_to(ROOT / "custom_components")
    (config / "configuration.yaml").write_text(
        "http:\n"
        "  server_host: 127.0.0.1\n"
        f"  server_port: {_free_port()}\n"
        "logger:\n"
        "  default: warning\n"
        "  logs:\n"
        "    homeassistant.loader: debug\n"
        "    homeassistant.bootstrap: info\n",
        encoding="utf-8",
    )
    entry = {
        "entry_id": "01JURABENCHMARK0000000000",
        "version": 1,
        "minor_version": 2,
        "domain": "kitchen_connect",
        "title": "Kaffeebert",
        "data": {
            "brand": "jura",
            "host": "127.0.0.1",
            "port": _free_port(),
            "conn_id": "benchmark",
            "token": "0" * 32,
            "pin": "",
            "model": "EF1091",
            "article": None,
            "machine_id": "15480-1-4242",
        },
        "options": {},
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "unique_id": "15480-1-4242",
        "disabled_by": None,
        "discovery_keys": {},
        "subentries": [],
        "created_at": "2026-01-01T00:00:00+00:00",
        "modified_at": "2026-01-01T00:00:00+00:00",
    }
    storage = config / ".storage"
    storage.mkdir()
    (storage / "core.config_entries").write_text(
        json.dumps(
            {
                "version": 1,
                "minor_version": 5,
                "key": "core.config_entries",
                "data": {"entries": [entry]},
            }
        ),
        encoding="utf-8",
    )


_IMPORT_LINE = re.compile(r"Component kitchen_connect import took ([0-9.]+) seconds")
_STARTED_LINE = re.compile(r"Home Assistant initialized in ([0-9.]+)s")


async def _startup() -> tuple[float, float]:
    """Home Assistant's own figures: our import, and its whole startup, in seconds."""
    with tempfile.TemporaryDirectory() as directory:
        config = Path(directory)
        _configure(config)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "homeassistant",
            "--config",
            str(config),
            "--skip-pip",
            cwd=config,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert process.stdout is not None
        imported = started = None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        try:
            while started is None and time.monotonic() < deadline:
                line = await asyncio.wait_for(process.stdout.readline(), STARTUP_TIMEOUT)
                if not line:
                    break
                text = line.decode(errors="replace")
                if match := _IMPORT_LINE.search(text):
                    imported = float(match.group(1))
                if match := _STARTED_LINE.search(text):
                    started = float(match.group(1))
        finally:
            process.terminate()
            await process.wait()
    if imported is None or started is None:
        raise RuntimeError("Home Assistant did not report its startup")
    return imported, started


async def run() -> Report:
    """Import times, each in fresh interpreters."""
    measured = {brand: await _timed(brand) for brand in BRANDS}
    integration = statistics.median(found[0] for found in measured.values())
    loaded = sorted({name for found in measured.values() for name in found[2]})
    startups = [await _startup() for _ in range(RUNS)]
    imported = statistics.median(run[0] for run in startups)
    started = statistics.median(run[1] for run in startups)
    report: Report = [
        (
            "integration and its config flow (no brand)",
            f"{integration * 1000:.1f} ms",
            lambda: not loaded,
        ),
        ("  brand packages imported with them", ", ".join(loaded) or "none", lambda: not loaded),
    ]
    report += [
        (f"  {brand} package, when an entry needs it", f"{seconds * 1000:.1f} ms", lambda: True)
        for brand, (_, seconds, _) in measured.items()
    ]
    report += [
        (
            "Home Assistant's own figure: our import at startup",
            f"{imported * 1000:.0f} ms",
            lambda: True,
        ),
        (
            "  of its startup (one Jura entry, minimal config)",
            f"{imported / started:.1%} of {started:.2f} s",
            lambda: imported / started < 0.1,
        ),
    ]
    return report
