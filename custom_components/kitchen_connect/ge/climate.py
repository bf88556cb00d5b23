"""Air conditioners (window, portable, split, through-wall) as climate entities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.climate import ClimateEntity, ClimateEntityDescription
from homeassistant.components.climate.const import (
    FAN_AUTO,
    FAN_HIGH,
    FAN_LOW,
    FAN_MEDIUM,
    PRESET_BOOST,
    PRESET_ECO,
    PRESET_NONE,
    ClimateEntityFeature,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature

from ..kitchenlib.ge.appliance import Appliance
from .appliance_types import ApplianceKind
from .entity import GeEntity, GeEntityDescription, erd_field, erd_value, platform_setup

POWER: Final = 0x7A0F
MODE: Final = 0x7A01
FAN: Final = 0x7A00
AMBIENT: Final = 0x7A02
TARGET_COOL: Final = 0x7003
TARGET_HEAT: Final = 0x7002
AVAILABLE_MODES: Final = 0x7B00
AVAILABLE_FANS: Final = 0x7B0B
TARGET_RANGE: Final = 0x7B06

PORTABLE_AC: Final = 0x16
PRESET_QUIET: Final = "quiet"

# GE mode slug → how Home Assistant shows it: an HVAC mode, or a preset of cooling.
_HVAC_MODES: Final = {
    "cool": HVACMode.COOL,
    "fan_only": HVACMode.FAN_ONLY,
    "heat": HVACMode.HEAT,
    "dehumidify_dry": HVACMode.DRY,
    "auto": HVACMode.AUTO,
}
_PRESETS: Final = {"energy_saver": PRESET_ECO, "turbo_cool": PRESET_BOOST, "silent": PRESET_QUIET}
_FANS: Final = {"auto": FAN_AUTO, "low": FAN_LOW, "medium": FAN_MEDIUM, "high": FAN_HIGH}
# Units that report no capability ERDs: what window units usually offer.
_DEFAULT_MODES: Final = ("cool", "fan_only", "energy_saver")
_DEFAULT_FANS: Final = ("auto", "low", "medium", "high")
_PORTABLE_FANS: Final = ("low", "medium", "high")
_DEFAULT_RANGE: Final = (60, 86)


@dataclass(frozen=True, kw_only=True)
class GeClimateEntityDescription(GeEntityDescription, ClimateEntityDescription):
    """The air conditioner's climate entity."""


DESCRIPTION = GeClimateEntityDescription(
    key="air_conditioner",
    translation_key="air_conditioner",
    name=None,
    erds=(MODE, POWER, FAN, AMBIENT, TARGET_COOL, TARGET_HEAT, AVAILABLE_MODES, AVAILABLE_FANS),
    kinds=frozenset({ApplianceKind.AIR_CONDITIONER}),
)


def _offered(appliance: Appliance, code: int, defaults: tuple[str, ...]) -> list[str]:
    value = erd_value(appliance, code)
    if not isinstance(value, dict):
        return list(defaults)
    return [key for key, present in value.items() if present in ("present", True)]


