"""Nespresso figures: advert-to-state latency, brew round trip, memory per machine.

The machines are simulated behind a remote scanner registered with Home Assistant's own
Bluetooth stack, so every figure includes its advert handling and its bleak wrapper.
"""

from __future__ import annotations

import time

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import format_mac
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.nespresso.auth import derive_key
from simulators.ha_bluetooth import SimulatedScanner, async_start_scanner
from simulators.nespresso.backend import SimulatedAir, SimulatedPeripheral
from simulators.nespresso.machine import SimulatedMachine
from tests.benchmark.measure import (
    Report,
    async_setup_bluetooth,
    latency_lines,
    rss_per_entry,
    state_latencies,
    timed_setup,
)

ADVERT_SAMPLES = 1000
BREW_SAMPLES = 50
MEMORY_MACHINES = 20
KEY = derive_key("0123456789abcdef0123456789abcdef")
TANK = "binary_sensor.nespresso_expert_milk_water_tank_empty"


def _address(number: int) -> str:
    return f"D1:E1:03:7C:{number // 256:02X}:{number % 256:02X}"


async def add_machine(
    hass: HomeAssistant, air: SimulatedAir, scanner: SimulatedScanner, number: int
) -> tuple[SimulatedPeripheral, MockConfigEntry]:
    address = _address(number)
    peripheral = air.add(address, SimulatedMachine(key=KEY), name=f"Expert&Milk_{number}")
    scanner.add(peripheral)
    scanner.advertise(address)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Nespresso Expert&Milk" if number == 0 else f"Expert {number}",
        unique_id=format_mac(address),
        data={
            "brand": "nespresso",
            "address": address,
            "family": "original",
            "model": "Expert&Milk",
            "key": KEY.hex(),
        },
    )
    entry.add_to_hass(hass)
    return peripheral, entry


async def bench_adverts_and_brew(
    hass: HomeAssistant, air: SimulatedAir, scanner: SimulatedScanner
) -> tuple[list[float], list[float], float]:
    """Advert-to-state latency, brew round trips and setup time of one machine."""
    peripheral, entry = await add_machine(hass, air, scanner, 0)
    setup_seconds = await timed_setup(hass, entry, wait_background_tasks=True)
    assert hass.states.get(TANK) is not None, "entities missing after setup"

    latencies = await state_latencies(
        hass,
        TANK,
        ADVERT_SAMPLES,
        lambda _index: scanner.advertise(peripheral.address),
        lambda index: peripheral.machine.set_tank_empty(index % 2 == 0),
    )

    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(entry.unique_id)), entry.entry_id
    )
    assert device is not None
    round_trips: list[float] = []
    for _ in range(BREW_SAMPLES):
        started = time.perf_counter()
        await hass.services.async_call(
            DOMAIN, "brew", {"device_id": device.id, "confirm": True}, blocking=True
        )
        round_trips.append(time.perf_counter() - started)
        peripheral.machine.tick()
        peripheral.machine.tick()
        peripheral.machine.tick()
        peripheral.machine.open_lid()
        peripheral.machine.close_lid()
    await hass.config_entries.async_unload(entry.entry_id)
    assert peripheral.machine.keys_written == 1
    return latencies, round_trips, setup_seconds


async def bench_memory(hass: HomeAssistant, air: SimulatedAir, scanner: SimulatedScanner) -> float:
    """Resident memory added per machine (entities, coordinator, advert tracking)."""
    entries = [
        (await add_machine(hass, air, scanner, number))[1]
        for number in range(1, MEMORY_MACHINES + 1)
    ]
    return await rss_per_entry(hass, entries, settle_seconds=0, wait_background_tasks=True)


async def run(hass: HomeAssistant) -> Report:
    """Every Nespresso figure, with the target each should meet."""
    await async_setup_bluetooth(hass)
    air = SimulatedAir()
    scanner = SimulatedScanner("benchmark-proxy")
    stop = async_start_scanner(hass, scanner, interval=None, connection_slots=MEMORY_MACHINES)
    try:
        latencies, round_trips, setup_seconds = await bench_adverts_and_brew(hass, air, scanner)
        per_machine = await bench_memory(hass, air, scanner)
    finally:
        stop()
    return [
        *latency_lines(f"advert-to-state latency ({ADVERT_SAMPLES} adverts)", latencies),
        *latency_lines(
            f"brew command round trip ({BREW_SAMPLES} brews)",
            round_trips,
            p50_target=0.1,
            p99_target=0.5,
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
