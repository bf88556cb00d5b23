"""Power and steam boiler switches, written over legacy Bluetooth, read from the gateway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from ....kitchenlib.lamarzocco.bluetooth.legacy import LegacyBluetooth
from ....kitchenlib.lamarzocco.local.frames import LocalState
from .binary_sensor import READ_ONLY
from .entity import LocalApiEntity, LocalEntityDescription, described, platform_setup, writable

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class LocalSwitchDescription(LocalEntityDescription, SwitchEntityDescription):
    """An on/off the gateway reports and Bluetooth changes."""

    value_fn: Callable[[LocalState], bool | None]
    write_fn: Callable[[LegacyBluetooth, bool], Awaitable[None]]


_WRITES: dict[str, Callable[[LegacyBluetooth, bool], Awaitable[None]]] = {
    "main": LegacyBluetooth.async_set_power,
    "steam_boiler": LegacyBluetooth.async_set_steam,
}

# The same keys and values as the read-only binary sensors, made switchable.
SWITCHES: tuple[LocalSwitchDescription, ...] = tuple(
    LocalSwitchDescription(
        key=sensor.key,
        name=sensor.name,
        translation_key=sensor.translation_key,
        value_fn=sensor.value_fn,
        write_fn=_WRITES[sensor.key],
    )
    for sensor in READ_ONLY
)


class LocalSwitch(LocalApiEntity, SwitchEntity):
    """On or off; the change shows once the gateway pushes it."""

    entity_description: LocalSwitchDescription

    @property
    def is_on(self) -> bool | None:
        """As last read or pushed."""
        return self.entity_description.value_fn(self.state_data)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on over Bluetooth."""
        await self.async_write(lambda writer: self.entity_description.write_fn(writer, True))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off over Bluetooth."""
        await self.async_write(lambda writer: self.entity_description.write_fn(writer, False))


async_setup_entry = platform_setup(described(SWITCHES, LocalSwitch, when=writable))
