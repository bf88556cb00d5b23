"""The prebrew mode of a machine on port 1774 (a Linea Mini offers prebrew or off only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory

from ....kitchenlib.lamarzocco.direct import writes
from ....kitchenlib.lamarzocco.direct.memory import PrebrewMode
from .coordinator import DirectState
from .entity import DirectEntity, DirectEntityDescription, direct_platform
from .machine import Machine

# The cloud entity's option keys.
PREBREW_MODES = MappingProxyType(
    {
        "prebrew": PrebrewMode.PREBREW,
        "preinfusion": PrebrewMode.PREINFUSION,
        "disabled": PrebrewMode.DISABLED,
    }
)


@dataclass(frozen=True, kw_only=True)
class DirectSelectDescription(DirectEntityDescription, SelectEntityDescription):
    """A select: its current option and what the model offers."""

    value_fn: Callable[[DirectState], PrebrewMode | None]
    offered_fn: Callable[[Machine], tuple[str, ...]]


def _offered(machine: Machine) -> tuple[str, ...]:
    return tuple(key for key in PREBREW_MODES if key != "preinfusion" or machine.preinfusion)


PREBREW_MODE = DirectSelectDescription(
    key="prebrew_mode",
    translation_key="prebrew_mode",
    entity_category=EntityCategory.CONFIG,
    value_fn=lambda state: state.snapshot.config.prebrew_mode,
    offered_fn=_offered,
)


class DirectSelect(DirectEntity, SelectEntity):
    """One of the modes the machine offers."""

    entity_description: DirectSelectDescription

    @property
    def options(self) -> list[str]:
        """The option keys of what this model offers."""
        return list(self.entity_description.offered_fn(self.coordinator.machine))

    @property
    def current_option(self) -> str | None:
        """The option key of the mode the last session read."""
        mode = self.entity_description.value_fn(self.state_data)
        return next((key for key, value in PREBREW_MODES.items() if value is mode), None)

    async def async_select_option(self, option: str) -> None:
        """Write the mode; it is read back in the same session."""
        await self.async_write(lambda: writes.prebrew_mode(PREBREW_MODES[option]))


async_setup_entry = direct_platform((PREBREW_MODE,), DirectSelect)
