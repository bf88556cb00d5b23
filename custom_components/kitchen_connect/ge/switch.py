"""GE switches: ice makers, turbo modes, lights, AC power and the like."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.helpers.entity import Entity

from ..kitchenlib.ge.appliance import Appliance
from .appliance_types import ApplianceKind
from .entity import GeEntity, GeEntityDescription, build_from, erd_value

if TYPE_CHECKING:
    from .runtime import GeRuntime


@dataclass(frozen=True, kw_only=True)
class GeSwitchEntityDescription(GeEntityDescription, SwitchEntityDescription):
    """A switch: its state from the ERDs, and the ERD value that turns it on or off.

    ``command_fn`` gets the appliance and the wanted state and returns the ERD and
    value to write (a multi-field ERD keeps its other fields as they are).
    """

    value_fn: Callable[[Appliance], bool | None]
    command_fn: Callable[[Appliance, bool], tuple[int, Any]]


def simple_switch(code: int) -> Callable[[Appliance, bool], tuple[int, Any]]:
    """Write ``True``/``False`` to a boolean ERD."""
    return lambda _appliance, on: (code, on)


SWITCHES: tuple[GeSwitchEntityDescription, ...] = (
    GeSwitchEntityDescription(
        key="power",
        translation_key="power",
        erds=(0x7A0F,),
        kinds=frozenset({ApplianceKind.AIR_CONDITIONER}),
        value_fn=lambda appliance: erd_value(appliance, 0x7A0F),
        command_fn=simple_switch(0x7A0F),
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


def build_entities(runtime: GeRuntime, mac: str) -> list[Entity]:
    """The switches that apply to appliance ``mac``."""
    return build_from(runtime, mac, SWITCHES, GeSwitch)
