"""Every Jura entity, as a user sees it, pinned by snapshots (one platform at a time)."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.kitchen_connect.jura import JURA_BRAND
from simulators.jura.simulator import JuraSimulator
from tests.helpers import add_jura_entry, only_platform

# The ENA 4 sets its hardness from a list, so it has no number entity.
MODELS_WITHOUT = {("EF1013", Platform.NUMBER)}


@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize("platform", list(JURA_BRAND.platforms))
@pytest.mark.parametrize("jura_model", ["EF1091", "EF1013"])
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    jura_simulator: JuraSimulator,
    platform: Platform,
) -> None:
    """Names, device classes, units, options and states per model and platform."""
    with only_platform(JURA_BRAND.key, platform):
        entry = await add_jura_entry(hass, jura_simulator)
        if (jura_simulator.profile.ef_code, platform) in MODELS_WITHOUT:
            assert er.async_entries_for_config_entry(entity_registry, entry.entry_id) == []
            return
        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
