"""Jura button: cancel the running product or care step (not destructive)."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import JuraConfigEntry, JuraRuntimeData
from .entity import JuraEntity, translate_machine_errors

CANCEL = ButtonEntityDescription(key="cancel", translation_key="cancel")


class JuraCancelButton(JuraEntity, ButtonEntity):
    """Stops what the machine is making."""

    async def async_press(self) -> None:
        """Send the cancel command."""
        async with translate_machine_errors(self.coordinator.config_entry.title):
            await self.machine.cancel()


def build_entities(data: JuraRuntimeData) -> list[JuraCancelButton]:
    """The cancel button."""
    return [JuraCancelButton(data, CANCEL)]


async def async_setup_entry(
    hass: HomeAssistant, entry: JuraConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add this platform's entities of the entry's machine."""
    async_add_entities(build_entities(entry.runtime_data))
