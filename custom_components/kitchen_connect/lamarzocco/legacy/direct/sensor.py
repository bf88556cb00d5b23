"""Sensors of a machine on port 1774: boiler temperatures, front panel, counters, firmware.

The boiler temperatures come from the reports the machine pushes while a session listens;
the rest from the blocks each session reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTemperature, UnitOfTime

from ....kitchenlib.lamarzocco.direct.memory import KEYS, DrinkStats, Usage
from .coordinator import DirectState
from .entity import DirectEntity, DirectEntityDescription, direct_platform

type SensorValue = str | int | float | None


@dataclass(frozen=True, kw_only=True)
class DirectSensorDescription(DirectEntityDescription, SensorEntityDescription):
    """A value from the last session or the newest temperature report."""

    value_fn: Callable[[DirectState], SensorValue]


def _temperature(key: str, pick: Callable[[float, float], float]) -> DirectSensorDescription:
    def value(state: DirectState) -> float | None:
        report = state.temperatures
        return None if report is None else pick(report.coffee, report.steam)

    return DirectSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        value_fn=value,
    )


def _drinks(
    key: str,
    pick: Callable[[DrinkStats], int],
    *,
    translation_key: str | None = None,
    placeholders: dict[str, str] | None = None,
    keys_needed: int = 1,
    volumetric_only: bool = False,
) -> DirectSensorDescription:
    return DirectSensorDescription(
        key=key,
        translation_key=translation_key or key,
        translation_placeholders=placeholders,
        state_class=SensorStateClass.TOTAL_INCREASING,
        exists_fn=lambda machine: (
            machine.keys >= keys_needed and (machine.volumetric or not volumetric_only)
        ),
        value_fn=lambda state: pick(state.snapshot.drinks),
    )


def _usage(key: str, pick: Callable[[Usage], int], unit: UnitOfTime) -> DirectSensorDescription:
    return DirectSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=unit,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda state: pick(state.snapshot.usage),
    )


def _key_drinks(key: int) -> DirectSensorDescription:
    return _drinks(
        f"key_{key}_coffees",
        lambda drinks: drinks.keys[key - 1],
        translation_key="key_coffees",
        placeholders={"key": str(key)},
        keys_needed=key,
    )


SENSORS: tuple[DirectSensorDescription, ...] = (
    _temperature("coffee_boiler_temperature", lambda coffee, _steam: coffee),
    _temperature("steam_boiler_temperature", lambda _coffee, steam: steam),
    DirectSensorDescription(
        key="front_panel",
        translation_key="front_panel",
        value_fn=lambda state: state.snapshot.panel.text,
    ),
    _drinks("total_coffees", lambda d: d.total_coffees),
    _drinks("total_flushes", lambda d: d.flushes),
    *(_key_drinks(key) for key in range(1, KEYS + 1)),
    _drinks("continuous_coffees", lambda d: d.continuous, volumetric_only=True),
    _drinks("hot_water_drinks", lambda d: d.hot_water, volumetric_only=True),
    _usage("coffee_heater_time", lambda u: u.coffee_heater_minutes, UnitOfTime.MINUTES),
    _usage("steam_heater_time", lambda u: u.steam_heater_minutes, UnitOfTime.MINUTES),
    _usage("running_time", lambda u: u.running_seconds, UnitOfTime.SECONDS),
    _usage("on_time", lambda u: u.on_hours, UnitOfTime.HOURS),
    _usage("pump_time", lambda u: u.pump_seconds, UnitOfTime.SECONDS),
    _usage("hot_water_time", lambda u: u.hot_water_seconds, UnitOfTime.SECONDS),
    DirectSensorDescription(
        key="machine_firmware",
        translation_key="machine_firmware",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: state.snapshot.status.firmware,
    ),
)


class DirectSensor(DirectEntity, SensorEntity):
    """A value as last read or pushed."""

    entity_description: DirectSensorDescription

    @property
    def native_value(self) -> SensorValue:
        """From the last session or the newest temperature report."""
        return self.entity_description.value_fn(self.state_data)


async_setup_entry = direct_platform(SENSORS, DirectSensor)
