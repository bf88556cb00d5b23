"""Sensors of a machine on port 8081: temperatures, shot timer, doses, counters, firmware."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfMass,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.typing import StateType

from ....kitchenlib.lamarzocco.local.config import PreinfusionKey
from ....kitchenlib.lamarzocco.local.frames import LocalState, Statistics
from ...sensor import BOILER_STATES, MACHINE_STATES
from .entity import (
    EntityBuilder,
    LocalApiEntity,
    LocalEntityDescription,
    described,
    platform_setup,
    read_only,
)
from .runtime import LocalApiRuntime

DOSE_KEYS = ("DoseA", "DoseB", "DoseC", "DoseD")


def key_number(index: str) -> int:
    """Key 1 for ``DoseA`` … key 4 for ``DoseD``, as the machine's buttons are numbered."""
    return DOSE_KEYS.index(index) + 1


PARALLEL_UPDATES = 0
# Within this many degrees of its target a boiler counts as ready.
READY_MARGIN = 2.0


@dataclass(frozen=True, kw_only=True)
class LocalSensorDescription(LocalEntityDescription, SensorEntityDescription):
    """A value of the machine's state."""

    value_fn: Callable[[LocalState], StateType]


def _machine_state(state: LocalState) -> str | None:
    if state.machine_mode is None:
        return None
    if state.machine_mode != "BrewingMode":
        return "standby"
    return "brewing" if state.brewing else "powered_on"


def _boiler_state(current: float | None, target: float | None, state: LocalState) -> str:
    if state.machine_mode != "BrewingMode":
        return "standby"
    if state.tank_ok is False:
        return "no_water"
    if current is None or target is None or current < target - READY_MARGIN:
        return "heating_up"
    return "ready"


def _steam_state(state: LocalState) -> str:
    if state.steam_enabled is False:
        return "off"
    return _boiler_state(state.steam_temperature, state.steam_target, state)


def _shot_timer(state: LocalState) -> float:
    return (state.shot_timer or 0.0) if state.brewing else 0.0


def _firmware(name: str) -> Callable[[LocalState], StateType]:
    return lambda state: state.config.firmware.get(name)


def _has_firmware(name: str) -> Callable[[LocalState], bool]:
    return lambda state: name in state.config.firmware


def _temperature(key: str, value_fn: Callable[[LocalState], StateType]) -> LocalSensorDescription:
    return LocalSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        value_fn=value_fn,
    )


def _counter(
    key: str, value_fn: Callable[[Statistics], int | None], **extra: Any
) -> LocalSensorDescription:
    """A counter of ``MachineStatistics`` (unknown until the stream sent them)."""
    return LocalSensorDescription(
        key=key,
        translation_key=extra.pop("translation_key", key),
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: None if state.statistics is None else value_fn(state.statistics),
        **extra,
    )


SENSORS: tuple[LocalSensorDescription, ...] = (
    LocalSensorDescription(
        key="machine_state",
        translation_key="machine_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(MACHINE_STATES),
        value_fn=_machine_state,
    ),
    LocalSensorDescription(
        key="coffee_boiler_state",
        translation_key="coffee_boiler_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(BOILER_STATES),
        value_fn=lambda state: _boiler_state(state.coffee_temperature, state.coffee_target, state),
    ),
    LocalSensorDescription(
        key="steam_boiler_state",
        translation_key="steam_boiler_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(BOILER_STATES),
        value_fn=_steam_state,
    ),
    _temperature("coffee_boiler_temperature", lambda state: state.coffee_temperature),
    _temperature("steam_boiler_temperature", lambda state: state.steam_temperature),
    LocalSensorDescription(
        key="shot_timer",
        translation_key="shot_timer",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        value_fn=_shot_timer,
    ),
    LocalSensorDescription(
        key="last_shot_duration",
        translation_key="last_shot_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=1,
        value_fn=lambda state: None if state.last_shot is None else state.last_shot.seconds,
    ),
    _counter("total_coffees", lambda statistics: statistics.total_doses),
    _counter("total_flushes", lambda statistics: statistics.total_flushes),
    LocalSensorDescription(
        key="scale_battery",
        translation_key="scale_battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda state: state.config.scale is not None,
        value_fn=lambda state: None if state.config.scale is None else state.config.scale.battery,
    ),
    LocalSensorDescription(
        key="machine_firmware",
        translation_key="machine_firmware",
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=_has_firmware("machine_firmware"),
        value_fn=_firmware("machine_firmware"),
    ),
    LocalSensorDescription(
        key="gateway_firmware",
        translation_key="gateway_firmware",
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=_has_firmware("gateway_firmware"),
        value_fn=_firmware("gateway_firmware"),
    ),
)

