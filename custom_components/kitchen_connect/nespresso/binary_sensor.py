"""Nespresso binary sensors: water tank, drip tray, capsule container, descaling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass

from ..kitchenlib.nespresso.models import Family, VertuoStatus
from .coordinator import NespressoRuntimeData
from .entity import (
    ORIGINAL_ONLY,
    NespressoEntity,
    NespressoEntityDescription,
    platform_setup,
)
from .models import Snapshot


@dataclass(frozen=True, kw_only=True)
class NespressoBinarySensorDescription(NespressoEntityDescription, BinarySensorEntityDescription):
    """A flag of the machine's status."""

    value_fn: Callable[[Snapshot], bool | None]


def _cleaning(snapshot: Snapshot) -> bool | None:
    status = snapshot.status
    return status.cleaning_needed if isinstance(status, VertuoStatus) else None


BINARY_SENSORS: tuple[NespressoBinarySensorDescription, ...] = (
    NespressoBinarySensorDescription(
        key="water_tank_empty",
        translation_key="water_tank_empty",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda s: None if s.status is None else s.status.water_tank_empty,
    ),
    NespressoBinarySensorDescription(
        key="capsule_container_full",
        translation_key="capsule_container_full",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda s: None if s.status is None else s.status.container_full,
    ),
    NespressoBinarySensorDescription(
        key="drip_tray",
        translation_key="drip_tray",
        device_class=BinarySensorDeviceClass.PROBLEM,
        families=ORIGINAL_ONLY,
        value_fn=lambda s: None if s.original is None else s.original.tray_sensor_tripped,
    ),
    NespressoBinarySensorDescription(
        key="descaling_needed",
        translation_key="descaling_needed",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda s: None if s.status is None else s.status.descaling_needed,
    ),
    NespressoBinarySensorDescription(
        key="capsule_stock_low",
        translation_key="capsule_stock_low",
        device_class=BinarySensorDeviceClass.PROBLEM,
        families=ORIGINAL_ONLY,
        value_fn=lambda s: None if s.original is None else s.original.capsule_stock_low,
    ),
    NespressoBinarySensorDescription(
        key="cleaning_needed",
        translation_key="cleaning_needed",
        device_class=BinarySensorDeviceClass.PROBLEM,
        families=frozenset({Family.VERTUO}),
        value_fn=_cleaning,
    ),
)


class NespressoBinarySensor(NespressoEntity, BinarySensorEntity):
    """On while the machine reports the condition."""

    entity_description: NespressoBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """The flag in the latest advert."""
        return self.entity_description.value_fn(self.snapshot)


def build_entities(data: NespressoRuntimeData, family: Family) -> list[NespressoBinarySensor]:
    """The binary sensors the machine's family has."""
    return [NespressoBinarySensor(data, d) for d in BINARY_SENSORS if family in d.families]


async_setup_entry = platform_setup(build_entities)
