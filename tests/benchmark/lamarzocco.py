"""La Marzocco figures: websocket push latency, REST requests per hour, setup time, memory."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud import Endpoints, LaMarzoccoCloud
from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import InstallationKey
from custom_components.kitchen_connect.lamarzocco import account as lm_account, side
from custom_components.kitchen_connect.lamarzocco.const import (
    CONF_BLUETOOTH_ADDRESS,
    CONF_INSTALLATION_KEY,
    CONF_MODEL,
    CONF_SERIAL,
    CONF_SERVER,
)
from simulators.ha_bluetooth import (
    SimulatedScanner,
    async_drop_discovery,
    async_start_scanner,
)
from simulators.lamarzocco.household import Household, SimMachine
from simulators.lamarzocco.peripheral import LaMarzoccoAir
from simulators.lamarzocco.server import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    LaMarzoccoCloudSimulator,
)
from tests.benchmark.measure import (
    Report,
    async_setup_bluetooth,
    latency_lines,
    rss_per_entry,
    state_latencies,
    timed_setup,
)

PUSH_SAMPLES = 1000
MICRA = "MR000001"
TARGET_ENTITY = "number.micra_coffee_temperature"
BOILER_ENTITY = "sensor.micra_coffee_boiler_temperature"
# Traffic is measured with the polling intervals shortened this many times: 36 s is one hour.
# No shorter: Home Assistant's coordinators count their next refresh from the whole second,
# which takes up to a second off each interval, and an interval under a second can fall due
# again at once and read over and over (once, at 1000 times, 285 statistics reads of one
# machine in the compressed hour instead of 4).
TIME_SCALE = 100.0
MEMORY_MACHINES = 20
# Home Assistant's core integration: the dashboard every 60 s, statistics every 15 minutes,
# schedules every 30 minutes and settings every 8 hours, per machine.
CORE_REQUESTS_PER_HOUR = 60 + 4 + 2 + 1 / 8


async def add_entries(
    hass: HomeAssistant,
    simulator: LaMarzoccoCloudSimulator,
    serials: list[str],
    extra: dict[str, Any] | None = None,
) -> list[MockConfigEntry]:
    """Entries as the config flow stores them: one registered key for the account."""
    key = InstallationKey.generate()
    async with aiohttp.ClientSession() as session:
        cloud = LaMarzoccoCloud(
            session,
            key,
            DEFAULT_USERNAME,
            DEFAULT_PASSWORD,
            endpoints=Endpoints.for_server(simulator.base_url),
        )
        await cloud.async_register()
    entries = []
    for serial in serials:
        machine = simulator.household.machines[serial]
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=machine.name,
            unique_id=serial,
            data={
                "brand": "lamarzocco",
                "username": DEFAULT_USERNAME,
                "password": DEFAULT_PASSWORD,
                CONF_SERVER: simulator.base_url,
                CONF_INSTALLATION_KEY: key.to_dict(),
                CONF_SERIAL: serial,
                CONF_MODEL: machine.model_code,
                **(extra or {}),
            },
            options={"use_bluetooth": True, "offline_mode": False},
        )
        entry.add_to_hass(hass)
        entries.append(entry)
    return entries


async def wait_connected(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    async with asyncio.timeout(10):
        while not entry.runtime_data.coordinator.websocket_connected:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def bench_push_and_setup(hass: HomeAssistant) -> tuple[list[float], float]:
    """Setup time of one machine, and websocket push-to-state latency."""
    simulator = LaMarzoccoCloudSimulator(tick_interval=0)
    await simulator.start()
    (entry,) = await add_entries(hass, simulator, [MICRA])
    setup_seconds = await timed_setup(hass, entry)
    assert hass.states.get(TARGET_ENTITY) is not None, f"entities missing ({entry.state})"
    await wait_connected(hass, entry)

    machine = simulator.household.machines[MICRA]
    latencies = await state_latencies(
        hass,
        TARGET_ENTITY,
        PUSH_SAMPLES,
        lambda _index: simulator.household.changed(machine),
        lambda index: setattr(machine, "coffee_target", 85.0 + (index % 100) / 10),
    )
    await hass.config_entries.async_unload(entry.entry_id)
    await simulator.stop()
    return latencies, setup_seconds


async def bench_bluetooth(hass: HomeAssistant) -> list[float]:
    """Shot-counter notification to state: the Micra's boiler temperature over Bluetooth.

    Home Assistant's Bluetooth stack runs with a simulated proxy, and Home Assistant's own
    ``lamarzocco`` integration does not discover the simulated machines.
    """
    await async_setup_bluetooth(hass)
    await async_drop_discovery(hass, "lamarzocco")
    simulator = LaMarzoccoCloudSimulator(tick_interval=0)
    await simulator.start()
    air = LaMarzoccoAir.for_household(simulator.household, tick=3600)
    scanner = SimulatedScanner("benchmark-proxy", air.peripherals.values())
    stop = async_start_scanner(hass, scanner, interval=None)
    micra = air.by_serial(MICRA)
    (entry,) = await add_entries(hass, simulator, [MICRA], {CONF_BLUETOOTH_ADDRESS: micra.address})
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    async with asyncio.timeout(30):
        while not (entry.runtime_data.bluetooth and entry.runtime_data.bluetooth.connected):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    latencies = await state_latencies(
        hass,
        BOILER_ENTITY,
        PUSH_SAMPLES,
        lambda index: micra.machine.notify_telemetry(
            CoffeeBoiler1UpdateTemperature=80.0 + (index % 100) / 10
        ),
    )
    await hass.config_entries.async_unload(entry.entry_id)
    air.close()
    stop()
    await simulator.stop()
    return latencies


async def bench_traffic(hass: HomeAssistant) -> tuple[Counter[str], int]:
    """REST requests of four machines in an hour of steady state (time compressed)."""
    intervals = (side.SETTINGS_INTERVAL, side.STATISTICS_INTERVAL)
    side.SETTINGS_INTERVAL = intervals[0] / TIME_SCALE
    side.STATISTICS_INTERVAL = intervals[1] / TIME_SCALE
    simulator = LaMarzoccoCloudSimulator(tick_interval=0)
    await simulator.start()
    try:
        serials = list(simulator.household.machines)
        entries = await add_entries(hass, simulator, serials)
        for entry in entries:
            await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        for entry in entries:
            await wait_connected(hass, entry)
        await asyncio.sleep(1)  # the dashboards and schedules read after connecting
        first = len(simulator.requests)
        await asyncio.sleep(3600 / TIME_SCALE)
        hour = simulator.requests[first:]
        for entry in entries:
            await hass.config_entries.async_unload(entry.entry_id)
    finally:
        side.SETTINGS_INTERVAL, side.STATISTICS_INTERVAL = intervals
        await simulator.stop()
    kinds: Counter[str] = Counter()
    for _method, path in hour:
        parts = path.split("/")
        kinds["/".join(parts[4:6]) if "things" in parts and len(parts) > 5 else parts[-1]] += 1
    return kinds, len(serials)


async def bench_memory(hass: HomeAssistant) -> float:
    """Resident memory per machine: twenty Micras on one account, the first as warm-up."""
    machines = [
        SimMachine(f"MR{number:06d}", "LINEAMICRA", "LINEA MICRA", f"Micra {number}")
        for number in range(MEMORY_MACHINES)
    ]
    simulator = LaMarzoccoCloudSimulator(household=Household(machines), tick_interval=0)
    await simulator.start()
    entries = await add_entries(hass, simulator, [machine.serial for machine in machines])
    per_machine = await rss_per_entry(hass, entries)
    await simulator.stop()
    return per_machine


async def run(hass: HomeAssistant) -> Report:
    """Every La Marzocco figure, as report lines."""
    lm_account.STREAM_SETTLE_SECONDS = 0.01
    latencies, setup_seconds = await bench_push_and_setup(hass)
    traffic, machines = await bench_traffic(hass)
    ble_latencies = await bench_bluetooth(hass)
    per_machine = await bench_memory(hass)
    per_hour = sum(traffic.values()) / machines
    breakdown = ", ".join(f"{kind} {count}" for kind, count in sorted(traffic.items()))
    return [
        *latency_lines(f"websocket push latency ({PUSH_SAMPLES} changes)", latencies),
        *latency_lines(
            f"Bluetooth telemetry latency ({PUSH_SAMPLES} notifications)", ble_latencies
        ),
        (
            f"REST requests per hour per machine ({machines} machines)",
            f"{per_hour:.1f}",
            lambda: per_hour < CORE_REQUESTS_PER_HOUR,
        ),
        ("  of which (all machines)", breakdown or "none", lambda: True),
        (
            "  core's 60 s dashboard polling would send",
            f"{CORE_REQUESTS_PER_HOUR:.1f}",
            lambda: True,
        ),
        (
            "config entry setup to entities available",
            f"{setup_seconds * 1000:.1f} ms",
            lambda: setup_seconds < 0.5,
        ),
        (
            f"resident memory per machine ({MEMORY_MACHINES} machines)",
            f"{per_machine / 1024 / 1024:.2f} MB",
            lambda: per_machine < 2 * 1024 * 1024,
        ),
    ]
