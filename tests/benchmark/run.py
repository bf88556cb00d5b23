"""Kitchen Connect benchmark: push latency, traffic, codec throughput, setup time and memory.

Run with ``scripts/benchmark``. Not part of the test run: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence
import gc
import logging
from pathlib import Path
import statistics
import sys
import tempfile
import time
from typing import Any

from homeassistant import loader
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.jura.framing import decode_frame, encode_frame
from custom_components.kitchen_connect.kitchenlib.jura.messages import decode_status_bits
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.jura.simulator import JuraSimulator
from tests.benchmark import ge as ge_bench, lamarzocco as lamarzocco_bench, nespresso as nes_bench
from tests.benchmark.measure import percentile, rss_bytes
from tests.helpers import jura_entry_data

PUSH_SAMPLES = 1000
CODEC_FRAMES = 50_000
MEMORY_MACHINES = 10
NO_BEANS = "binary_sensor.kaffeebert_bean_container_empty"


def bench_codec() -> tuple[float, float]:
    """Frames encoded and decoded per second for a typical pushed status frame."""
    text = "@TF:0004000008000000"
    started = time.perf_counter()
    frames = [encode_frame(text) for _ in range(CODEC_FRAMES)]
    encode_rate = CODEC_FRAMES / (time.perf_counter() - started)
    started = time.perf_counter()
    for frame in frames:
        decode_status_bits(decode_frame(frame)[4:])
    decode_rate = CODEC_FRAMES / (time.perf_counter() - started)
    return encode_rate, decode_rate


async def _add_entry(hass: HomeAssistant, data: dict[str, Any], title: str) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN, title=title, unique_id=data["machine_id"], data=data, options={}
    )
    entry.add_to_hass(hass)
    return entry


async def bench_push_and_setup(hass: HomeAssistant) -> tuple[list[float], float]:
    """Latency from a simulator status change to Home Assistant's state change."""
    profile = get_profile("EF1091")
    assert profile is not None
    simulator = JuraSimulator(profile, auto_confirm_pairing=True, push_interval=3600)
    await simulator.start()
    data = await jura_entry_data(simulator)
    entry = await _add_entry(hass, {**data, "machine_id": "bench"}, "Kaffeebert")

    started = time.perf_counter()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    setup_seconds = time.perf_counter() - started
    assert hass.states.get(NO_BEANS) is not None, "entities missing after setup"

    latencies: list[float] = []
    changed: asyncio.Future[float] | None = None

    # A @callback runs in the event loop; a plain function would run in a worker thread,
    # adding a thread hop to every figure and resolving the future from another thread.
    @callback
    def _on_change(event: Event[Any]) -> None:
        if event.data["entity_id"] == NO_BEANS and changed is not None and not changed.done():
            changed.set_result(time.perf_counter())

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, _on_change)
    for index in range(PUSH_SAMPLES):
        changed = hass.loop.create_future()
        simulator.set_alert(10, on=index % 2 == 0)
        sent = time.perf_counter()
        simulator.push_now()
        latencies.append(await asyncio.wait_for(changed, 5) - sent)
    unsubscribe()
    await hass.config_entries.async_unload(entry.entry_id)
    await simulator.stop()
    return latencies, setup_seconds


async def bench_memory(hass: HomeAssistant) -> float:
    """Resident memory added per configured machine (simulators run in another process)."""
    host = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.benchmark.sim_host",
        str(MEMORY_MACHINES),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert host.stdout is not None
    assert host.stdin is not None
    ports = [int(port) for port in (await host.stdout.readline()).split()]
    profile = get_profile("EF1091")
    assert profile is not None
    entries = []
    for number, port in enumerate(ports):
        remote = _RemoteSimulator(port, profile.ef_code)
        data = await jura_entry_data(remote, conn_id=f"bench-{number}")  # type: ignore[arg-type]
        entries.append(await _add_entry(hass, {**data, "machine_id": f"m{number}"}, f"M{number}"))
    # Warm up with one machine so imports and caches are not counted per machine.
    await hass.config_entries.async_setup(entries[0].entry_id)
    await hass.async_block_till_done()
    gc.collect()
    before = rss_bytes()
    for entry in entries[1:]:
        await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await asyncio.sleep(1)
    gc.collect()
    per_machine = (rss_bytes() - before) / (len(entries) - 1)
    for entry in entries:
        await hass.config_entries.async_unload(entry.entry_id)
    host.stdin.close()
    await host.wait()
    return per_machine


