"""GE numbers: fridge and freezer setpoints, kitchen timers, cups and brew temperature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.helpers.entity import Entity

from ..kitchenlib.ge.appliance import Appliance
from .entity import GeEntity, GeEntityDescription, build_from

if TYPE_CHECKING:
    from .runtime import GeRuntime


@dataclass(frozen=True, kw_only=True)
class GeNumberEntityDescription(GeEntityDescription, NumberEntityDescription):
    """A number: its value and limits from the ERDs, and the write that sets it."""

    value_fn: Callable[[Appliance], float | None]
    command_fn: Callable[[Appliance, float], tuple[int, Any]]
    min_fn: Callable[[Appliance], float | None] = lambda _appliance: None
    max_fn: Callable[[Appliance], float | None] = lambda _appliance: None


NUMBERS: tuple[GeNumberEntityDescription, ...] = ()


class GeNumber(GeEntity, NumberEntity):
    """A numeric setting of one appliance."""

    entity_description: GeNumberEntityDescription
    _attr_mode = NumberMode.BOX

    @property
    def native_value(self) -> float | None:
        """The value the appliance last pushed."""
        return self.entity_description.value_fn(self.appliance)

    @property
    def native_min_value(self) -> float:
        """The appliance's own lower limit where it reports one."""
        value = self.entity_description.min_fn(self.appliance)
        return super().native_min_value if value is None else value

    @property
    def native_max_value(self) -> float:
        """The appliance's own upper limit where it reports one."""
        value = self.entity_description.max_fn(self.appliance)
        return super().native_max_value if value is None else value

    async def async_set_native_value(self, value: float) -> None:
        """Send the new value; the appliance's push confirms it."""
        await self.async_write_erd(*self.entity_description.command_fn(self.appliance, value))


def build_entities(runtime: GeRuntime, mac: str) -> list[Entity]:
    """The numbers that apply to appliance ``mac``."""
    return build_from(runtime, mac, NUMBERS, GeNumber)