class GeAirConditioner(GeEntity, ClimateEntity):
    """Power, mode, fan and target temperature of one air conditioner."""

    entity_description: GeClimateEntityDescription
    _attr_temperature_unit = UnitOfTemperature.FAHRENHEIT
    _attr_target_temperature_step = 1
    _enable_turn_on_off_backwards_compatibility = False

    def _read_erds(self) -> None:
        """The unit's modes, presets, fan speeds, target range and features.

        Read once per update: Home Assistant asks for the features several times per write.
        """
        modes = _offered(self.appliance, AVAILABLE_MODES, _DEFAULT_MODES)
        # Off, and the GE modes this unit has that Home Assistant names.
        self._attr_hvac_modes = [
            HVACMode.OFF,
            *(_HVAC_MODES[m] for m in modes if m in _HVAC_MODES),
        ]
        # Energy saver, turbo cool and silent, where the unit has them.
        presets = [_PRESETS[m] for m in modes if m in _PRESETS]
        self._attr_preset_modes = [PRESET_NONE, *presets] if presets else None
        defaults = (
            _PORTABLE_FANS if self.appliance.appliance_type_raw == PORTABLE_AC else _DEFAULT_FANS
        )
        fans = _offered(self.appliance, AVAILABLE_FANS, defaults)
        self._attr_fan_modes = [_FANS[f] for f in fans if f in _FANS]
        features = (
            ClimateEntityFeature.TARGET_TEMPERATURE
            | ClimateEntityFeature.FAN_MODE
            | ClimateEntityFeature.TURN_ON
            | ClimateEntityFeature.TURN_OFF
        )
        if presets:
            features |= ClimateEntityFeature.PRESET_MODE
        self._attr_supported_features = features
        low = erd_field(self.appliance, TARGET_RANGE, "minimum_target_temperature")
        high = erd_field(self.appliance, TARGET_RANGE, "maximum_target_temperature")
        self._attr_min_temp = float(low) if isinstance(low, int) else _DEFAULT_RANGE[0]
        self._attr_max_temp = float(high) if isinstance(high, int) else _DEFAULT_RANGE[1]

    @property
    def _mode(self) -> str | None:
        mode = erd_value(self.appliance, MODE)
        return mode if isinstance(mode, str) else None

    @property
    def hvac_mode(self) -> HVACMode | None:
        """Off when powered down; presets of cooling count as cooling."""
        if erd_value(self.appliance, POWER) is False:
            return HVACMode.OFF
        mode = self._mode
        if mode in _PRESETS:
            return HVACMode.COOL
        return _HVAC_MODES.get(mode) if mode else None

    @property
    def preset_mode(self) -> str | None:
        """The active preset, or none."""
        return _PRESETS.get(self._mode or "", PRESET_NONE)

    @property
    def fan_mode(self) -> str | None:
        """The fan speed."""
        fan = erd_value(self.appliance, FAN)
        return _FANS.get(fan) if isinstance(fan, str) else None

    @property
    def current_temperature(self) -> float | None:
        """The room temperature the unit measures."""
        value = erd_value(self.appliance, AMBIENT)
        return float(value) if isinstance(value, int) else None

    @property
    def target_temperature(self) -> float | None:
        """The heating target in heat mode, the cooling target otherwise."""
        code = TARGET_HEAT if self._mode == "heat" else TARGET_COOL
        value = erd_value(self.appliance, code)
        return float(value) if isinstance(value, int) else None

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Switch off, or power on into the chosen mode."""
        if hvac_mode is HVACMode.OFF:
            await self.async_write_erd(POWER, False)
            return
        mode = next(m for m, mapped in _HVAC_MODES.items() if mapped is hvac_mode)
        await self._async_power_on()
        await self.async_write_erd(MODE, mode)

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """A preset is a GE mode of its own; none means plain cooling."""
        mode = next((m for m, p in _PRESETS.items() if p == preset_mode), "cool")
        await self._async_power_on()
        await self.async_write_erd(MODE, mode)

    async def async_set_fan_mode(self, fan_mode: str) -> None:
        """Set the fan speed."""
        await self.async_write_erd(FAN, next(f for f, m in _FANS.items() if m == fan_mode))

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target of the current mode (whole °F, as the unit takes it)."""
        if (temperature := kwargs.get(ATTR_TEMPERATURE)) is None:
            return
        code = TARGET_HEAT if self._mode == "heat" else TARGET_COOL
        await self.async_write_erd(code, round(temperature))

    async def async_turn_on(self) -> None:
        """Power on in the last mode."""
        await self.async_write_erd(POWER, True)

    async def async_turn_off(self) -> None:
        """Power off."""
        await self.async_write_erd(POWER, False)

    async def _async_power_on(self) -> None:
        if erd_value(self.appliance, POWER) is not True:
            await self.async_write_erd(POWER, True)


async_setup_entry = platform_setup((DESCRIPTION,), GeAirConditioner)
