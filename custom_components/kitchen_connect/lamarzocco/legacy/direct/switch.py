"""Switches of a machine on port 1774: power and the steam boiler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from ....kitchenlib.lamarzocco.direct import writes
from ....kitchenlib.lamarzocco.direct.writes import Write
from .coordinator import DirectState
from .entity import DirectEntity, DirectEntityDescription, direct_platform


@dataclass(frozen=True, kw_only=True)
class DirectSwitchDescription(DirectEntityDescription, SwitchEntityDescription):
    """A switch: its state from the last session and the write that sets it."""

    value_fn: Callable[[DirectState], bool | None]
    write_fn: Callable[[bool], Write]


SWITCHES: tuple[DirectSwitchDescription, ...] = (
    # Named after the machine, as the cloud's: "turn on the GS3".
    DirectSwitchDescription(
        key="main",
        name=None,
        value_fn=lambda state: state.snapshot.config.power,
        write_fn=writes.power,
    ),
    DirectSwitchDescription(
        key="steam_boiler",
        translation_key="steam_boiler",
        value_fn=lambda state: state.snapshot.status.steam_boiler_enabled,
        write_fn=writes.steam_boiler,
    ),
)


class DirectSwitch(DirectEntity, SwitchEntity):
    """A setting that is on or off."""

    entity_description: DirectSwitchDescription

    @property
    def is_on(self) -> bool | None:
        """As the last session read it."""
        return self.entity_description.value_fn(self.state_data)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on; the state is read back in the same session."""
        await self.async_write(lambda: self.entity_description.write_fn(True))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off; the state is read back in the same session."""
        await self.async_write(lambda: self.entity_description.write_fn(False))


async_setup_entry = direct_platform(SWITCHES, DirectSwitch)
