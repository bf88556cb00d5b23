"""GE's confirm-gated actions: heating an oven, starting cycles, brewing, descaling."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util.unit_conversion import TemperatureConverter
import probatio as vol

from ..const import DOMAIN
from ..fields import Bounded, OneOf
from ..kitchenlib.ge.appliance import Appliance
from ..spec import BrandAction
from .appliance_types import LAUNDRY, ApplianceKind, appliance_kind
from .coordinator import GeConfigEntry
from .entity import erd_value

ATTR_CAVITY: Final = "cavity"
ATTR_MODE: Final = "mode"
ATTR_TEMPERATURE: Final = "temperature"
ATTR_BREW_TEMPERATURE: Final = "brew_temperature"
ATTR_PROCESS: Final = "process"
DESCALE: Final = "descale"
ATTR_COOK_TIME: Final = "cook_time"
ATTR_STRENGTH: Final = "strength"
ATTR_CUPS: Final = "cups"

UPPER: Final = "upper"
LOWER: Final = "lower"

# The cook modes a user can start, as GE's 0x5100 mode slugs (the "no option" variants:
# a cook time, when given, goes into the command's own time bytes).
COOK_MODES: Final[Mapping[str, str]] = {
    "bake": "bake_no_option",
    "convection_bake": "convection_bake_no_option",
    "convection_multi_bake": "convection_multi_bake_no_option",
    "convection_roast": "convection_roast_no_option",
    "broil_high": "broil_high",
    "broil_low": "broil_low",
    "proof": "proof_no_option",
    "warm": "warm_no_option",
    "frozen_pizza": "frozen_pizza_no_option",
    "frozen_snacks": "frozen_snacks_no_option",
    "baked_goods": "baked_goods_no_option",
}
DEFAULT_OVEN_TEMPERATURE_F: Final = 350
# Modes that run at a fixed heat and take no temperature.
_FIXED_HEAT: Final = frozenset({"broil_high", "broil_low", "proof", "warm"})

STRENGTHS: Final = ("light", "medium", "dark", "gold")

# Per cavity: the cook-mode command, its remote-enable flag, and the refusal of an oven
# without that cavity.
_CAVITIES: Final = {
    UPPER: (0x5100, 0x510A, "ge_no_upper_oven"),
    LOWER: (0x5200, 0x520A, "ge_no_lower_oven"),
}
OVEN_LIMITS: Final = 0x5008
DISHWASHER_COMMAND: Final = 0x3204
DISHWASHER_REMOTE: Final = 0x3087
LAUNDRY_STATE: Final = 0x2000
LAUNDRY_REMOTE: Final = 0x2039
LAUNDRY_START_NOW: Final = 0x2038
BREWER_START: Final = 0x900B
BREWER_STRENGTH: Final = 0x9008
BREWER_TEMPERATURE: Final = 0x9001
BREWER_CUPS: Final = 0x9006
BREWER_TEMPERATURE_LIMITS: Final = 0x9002
BREWER_POT_PRESENT: Final = 0x9012
BREWER_OUT_OF_WATER: Final = 0x9013
START_DESCALE: Final = 0x901A
_DELAYED: Final = frozenset({"delay_run", "delay_pause"})
_DEFAULT_BREW: Final = ("medium", 200, 4)

_CAVITY = OneOf.of(_CAVITIES)
# Temperatures in the user's unit system, so the limits name no unit.
_OVEN_TEMPERATURE = Bounded(0, 600, coerce=float)
_BREW_TEMPERATURE = Bounded(0, 250, coerce=float)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _name(appliance: Appliance) -> str:
    return appliance.nickname or appliance.label or appliance.mac


def _to_fahrenheit(hass: HomeAssistant, value: float) -> int:
    unit = hass.config.units.temperature_unit
    return round(TemperatureConverter.convert(value, unit, UnitOfTemperature.FAHRENHEIT))


def _cavity(appliance: Appliance, data: Mapping[str, Any]) -> tuple[int, int]:
    """The chosen cavity's command and remote-enable ERDs; refused if the oven lacks it."""
    command, remote, missing = _CAVITIES[data.get(ATTR_CAVITY, UPPER)]
    if command not in appliance.erds:
        raise _invalid(missing, name=_name(appliance))
    return command, remote


