"""Boiler targets, written over legacy Bluetooth, read from the gateway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
)
from homeassistant.const import UnitOfTemperature

from ....kitchenlib.lamarzocco.bluetooth.legacy import LegacyBluetooth
from ....kitchenlib.lamarzocco.commands import COFFEE_TEMPERATURE, STEAM_TEMPERATURE, Range
from ....kitchenlib.lamarzocco.local.frames import LocalState
from ..number import BoundedNumber, BoundedNumberDescription
from .entity import LocalApiEntity, LocalEntityDescription, described, platform_setup, writable

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class LocalNumberDescription(LocalEntityDescription, BoundedNumberDescription):
    """A target the gateway reports and Bluetooth changes."""

    limits: Range
    value_fn: Callable[[LocalState], float | None]
    write_fn: Callable[[LegacyBluetooth, float], Awaitable[None]]


def _not_micra(state: LocalState) -> bool:
    # The Micra's steam boiler takes three levels, not a temperature.
    capabilities = state.config.capabilities
    return capabilities is None or capabilities.family != "MICRA"


NUMBERS: tuple[LocalNumberDescription, ...] = (
    LocalNumberDescription(
        key="coffee_temperature",
        translation_key="coffee_temperature",
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        limits=COFFEE_TEMPERATURE,
        value_fn=lambda state: state.coffee_target,
        write_fn=LegacyBluetooth.async_set_coffee_temperature,
    ),
    LocalNumberDescription(
        key="steam_temperature",
        translation_key="steam_temperature",
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        limits=STEAM_TEMPERATURE,
        exists_fn=_not_micra,
        value_fn=lambda state: state.steam_target,
        write_fn=LegacyBluetooth.async_set_steam_temperature,
    ),
)


class LocalNumber(LocalApiEntity, BoundedNumber):
    """A boiler target; the change shows once the gateway pushes it."""

    entity_description: LocalNumberDescription

    @property
    def native_value(self) -> float | None:
        """As last read or pushed."""
        return self.entity_description.value_fn(self.state_data)

    async def async_set_native_value(self, value: float) -> None:
        """Send the new target over Bluetooth."""
        await self.async_write(lambda writer: self.entity_description.write_fn(writer, value))


async_setup_entry = platform_setup(described(NUMBERS, LocalNumber, when=writable))
