"""Binary sensors of a machine on port 1774: water reservoir and heating elements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from ....kitchenlib.lamarzocco.direct.memory import Heating
from .coordinator import DirectState
from .entity import DirectEntity, DirectEntityDescription, direct_platform


@dataclass(frozen=True, kw_only=True)
class DirectBinarySensorDescription(DirectEntityDescription, BinarySensorEntityDescription):
    """A binary sensor read from the status block."""

    value_fn: Callable[[DirectState], bool | None]


def _heater(key: str, flag: Heating) -> DirectBinarySensorDescription:
    """Whether a boiler's heating element is running, as the status block's bits say."""
    return DirectBinarySensorDescription(
        key=key,
        translation_key=key,
        device_class=BinarySensorDeviceClass.RUNNING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: flag in state.snapshot.status.heating,
    )


BINARY_SENSORS: tuple[DirectBinarySensorDescription, ...] = (
    # The cloud's "water tank empty": a problem when the reservoir's contact opens.
    DirectBinarySensorDescription(
        key="water_tank",
        translation_key="water_tank",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda state: not state.snapshot.status.water_ok,
    ),
    _heater("coffee_heater", Heating.COFFEE_HEATER),
    _heater("steam_heater", Heating.STEAM_HEATER),
)


class DirectBinarySensor(DirectEntity, BinarySensorEntity):
    """On or off as the last session read it."""

    entity_description: DirectBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """From the status block."""
        return self.entity_description.value_fn(self.state_data)


async_setup_entry = direct_platform(BINARY_SENSORS, DirectBinarySensor)