class _RemoteSimulator:
    """Enough of JuraSimulator's interface for pairing with a simulator in another process."""

    host = "127.0.0.1"
    pin = ""

    def __init__(self, port: int, ef_code: str) -> None:
        self.port = port
        self.profile = get_profile(ef_code)


BRANDS = ("jura", "ge", "lamarzocco", "nespresso")

type Report = list[tuple[str, str, Callable[[], bool]]]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line: which brands to measure (all by default)."""
    parser = argparse.ArgumentParser(
        prog="scripts/benchmark",
        description=(
            "Measure Kitchen Connect against its loopback simulators and print figures: "
            "push latency, frame codec rate, setup time and memory per machine for Jura; "
            "push latency, requests per hour and setup time for GE. Takes about a minute; "
            "the figures depend on the machine, so they are printed, not asserted."
        ),
    )
    parser.add_argument(
        "--brand",
        choices=BRANDS,
        action="append",
        help="measure only this brand (repeat for several; default: every brand)",
    )
    return parser.parse_args(argv)


async def main(argv: Sequence[str] | None = None) -> None:
    brands = parse_args(argv).brand or list(BRANDS)
    logging.getLogger("homeassistant").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            if "jura" in brands:
                _print_report(
                    f"Kitchen Connect benchmark (Jura), Python {sys.version.split()[0]}",
                    await _jura_report(hass),
                )
            if "ge" in brands:
                _print_report(
                    "Kitchen Connect benchmark (GE Appliances SmartHQ, loopback simulator)",
                    await ge_bench.run(hass),
                )
            if "lamarzocco" in brands:
                _print_report(
                    "Kitchen Connect benchmark (La Marzocco cloud, loopback simulator)",
                    await lamarzocco_bench.run(hass),
                )
            if "nespresso" in brands:
                _print_report(
                    "Kitchen Connect benchmark (Nespresso, simulated Bluetooth proxy)",
                    await nes_bench.run(hass),
                )
            await hass.async_stop(force=True)


def _print_report(title: str, report: Report) -> None:
    print(title)
    for name, value, ok in report:
        print(f"  {name:<48} {value:>14}  {'ok' if ok() else 'MISSES TARGET'}")


async def _jura_report(hass: HomeAssistant) -> Report:
    encode_rate, decode_rate = bench_codec()
    latencies, setup_seconds = await bench_push_and_setup(hass)
    per_machine = await bench_memory(hass)
    report: Report = [
        (
            f"push latency p50 ({PUSH_SAMPLES} changes)",
            f"{percentile(latencies, 0.5) * 1000:.2f} ms",
            lambda: percentile(latencies, 0.5) < 0.005,
        ),
        (
            f"push latency p99 ({PUSH_SAMPLES} changes)",
            f"{percentile(latencies, 0.99) * 1000:.2f} ms",
            lambda: percentile(latencies, 0.99) < 0.020,
        ),
        ("frames encoded per second", f"{encode_rate:,.0f}", lambda: True),
        ("frames decoded per second", f"{decode_rate:,.0f}", lambda: True),
        (
            "config entry setup to entities available",
            f"{setup_seconds * 1000:.1f} ms",
            lambda: setup_seconds < 0.2,
        ),
        (
            f"resident memory per machine ({MEMORY_MACHINES} machines)",
            f"{per_machine / 1024 / 1024:.2f} MB",
            lambda: per_machine < 2 * 1024 * 1024,
        ),
        (
            f"mean push latency ({PUSH_SAMPLES} changes)",
            f"{statistics.fmean(latencies) * 1000:.2f} ms",
            lambda: True,
        ),
    ]
    return report


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parents[2]))
    asyncio.run(main(sys.argv[1:]))
