"""Nespresso's confirm-gated actions: brewing and cancelling (original line only).

Factory reset and key changes are deliberately not offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import probatio as vol

from ..const import DOMAIN
from ..fields import Bounded, OneOf
from ..kitchenlib.nespresso.commands import COFFEE_ML, WATER_ML, Product, Temperature
from ..kitchenlib.nespresso.models import Family
from ..spec import BrandAction
from .const import CONF_FAMILY
from .coordinator import NespressoConfigEntry
from .entity import translate_machine_errors

ATTR_PRODUCT = "product"
ATTR_TEMPERATURE = "temperature"
ATTR_COFFEE = "coffee"
ATTR_WATER = "water"

PRODUCTS: Mapping[str, Product] = {
    "ristretto": Product.RISTRETTO,
    "espresso": Product.ESPRESSO,
    "lungo": Product.LUNGO,
    "hot_water": Product.HOT_WATER,
    "americano": Product.AMERICANO,
    "custom": Product.CUSTOM,
}
# The options of the temperature field Jura's brew shares.
TEMPERATURES: Mapping[str, Temperature] = {
    "low": Temperature.LOW,
    "normal": Temperature.MEDIUM,
    "high": Temperature.HIGH,
}


def _brews(entry: ConfigEntry[Any], _device: str) -> bool:
    return entry.data.get(CONF_FAMILY) == Family.ORIGINAL.value


def _refusal(data: Mapping[str, Any]) -> str:
    if ATTR_COFFEE in data or ATTR_WATER in data or data.get(ATTR_PRODUCT) == "custom":
        return "nespresso_confirm_brew_custom"
    return "nespresso_confirm_brew"


async def _async_brew(
    hass: HomeAssistant, entry: NespressoConfigEntry, _device: str, data: Mapping[str, Any]
) -> None:
    coordinator = entry.runtime_data.coordinator
    client = coordinator.client
    temperature = TEMPERATURES[data.get(ATTR_TEMPERATURE, "normal")]
    product = PRODUCTS[data.get(ATTR_PRODUCT, "custom" if _custom(data) else "espresso")]
    if _custom(data) and product is not Product.CUSTOM:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="nespresso_volumes_need_custom"
        )
    async with translate_machine_errors(entry.title):
        if product is Product.CUSTOM:
            await coordinator.run(
                lambda: client.brew_custom(
                    coffee_ml=data.get(ATTR_COFFEE),
                    water_ml=data.get(ATTR_WATER),
                    temperature=temperature,
                )
            )
        else:
            await coordinator.run(lambda: client.brew(product, temperature))


def _custom(data: Mapping[str, Any]) -> bool:
    return ATTR_COFFEE in data or ATTR_WATER in data


async def _async_cancel(
    hass: HomeAssistant, entry: NespressoConfigEntry, _device: str, _data: Mapping[str, Any]
) -> None:
    coordinator = entry.runtime_data.coordinator
    async with translate_machine_errors(entry.title):
        await coordinator.run(coordinator.client.cancel)


NESPRESSO_ACTIONS: tuple[BrandAction, ...] = (
    BrandAction(
        name="brew",
        fields={
            vol.Optional(ATTR_PRODUCT): OneOf.of(PRODUCTS),
            vol.Optional(ATTR_TEMPERATURE): OneOf.of(TEMPERATURES),
            vol.Optional(ATTR_COFFEE): Bounded(*COFFEE_ML, "mL"),
            vol.Optional(ATTR_WATER): Bounded(*WATER_ML, "mL"),
        },
        can_run=_brews,
        refusal_key_fn=_refusal,
        run=_async_brew,
    ),
    BrandAction(
        name="cancel",
        can_run=_brews,
        refusal_key_fn=lambda _data: "nespresso_confirm_cancel",
        run=_async_cancel,
    ),
)
