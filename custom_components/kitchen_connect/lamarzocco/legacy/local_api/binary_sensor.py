"""Binary sensors of a machine on port 8081: water, brewing, plumb-in, the stream."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from ....kitchenlib.lamarzocco.local.frames import LocalState
from .entity import LocalApiEntity, LocalEntityDescription, described, platform_setup, read_only

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class LocalBinarySensorDescription(LocalEntityDescription, BinarySensorEntityDescription):
    """A yes/no of the machine's state."""

    value_fn: Callable[[LocalState], bool | None]


BINARY_SENSORS: tuple[LocalBinarySensorDescription, ...] = (
    LocalBinarySensorDescription(
        key="water_tank",
        translation_key="water_tank",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda state: None if state.tank_ok is None else not state.tank_ok,
    ),
    LocalBinarySensorDescription(
        key="brewing",
        translation_key="brewing",
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda state: state.brewing,
    ),
    LocalBinarySensorDescription(
        key="plumb_in",
        translation_key="plumb_in",
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda state: state.config.plumbed_in is not None,
        value_fn=lambda state: state.config.plumbed_in,
    ),
    LocalBinarySensorDescription(
        key="scale_connected",
        translation_key="scale_connected",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda state: state.config.scale is not None,
        value_fn=lambda state: None if state.config.scale is None else state.config.scale.connected,
    ),
)

# What the switches show when the entry can only read.
READ_ONLY: tuple[LocalBinarySensorDescription, ...] = (
    LocalBinarySensorDescription(
        key="main",
        name=None,
        device_class=BinarySensorDeviceClass.POWER,
        value_fn=lambda state: (
            None if state.machine_mode is None else state.machine_mode == "BrewingMode"
        ),
    ),
    LocalBinarySensorDescription(
        key="steam_boiler",
        translation_key="steam_boiler",
        device_class=BinarySensorDeviceClass.POWER,
        value_fn=lambda state: state.steam_enabled,
    ),
)


class LocalBinarySensor(LocalApiEntity, BinarySensorEntity):
    """A yes/no the gateway reports."""

    entity_description: LocalBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """As last read or pushed."""
        return self.entity_description.value_fn(self.state_data)


class StreamConnected(LocalBinarySensor):
    """Whether the streaming websocket is open (the app cannot stream meanwhile)."""

    @property
    def is_on(self) -> bool:
        """Open or not."""
        return self.coordinator.streaming


STREAM = LocalBinarySensorDescription(
    key="websocket_connected",
    translation_key="local_push_connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
    needs_stream=False,
    value_fn=lambda _state: None,  # the coordinator knows, not the state
)

async_setup_entry = platform_setup(
    described(BINARY_SENSORS, LocalBinarySensor),
    described(READ_ONLY, LocalBinarySensor, when=read_only),
    described((STREAM,), StreamConnected),
)
