"""La Marzocco sensors: machine and boiler states, ready times, last cleaning, scale battery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
import re

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.util import dt as dt_util

from ..kitchenlib.lamarzocco.dashboard import Dashboard
from . import ble_entities, statistics_sensors, widgets
from .entity import LaMarzoccoEntity, LaMarzoccoEntityDescription, platform_setup

type SensorValue = str | float | datetime | None

# The cloud's status names, as lower-case option keys.
MACHINE_STATES = ("standby", "powered_on", "brewing", "eco_mode", "off")
BOILER_STATES = ("standby", "heating_up", "ready", "no_water", "eco_mode", "off")
GRINDER_STATES = ("standby", "powered_on", "grinding_mode", "grinding", "off")


@dataclass(frozen=True, kw_only=True)
class LaMarzoccoSensorEntityDescription(LaMarzoccoEntityDescription, SensorEntityDescription):
    """A sensor read from the dashboard."""

    value_fn: Callable[[Dashboard], SensorValue]


def option_key(name: str) -> str:
    """``HeatingUp`` -> ``heating_up``; the cloud writes one word ``StandBy`` as two."""
    key = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return "standby" if key == "stand_by" else key


def _option(value: str | None, options: tuple[str, ...]) -> str | None:
    key = None if value is None else option_key(value)
    return key if key in options else None


def _timestamp(ms: int | None) -> datetime | None:
    return None if ms is None else dt_util.utc_from_timestamp(ms / 1000)


def _machine_state(dashboard: Dashboard) -> str | None:
    status = widgets.machine_status(dashboard)
    return None if status is None else _option(status.status, MACHINE_STATES)


def _coffee_boiler_state(dashboard: Dashboard) -> str | None:
    boiler = widgets.coffee_boiler(dashboard)
    return None if boiler is None else _option(boiler.status, BOILER_STATES)


def _steam_boiler_state(dashboard: Dashboard) -> str | None:
    boiler = widgets.steam_boiler(dashboard)
    return None if boiler is None else _option(boiler.status, BOILER_STATES)


def _grinder_state(dashboard: Dashboard) -> str | None:
    status = widgets.grinder_status(dashboard)
    return None if status is None else _option(status.status, GRINDER_STATES)


def _coffee_ready(dashboard: Dashboard) -> datetime | None:
    boiler = widgets.coffee_boiler(dashboard)
    return None if boiler is None else _timestamp(boiler.ready_start_ms)


def _steam_ready(dashboard: Dashboard) -> datetime | None:
    boiler = widgets.steam_boiler(dashboard)
    return None if boiler is None else _timestamp(boiler.ready_start_ms)


def _last_cleaning(dashboard: Dashboard) -> datetime | None:
    cycle = widgets.backflush(dashboard)
    return None if cycle is None else _timestamp(cycle.last_cleaning_start_ms)


def _brewing_start(dashboard: Dashboard) -> datetime | None:
    status = widgets.machine_status(dashboard)
    return None if status is None else _timestamp(status.brewing_start_ms)


def _scale_battery(dashboard: Dashboard) -> float | None:
    paired = widgets.scale(dashboard)
    return None if paired is None else paired.battery_level


def _exists(value_fn: Callable[[Dashboard], object]) -> Callable[[Dashboard], bool]:
    return lambda dashboard: value_fn(dashboard) is not None


SENSORS: tuple[LaMarzoccoSensorEntityDescription, ...] = (
    LaMarzoccoSensorEntityDescription(
        key="machine_state",
        translation_key="machine_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(MACHINE_STATES),
        exists_fn=lambda dashboard: widgets.machine_status(dashboard) is not None,
        value_fn=_machine_state,
    ),
    LaMarzoccoSensorEntityDescription(
        key="coffee_boiler_state",
        translation_key="coffee_boiler_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(BOILER_STATES),
        exists_fn=lambda dashboard: widgets.coffee_boiler(dashboard) is not None,
        value_fn=_coffee_boiler_state,
    ),
    LaMarzoccoSensorEntityDescription(
        key="steam_boiler_state",
        translation_key="steam_boiler_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(BOILER_STATES),
        exists_fn=lambda dashboard: widgets.steam_boiler(dashboard) is not None,
        value_fn=_steam_boiler_state,
    ),
    LaMarzoccoSensorEntityDescription(
        key="grinder_state",
        translation_key="grinder_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(GRINDER_STATES),
        exists_fn=lambda dashboard: widgets.grinder_status(dashboard) is not None,
        value_fn=_grinder_state,
    ),
    LaMarzoccoSensorEntityDescription(
        key="coffee_boiler_ready_time",
        translation_key="coffee_boiler_ready_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda dashboard: widgets.coffee_boiler(dashboard) is not None,
        value_fn=_coffee_ready,
    ),
    LaMarzoccoSensorEntityDescription(
        key="steam_boiler_ready_time",
        translation_key="steam_boiler_ready_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda dashboard: widgets.steam_boiler(dashboard) is not None,
        value_fn=_steam_ready,
    ),
    LaMarzoccoSensorEntityDescription(
        key="last_cleaning_time",
        translation_key="last_cleaning_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda dashboard: widgets.backflush(dashboard) is not None,
        value_fn=_last_cleaning,
    ),
    LaMarzoccoSensorEntityDescription(
        key="brewing_start_time",
        translation_key="brewing_start_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        exists_fn=lambda dashboard: widgets.machine_status(dashboard) is not None,
        needs_websocket=True,
        value_fn=_brewing_start,
    ),
    LaMarzoccoSensorEntityDescription(
        key="scale_battery",
        translation_key="scale_battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=_exists(_scale_battery),
        value_fn=_scale_battery,
    ),
)


class LaMarzoccoSensor(LaMarzoccoEntity, SensorEntity):
    """A value from the dashboard."""

    entity_description: LaMarzoccoSensorEntityDescription

    @property
    def native_value(self) -> SensorValue:
        """As last read or pushed."""
        return self.entity_description.value_fn(self.dashboard)


async_setup_entry = platform_setup(
    SENSORS, LaMarzoccoSensor, statistics_sensors.sensors, ble_entities.sensors
)
