"""Jura figures: push latency, frame codec rate, setup time and memory per machine."""

from __future__ import annotations

import statistics
import time
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.jura.framing import decode_frame, encode_frame
from custom_components.kitchen_connect.kitchenlib.jura.messages import decode_status_bits
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.jura.simulator import JuraSimulator
from tests.benchmark.measure import (
    Report,
    percentile,
    rss_per_entry,
    start_sim_host,
    state_latencies,
    stop_sim_host,
    timed_setup,
)
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


async def add_entry(hass: HomeAssistant, data: dict[str, Any], title: str) -> MockConfigEntry:
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
    entry = await add_entry(hass, {**data, "machine_id": "bench"}, "Kaffeebert")

    setup_seconds = await timed_setup(hass, entry)
    assert hass.states.get(NO_BEANS) is not None, "entities missing after setup"

    latencies = await state_latencies(
        hass,
        NO_BEANS,
        PUSH_SAMPLES,
        lambda _index: simulator.push_now(),
        lambda index: simulator.set_alert(10, on=index % 2 == 0),
    )
    await hass.config_entries.async_unload(entry.entry_id)
    await simulator.stop()
    return latencies, setup_seconds


async def bench_memory(hass: HomeAssistant) -> float:
    """Resident memory added per configured machine (simulators run in another process)."""
    host, served = await start_sim_host("sim_host", MEMORY_MACHINES)
    ports = [int(port) for port in served.split()]
    profile = get_profile("EF1091")
    assert profile is not None
    entries = []
    for number, port in enumerate(ports):
        remote = RemoteJura(port, profile.ef_code)
        data = await jura_entry_data(remote, conn_id=f"bench-{number}")  # type: ignore[arg-type]
        entries.append(await add_entry(hass, {**data, "machine_id": f"m{number}"}, f"M{number}"))
    per_machine = await rss_per_entry(hass, entries)
    await stop_sim_host(host)
    return per_machine


class RemoteJura:
    """Enough of JuraSimulator's interface for pairing with a simulator in another process."""

    host = "127.0.0.1"
    pin = ""

    def __init__(self, port: int, ef_code: str) -> None:
        self.port = port
        self.profile = get_profile(ef_code)


async def run(hass: HomeAssistant) -> Report:
    """Every Jura figure, as report lines."""
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