def _oven_command(
    hass: HomeAssistant, appliance: Appliance, data: Mapping[str, Any]
) -> tuple[int, dict[str, Any]]:
    command, remote = _cavity(appliance, data)
    if erd_value(appliance, remote) is not True:
        raise _invalid("ge_remote_oven", name=_name(appliance))
    mode = data[ATTR_MODE]
    temperature = 0
    if mode not in _FIXED_HEAT:
        temperature = (
            _to_fahrenheit(hass, data[ATTR_TEMPERATURE])
            if ATTR_TEMPERATURE in data
            else DEFAULT_OVEN_TEMPERATURE_F
        )
        limits = erd_value(appliance, OVEN_LIMITS)
        low, high = (
            (limits.get("minimum", 170), limits.get("maximum", 550))
            if isinstance(limits, dict)
            else (170, 550)
        )
        if not low <= temperature <= high:
            raise _invalid(
                "ge_oven_temperature", name=_name(appliance), low=f"{low}", high=f"{high}"
            )
    minutes = int(data.get(ATTR_COOK_TIME, 0))
    return command, cook_command(COOK_MODES[mode], temperature, minutes)


def cook_command(mode: str, temperature: int, minutes: int) -> dict[str, Any]:
    """The 0x5100/0x5200 value for one cook mode (mode ``no_mode`` turns the oven off)."""
    return {
        "mode": mode,
        "cook_temperature": temperature,
        "cook_time": minutes,
        "probe_temperature": 0,
        "delay_time": 0,
        "two_temp_cook_temperature": 0,
        "two_temp_cook_time": 0,
    }


def _brew_command(hass: HomeAssistant, appliance: Appliance, data: Mapping[str, Any]) -> Any:
    if erd_value(appliance, BREWER_OUT_OF_WATER) == "out_of_water":
        raise _invalid("ge_brewer_no_water", name=_name(appliance))
    if erd_value(appliance, BREWER_POT_PRESENT) == "not_present":
        raise _invalid("ge_brewer_no_pot", name=_name(appliance))
    strength = data.get(ATTR_STRENGTH) or erd_value(appliance, BREWER_STRENGTH)
    if strength not in STRENGTHS:
        strength = _DEFAULT_BREW[0]
    temperature = (
        _to_fahrenheit(hass, data[ATTR_BREW_TEMPERATURE])
        if ATTR_BREW_TEMPERATURE in data
        else erd_value(appliance, BREWER_TEMPERATURE) or _DEFAULT_BREW[1]
    )
    limits = erd_value(appliance, BREWER_TEMPERATURE_LIMITS)
    low, high = (185, 205)
    if isinstance(limits, dict) and limits.get("minimum_temperature"):
        low, high = limits["minimum_temperature"], limits["maximum_temperature"]
    if not low <= temperature <= high:
        raise _invalid("ge_brew_temperature", name=_name(appliance), low=f"{low}", high=f"{high}")
    cups = data.get(ATTR_CUPS) or erd_value(appliance, BREWER_CUPS) or _DEFAULT_BREW[2]
    return {"strength": strength, "temperature": int(temperature), "cups": int(cups)}


def _kinds(*kinds: ApplianceKind) -> Callable[[GeConfigEntry, str], bool]:
    """Whether the targeted appliance is on the account and one of ``kinds``."""

    def can_run(entry: GeConfigEntry, mac: str) -> bool:
        appliance = entry.runtime_data.coordinator.data.get(mac)
        return appliance is not None and appliance_kind(appliance) in kinds

    return can_run


async def _async_start_cooking(
    hass: HomeAssistant, entry: GeConfigEntry, mac: str, data: Mapping[str, Any]
) -> None:
    coordinator = entry.runtime_data.coordinator
    code, value = _oven_command(hass, coordinator.appliance(mac), data)
    await coordinator.async_write_erd(mac, code, value)


