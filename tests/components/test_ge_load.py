"""GE under load: what one push or one setup costs the event loop."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback

from simulators.ge import SmartHqSimulator
from tests.helpers import add_ge_entry, ge_runtime_data, wait_for

WATER_HEATER = "D828C9A10008"
ENTITY = "water_heater.water_heater"
TANK, AVAILABLE_MODES = 0x4026, 0x4040
BEDROOM_AC = "D828C9A10A09"
AC_ENTITY = "climate.bedroom_ac"
ROOM, AC_MODES = 0x7A02, 0x7B00


class _CountingErds(dict[int, Any]):
    """An appliance's ERDs that count how often one code is read."""

    def __init__(self, erds: dict[int, Any], code: int) -> None:
        super().__init__(erds)
        self.code = code
        self.reads = 0

    def get(self, key: int, default: Any = None) -> Any:
        if key == self.code:
            self.reads += 1
        return super().get(key, default)

    def __getitem__(self, key: int) -> Any:
        if key == self.code:
            self.reads += 1
        return super().__getitem__(key)


async def _reads_per_writes(
    hass: HomeAssistant,
    simulator: SmartHqSimulator,
    mac: str,
    entity_id: str,
    counted: int,
    pushes: tuple[tuple[int, str], ...],
) -> tuple[int, int]:
    """Push ``pushes`` (code, hex) one at a time; the state writes, and reads of ``counted``."""
    entry = await add_ge_entry(hass, simulator)
    appliance = ge_runtime_data(entry).coordinator.appliance(mac)
    counting = _CountingErds(appliance.erds, counted)
    appliance.erds = counting
    writes: list[Event[Any]] = []

    @callback
    def _written(event: Event[Any]) -> None:
        if event.data["entity_id"] == entity_id:
            writes.append(event)

    hass.bus.async_listen(EVENT_STATE_CHANGED, _written)
    for count, (code, raw) in enumerate(pushes, start=1):
        simulator.household.set_erd(mac, code, raw)
        await wait_for(hass, lambda n=count: len(writes) == n)
    await asyncio.sleep(0)
    return len(writes), counting.reads


async def test_the_water_heater_reads_its_modes_once_per_state_write(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Its operations and features come from one reading of the modes per update."""
    tank = tuple((TANK, f"{tenths:04X}") for tenths in (1200, 1210, 1220))  # tenths of °F
    writes, reads = await _reads_per_writes(
        hass, ge_simulator, WATER_HEATER, ENTITY, AVAILABLE_MODES, tank
    )

    assert (writes, reads) == (3, 3)
    state = hass.states.get(ENTITY)
    assert state is not None
    assert state.attributes["operation_list"]
    assert state.attributes["supported_features"]


async def test_the_air_conditioner_reads_its_modes_once_per_state_write(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Its modes, presets and features come from one reading of the modes per update."""
    room = tuple((ROOM, f"{fahrenheit:02X}") for fahrenheit in (70, 71, 72))
    writes, reads = await _reads_per_writes(
        hass, ge_simulator, BEDROOM_AC, AC_ENTITY, AC_MODES, room
    )

    assert (writes, reads) == (3, 3)
    state = hass.states.get(AC_ENTITY)
    assert state is not None
    assert state.attributes["current_temperature"] == 22.2  # the last push, 72 °F
    assert state.attributes["hvac_modes"] == ["off", "heat", "dry", "cool", "fan_only"]
    assert state.attributes["preset_modes"] == ["none", "eco"]
