"""Jura switch: the front panel lock."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory

from ..kitchenlib.jura import messages
from .coordinator import JuraRuntimeData
from .entity import JuraEntity, platform_setup, translate_machine_errors

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
        """Lock the panel; it stays locked across reloads and restarts."""
        async with translate_machine_errors(self.coordinator.config_entry.title):
            await self.coordinator.async_set_panel_lock(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Unlock the panel."""
        async with translate_machine_errors(self.coordinator.config_entry.title):
            await self.coordinator.async_set_panel_lock(False)


def build_entities(data: JuraRuntimeData) -> list[JuraPanelLockSwitch]:
    """The panel lock."""
    return [JuraPanelLockSwitch(data, PANEL_LOCK)]


async_setup_entry = platform_setup(build_entities)
