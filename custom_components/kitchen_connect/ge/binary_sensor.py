"""GE binary sensors: doors, remote control allowed, alerts, brewing and the like."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.helpers.entity import Entity

from ..kitchenlib.ge.appliance import Appliance
from .appliance_types import ApplianceKind
from .entity import GeEntity, GeEntityDescription, build_from, erd_value

if TYPE_CHECKING:
    from .runtime import GeRuntime


@dataclass(frozen=True, kw_only=True)
class GeBinarySensorEntityDescription(GeEntityDescription, BinarySensorEntityDescription):
    """An on/off state computed from the appliance's ERDs."""

    value_fn: Callable[[Appliance], bool | None]


BINARY_SENSORS: tuple[GeBinarySensorEntityDescription, ...] = (
    GeBinarySensorEntityDescription(
        key="brewing",
        translation_key="brewing",
        erds=(0x9000,),
        kinds=frozenset({ApplianceKind.COFFEE_BREWER}),
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda appliance: erd_value(appliance, 0x9000),
    ),
)


class GeBinarySensor(GeEntity, BinarySensorEntity):
    """A read-only on/off state of one appliance."""

    entity_description: GeBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The state as the description computes it."""
        return self.entity_description.value_fn(self.appliance)


def build_entities(runtime: GeRuntime, mac: str) -> list[Entity]:
    """The binary sensors that apply to appliance ``mac``."""
    return build_from(runtime, mac, BINARY_SENSORS, GeBinarySensor)
