"""La Marzocco selects: steam level, prebrew mode and brew-by-weight mode.

Options are lower-case keys translated in the UI; each maps to the cloud's own name, and a
machine offers only the modes its widget lists (a Linea Mini has no preinfusion).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory

from ..kitchenlib.lamarzocco import commands
from ..kitchenlib.lamarzocco.commands import BrewByWeightMode, Command, PreBrewMode, SteamLevel
from ..kitchenlib.lamarzocco.dashboard import Dashboard
from . import schedules, widgets
from .entity import LaMarzoccoEntity, LaMarzoccoEntityDescription, platform_setup


@dataclass(frozen=True, kw_only=True)
class LaMarzoccoSelectEntityDescription(LaMarzoccoEntityDescription, SelectEntityDescription):
    """A select: option keys <-> the cloud's names, what is offered, and the command."""

    names: Mapping[str, str]  # option key -> the cloud's name
    value_fn: Callable[[Dashboard], str | None]
    offered_fn: Callable[[Dashboard], tuple[str, ...]]
    command_fn: Callable[[Dashboard, str], Command]


STEAM_LEVELS = MappingProxyType(
    {"level_1": SteamLevel.LEVEL_1, "level_2": SteamLevel.LEVEL_2, "level_3": SteamLevel.LEVEL_3}
)
PREBREW_MODES = MappingProxyType(
    {
        "prebrew": PreBrewMode.PREBREWING,
        "preinfusion": PreBrewMode.PREINFUSION,
        "disabled": PreBrewMode.DISABLED,
    }
)
BREW_BY_WEIGHT_MODES = MappingProxyType(
    {
        "dose_1": BrewByWeightMode.DOSE_1,
        "dose_2": BrewByWeightMode.DOSE_2,
        "continuous": BrewByWeightMode.CONTINUOUS,
    }
)


def _steam_level(dashboard: Dashboard) -> str | None:
    boiler = widgets.steam_level(dashboard)
    return None if boiler is None else boiler.target_level


def _level_settable(dashboard: Dashboard) -> bool:
    boiler = widgets.steam_level(dashboard)
    return boiler is not None and boiler.target_level_supported


def _prebrew_mode(dashboard: Dashboard) -> str | None:
    prebrew = widgets.prebrewing(dashboard)
    return None if prebrew is None else prebrew.mode


def _prebrew_offered(dashboard: Dashboard) -> tuple[str, ...]:
    prebrew = widgets.prebrewing(dashboard)
    return () if prebrew is None else prebrew.available_modes


def _bbw_mode(dashboard: Dashboard) -> str | None:
    by_weight = widgets.brew_by_weight(dashboard)
    return None if by_weight is None else by_weight.mode


def _bbw_offered(dashboard: Dashboard) -> tuple[str, ...]:
    by_weight = widgets.brew_by_weight(dashboard)
    return () if by_weight is None else by_weight.available_modes


def _scale_connected(dashboard: Dashboard) -> bool:
    by_weight = widgets.brew_by_weight(dashboard)
    return by_weight is not None and by_weight.scale_connected


SELECTS: tuple[LaMarzoccoSelectEntityDescription, ...] = (
    LaMarzoccoSelectEntityDescription(
        key="steam_level",
        translation_key="steam_level",
        names=STEAM_LEVELS,
        exists_fn=_level_settable,
        value_fn=_steam_level,
        offered_fn=lambda _dashboard: tuple(STEAM_LEVELS.values()),
        command_fn=lambda _dashboard, name: commands.steam_level(name),
    ),
    LaMarzoccoSelectEntityDescription(
        key="prebrew_mode",
        translation_key="prebrew_mode",
        entity_category=EntityCategory.CONFIG,
        names=PREBREW_MODES,
        # A GS3 MP reports the widget without any mode to choose.
        exists_fn=lambda dashboard: bool(_prebrew_offered(dashboard)),
        value_fn=_prebrew_mode,
        offered_fn=_prebrew_offered,
        command_fn=lambda dashboard, name: commands.prebrew_mode(name, _prebrew_offered(dashboard)),
    ),
    LaMarzoccoSelectEntityDescription(
        key="brew_by_weight_mode",
        translation_key="brew_by_weight_mode",
        names=BREW_BY_WEIGHT_MODES,
        exists_fn=lambda dashboard: widgets.brew_by_weight(dashboard) is not None,
        available_fn=_scale_connected,
        value_fn=_bbw_mode,
        offered_fn=_bbw_offered,
        command_fn=lambda _dashboard, name: commands.brew_by_weight_mode(name),
    ),
)


class LaMarzoccoSelect(LaMarzoccoEntity, SelectEntity):
    """One of the modes the machine offers."""

    entity_description: LaMarzoccoSelectEntityDescription

    @property
    def options(self) -> list[str]:
        """The option keys of what this machine offers."""
        description = self.entity_description
        offered = set(description.offered_fn(self.dashboard))
        return [key for key, name in description.names.items() if name in offered]

    @property
    def current_option(self) -> str | None:
        """The option key of the machine's current mode."""
        name = self.entity_description.value_fn(self.dashboard)
        return next((k for k, v in self.entity_description.names.items() if v == name), None)

    async def async_select_option(self, option: str) -> None:
        """Send the mode; the state follows the machine's push."""
        description = self.entity_description
        dashboard = self.dashboard
        await self.async_send(lambda: description.command_fn(dashboard, description.names[option]))


async_setup_entry = platform_setup(SELECTS, LaMarzoccoSelect, schedules.selects)
