"""Jura's confirm-gated actions: brewing, care processes and standby."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio as vol

from ..const import DOMAIN
from ..fields import Bounded, OneOf
from ..kitchenlib.jura.models import ChoiceParam, MachineProfile, Process, ProductDef, RangeParam
from ..spec import BrandAction
from .coordinator import JuraConfigEntry
from .entity import translate_machine_errors

ATTR_PRODUCT = "product"
ATTR_PROCESS = "process"

# Service field -> recipe parameter name in the machine's profile.
BREW_PARAMETERS: Mapping[str, str] = {
    "strength": "coffee_strength",
    "water": "water_amount",
    "milk": "milk_amount",
    "milk_foam": "milk_foam_amount",
    "bypass": "bypass",
    "milk_break": "milk_break",
    "temperature": "temperature",
}

# Product names that mean the same drink on every model: the voice sentences say
# ``hot_water``, which each model calls by its own key (the first it has is brewed).
PRODUCT_ALIASES: Mapping[str, tuple[str, ...]] = {
    "hot_water": ("hotwater_portion", "hotwater_portion_normal"),
}

# Wider than any model allows; brew_values checks each product's own limits.
_MILLILITRES = Bounded(0, 600, "mL")
_SECONDS = Bounded(0, 120, "s")


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _active_product(profile: MachineProfile, key: str) -> ProductDef | None:
    """The model's product called ``key`` or, for an alias, its first product of that kind."""
    for candidate in (key, *PRODUCT_ALIASES.get(key, ())):
        product = profile.product_by_key(candidate)
        if product is not None and product.active:
            return product
    return None


def brew_values(
    profile: MachineProfile, data: Mapping[str, Any], choices: Mapping[str, str]
) -> tuple[ProductDef, dict[str, int | str]]:
    """Check a brew request against the model before anything is sent.

    Fields left out fall back to the product and strength chosen in the UI.
    """
    product_key = data.get(ATTR_PRODUCT, choices.get(ATTR_PRODUCT))
    if product_key is None:
        raise _invalid("jura_no_product")
    product = _active_product(profile, str(product_key))
    if product is None:
        raise _invalid(
            "jura_unknown_product",
            product=str(product_key),
            products=", ".join(p.key for p in profile.products if p.active),
        )
    values: dict[str, int | str] = {}
    if "strength" not in data and "strength" in choices and product.param("coffee_strength"):
        data = {**data, "strength": choices["strength"]}
    for field_name, param_name in BREW_PARAMETERS.items():
        if field_name not in data:
            continue
        param = product.param(param_name)
        if param is None:
            raise _invalid("jura_unsupported_parameter", parameter=field_name, product=product.key)
        value = data[field_name]
        if isinstance(param, RangeParam):
            if not param.minimum <= value <= param.maximum or (value - param.minimum) % param.step:
                raise _invalid(
                    "jura_value_out_of_range",
                    parameter=field_name,
                    minimum=str(param.minimum),
                    maximum=str(param.maximum),
                    step=str(param.step),
                )
        elif isinstance(param, ChoiceParam):
            value = str(value)
            options = [name for name, _wire in param.items]
            if value not in options:
                raise _invalid(
                    "jura_invalid_option", parameter=field_name, options=", ".join(options)
                )
        values[param_name] = value
    return product, values


def _entry_brew_values(
    entry: JuraConfigEntry, data: Mapping[str, Any]
) -> tuple[ProductDef, dict[str, int | str]]:
    runtime = entry.runtime_data
    return brew_values(runtime.machine.profile, data, runtime.brew_choices)


def _check_brew(entry: JuraConfigEntry, _device: str, data: Mapping[str, Any]) -> None:
    _entry_brew_values(entry, data)


async def _async_brew(
    hass: HomeAssistant, entry: JuraConfigEntry, _device: str, data: Mapping[str, Any]
) -> None:
    product, values = _entry_brew_values(entry, data)
    async with translate_machine_errors(entry.title):
        await entry.runtime_data.machine.brew(product.key, values)


def _process(entry: JuraConfigEntry, data: Mapping[str, Any]) -> Process:
    process = Process(data[ATTR_PROCESS])
    if process not in dict(entry.runtime_data.machine.profile.processes):
        raise _invalid("jura_unsupported_process", process=process.value)
    return process


def _check_process(entry: JuraConfigEntry, _device: str, data: Mapping[str, Any]) -> None:
    _process(entry, data)


async def _async_start_maintenance(
    hass: HomeAssistant, entry: JuraConfigEntry, _device: str, data: Mapping[str, Any]
) -> None:
    process = _process(entry, data)
    async with translate_machine_errors(entry.title):
        await entry.runtime_data.machine.start_process(process)


async def _async_standby(
    hass: HomeAssistant, entry: JuraConfigEntry, _device: str, _data: Mapping[str, Any]
) -> None:
    async with translate_machine_errors(entry.title):
        await entry.runtime_data.machine.standby()


JURA_ACTIONS: tuple[BrandAction, ...] = (
    BrandAction(
        name="brew",
        fields={
            vol.Optional(ATTR_PRODUCT): cv.string,
            vol.Optional("strength"): vol.All(vol.Coerce(str), vol.Length(min=1, max=10)),
            vol.Optional("water"): _MILLILITRES,
            vol.Optional("milk"): _SECONDS,
            vol.Optional("milk_foam"): _SECONDS,
            vol.Optional("bypass"): _MILLILITRES,
            vol.Optional("milk_break"): _SECONDS,
            vol.Optional("temperature"): OneOf(("low", "normal", "high")),
        },
        check=_check_brew,
        refusal_key_fn=lambda _data: "jura_confirm_brew",
        run=_async_brew,
    ),
    BrandAction(
        name="start_maintenance",
        fields={vol.Required(ATTR_PROCESS): OneOf.of(process.value for process in Process)},
        check=_check_process,
        refusal_key_fn=lambda data: f"jura_confirm_{data[ATTR_PROCESS]}",
        run=_async_start_maintenance,
    ),
    BrandAction(
        name="standby", refusal_key_fn=lambda _data: "jura_confirm_standby", run=_async_standby
    ),
)
