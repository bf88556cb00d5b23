"""GE switches: sabbath mode, ice makers, turbo modes, water-heater boost, AC sleep and swing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory

from ..kitchenlib.ge.appliance import Appliance
from .descriptions import AIR_CONDITIONERS, FRIDGES, WATER_HEATERS, is_slug, is_true, present
from .entity import GeEntity, GeEntityDescription, erd_value, platform_setup, reports

ICE_MAKERS: Final = 0x100A
BOOST_STATE: Final = 0x4220
BOOST_REQUEST: Final = 0x4221

type SwitchCommand = Callable[[Appliance, bool], tuple[int, Any]]


@dataclass(frozen=True, kw_only=True)
class GeSwitchEntityDescription(GeEntityDescription, SwitchEntityDescription):
    """A switch: its state from the ERDs, and the ERD value that turns it on or off.

    ``command_fn`` gets the appliance and the wanted state and returns the ERD and
    value to write (a multi-field ERD keeps its other fields as they are).
    """

    value_fn: Callable[[Appliance], bool | None]
    command_fn: SwitchCommand


def simple_switch(code: int) -> SwitchCommand:
    """Write ``True``/``False`` to a boolean ERD."""
    return lambda _appliance, on: (code, on)


def slug_switch(code: int, on_slug: str, off_slug: str) -> SwitchCommand:
    """Write one of two enum slugs."""
    return lambda _appliance, on: (code, on_slug if on else off_slug)


def _ice_maker(compartment: str) -> GeSwitchEntityDescription:
    field = f"{compartment}_status"

    def command(appliance: Appliance, on: bool) -> tuple[int, Any]:
        current = erd_value(appliance, ICE_MAKERS)
        value = dict(current) if isinstance(current, dict) else {}
        value[field] = f"{compartment}_ice_maker_{'on' if on else 'off'}"
        return ICE_MAKERS, value

    key = f"{'fridge' if compartment == 'fresh_food' else compartment}_ice_maker"
    return GeSwitchEntityDescription(
        key=key,
        translation_key=key,
        erds=(ICE_MAKERS,),
        kinds=FRIDGES,
        exists_fn=present(ICE_MAKERS, field),
        value_fn=is_slug(ICE_MAKERS, f"{compartment}_ice_maker_on", field),
        command_fn=command,
    )


def _on_off(key: str, code: int) -> GeSwitchEntityDescription:
    """A fridge feature switched with 'on'/'off' (absent when 'not_equipped')."""
    return GeSwitchEntityDescription(
        key=key,
        translation_key=key,
        erds=(code,),
        kinds=FRIDGES,
        exists_fn=present(code),
        value_fn=is_slug(code, "on"),
        command_fn=slug_switch(code, "on", "off"),
    )


def _has_boost(appliance: Appliance) -> bool:
    return reports(appliance, BOOST_STATE) and reports(appliance, BOOST_REQUEST)


SWITCHES: tuple[GeSwitchEntityDescription, ...] = (
    GeSwitchEntityDescription(
        key="sabbath_mode",
        translation_key="sabbath_mode",
        erds=(0x0009,),
        exists_fn=present(0x0009),
        entity_category=EntityCategory.CONFIG,
        value_fn=is_slug(0x0009, "enable"),
        command_fn=slug_switch(0x0009, "enable", "disable"),
    ),
    _ice_maker("fresh_food"),
    _ice_maker("freezer"),
    _on_off("turbo_cool", 0x100F),
    _on_off("turbo_freeze", 0x100E),
    _on_off("quick_ice", 0x100D),
    GeSwitchEntityDescription(
        key="boost",
        translation_key="boost",
        erds=(BOOST_STATE,),
        kinds=WATER_HEATERS,
        exists_fn=_has_boost,
        value_fn=is_true(BOOST_STATE),
        command_fn=simple_switch(BOOST_REQUEST),
    ),
    GeSwitchEntityDescription(
        key="sleep_mode",
        translation_key="sleep_mode",
        erds=(0x7B05,),
        kinds=AIR_CONDITIONERS,
        value_fn=is_slug(0x7B05, "sleep_mode_on"),
        command_fn=slug_switch(0x7B05, "sleep_mode_on", "sleep_mode_off"),
    ),
    GeSwitchEntityDescription(
        key="vertical_swing",
        translation_key="vertical_swing",
        erds=(0x7B07,),
        kinds=AIR_CONDITIONERS,
        value_fn=is_true(0x7B07),
        command_fn=simple_switch(0x7B07),
    ),
)


class GeSwitch(GeEntity, SwitchEntity):
    """An on/off setting of one appliance."""

    entity_description: GeSwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The state the appliance last pushed."""
        return self.entity_description.value_fn(self.appliance)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on; the appliance's push confirms it."""
        await self.async_write_erd(*self.entity_description.command_fn(self.appliance, True))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off; the appliance's push confirms it."""
        await self.async_write_erd(*self.entity_description.command_fn(self.appliance, False))


async_setup_entry = platform_setup(SWITCHES, GeSwitch)
