"""Jura switch: the front panel lock."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..kitchenlib.jura import messages
from .coordinator import JuraConfigEntry, JuraRuntimeData
from .entity import JuraEntity, translate_machine_errors

PANEL_LOCK = SwitchEntityDescription(
    key="panel_lock", translation_key="panel_lock", entity_category=EntityCategory.CONFIG
)


class JuraPanelLockSwitch(JuraEntity, SwitchEntity):
    """Locks the machine's keys, e.g. while children are around."""

    @property
    def is_on(self) -> bool:
        """The machine reports the lock in status bit 39."""
        return messages.LOCKED_KEYS_BIT in self.state_data.alerts

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Lock the panel."""
        async with translate_machine_errors(self.coordinator.config_entry.title):
            await self.machine.set_panel_lock(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Unlock the panel."""
        async with translate_machine_errors(self.coordinator.config_entry.title):
            await self.machine.set_panel_lock(False)


def build_entities(data: JuraRuntimeData) -> list[JuraPanelLockSwitch]:
    """The panel lock."""
    return [JuraPanelLockSwitch(data, PANEL_LOCK)]


async def async_setup_entry(
    hass: HomeAssistant, entry: JuraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add this platform's entities of the entry's machine."""
    async_add_entities(build_entities(entry.runtime_data))
