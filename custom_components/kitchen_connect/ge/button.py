"""GE buttons: pause or cancel a cycle, cancel a brew or descaling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.helpers.entity import Entity

from ..kitchenlib.ge.appliance import Appliance
from .entity import GeEntity, GeEntityDescription, build_from

if TYPE_CHECKING:
    from .runtime import GeRuntime


@dataclass(frozen=True, kw_only=True)
class GeButtonEntityDescription(GeEntityDescription, ButtonEntityDescription):
    """A harmless command (stopping or pausing, never starting or heating).

    ``check_fn`` raises a translated error when the appliance does not allow the
    command remotely right now; ``command_fn`` gives the ERD and value to write.
    """

    command_fn: Callable[[Appliance], tuple[int, Any]]
    check_fn: Callable[[Appliance], None] = lambda _appliance: None


BUTTONS: tuple[GeButtonEntityDescription, ...] = ()


class GeButton(GeEntity, ButtonEntity):
    """A one-shot command."""

    entity_description: GeButtonEntityDescription

    async def async_press(self) -> None:
        """Check that the appliance allows it, then send the command."""
        self.entity_description.check_fn(self.appliance)
        await self.async_write_erd(*self.entity_description.command_fn(self.appliance))


def build_entities(runtime: GeRuntime, mac: str) -> list[Entity]:
    """The buttons that apply to appliance ``mac``."""
    return build_from(runtime, mac, BUTTONS, GeButton)
