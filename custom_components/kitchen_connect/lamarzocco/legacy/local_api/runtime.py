"""What a loaded port-8081 entry keeps, and what its diagnostics show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ....kitchenlib.lamarzocco.bluetooth.legacy import LegacyBluetooth
from ....kitchenlib.lamarzocco.models import ModelCode
from .coordinator import LocalApiCoordinator


@dataclass
class LocalApiRuntime:
    """The machine's coordinator and, when the entry allows, its legacy Bluetooth writer."""

    coordinator: LocalApiCoordinator
    writer: LegacyBluetooth | None
    model: ModelCode | None

    async def async_shutdown(self) -> None:
        """Close the stream: the gateway has one local connection and the app needs it."""
        await self.coordinator.async_stop()

    def diagnostics(self) -> dict[str, Any]:
        """The machine's state without key, serials, username or addresses."""
        coordinator = self.coordinator
        state = coordinator.data
        config = state.config
        return {
            "transport": "local_api",
            "streaming": coordinator.streaming,
            "connections": coordinator.connections,
            "pushes": coordinator.pushes,
            "bad_frames": coordinator.client.bad_frames,
            "writes_over_bluetooth": self.writer is not None,
            "model": None if self.model is None else self.model.value,
            "capabilities": repr(config.capabilities),
            "firmware": dict(config.firmware),
            "machine_mode": state.machine_mode,
            "boilers": {
                "coffee": [state.coffee_temperature, state.coffee_target],
                "steam": [state.steam_temperature, state.steam_target, state.steam_enabled],
            },
            "tank_ok": state.tank_ok,
            "plumbed_in": config.plumbed_in,
            "brewing": state.brewing,
            "shot_timer": state.shot_timer,
            "last_shot": repr(state.last_shot),
            "last_flush": repr(state.last_flush),
            "statistics": repr(state.statistics),
            "groups": repr(config.groups),
            "preinfusion": repr(config.preinfusion),
            "schedules": len(config.wake_up_sleep) + len(config.weekly),
            "scale": None
            if config.scale is None
            else {"connected": config.scale.connected, "battery": config.scale.battery},
            "recipes": repr(config.recipes),
        }
