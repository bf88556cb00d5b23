"""La Marzocco on an older gateway (port 8081): push latency from the simulated gateway's frame
to Home Assistant's state, and setup time.

``scripts/benchmark --brand lamarzocco`` prints it after the cloud's figures.
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
from simulators.lamarzocco.local_gateway import LocalGateway, old_gateway_household
from tests.benchmark.measure import Report, latency_lines
from tests.components.test_lamarzocco_local_api import local_api_entry

PUSH_SAMPLES = 1000
MINI = "LM000101"


async def _streaming(hass: HomeAssistant, gateway: LocalGateway, entry: MockConfigEntry) -> None:
    async with asyncio.timeout(10):
        while not gateway.streaming or not entry.runtime_data.coordinator.streaming:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def bench(hass: HomeAssistant) -> tuple[list[float], float]:
    """Latencies of ``PUSH_SAMPLES`` pushed temperatures, and the setup time."""
    # Time does not pass on its own here: only the pushes below change the state.
    gateway = LocalGateway(old_gateway_household(), MINI, tick=3600, keep_alive=3600)
    await gateway.start()
    entry = local_api_entry(gateway)
    entry.add_to_hass(hass)
    started = time.perf_counter()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    setup_seconds = time.perf_counter() - started
    await _streaming(hass, gateway, entry)
    target = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{MINI}_coffee_boiler_temperature"
    )
    assert target is not None, f"entities missing ({entry.state})"

    latencies: list[float] = []
    changed: asyncio.Future[float] | None = None

    @callback
    def _on_change(event: Event[Any]) -> None:
        if event.data["entity_id"] == target and changed is not None and not changed.done():
            changed.set_result(time.perf_counter())

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, _on_change)
    try:
        for index in range(PUSH_SAMPLES):
            changed = hass.loop.create_future()
            sent = time.perf_counter()
            await gateway.push([{"CoffeeBoiler1UpdateTemperature": 60.0 + (index % 300) / 10}])
            latencies.append(await asyncio.wait_for(changed, 5) - sent)
    finally:
        unsubscribe()
        await hass.config_entries.async_unload(entry.entry_id)
        await gateway.stop()
    return latencies, setup_seconds


async def run(hass: HomeAssistant) -> Report:
    """The local API's figures, as report lines."""
    latencies, setup_seconds = await bench(hass)
    return [
        *latency_lines(f"local API push latency ({PUSH_SAMPLES} frames)", latencies),
        (
            "config entry setup to entities available",
            f"{setup_seconds * 1000:.1f} ms",
            lambda: setup_seconds < 0.5,
        ),
    ]


async def bench_lines(hass: HomeAssistant) -> list[str]:
    """The same figures as printable lines."""
    return [f"{name}: {value}" for name, value, _ok in await run(hass)]