# Targets the entry can only read (with Bluetooth writes they are numbers).
TARGETS: tuple[LocalSensorDescription, ...] = (
    _temperature("coffee_temperature", lambda state: state.coffee_target),
    _temperature("steam_temperature", lambda state: state.steam_target),
)

_DOSE_UNITS = {"PulsesType": None, "MassType": UnitOfMass.GRAMS}


def _dose_target(index: str) -> Callable[[LocalState], StateType]:
    def target(state: LocalState) -> float | None:
        group = state.config.group
        dose = None if group is None else group.dose(index)
        return None if dose is None else dose.target

    return target


def dose_descriptions(state: LocalState) -> list[LocalSensorDescription]:
    """Each key's dose (pulses on the GS3 AV, grams on a Linea Mini with a scale)."""
    group = state.config.group
    if group is None:
        return []
    descriptions = []
    for dose in group.doses:
        if dose.kind not in _DOSE_UNITS or dose.index not in DOSE_KEYS:
            continue
        pulses = dose.kind == "PulsesType"
        descriptions.append(
            LocalSensorDescription(
                key=f"dose_{dose.kind}_{dose.index}".lower(),
                translation_key="pulses_dose" if pulses else "group_dose",
                translation_placeholders={"dose": str(key_number(dose.index))},
                device_class=None if pulses else SensorDeviceClass.WEIGHT,
                native_unit_of_measurement=_DOSE_UNITS[dose.kind],
                entity_category=EntityCategory.DIAGNOSTIC,
                value_fn=_dose_target(dose.index),
            )
        )
    return descriptions


def _key_counter(key: str) -> LocalSensorDescription:
    number = key_number(key)
    return _counter(
        f"key_{number}_coffees",
        lambda statistics: statistics.doses.get(key),
        translation_key="key_coffees",
        translation_placeholders={"key": str(number)},
        entity_registry_enabled_default=False,
    )


def counter_descriptions(state: LocalState) -> list[LocalSensorDescription]:
    """Shots per key, from the statistics (one counter per dose the group lists)."""
    group = state.config.group
    keys = [] if group is None else [dose.index for dose in group.doses]
    return [_key_counter(key) for key in keys if key in DOSE_KEYS]


_PREINFUSION_PARTS: tuple[tuple[str, str, Callable[[PreinfusionKey], float]], ...] = (
    ("prebrew", "prebrew_time_on", lambda entry: entry.wet),
    ("prebrew", "prebrew_time_off", lambda entry: entry.hold),
    ("preinfusion", "preinfusion_time", lambda entry: entry.hold),
)


def _preinfusion_value(
    key: str, kind: str, part: Callable[[PreinfusionKey], float]
) -> Callable[[LocalState], StateType]:
    def value(state: LocalState) -> float | None:
        settings = state.config.preinfusion
        entry = settings.prebrew(key) if kind == "prebrew" else settings.preinfusion(key)
        return None if entry is None else part(entry)

    return value


def preinfusion_descriptions(state: LocalState) -> list[LocalSensorDescription]:
    """Prebrew on/off and preinfusion times: for the group, or per key on a GS3 AV."""
    preinfusion = state.config.preinfusion
    keys = list(dict.fromkeys(entry.key for entry in preinfusion.keys))
    descriptions = []
    for key in keys:
        for kind, name, part in _PREINFUSION_PARTS:
            # A key listed once has one set of times: prebrew on and off tell it all.
            if kind == "preinfusion" and len(preinfusion.entries(key)) < 2:
                continue

            # The first key is the cloud's entity; the others carry their number.
            number = key_number(key) if key in DOSE_KEYS else 1
            first = number == 1
            descriptions.append(
                LocalSensorDescription(
                    key=name if first else f"{name}_key_{number}",
                    translation_key=name if first else f"{name}_key",
                    translation_placeholders=None if first else {"key": str(number)},
                    device_class=SensorDeviceClass.DURATION,
                    native_unit_of_measurement=UnitOfTime.SECONDS,
                    entity_category=EntityCategory.DIAGNOSTIC,
                    value_fn=_preinfusion_value(key, kind, part),
                )
            )
    return descriptions


class LocalSensor(LocalApiEntity, SensorEntity):
    """A value the gateway reports."""

    entity_description: LocalSensorDescription

    @property
    def native_value(self) -> StateType:
        """As last read or pushed."""
        return self.entity_description.value_fn(self.state_data)


def _built(make: Callable[[LocalState], list[LocalSensorDescription]]) -> EntityBuilder:
    def build(runtime: LocalApiRuntime) -> list[Entity]:
        return [LocalSensor(runtime, description) for description in make(runtime.coordinator.data)]

    return build


async_setup_entry = platform_setup(
    described(SENSORS, LocalSensor),
    described(TARGETS, LocalSensor, when=read_only),
    _built(dose_descriptions),
    _built(counter_descriptions),
    _built(preinfusion_descriptions),
)
