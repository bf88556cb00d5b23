"""GE selects: the fridge's convertible drawer and the AC's turbo/quiet modifier."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.select import SelectEntity, SelectEntityDescription

from ..kitchenlib.ge.appliance import Appliance
from .descriptions import AIR_CONDITIONERS, FRIDGES, present, read
from .entity import GeEntity, GeEntityDescription, platform_setup

CONVERTIBLE_DRAWER: Final = 0x1020
_DRAWER_PREFIX: Final = "convertible_drawer_"
DRAWER_POSITIONS: Final = [f"position_{number}" for number in range(1, 8)]

TURBO_QUIET_REQUEST: Final = 0x795E
TURBO_QUIET_AVAILABLE: Final = 0x795F
TURBO_QUIET_STATUS: Final = 0x7963
TURBO_QUIET: Final = ["normal", "turbo", "quiet"]


@dataclass(frozen=True, kw_only=True)
class GeSelectEntityDescription(GeEntityDescription, SelectEntityDescription):
    """A choice: the current option from the ERDs and the write that picks another."""

    value_fn: Callable[[Appliance], str | None]
    command_fn: Callable[[Appliance, str], tuple[int, Any]]
    options_fn: Callable[[Appliance], list[str]] | None = None


def _slug(code: int) -> Callable[[Appliance], str | None]:
    def value(appliance: Appliance) -> str | None:
        slug = read(appliance, code)
        return slug if isinstance(slug, str) else None

    return value


def _drawer_position(appliance: Appliance) -> str | None:
    slug = read(appliance, CONVERTIBLE_DRAWER)
    if not isinstance(slug, str):
        return None
    position = slug.removeprefix(_DRAWER_PREFIX)
    return position if position in DRAWER_POSITIONS else None


def _turbo_quiet_options(appliance: Appliance) -> list[str]:
    offered = read(appliance, TURBO_QUIET_AVAILABLE)
    if not isinstance(offered, dict):
        return list(TURBO_QUIET)
    return [mode for mode in TURBO_QUIET if offered.get(f"{mode}_available") is True]


def _has_turbo_quiet(appliance: Appliance) -> bool:
    # A unit without the modifier may still report its status, as 'not applicable'.
    return present(TURBO_QUIET_STATUS)(appliance) and TURBO_QUIET_REQUEST in appliance.erds


SELECTS: tuple[GeSelectEntityDescription, ...] = (
    GeSelectEntityDescription(
        key="convertible_drawer",
        translation_key="convertible_drawer",
        erds=(CONVERTIBLE_DRAWER,),
        kinds=FRIDGES,
        exists_fn=lambda appliance: _drawer_position(appliance) is not None,
        options=list(DRAWER_POSITIONS),
        value_fn=_drawer_position,
        command_fn=lambda _appliance, option: (CONVERTIBLE_DRAWER, _DRAWER_PREFIX + option),
    ),
    GeSelectEntityDescription(
        key="turbo_quiet",
        translation_key="turbo_quiet",
        erds=(TURBO_QUIET_STATUS, TURBO_QUIET_AVAILABLE),
        kinds=AIR_CONDITIONERS,
        exists_fn=_has_turbo_quiet,
        options=list(TURBO_QUIET),
        options_fn=_turbo_quiet_options,
        value_fn=_slug(TURBO_QUIET_STATUS),
        command_fn=lambda _appliance, option: (TURBO_QUIET_REQUEST, option),
    ),
)


class GeSelect(GeEntity, SelectEntity):
    """A setting with a fixed list of choices."""

    entity_description: GeSelectEntityDescription

    @property
    def options(self) -> list[str]:
        """The choices this appliance offers."""
        description = self.entity_description
        if description.options_fn is not None:
            return description.options_fn(self.appliance)
        return list(description.options or ())

    @property
    def current_option(self) -> str | None:
        """The current choice, if it is one of the options."""
        value = self.entity_description.value_fn(self.appliance)
        return value if value in self.options else None

    async def async_select_option(self, option: str) -> None:
        """Pick another option; the appliance's push confirms it."""
        await self.async_write_erd(*self.entity_description.command_fn(self.appliance, option))


async_setup_entry = platform_setup(SELECTS, GeSelect)
