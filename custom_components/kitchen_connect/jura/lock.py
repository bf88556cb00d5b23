"""Jura lock: the front panel, locked e.g. while children are around."""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription

from ..kitchenlib.jura import messages
from .coordinator import JuraRuntimeData
from .entity import JuraEntity, platform_setup, translate_machine_errors

# Named "Panel", not "Panel lock": Assist's built-in sentences say "lock the kaffeebert
# panel" and "sperre das Kaffeebert Bedienfeld". No entity category: Assist cannot be
# offered configuration entities by default, and this one is for everyday use.
PANEL_LOCK = LockEntityDescription(key="panel_lock", translation_key="panel_lock")


class JuraPanelLock(JuraEntity, LockEntity):
    """Locks the machine's keys."""

    @property
    def is_locked(self) -> bool:
        """The machine reports the lock in status bit 39."""
        return messages.LOCKED_KEYS_BIT in self.state_data.alerts

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the panel; it stays locked across reloads and restarts."""
        await self._set(True)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the panel."""
        await self._set(False)

    async def _set(self, locked: bool) -> None:
        async with translate_machine_errors(self.coordinator.config_entry.title):
            await self.coordinator.async_set_panel_lock(locked)


def build_entities(data: JuraRuntimeData) -> list[JuraPanelLock]:
    """The panel lock."""
    return [JuraPanelLock(data, PANEL_LOCK)]


async_setup_entry = platform_setup(build_entities)
