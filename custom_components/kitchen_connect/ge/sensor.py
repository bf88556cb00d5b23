"""GE sensors: temperatures, states, times remaining, filters and counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfEnergy,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolume,
)
from homeassistant.helpers.typing import StateType

from ..kitchenlib.ge.appliance import Appliance
from .appliance_types import LAUNDRY, ApplianceKind
from .descriptions import (
    ABSENT,
    BREWERS,
    DISHWASHERS,
    DRYERS,
    FRIDGES,
    OVEN_CAVITIES,
    OVENS,
    WASHERS,
    WATER_HEATERS,
    EnumReading,
    OvenCavity,
    has_freezer,
    has_fresh_food,
    number,
    present,
    read,
    reader,
    reported,
)
from .entity import GeEntity, GeEntityDescription, platform_setup

DISPLAY_TEMPERATURES: Final = 0x1004
WATER_FILTER: Final = 0x1009
HOT_WATER: Final = 0x1010
DISHWASHER_COUNTS: Final = 0x3009

# Cavity ERDs by low byte (0x51xx upper, 0x52xx lower).
_STATE, _PROBE, _COOK_LEFT, _TIMER, _PROBE_PRESENT = 0x01, 0x03, 0x04, 0x05, 0x07
_ELAPSED, _DISPLAY_TEMPERATURE, _RAW_TEMPERATURE = 0x08, 0x09, 0x0D

# 0x1009: a filter problem wins over the order status.
_FILTER_PROBLEMS: Final = {
    "ge_bypass_plug": "bypass_plug",
    "leak_detected": "leak",
    "error": "error",
}
_FILTER_ORDER: Final = {
    "filter_does_not_need_to_be_ordered": "good",
    "filter_needs_to_be_ordered": "order",
    "filter_has_expired": "expired",
}


@dataclass(frozen=True, kw_only=True)
class GeSensorEntityDescription(GeEntityDescription, SensorEntityDescription):
    """A sensor computed from the appliance's ERDs."""

    value_fn: Callable[[Appliance], StateType]


def _value(
    key: str, code: int, kinds: frozenset[ApplianceKind], field: str | None = None, **kwargs: Any
) -> GeSensorEntityDescription:
    """A sensor of one ERD (field); the keyword arguments override the defaults."""
    kwargs.setdefault("translation_key", key)
    kwargs.setdefault("erds", (code,))
    kwargs.setdefault("value_fn", reader(code, field))
    if field is not None:  # the ERD may be there while the field says 'absent'
        kwargs.setdefault("exists_fn", present(code, field))
    return GeSensorEntityDescription(key=key, kinds=kinds, **kwargs)


def _enum(
    key: str, reading: EnumReading, kinds: frozenset[ApplianceKind], **kwargs: Any
) -> GeSensorEntityDescription:
    return _value(
        key,
        reading.code,
        kinds,
        reading.key,
        device_class=SensorDeviceClass.ENUM,
        options=reading.options,
        value_fn=reading.value,
        **kwargs,
    )


def _temperature(
    key: str, code: int, kinds: frozenset[ApplianceKind], field: str | None = None, **kwargs: Any
) -> GeSensorEntityDescription:
    kwargs.setdefault("state_class", SensorStateClass.MEASUREMENT)
    return _value(
        key,
        code,
        kinds,
        field,
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.FAHRENHEIT,
        suggested_display_precision=0,
        **kwargs,
    )


def _duration(
    key: str, code: int, unit: UnitOfTime, kinds: frozenset[ApplianceKind], **kwargs: Any
) -> GeSensorEntityDescription:
    """A time the appliance counts; it reads unknown while none is set."""
    kwargs.setdefault("exists_fn", reported(code))
    return _value(
        key,
        code,
        kinds,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=unit,
        **kwargs,
    )


def _probe_temperature(cavity: OvenCavity) -> Callable[[Appliance], StateType]:
    def value(appliance: Appliance) -> StateType:
        if read(appliance, cavity.code(_PROBE_PRESENT)) is not True:
            return None
        return number(appliance, cavity.code(_PROBE))

    return value


