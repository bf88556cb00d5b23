"""La Marzocco binary sensors: water tank, brewing, backflush, scale and websocket."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from ..kitchenlib.lamarzocco.dashboard import Dashboard
from . import ble_entities, widgets
from .coordinator import LaMarzoccoCoordinator
from .entity import LaMarzoccoEntity, LaMarzoccoEntityDescription, platform_setup

# Backflush statuses that mean the cycle was asked for or runs.
BACKFLUSH_ACTIVE = frozenset({"Requested", "Cleaning"})


@dataclass(frozen=True, kw_only=True)
class LaMarzoccoBinarySensorEntityDescription(
    LaMarzoccoEntityDescription, BinarySensorEntityDescription
):
    """A binary sensor read from the dashboard (or the connection)."""

    value_fn: Callable[[LaMarzoccoCoordinator], bool | None]


def _is_machine(dashboard: Dashboard) -> bool:
    return widgets.machine_status(dashboard) is not None


def _water_empty(coordinator: LaMarzoccoCoordinator) -> bool:
    alarm = widgets.no_water(coordinator.data)
    return alarm is not None and alarm.alarm


def _brewing(coordinator: LaMarzoccoCoordinator) -> bool | None:
    status = widgets.machine_status(coordinator.data)
    return None if status is None else status.status == "Brewing"


def _backflush(coordinator: LaMarzoccoCoordinator) -> bool | None:
    cycle = widgets.backflush(coordinator.data)
    return None if cycle is None else cycle.status in BACKFLUSH_ACTIVE


def _scale_connected(coordinator: LaMarzoccoCoordinator) -> bool | None:
    paired = widgets.scale(coordinator.data)
    if paired is not None:
        return paired.connected
    by_weight = widgets.brew_by_weight(coordinator.data)
    return None if by_weight is None else by_weight.scale_connected


def _single_dose(coordinator: LaMarzoccoCoordinator) -> bool | None:
    mode = widgets.enabled(coordinator.data, "GSingleDoseMode")
    return None if mode is None else mode.enabled


BINARY_SENSORS: tuple[LaMarzoccoBinarySensorEntityDescription, ...] = (
    LaMarzoccoBinarySensorEntityDescription(
        key="water_tank",
        translation_key="water_tank",
        device_class=BinarySensorDeviceClass.PROBLEM,
        exists_fn=_is_machine,
        value_fn=_water_empty,
    ),
    LaMarzoccoBinarySensorEntityDescription(
        key="brewing",
        translation_key="brewing",
        device_class=BinarySensorDeviceClass.RUNNING,
        exists_fn=_is_machine,
        needs_websocket=True,
        value_fn=_brewing,
    ),
    LaMarzoccoBinarySensorEntityDescription(
        key="backflush",
        translation_key="backflush",
        device_class=BinarySensorDeviceClass.RUNNING,
        exists_fn=lambda dashboard: widgets.backflush(dashboard) is not None,
        value_fn=_backflush,
    ),
    LaMarzoccoBinarySensorEntityDescription(
        key="scale_connected",
        translation_key="scale_connected",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda dashboard: (
            widgets.scale(dashboard) is not None or widgets.brew_by_weight(dashboard) is not None
        ),
        value_fn=_scale_connected,
    ),
    LaMarzoccoBinarySensorEntityDescription(
        key="single_dose_mode",
        translation_key="single_dose_mode",
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda dashboard: widgets.enabled(dashboard, "GSingleDoseMode") is not None,
        value_fn=_single_dose,
    ),
    LaMarzoccoBinarySensorEntityDescription(
        key="websocket_connected",
        translation_key="websocket_connected",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        exists_fn=lambda _dashboard: True,
        needs_machine=False,
        value_fn=lambda coordinator: coordinator.websocket_connected,
    ),
)


class LaMarzoccoBinarySensor(LaMarzoccoEntity, BinarySensorEntity):
    """On or off as the dashboard says."""

    entity_description: LaMarzoccoBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """As last read or pushed."""
        return self.entity_description.value_fn(self.coordinator)


async_setup_entry = platform_setup(
    BINARY_SENSORS, LaMarzoccoBinarySensor, ble_entities.binary_sensors
)
