"""Every GE entity, as a user sees it, pinned by snapshots (one appliance at a time)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from syrupy.assertion import SnapshotAssertion

from custom_components.kitchen_connect.const import DOMAIN
from simulators.ge import SmartHqSimulator
from tests.helpers import add_ge_entry

# The simulated household: one appliance of each kind.
APPLIANCES = {
    "double_oven": "D828C9A10701",
    "fridge": "D828C9A10302",
    "dishwasher": "D828C9A10603",
    "washer": "D828C9A10204",
    "dryer": "D828C9A10105",
    "coffee_brewer": "D828C9A11A06",
    "espresso_maker": "D828C9A12107",
    "water_heater": "D828C9A10008",
    "window_ac": "D828C9A10A09",
    "portable_ac": "D828C9A1160A",
}


@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize("mac", list(APPLIANCES.values()), ids=list(APPLIANCES))
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
    ge_simulator: SmartHqSimulator,
    mac: str,
) -> None:
    """Names, device classes, units, options and states of one appliance's entities."""
    entry = await add_ge_entry(hass, ge_simulator)
    device = device_registry.async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)
    assert device is not None
    entities = er.async_entries_for_device(entity_registry, device.id)
    assert entities
    assert sorted(e.entity_id for e in entities) == snapshot(name="entity_ids")
    for entity in entities:
        assert entity == snapshot(name=f"{entity.entity_id}-entry")
        state = hass.states.get(entity.entity_id)
        assert state is not None, entity.entity_id
        assert state == snapshot(name=f"{entity.entity_id}-state")
    await hass.config_entries.async_unload(entry.entry_id)
