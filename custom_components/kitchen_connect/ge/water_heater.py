"""GE and Haier water heaters (GeoSpring, hybrid heat pump) as water_heater entities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.water_heater import WaterHeaterEntity, WaterHeaterEntityDescription
from homeassistant.components.water_heater.const import (
    STATE_ECO,
    STATE_ELECTRIC,
    STATE_HEAT_PUMP,
    STATE_HIGH_DEMAND,
    WaterHeaterEntityFeature,
)
from homeassistant.const import ATTR_TEMPERATURE, STATE_OFF, UnitOfTemperature

from .appliance_types import ApplianceKind
from .entity import GeEntity, GeEntityDescription, erd_field, erd_value, platform_setup

MODE: Final = 0x4020
SETPOINT: Final = 0x4024
TANK_TEMPERATURE: Final = 0x4026
AVAILABLE_MODES: Final = 0x4040
LIMITS: Final = 0x4047
ACTIVE_STATE: Final = 0x4225
ACTIVE_REQUEST: Final = 0x4226

VACATION: Final = "vacation"
# GE's mode slugs as Home Assistant's standard water-heater operations.
_OPERATIONS: Final = {
    "hybrid": STATE_ECO,
    "standard_electric": STATE_ELECTRIC,
    "e_heat": STATE_HEAT_PUMP,
    "hidemand": STATE_HIGH_DEMAND,
}
_DEFAULT_LIMITS: Final = (100.0, 140.0)


@dataclass(frozen=True, kw_only=True)
class GeWaterHeaterEntityDescription(GeEntityDescription, WaterHeaterEntityDescription):
    """The water heater's own entity."""


DESCRIPTION = GeWaterHeaterEntityDescription(
    key="water_heater",
    translation_key="water_heater",
    name=None,
    erds=(MODE, SETPOINT, TANK_TEMPERATURE, AVAILABLE_MODES, LIMITS, ACTIVE_STATE),
    kinds=frozenset({ApplianceKind.WATER_HEATER}),
)


class GeWaterHeater(GeEntity, WaterHeaterEntity):
    """Mode, setpoint, tank temperature, vacation (away) and on/off of a water heater."""

    entity_description: GeWaterHeaterEntityDescription
    _attr_temperature_unit = UnitOfTemperature.FAHRENHEIT
    _attr_precision = 0.1

    _modes: list[str]

    def _read_erds(self) -> None:
        """The heater's modes, its operations (vacation is the away mode) and features.

        Read once per update: Home Assistant asks for the features several times per write.
        """
        value = erd_value(self.appliance, AVAILABLE_MODES)
        if isinstance(value, dict):
            prefix = "available_modes_"
            self._modes = [key.removeprefix(prefix) for key, on in value.items() if on is True]
        else:
            self._modes = [*_OPERATIONS, VACATION]
        self._attr_operation_list = [_OPERATIONS[m] for m in self._modes if m in _OPERATIONS]
        features = (
            WaterHeaterEntityFeature.TARGET_TEMPERATURE | WaterHeaterEntityFeature.OPERATION_MODE
        )
        if VACATION in self._modes:
            features |= WaterHeaterEntityFeature.AWAY_MODE
        if erd_value(self.appliance, ACTIVE_STATE) is not None:
            features |= WaterHeaterEntityFeature.ON_OFF
        self._attr_supported_features = features

    @property
    def current_operation(self) -> str | None:
        """The running operation; off when the heater is switched off."""
        if erd_value(self.appliance, ACTIVE_STATE) is False:
            return STATE_OFF
        mode = erd_value(self.appliance, MODE)
        return _OPERATIONS.get(mode) if isinstance(mode, str) else None

    @property
    def is_away_mode_on(self) -> bool | None:
        """Vacation mode."""
        mode = erd_value(self.appliance, MODE)
        return None if mode is None else mode == VACATION

    @property
    def current_temperature(self) -> float | None:
        """The tank temperature (GE's 'actual setpoint')."""
        value = erd_value(self.appliance, TANK_TEMPERATURE)
        return float(value) if isinstance(value, (int, float)) else None

    @property
    def target_temperature(self) -> float | None:
        """The user setpoint."""
        value = erd_value(self.appliance, SETPOINT)
        return float(value) if isinstance(value, (int, float)) else None

    @property
    def min_temp(self) -> float:
        """The lowest setpoint the heater accepts."""
        low = erd_field(self.appliance, LIMITS, "minimum_setpoint")
        return float(low) if isinstance(low, (int, float)) and low > 0 else _DEFAULT_LIMITS[0]

    @property
    def max_temp(self) -> float:
        """The highest setpoint the heater accepts."""
        high = erd_field(self.appliance, LIMITS, "maximum_setpoint")
        return float(high) if isinstance(high, (int, float)) and high > 0 else _DEFAULT_LIMITS[1]

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the user setpoint (tenths of °F on the wire)."""
        if (temperature := kwargs.get(ATTR_TEMPERATURE)) is not None:
            await self.async_write_erd(SETPOINT, round(float(temperature), 1))

    async def async_set_operation_mode(self, operation_mode: str) -> None:
        """Switch to one of the heater's modes."""
        mode = next(m for m, op in _OPERATIONS.items() if op == operation_mode)
        await self.async_write_erd(MODE, mode)

    async def async_turn_away_mode_on(self) -> None:
        """Vacation mode."""
        await self.async_write_erd(MODE, VACATION)

    async def async_turn_away_mode_off(self) -> None:
        """Back to hybrid, or the first mode the heater has."""
        mode = next((m for m in self._modes if m in _OPERATIONS), "hybrid")
        await self.async_write_erd(MODE, mode)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Activate the heater."""
        await self.async_write_erd(ACTIVE_REQUEST, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Deactivate the heater."""
        await self.async_write_erd(ACTIVE_REQUEST, False)


async_setup_entry = platform_setup((DESCRIPTION,), GeWaterHeater)
