"""Every La Marzocco entity, as a user sees it, pinned by snapshots (one machine at a time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from freezegun import freeze_time
from homeassistant.components.calendar import DOMAIN as CALENDAR_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from syrupy.assertion import SnapshotAssertion

from custom_components.kitchen_connect.const import DOMAIN
from simulators.lamarzocco.household import SimMachine, default_household
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator

from .lamarzocco_support import (
    GS3_AV,
    MICRA,
    MINI,
    PICO,
    add_connected_entry,
    fast_stream,
)

__all__ = ["fast_stream"]

MINI_R = "MR000005"
GS3_MP = "GS000006"
MACHINES = {
    "linea_micra": MICRA,
    "linea_mini": MINI,
    "linea_mini_r": MINI_R,
    "gs3_av": GS3_AV,
    "gs3_mp": GS3_MP,
    "pico": PICO,
}


# 2025-11-30 07:00 UTC: the simulated shots and boilers are dated from it.
FROZEN_TIME = 1_764_486_000.0


def _frozen() -> float:
    return FROZEN_TIME


@pytest.fixture
async def frozen_simulator() -> AsyncIterator[LaMarzoccoCloudSimulator]:
    """The household at a fixed time, with time not passing, so every value is as dealt."""
    household = default_household(clock=lambda: FROZEN_TIME)
    # The two models the default household lacks: a Mini R (steam levels; the cloud calls it
    # "LINEA MINI 2023") and a GS3 MP (settable steam temperature, no prebrew).
    for machine in (
        SimMachine(
            MINI_R, "LINEAMINIR", "LINEA MINI 2023", "Mini R", steam_level="Level2", clock=_frozen
        ),
        SimMachine(
            GS3_MP,
            "GS3MP",
            "GS3 MP",
            "GS3 MP",
            coffee_max=110.0,
            steam_temperature_settable=True,
            prebrew_modes=(),
            clock=_frozen,
        ),
    ):
        household.machines[machine.serial] = machine
    simulator = LaMarzoccoCloudSimulator(household=household, tick_interval=0)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.mark.usefixtures("all_entities_enabled", "fast_stream")
@pytest.mark.parametrize("serial", list(MACHINES.values()), ids=list(MACHINES))
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
    frozen_simulator: LaMarzoccoCloudSimulator,
    serial: str,
) -> None:
    """Names, device classes, units, options and states of one machine's entities."""
    # What only the websocket knows (a shot running) is unavailable until it is connected.
    entry = await add_connected_entry(hass, frozen_simulator, serial)
    await hass.async_block_till_done()
    # Home Assistant's clock at the simulator's, and the calendars written again: their next
    # wake-up is then the same whatever the day and hour the test runs.
    with freeze_time(datetime.fromtimestamp(FROZEN_TIME, UTC)):
        for calendar in hass.data[CALENDAR_DOMAIN].entities:
            calendar.async_write_ha_state()
    device = device_registry.async_get_device_by_identifier((DOMAIN, serial), entry.entry_id)
    assert device is not None
    assert (device.manufacturer, device.model, device.model_id) == snapshot(name="device")
    entities = er.async_entries_for_device(entity_registry, device.id)
    assert entities
    assert sorted(e.entity_id for e in entities) == snapshot(name="entity_ids")
    for entity in entities:
        assert entity == snapshot(name=f"{entity.entity_id}-entry")
        state = hass.states.get(entity.entity_id)
        assert state is not None, entity.entity_id
        assert state == snapshot(name=f"{entity.entity_id}-state")
    await hass.config_entries.async_unload(entry.entry_id)
