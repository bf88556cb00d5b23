"""Jura button: cancel the running product or care step (not destructive)."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription

from .coordinator import JuraRuntimeData
from .entity import JuraEntity, platform_setup, translate_machine_errors

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


async_setup_entry = platform_setup(build_entities)
