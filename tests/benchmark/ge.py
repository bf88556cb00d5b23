"""GE SmartHQ figures: push latency, steady-state traffic, setup time, memory, ERD decoding."""

from __future__ import annotations

import asyncio
import gc
import time

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.ge import setup as ge_setup
from custom_components.kitchen_connect.kitchenlib.ge.erd import decode_erd_value
from simulators.ge import SmartHqSimulator
from simulators.ge.household import default_household
from tests.benchmark.measure import (
    Report,
    percentile,
    rss_bytes,
    start_sim_host,
    state_latencies,
    stop_sim_host,
    timed_setup,
)
from tests.helpers import ge_entry_data

PUSH_SAMPLES = 1000
DECODE_ROUNDS = 200
WATER_HEATER = "D828C9A10008"
TANK_ENTITY = "water_heater.water_heater"
# Traffic is measured with every interval shortened this many times: 3.6 s is one hour.
TIME_SCALE = 1000.0
PRODUCTION_TIMING = ge_setup.ClientTiming(**ge_setup.CLIENT_TIMING)
MEMORY_HOUSEHOLDS = 5  # copies of the ten-appliance household on one account


def bench_decode() -> float:
    """ERD values decoded per second over every ERD of the simulated household."""
    values = [
        (code, raw)
        for appliance in default_household().appliances.values()
        for code, raw in appliance.erds.items()
    ]
    started = time.perf_counter()
    for _ in range(DECODE_ROUNDS):
        for code, raw in values:
            decode_erd_value(code, raw)
    return DECODE_ROUNDS * len(values) / (time.perf_counter() - started)


async def add_entry(hass: HomeAssistant, simulator: SmartHqSimulator) -> MockConfigEntry:
    data = await ge_entry_data(simulator)
    entry = MockConfigEntry(domain=DOMAIN, title="GE bench", unique_id=data["user_id"], data=data)
    entry.add_to_hass(hass)
    return entry


async def bench_push_and_setup(hass: HomeAssistant) -> tuple[list[float], float]:
    """Setup time of an account with ten appliances, and push-to-state latency."""
    simulator = SmartHqSimulator(tick_interval=0)
    await simulator.start()
    entry = await add_entry(hass, simulator)
    setup_seconds = await timed_setup(hass, entry)
    assert hass.states.get(TANK_ENTITY) is not None, (
        f"entities missing after setup ({entry.state}: {entry.reason})"
    )

    latencies = await state_latencies(
        hass,
        TANK_ENTITY,
        PUSH_SAMPLES,
        lambda index: simulator.household.set_erd(
            WATER_HEATER, 0x4026, f"{1000 + 10 * (index % 80):04X}"
        ),
    )
    await hass.config_entries.async_unload(entry.entry_id)
    await simulator.stop()
    return latencies, setup_seconds


async def bench_traffic(hass: HomeAssistant) -> tuple[dict[str, int], int]:
    """Requests one account sends in an hour of steady state (time compressed).

    Returns the requests by kind and the number of appliances on the account.
    """
    ge_setup.CLIENT_TIMING.update(
        ge_setup.ClientTiming(
            ping_interval=PRODUCTION_TIMING["ping_interval"] / TIME_SCALE,
            list_interval=PRODUCTION_TIMING["list_interval"] / TIME_SCALE,
            max_connection_age=PRODUCTION_TIMING["max_connection_age"] / TIME_SCALE,
            backoff_initial=PRODUCTION_TIMING["backoff_initial"] / TIME_SCALE,
            backoff_max=PRODUCTION_TIMING["backoff_max"] / TIME_SCALE,
        )
    )
    simulator = SmartHqSimulator(tick_interval=0, connection_lifetime=3600 / TIME_SCALE)
    await simulator.start()
    try:
        entry = await add_entry(hass, simulator)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        first = len(simulator.request_log)
        await asyncio.sleep(3600 / TIME_SCALE)
        hour = simulator.request_log[first:]
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        ge_setup.CLIENT_TIMING.update(PRODUCTION_TIMING)
        await simulator.stop()
    kinds: dict[str, int] = {}
    for record in hour:
        label = record.kind
        if record.kind == "api":
            label = "allErd" if record.path.endswith("/erd") else "list"
        elif record.kind == "http":
            label = f"http {record.path}"
        kinds[label] = kinds.get(label, 0) + 1
    return kinds, len(simulator.household.appliances)


async def bench_memory(hass: HomeAssistant) -> float:
    """Resident memory per appliance: one account with fifty appliances, simulator elsewhere."""
    host, served = await start_sim_host("ge_sim_host", MEMORY_HOUSEHOLDS)
    port, count = (int(word) for word in served.split())
    remote = RemoteSimulator(port)
    entry = await add_entry(hass, remote)  # type: ignore[arg-type]
    gc.collect()
    before = rss_bytes()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await asyncio.sleep(1)
    gc.collect()
    per_appliance = (rss_bytes() - before) / count
    await hass.config_entries.async_unload(entry.entry_id)
    await stop_sim_host(host)
    return per_appliance


class RemoteSimulator:
    """Enough of SmartHqSimulator's interface to sign in to one in another process."""

    def __init__(self, port: int) -> None:
        from custom_components.kitchen_connect.kitchenlib.ge.endpoints import Endpoints

        self.base_url = f"http://127.0.0.1:{port}"
        self.endpoints = Endpoints.for_server(self.base_url)


async def run(hass: HomeAssistant) -> Report:
    """Every GE figure, as report lines."""
    decode_rate = bench_decode()
    latencies, setup_seconds = await bench_push_and_setup(hass)
    traffic, appliances = await bench_traffic(hass)
    per_appliance = await bench_memory(hass)
    steady = sum(traffic.values())
    # ha_gehome: a full ERD read per appliance every 30 s, plus the same pings and lists.
    ha_gehome = appliances * 120 + traffic.get("ping", 0) + traffic.get("list", 0)
    breakdown = ", ".join(f"{kind} {count}" for kind, count in sorted(traffic.items()))
    return [
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
        (
            f"requests per hour, one account, {appliances} appliances",
            f"{steady}",
            lambda: steady < ha_gehome,
        ),
        ("  of which", breakdown, lambda: True),
        ("  ha_gehome's 30 s full reads would send", f"{ha_gehome}", lambda: True),
        (
            "config entry setup to entities available",
            f"{setup_seconds * 1000:.1f} ms",
            lambda: setup_seconds < 0.5,
        ),
        (
            f"resident memory per appliance ({MEMORY_HOUSEHOLDS * 10} appliances)",
            f"{per_appliance / 1024 / 1024:.3f} MB",
            lambda: per_appliance < 1024 * 1024,
        ),
        ("ERD values decoded per second", f"{decode_rate:,.0f}", lambda: True),
    ]
