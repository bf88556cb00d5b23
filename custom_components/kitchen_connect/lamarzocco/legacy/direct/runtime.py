"""What a loaded entry of a machine on port 1774 keeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .coordinator import DirectCoordinator


@dataclass
class DirectRuntimeData:
    """The machine's coordinator (and through it the client)."""

    coordinator: DirectCoordinator

    async def async_shutdown(self) -> None:
        """Stop the sessions and hang up one that is open: the app needs the machine."""
        await self.coordinator.async_shutdown()
        await self.coordinator.client.aclose()

    def diagnostics(self) -> dict[str, Any]:
        """The blocks and the session counters, no key, serial or address."""
        return self.coordinator.diagnostics()
