"""La Marzocco switches: power, steam boiler, cup warmer, and the grinder's power and light."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..kitchenlib.lamarzocco import commands
from ..kitchenlib.lamarzocco.commands import Command, GrinderMode, MachineMode
from ..kitchenlib.lamarzocco.dashboard import Dashboard
from . import schedules, settings_entities, widgets
from .entity import LaMarzoccoEntity, LaMarzoccoEntityDescription, platform_setup
from .runtime import LaMarzoccoConfigEntry


@dataclass(frozen=True, kw_only=True)
class LaMarzoccoSwitchEntityDescription(LaMarzoccoEntityDescription, SwitchEntityDescription):
    """A switch: its state from the dashboard and the command that sets it."""

    value_fn: Callable[[Dashboard], bool | None]
    command_fn: Callable[[bool], Command]


def _machine_on(dashboard: Dashboard) -> bool | None:
    status = widgets.machine_status(dashboard)
    return None if status is None else status.mode == MachineMode.BREWING


def _grinder_on(dashboard: Dashboard) -> bool | None:
    status = widgets.grinder_status(dashboard)
    if status is None:
        return None
    return (status.mode or status.status) == GrinderMode.GRINDING


def _steam_on(dashboard: Dashboard) -> bool | None:
    boiler = widgets.steam_boiler(dashboard)
    return None if boiler is None else boiler.enabled


def _enabled(code: str) -> Callable[[Dashboard], bool | None]:
    def value(dashboard: Dashboard) -> bool | None:
        widget = widgets.enabled(dashboard, code)
        return None if widget is None else widget.enabled

    return value


def _has(value_fn: Callable[[Dashboard], bool | None]) -> Callable[[Dashboard], bool]:
    return lambda dashboard: value_fn(dashboard) is not None


def _steam_switchable(dashboard: Dashboard) -> bool:
    boiler = widgets.steam_boiler(dashboard)
    return boiler is not None and boiler.enabled_supported


SWITCHES: tuple[LaMarzoccoSwitchEntityDescription, ...] = (
    # Named after the machine: "turn on the Micra".
    LaMarzoccoSwitchEntityDescription(
        key="main",
        name=None,
        exists_fn=_has(_machine_on),
        value_fn=_machine_on,
        command_fn=lambda on: commands.change_mode(
            MachineMode.BREWING if on else MachineMode.STANDBY
        ),
    ),
    LaMarzoccoSwitchEntityDescription(
        key="steam_boiler",
        translation_key="steam_boiler",
        exists_fn=_steam_switchable,
        value_fn=_steam_on,
        command_fn=commands.steam_boiler_enabled,
    ),
    LaMarzoccoSwitchEntityDescription(
        key="cup_warmer",
        translation_key="cup_warmer",
        exists_fn=_has(_enabled("CMCupWarmer")),
        value_fn=_enabled("CMCupWarmer"),
        command_fn=commands.cup_warmer,
    ),
    LaMarzoccoSwitchEntityDescription(
        key="grinder_main",
        name=None,
        exists_fn=_has(_grinder_on),
        value_fn=_grinder_on,
        command_fn=lambda on: commands.grinder_mode(
            GrinderMode.GRINDING if on else GrinderMode.STANDBY
        ),
    ),
    LaMarzoccoSwitchEntityDescription(
        key="barista_light",
        translation_key="barista_light",
        exists_fn=_has(_enabled("GBaristaLight")),
        value_fn=_enabled("GBaristaLight"),
        command_fn=commands.barista_light,
    ),
)


class LaMarzoccoSwitch(LaMarzoccoEntity, SwitchEntity):
    """A setting that is on or off."""

    entity_description: LaMarzoccoSwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        """As the machine last reported."""
        return self.entity_description.value_fn(self.dashboard)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on; the state follows the machine's push."""
        await self.async_send(lambda: self.entity_description.command_fn(True))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off; the state follows the machine's push."""
        await self.async_send(lambda: self.entity_description.command_fn(False))


_async_setup_known = platform_setup(
    SWITCHES, LaMarzoccoSwitch, schedules.switches, settings_entities.switches
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: LaMarzoccoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """The machine's switches, and one for each wake-up schedule created later."""
    await _async_setup_known(hass, entry, async_add_entities)
    schedules.async_follow_new_schedules(entry.runtime_data, async_add_entities)
