"""GE numbers: oven kitchen timers and offsets, fridge setpoints, hot water, pods."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.util.unit_conversion import TemperatureDeltaConverter

from ..kitchenlib.ge.appliance import Appliance
from .descriptions import (
    DISHWASHERS,
    FRIDGES,
    OVEN_CAVITIES,
    OVENS,
    OvenCavity,
    has_freezer,
    has_fresh_food,
    number,
    present,
    reader,
    reported,
)
from .entity import GeEntity, GeEntityDescription, erd_value, platform_setup, reports

KITCHEN_TIMER_MAX: Final = 719  # 11 h 59 min
OFFSET_LIMIT: Final = 35
SETPOINTS: Final = 0x1005
SETPOINT_LIMITS: Final = 0x100B
HOT_WATER_STATUS: Final = 0x1010
HOT_WATER_SET: Final = 0x1011
HOT_WATER_RANGE: Final = (90, 190)
PODS: Final = 0x301F
PODS_MAX: Final = 255


@dataclass(frozen=True, kw_only=True)
class GeNumberEntityDescription(GeEntityDescription, NumberEntityDescription):
    """A number: its value and limits from the ERDs, and the write that sets it."""

    value_fn: Callable[[Appliance], float | None]
    command_fn: Callable[[Appliance, float], tuple[int, Any]]
    min_fn: Callable[[Appliance], float | None] = lambda _appliance: None
    max_fn: Callable[[Appliance], float | None] = lambda _appliance: None
    # A difference of temperatures in °F (value, limits, step): shown in the user's unit.
    # Home Assistant converts numbers of class TEMPERATURE_DELTA only on request.
    fahrenheit_delta: bool = False


def _whole(code: int) -> Callable[[Appliance, float], tuple[int, Any]]:
    """Write the value rounded to a whole number (every GE number ERD is an integer)."""
    return lambda _appliance, value: (code, round(value))


def _oven_numbers(cavity: OvenCavity) -> tuple[GeNumberEntityDescription, ...]:
    timer, offset = cavity.code(0x05), cavity.code(0x06)
    return (
        GeNumberEntityDescription(
            key=cavity.unique_key("kitchen_timer"),
            translation_key=cavity.translation_key("kitchen_timer"),
            erds=(timer,),
            kinds=OVENS,
            exists_fn=cavity.exists_when(reported(timer)),  # FFFF: no timer set
            device_class=NumberDeviceClass.DURATION,
            native_unit_of_measurement=UnitOfTime.MINUTES,
            native_min_value=0,
            native_max_value=KITCHEN_TIMER_MAX,
            native_step=1,
            value_fn=reader(timer),
            command_fn=_whole(timer),
        ),
        GeNumberEntityDescription(
            key=cavity.unique_key("temperature_offset"),
            translation_key=cavity.translation_key("temperature_offset"),
            erds=(offset,),
            kinds=OVENS,
            exists_fn=cavity.exists_when(present(offset)),
            entity_category=EntityCategory.CONFIG,
            device_class=NumberDeviceClass.TEMPERATURE_DELTA,
            fahrenheit_delta=True,
            native_min_value=-OFFSET_LIMIT,
            native_max_value=OFFSET_LIMIT,
            native_step=1,
            value_fn=reader(offset),
            command_fn=_whole(offset),
        ),
    )


def _setpoint(
    key: str, compartment: str, check: Callable[[Appliance], bool], defaults: tuple[int, int]
) -> GeNumberEntityDescription:
    field = f"{compartment}_desired_temperature"
    reported = present(SETPOINTS, field)

    def limit(bound: str, default: int) -> Callable[[Appliance], float]:
        def value(appliance: Appliance) -> float:
            found = number(appliance, SETPOINT_LIMITS, f"{compartment}_{bound}_temperature")
            return default if found is None else found

        return value

    lowest, highest = limit("minimum", defaults[0]), limit("maximum", defaults[1])

    def command(appliance: Appliance, value: float) -> tuple[int, Any]:
        current = erd_value(appliance, SETPOINTS)
        setpoints = dict(current) if isinstance(current, dict) else {}
        # Whole °F within the fridge's limits: a value in °C may round just outside them.
        wanted = min(max(round(value), lowest(appliance)), highest(appliance))
        setpoints[field] = round(wanted)  # 0x1005 takes both compartments at once
        return SETPOINTS, setpoints

    return GeNumberEntityDescription(
        key=key,
        translation_key=key,
        erds=(SETPOINTS, SETPOINT_LIMITS),
        kinds=FRIDGES,
        exists_fn=lambda appliance: check(appliance) and reported(appliance),
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.FAHRENHEIT,
        native_step=1,
        value_fn=reader(SETPOINTS, field),
        command_fn=command,
        min_fn=lowest,
        max_fn=highest,
    )


def _has_hot_water(appliance: Appliance) -> bool:
    return present(HOT_WATER_STATUS, "status")(appliance) and reports(appliance, HOT_WATER_SET)


NUMBERS: tuple[GeNumberEntityDescription, ...] = (
    *(description for cavity in OVEN_CAVITIES for description in _oven_numbers(cavity)),
    _setpoint("fridge_setpoint", "fresh_food", has_fresh_food, (32, 46)),
    _setpoint("freezer_setpoint", "freezer", has_freezer, (-6, 7)),
    GeNumberEntityDescription(
        key="hot_water_setpoint",
        translation_key="hot_water_setpoint",
        erds=(HOT_WATER_SET,),
        kinds=FRIDGES,
        exists_fn=_has_hot_water,
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.FAHRENHEIT,
        native_min_value=HOT_WATER_RANGE[0],
        native_max_value=HOT_WATER_RANGE[1],
        native_step=1,
        value_fn=reader(HOT_WATER_SET),
        command_fn=_whole(HOT_WATER_SET),
    ),
    GeNumberEntityDescription(
        key="pods_remaining",
        translation_key="pods_remaining",
        erds=(PODS,),
        kinds=DISHWASHERS,
        native_min_value=0,
        native_max_value=PODS_MAX,
        native_step=1,
        value_fn=reader(PODS),
        command_fn=_whole(PODS),
    ),
)


class GeNumber(GeEntity, NumberEntity):
    """A numeric setting of one appliance."""

    entity_description: GeNumberEntityDescription
    _attr_mode = NumberMode.BOX

    @property
    def _delta_unit(self) -> str | None:
        """The user's temperature unit, for a difference in °F; None for other numbers."""
        if not self.entity_description.fahrenheit_delta:
            return None
        return self.hass.config.units.temperature_unit

    def _shown(self, fahrenheit: float) -> float:
        unit = self._delta_unit
        if unit is None or unit == UnitOfTemperature.FAHRENHEIT:
            return fahrenheit
        return round(
            TemperatureDeltaConverter.convert(fahrenheit, UnitOfTemperature.FAHRENHEIT, unit), 1
        )

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The description's unit; the user's temperature unit for a difference in °F."""
        return self._delta_unit or self.entity_description.native_unit_of_measurement

    @property
    def native_step(self) -> float | None:
        """Whole °F; a tenth of a degree in the other units."""
        if self._delta_unit not in (None, UnitOfTemperature.FAHRENHEIT):
            return 0.1
        return super().native_step

    @property
    def native_value(self) -> float | None:
        """The value the appliance last pushed."""
        value = self.entity_description.value_fn(self.appliance)
        return None if value is None else self._shown(value)

    @property
    def native_min_value(self) -> float:
        """The appliance's own lower limit where it reports one."""
        value = self.entity_description.min_fn(self.appliance)
        return self._shown(super().native_min_value if value is None else value)

    @property
    def native_max_value(self) -> float:
        """The appliance's own upper limit where it reports one."""
        value = self.entity_description.max_fn(self.appliance)
        return self._shown(super().native_max_value if value is None else value)

    async def async_set_native_value(self, value: float) -> None:
        """Send the new value; the appliance's push confirms it."""
        if (unit := self._delta_unit) is not None:
            value = TemperatureDeltaConverter.convert(value, unit, UnitOfTemperature.FAHRENHEIT)
        await self.async_write_erd(*self.entity_description.command_fn(self.appliance, value))


async_setup_entry = platform_setup(NUMBERS, GeNumber)
