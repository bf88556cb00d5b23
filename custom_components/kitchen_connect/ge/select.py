"""GE selects: oven light, warming drawer, convertible drawer, brew strength, AC turbo/quiet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.helpers.entity import Entity

from ..kitchenlib.ge.appliance import Appliance
from .appliance_types import ApplianceKind
from .entity import GeEntity, GeEntityDescription, build_from, erd_value

if TYPE_CHECKING:
    from .runtime import GeRuntime


@dataclass(frozen=True, kw_only=True)
class GeSelectEntityDescription(GeEntityDescription, SelectEntityDescription):
    """A choice: the current option from the ERDs and the write that picks another."""

    value_fn: Callable[[Appliance], str | None]
    command_fn: Callable[[Appliance, str], tuple[int, Any]]
    options_fn: Callable[[Appliance], list[str]] | None = None


SELECTS: tuple[GeSelectEntityDescription, ...] = (
    GeSelectEntityDescription(
        key="fan_speed",
        translation_key="fan_speed",
        erds=(0x7A00,),
        kinds=frozenset({ApplianceKind.AIR_CONDITIONER}),
        options=["auto", "low", "medium", "high"],
        value_fn=lambda appliance: erd_value(appliance, 0x7A00),
        command_fn=lambda _appliance, option: (0x7A00, option),
        entity_registry_enabled_default=False,
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


def build_entities(runtime: GeRuntime, mac: str) -> list[Entity]:
    """The selects that apply to appliance ``mac``."""
    return build_from(runtime, mac, SELECTS, GeSelect)
