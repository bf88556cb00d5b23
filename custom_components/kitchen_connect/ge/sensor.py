"""GE sensors: temperatures, states, times remaining, filters and counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfTemperature, UnitOfTime
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.typing import StateType

from ..kitchenlib.ge.appliance import Appliance
from .appliance_types import ApplianceKind
from .entity import GeEntity, GeEntityDescription, build_from, erd_value

if TYPE_CHECKING:
    from .runtime import GeRuntime


@dataclass(frozen=True, kw_only=True)
class GeSensorEntityDescription(GeEntityDescription, SensorEntityDescription):
    """A sensor computed from the appliance's ERDs."""

    value_fn: Callable[[Appliance], StateType]


SENSORS: tuple[GeSensorEntityDescription, ...] = (
    GeSensorEntityDescription(
        key="ambient_temperature",
        translation_key="ambient_temperature",
        erds=(0x7A02,),
        kinds=frozenset({ApplianceKind.AIR_CONDITIONER}),
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.FAHRENHEIT,
        value_fn=lambda appliance: erd_value(appliance, 0x7A02),
    ),
    GeSensorEntityDescription(
        key="time_remaining",
        translation_key="time_remaining",
        erds=(0xD004,),
        kinds=frozenset({ApplianceKind.DISHWASHER}),
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda appliance: erd_value(appliance, 0xD004),
    ),
)


class GeSensor(GeEntity, SensorEntity):
    """A read-only value of one appliance."""

    entity_description: GeSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """The value as the description computes it."""
        return self.entity_description.value_fn(self.appliance)


def build_entities(runtime: GeRuntime, mac: str) -> list[Entity]:
    """The sensors that apply to appliance ``mac``."""
    return build_from(runtime, mac, SENSORS, GeSensor)