def _oven_sensors(cavity: OvenCavity) -> tuple[GeSensorEntityDescription, ...]:
    # Durations exist when reported: a time that is not set reads None, yet the cavity
    # has the sensor.
    def named(
        metric: str,
        register: int,
        check: Callable[[int], Callable[[Appliance], bool]] = present,
        **kwargs: Any,
    ) -> dict[str, Any]:
        exists = cavity.exists_when(check(cavity.code(register)))
        return {"translation_key": cavity.translation_key(metric), "exists_fn": exists, **kwargs}

    probe, probe_present = cavity.code(_PROBE), cavity.code(_PROBE_PRESENT)
    return (
        _enum(
            cavity.unique_key("state"),
            EnumReading(cavity.code(_STATE)),
            OVENS,
            **named("state", _STATE),
        ),
        _temperature(
            cavity.unique_key("temperature"),
            cavity.code(_DISPLAY_TEMPERATURE),
            OVENS,
            **named("temperature", _DISPLAY_TEMPERATURE),
        ),
        _temperature(
            cavity.unique_key("raw_temperature"),
            cavity.code(_RAW_TEMPERATURE),
            OVENS,
            **named("raw_temperature", _RAW_TEMPERATURE, entity_category=EntityCategory.DIAGNOSTIC),
        ),
        _temperature(
            cavity.unique_key("probe_temperature"),
            probe,
            OVENS,
            translation_key=cavity.translation_key("probe_temperature"),
            exists_fn=cavity.exists_when(present(probe), present(probe_present)),
            erds=(probe, probe_present),
            value_fn=_probe_temperature(cavity),
        ),
        _duration(
            cavity.unique_key("cook_time_remaining"),
            cavity.code(_COOK_LEFT),
            UnitOfTime.MINUTES,
            OVENS,
            **named("cook_time_remaining", _COOK_LEFT, check=reported),
        ),
        _duration(
            cavity.unique_key("elapsed_cook_time"),
            cavity.code(_ELAPSED),
            UnitOfTime.MINUTES,
            OVENS,
            **named("elapsed_cook_time", _ELAPSED, check=reported),
        ),
        _duration(
            cavity.unique_key("kitchen_timer_remaining"),
            cavity.code(_TIMER),
            UnitOfTime.MINUTES,
            OVENS,
            **named("kitchen_timer_remaining", _TIMER, check=reported),
        ),
    )


def _water_filter(appliance: Appliance) -> StateType:
    status = read(appliance, WATER_FILTER, "filter_status")
    if isinstance(status, str) and status in _FILTER_PROBLEMS:
        return _FILTER_PROBLEMS[status]
    order = read(appliance, WATER_FILTER, "order_status")
    return _FILTER_ORDER.get(order) if isinstance(order, str) else None


def _cycle_name(appliance: Appliance) -> StateType:
    name = read(appliance, 0x301C, "selected_cycle_name")
    return name or None if isinstance(name, str) else None


def _compartment(
    code: int, field: str, check: Callable[[Appliance], bool]
) -> Callable[[Appliance], bool]:
    reported = present(code, field)
    return lambda appliance: check(appliance) and reported(appliance)


COMMON_SENSORS: tuple[GeSensorEntityDescription, ...] = (
    _value(
        "energy",
        0xD007,
        frozenset(),  # any appliance that meters itself
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
    ),
)

FRIDGE_SENSORS: tuple[GeSensorEntityDescription, ...] = (
    _temperature(
        "fridge_temperature",
        DISPLAY_TEMPERATURES,
        FRIDGES,
        "fresh_food_display_temperature",
        exists_fn=_compartment(
            DISPLAY_TEMPERATURES, "fresh_food_display_temperature", has_fresh_food
        ),
    ),
    _temperature(
        "freezer_temperature",
        DISPLAY_TEMPERATURES,
        FRIDGES,
        "freezer_display_temperature",
        exists_fn=_compartment(DISPLAY_TEMPERATURES, "freezer_display_temperature", has_freezer),
    ),
    _value(
        "water_filter",
        WATER_FILTER,
        FRIDGES,
        "filter_status",
        device_class=SensorDeviceClass.ENUM,
        options=[*_FILTER_ORDER.values(), *_FILTER_PROBLEMS.values()],
        value_fn=_water_filter,
    ),
    _value(
        "water_filter_remaining",
        WATER_FILTER,
        FRIDGES,
        "percentage_remaining",
        exists_fn=present(WATER_FILTER, "filter_status"),
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
    ),
    _enum("air_filter", EnumReading(0x101C), FRIDGES, exists_fn=present(0x101C)),
    _enum("hot_water_status", EnumReading(HOT_WATER, "status"), FRIDGES),
    _temperature(
        "hot_water_temperature",
        HOT_WATER,
        FRIDGES,
        "hot_water_temperature",
        exists_fn=present(HOT_WATER, "status"),
    ),
)

