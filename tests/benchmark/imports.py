"""Import time of the integration, and its share of a real Home Assistant's startup.

Every figure comes from fresh interpreters, the median of a few: this process has long
imported everything. Home Assistant has its own core and our dependencies (Bluetooth)
loaded when it imports an integration, so those are imported before the clock starts.

Python keeps compiled modules in a cache, and a Home Assistant install reads its own from
there at every start; ours are compiled once, at the first start after an install or an
update. The figures are taken that way: with a warm cache, and ours also compiled from
source. A machine that forbids the cache (``PYTHONDONTWRITEBYTECODE``, set on some build
machines) would otherwise time compiling at every import; the cache here lives in a
folder of its own, so the checkout stays clean.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
import os
from pathlib import Path
import re
import shutil
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
BYTECODE = Path.home() / ".cache" / "kitchen_connect" / "bytecode"  # scripts/benchmark uses it too


def _environment(*, ours_compiled: bool = False) -> dict[str, str]:
    """Python's environment with the bytecode cache on, or off for our own modules only.

    Off for ours: their cached bytecode is removed and nothing is written back, while
    Home Assistant's stays cached, as at the first start after installing an update.
    """
    environment = {**os.environ, "PYTHONPYCACHEPREFIX": str(BYTECODE)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    if ours_compiled:
        ours = ROOT.relative_to(ROOT.anchor) / "custom_components"
        shutil.rmtree(BYTECODE / ours, ignore_errors=True)
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return environment


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


async def _python(script: str, *, ours_compiled: bool = False) -> dict[str, object]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        cwd=ROOT,
        env=_environment(ours_compiled=ours_compiled),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(stderr.decode()[-2000:])
    found: dict[str, object] = json.loads(stdout.decode().strip().splitlines()[-1])
    return found


@dataclass(frozen=True, slots=True)
class _Imported:
    """Median seconds to import the integration with its flow, then one brand's package."""

    integration: float
    brand: float
    loaded: list[str]  # the brand packages the integration had imported before that one


async def _timed(brand: str, *, ours_compiled: bool) -> _Imported:
    modules = (PACKAGE, f"{PACKAGE}.config_flow", f"{PACKAGE}.{brand}")
    script = _TIMER.format(preloaded=PRELOADED, modules=modules, package=PACKAGE, brands=BRANDS)
    if not ours_compiled:  # Home Assistant's part of the cache is then filled for both
        await _python(script)  # fills the cache, untimed
    runs = [await _python(script, ours_compiled=ours_compiled) for _ in range(RUNS)]
    times = [[float(run[module]) for run in runs] for module in modules]  # type: ignore[arg-type]
    loaded = runs[-1]["before"]
    assert isinstance(loaded, list)
    integration = statistics.median(a + b for a, b in zip(times[0], times[1], strict=True))
    return _Imported(integration, statistics.median(times[2]), loaded)


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
            env=_environment(),
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
    measured = {brand: await _timed(brand, ours_compiled=False) for brand in BRANDS}
    compiled = {brand: await _timed(brand, ours_compiled=True) for brand in BRANDS}
    integration = statistics.median(found.integration for found in measured.values())
    from_source = statistics.median(found.integration for found in compiled.values())
    loaded = sorted({name for found in measured.values() for name in found.loaded})
    await _startup()  # fills the cache with what Home Assistant imports, untimed
    startups = [await _startup() for _ in range(RUNS)]
    imported = statistics.median(run[0] for run in startups)
    started = statistics.median(run[1] for run in startups)
    report: Report = [
        (
            "integration and its config flow (no brand)",
            _both(integration, from_source),
            lambda: not loaded,
        ),
        ("  brand packages imported with them", ", ".join(loaded) or "none", lambda: not loaded),
    ]
    report += [
        (
            f"  {brand} package, when an entry needs it",
            _both(found.brand, compiled[brand].brand),
            lambda: True,
        )
        for brand, found in measured.items()
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


def _both(cached: float, from_source: float) -> str:
    """A time from the bytecode cache, and the first one after an install or update."""
    return f"{cached * 1000:.1f} ms (first start {from_source * 1000:.0f} ms)"
