"""Every Nespresso entity, as a user sees it, pinned by snapshots (one platform at a time)."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.kitchen_connect.nespresso import NESPRESSO_BRAND
from simulators.nespresso.backend import SimulatedPeripheral
from tests.helpers import only_platform

from ..conftest import nespresso_entry


async def _snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    peripheral: SimulatedPeripheral,
    platform: Platform,
) -> None:
    with only_platform(NESPRESSO_BRAND.key, platform):
        entry = nespresso_entry(peripheral)
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
    assert peripheral.machine.keys_written == 1


@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize("platform", list(NESPRESSO_BRAND.platforms))
async def test_expert_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    nespresso_expert: SimulatedPeripheral,
    platform: Platform,
) -> None:
    """An Expert&Milk: names, device classes, units, options and states per platform."""
    await _snapshot(hass, entity_registry, snapshot, nespresso_expert, platform)


@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize("platform", list(NESPRESSO_BRAND.platforms))
async def test_vertuo_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    nespresso_vertuo: SimulatedPeripheral,
    platform: Platform,
) -> None:
    """A Vertuo Pop: the same minus what only the original line has."""
    await _snapshot(hass, entity_registry, snapshot, nespresso_vertuo, platform)