DISHWASHER_SENSORS: tuple[GeSensorEntityDescription, ...] = (
    _enum("operating_mode", EnumReading(0x3001), DISHWASHERS),
    _enum("cycle_state", EnumReading(0x300E, hidden=ABSENT | {"no_change"}), DISHWASHERS),
    _value("cycle_name", 0x301C, DISHWASHERS, value_fn=_cycle_name),
    _duration("time_remaining", 0xD004, UnitOfTime.MINUTES, DISHWASHERS),
    *(
        _value(
            key,
            DISHWASHER_COUNTS,
            DISHWASHERS,
            field,
            entity_category=EntityCategory.DIAGNOSTIC,
            state_class=SensorStateClass.TOTAL_INCREASING,
        )
        for key, field in (
            ("cycles_started", "started_cycles_counter"),
            ("cycles_completed", "completed_cycles_counter"),
        )
    ),
)

_LEGACY_WASH_TEMPERATURES: Final = {
    "deprecated_tap_cold": "tap_cold",
    "deprecated_cold": "cold",
    "deprecated_warm": "warm",
    "deprecated_hot": "hot",
    "deprecated_extra_hot": "extra_hot",
}

LAUNDRY_SENSORS: tuple[GeSensorEntityDescription, ...] = (
    _enum("machine_state", EnumReading(0x2000), LAUNDRY),
    _enum("sub_cycle", EnumReading(0x2001), LAUNDRY),
    _duration(
        "time_remaining",
        0x2007,
        UnitOfTime.SECONDS,  # GE counts laundry time in seconds, always whole minutes
        LAUNDRY,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
    ),
    _duration("delay_remaining", 0x2010, UnitOfTime.MINUTES, LAUNDRY),
    _enum(
        "selected_cycle",
        EnumReading(0x200A, hidden=ABSENT | {"not_defined", "reset"}),
        LAUNDRY,
    ),
    _enum("soil_level", EnumReading(0x2015, hidden=ABSENT | {"invalid"}), WASHERS),
    _enum(
        "wash_temperature",
        EnumReading(0x2016, hidden=ABSENT | {"disable"}, aliases=_LEGACY_WASH_TEMPERATURES),
        WASHERS,
    ),
    _enum("spin_level", EnumReading(0x2017, hidden=ABSENT | {"disable"}), WASHERS),
    _enum("rinse_option", EnumReading(0x2018), WASHERS),
    _enum("dryness_level", EnumReading(0x204D, hidden=ABSENT | {"disabled"}), DRYERS),
    _enum("drying_temperature", EnumReading(0x2050, hidden=ABSENT | {"disabled"}), DRYERS),
)

BREWER_SENSORS: tuple[GeSensorEntityDescription, ...] = (
    _enum("brew_strength", EnumReading(0x9008), BREWERS),
    _value("brew_cups", 0x9006, BREWERS),
    _temperature("brew_temperature", 0x9001, BREWERS, state_class=None),
    _temperature("outlet_temperature", 0x9014, BREWERS),
    _value("descale_cycles_remaining", 0x9015, BREWERS),
)

WATER_HEATER_SENSORS: tuple[GeSensorEntityDescription, ...] = (
    _duration("mode_hours_remaining", 0x4028, UnitOfTime.HOURS, WATER_HEATERS),
    _value(
        "usable_hot_water",
        0x40D0,
        WATER_HEATERS,
        device_class=SensorDeviceClass.VOLUME_STORAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfVolume.GALLONS,
        suggested_display_precision=0,
    ),
    _value(
        "anode_remaining",
        0x40C2,
        WATER_HEATERS,
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
    ),
)

SENSORS: tuple[GeSensorEntityDescription, ...] = (
    *COMMON_SENSORS,
    *(description for cavity in OVEN_CAVITIES for description in _oven_sensors(cavity)),
    *FRIDGE_SENSORS,
    *DISHWASHER_SENSORS,
    *LAUNDRY_SENSORS,
    *BREWER_SENSORS,
    *WATER_HEATER_SENSORS,
)


class GeSensor(GeEntity, SensorEntity):
    """A read-only value of one appliance."""

    entity_description: GeSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """The value as the description computes it."""
        return self.entity_description.value_fn(self.appliance)


async_setup_entry = platform_setup(SENSORS, GeSensor)
