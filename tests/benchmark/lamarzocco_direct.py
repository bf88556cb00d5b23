"""La Marzocco on port 1774: a pushed temperature report to Home Assistant's state.

One session is kept listening (as each session does for a few seconds) while the simulated
GS/3 pushes reports; each report changes the coffee boiler temperature and the time until
the sensor's state is written is one sample.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.lamarzocco.legacy.direct import coordinator as direct
from simulators.lamarzocco.direct_machine import DEFAULT_KEY, DirectMachineSimulator
from tests.benchmark.measure import Report, latency_lines

PUSH_SAMPLES = 1000
# Long enough for every sample; the session is hung up once they are taken.
LISTEN_SECONDS = 600.0


def _entry(machine: DirectMachineSimulator) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="GS3",
        unique_id=machine.serial,
        data={
            "brand": "lamarzocco",
            "transport": "direct",
            "host": "127.0.0.1",
            "port": machine.port,
            "key": DEFAULT_KEY,
            "serial_number": machine.serial,
            "model": machine.model,
        },
        options={"session_interval": 3600},
    )


async def bench_push(hass: HomeAssistant) -> list[float]:
    """Latency from a pushed ``401C0004`` report to the sensor's state change."""
    machine = DirectMachineSimulator(push_interval=3600)  # only the pushes sent below
    await machine.start()
    machine.memory[0] = 1  # on
    listen = direct.LISTEN_SECONDS
    direct.LISTEN_SECONDS = 0.0
    entry = _entry(machine)
    entry.add_to_hass(hass)
    try:
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        direct.LISTEN_SECONDS = listen
    sensor = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{machine.serial}_coffee_boiler_temperature"
    )
    assert sensor is not None, f"entities missing ({entry.state})"
    coordinator: direct.DirectCoordinator = entry.runtime_data.coordinator
    coordinator.listen_seconds = LISTEN_SECONDS
    await machine.wait_released()
    session = hass.async_create_background_task(coordinator.async_refresh(), "bench session")
    await machine.wait_connected()
    await asyncio.sleep(0.5)  # the session reads its blocks, then listens

    latencies: list[float] = []
    changed: asyncio.Future[float] | None = None

    @callback
    def _on_change(event: Event[Any]) -> None:
        if event.data["entity_id"] == sensor and changed is not None and not changed.done():
            changed.set_result(time.perf_counter())

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, _on_change)
    for index in range(PUSH_SAMPLES):
        changed = hass.loop.create_future()
        machine.coffee = 80.0 + (index % 100) / 10  # a new value each time
        sent = time.perf_counter()
        await machine.push_temperatures()
        latencies.append(await asyncio.wait_for(changed, 5) - sent)
    unsubscribe()
    await coordinator.client.aclose()
    await session
    await hass.config_entries.async_unload(entry.entry_id)
    await machine.stop()
    return latencies


async def run(hass: HomeAssistant) -> Report:
    """The port-1774 figures, as report lines."""
    latencies = await bench_push(hass)
    return latency_lines(f"port 1774 temperature push latency ({PUSH_SAMPLES} reports)", latencies)