async def _async_stop_cooking(
    hass: HomeAssistant, entry: GeConfigEntry, mac: str, data: Mapping[str, Any]
) -> None:
    coordinator = entry.runtime_data.coordinator
    command, _remote = _cavity(coordinator.appliance(mac), data)
    await coordinator.async_write_erd(mac, command, cook_command("no_mode", 0, 0))


async def _async_start_cycle(
    hass: HomeAssistant, entry: GeConfigEntry, mac: str, _data: Mapping[str, Any]
) -> None:
    """Start a dishwasher, or a washer or dryer's delayed cycle now (``can_run`` checked which)."""
    coordinator = entry.runtime_data.coordinator
    appliance = coordinator.appliance(mac)
    if appliance_kind(appliance) is ApplianceKind.DISHWASHER:
        if erd_value(appliance, DISHWASHER_REMOTE) is not True:
            raise _invalid("ge_remote_dishwasher", name=_name(appliance))
        await coordinator.async_write_erd(mac, DISHWASHER_COMMAND, "start_resume_cycle")
        return
    if erd_value(appliance, LAUNDRY_REMOTE) != "enabled":
        raise _invalid("ge_remote_laundry", name=_name(appliance))
    if erd_value(appliance, LAUNDRY_STATE) not in _DELAYED:
        raise _invalid("ge_laundry_not_delayed", name=_name(appliance))
    await coordinator.async_write_erd(mac, LAUNDRY_START_NOW, 0)


async def _async_brew(
    hass: HomeAssistant, entry: GeConfigEntry, mac: str, data: Mapping[str, Any]
) -> None:
    coordinator = entry.runtime_data.coordinator
    command = _brew_command(hass, coordinator.appliance(mac), data)
    await coordinator.async_write_erd(mac, BREWER_START, command)


async def _async_start_descaling(
    hass: HomeAssistant, entry: GeConfigEntry, mac: str, _data: Mapping[str, Any]
) -> None:
    await entry.runtime_data.coordinator.async_write_erd(mac, START_DESCALE, 1)


GE_ACTIONS: tuple[BrandAction, ...] = (
    BrandAction(
        name="start_cooking",
        fields={
            vol.Optional(ATTR_CAVITY, default=UPPER): _CAVITY,
            vol.Required(ATTR_MODE): OneOf.of(COOK_MODES),
            vol.Optional(ATTR_TEMPERATURE): _OVEN_TEMPERATURE,
            vol.Optional(ATTR_COOK_TIME): Bounded(1, 720, "min"),
        },
        can_run=_kinds(ApplianceKind.OVEN),
        refusal_key_fn=lambda _data: "ge_confirm_start_cooking",
        run=_async_start_cooking,
    ),
    BrandAction(
        name="stop_cooking",
        fields={vol.Optional(ATTR_CAVITY, default=UPPER): _CAVITY},
        can_run=_kinds(ApplianceKind.OVEN),
        refusal_key_fn=lambda _data: "ge_confirm_stop_cooking",
        run=_async_stop_cooking,
    ),
    BrandAction(
        name="start_cycle",
        can_run=_kinds(ApplianceKind.DISHWASHER, *LAUNDRY),
        refusal_key_fn=lambda _data: "ge_confirm_start_cycle",
        run=_async_start_cycle,
    ),
    BrandAction(
        name="brew",
        fields={
            vol.Optional(ATTR_STRENGTH): OneOf(STRENGTHS),
            vol.Optional(ATTR_BREW_TEMPERATURE): _BREW_TEMPERATURE,
            vol.Optional(ATTR_CUPS): Bounded(1, 12),
        },
        can_run=_kinds(ApplianceKind.COFFEE_BREWER),
        refusal_key_fn=lambda _data: "ge_confirm_brew",
        run=_async_brew,
    ),
    BrandAction(
        name="start_maintenance",
        fields={vol.Required(ATTR_PROCESS): OneOf((DESCALE,))},
        can_run=_kinds(ApplianceKind.COFFEE_BREWER, ApplianceKind.ESPRESSO_MAKER),
        refusal_key_fn=lambda _data: "ge_confirm_descale",
        run=_async_start_descaling,
    ),
)
