"""What only Bluetooth tells: boiler temperatures, the shot timer and the last shot's length."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.helpers.entity import Entity

from ..kitchenlib.lamarzocco.bluetooth.telemetry import ShotState, ShotStatus
from .entity import SideEntity, SideEntityDescription, side_entities
from .runtime import LaMarzoccoRuntimeData


@dataclass(frozen=True, kw_only=True)
class TelemetrySensorDescription(SideEntityDescription[ShotStatus], SensorEntityDescription):
    """A value from the shot counter's notifications."""

    value_fn: Callable[[ShotStatus], float | None]


def _shot_timer(status: ShotStatus) -> float | None:
    if status.state is ShotState.BREWING:
        return status.elapsed if status.elapsed is not None else 0.0
    return 0.0


TELEMETRY_SENSORS: tuple[TelemetrySensorDescription, ...] = (
    TelemetrySensorDescription(
        key="coffee_boiler_temperature",
        translation_key="coffee_boiler_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        value_fn=lambda status: status.coffee_temperature,
    ),
    TelemetrySensorDescription(
        key="steam_boiler_temperature",
        translation_key="steam_boiler_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        value_fn=lambda status: status.steam_temperature,
    ),
    TelemetrySensorDescription(
        key="shot_timer",
        translation_key="shot_timer",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        value_fn=_shot_timer,
    ),
    TelemetrySensorDescription(
        key="last_shot_duration",
        translation_key="last_shot_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=1,
        value_fn=lambda status: status.last_shot_duration,
    ),
)


class TelemetrySensor(SideEntity[ShotStatus], SensorEntity):
    """A live value from the machine over Bluetooth."""

    entity_description: TelemetrySensorDescription

    @property
    def native_value(self) -> float | None:
        """As last notified (unknown once the link has been quiet for a minute)."""
        return self.entity_description.value_fn(self.data)


@dataclass(frozen=True, kw_only=True)
class BluetoothLinkDescription(SideEntityDescription[ShotStatus], BinarySensorEntityDescription):
    """Whether the Bluetooth link is up."""


BLUETOOTH_CONNECTED = BluetoothLinkDescription(
    key="bluetooth_connected",
    translation_key="bluetooth_connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
)


class BluetoothConnectedSensor(SideEntity[ShotStatus], BinarySensorEntity):
    """The link the shot counter keeps open."""

    entity_description: BluetoothLinkDescription

    @property
    def is_on(self) -> bool:
        """Whether the link is up."""
        ble = self.coordinator.machine.ble
        return ble is not None and ble.connected


def sensors(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
    """Telemetry sensors of a machine reached over Bluetooth."""
    return side_entities(runtime.telemetry, TELEMETRY_SENSORS, TelemetrySensor)


def binary_sensors(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
    """The Bluetooth link sensor."""
    return side_entities(runtime.telemetry, (BLUETOOTH_CONNECTED,), BluetoothConnectedSensor)
