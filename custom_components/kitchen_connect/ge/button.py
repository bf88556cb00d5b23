"""GE buttons: pause or cancel a cycle, cancel a brew or descaling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.exceptions import ServiceValidationError

from ..const import DOMAIN
from ..kitchenlib.ge.appliance import Appliance
from .appliance_types import LAUNDRY
from .descriptions import BREWERS, COFFEE_MACHINES, DISHWASHERS, read
from .entity import GeEntity, GeEntityDescription, platform_setup, reports

DISHWASHER_COMMAND: Final = 0x3204
DISHWASHER_REMOTE: Final = 0x3087
LAUNDRY_STOP: Final = 0x2040
LAUNDRY_REMOTE: Final = 0x2039
CANCEL_BREW: Final = 0x900C
CANCEL_DESCALE: Final = 0x901B


@dataclass(frozen=True, kw_only=True)
class GeButtonEntityDescription(GeEntityDescription, ButtonEntityDescription):
    """A harmless command (stopping or pausing, never starting or heating).

    ``check_fn`` raises a translated error when the appliance does not allow the
    command remotely right now; ``command_fn`` gives the ERD and value to write.
    """

    command_fn: Callable[[Appliance], tuple[int, Any]]
    check_fn: Callable[[Appliance], None] = lambda _appliance: None


def _requires_remote(
    code: int, enabled: object, translation_key: str
) -> Callable[[Appliance], None]:
    """Refuse, with the appliance's name, unless ERD ``code`` reads ``enabled``."""

    def check(appliance: Appliance) -> None:
        if read(appliance, code) != enabled:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=translation_key,
                translation_placeholders={
                    "name": appliance.nickname or appliance.label or appliance.mac
                },
            )

    return check


def _reports_both(first: int, second: int) -> Callable[[Appliance], bool]:
    return lambda appliance: reports(appliance, first) and reports(appliance, second)


def _dishwasher_command(key: str, command: str) -> GeButtonEntityDescription:
    return GeButtonEntityDescription(
        key=key,
        translation_key=key,
        erds=(DISHWASHER_COMMAND, DISHWASHER_REMOTE),
        kinds=DISHWASHERS,
        exists_fn=_reports_both(DISHWASHER_COMMAND, DISHWASHER_REMOTE),
        check_fn=_requires_remote(DISHWASHER_REMOTE, True, "ge_remote_dishwasher"),
        command_fn=lambda _appliance: (DISHWASHER_COMMAND, command),
    )


BUTTONS: tuple[GeButtonEntityDescription, ...] = (
    _dishwasher_command("pause_cycle", "pause_cycle"),
    _dishwasher_command("cancel_cycle", "cancel_cycle"),
    GeButtonEntityDescription(
        key="stop_cycle",
        translation_key="stop_cycle",
        erds=(LAUNDRY_STOP, LAUNDRY_REMOTE),
        kinds=LAUNDRY,
        exists_fn=_reports_both(LAUNDRY_STOP, LAUNDRY_REMOTE),
        check_fn=_requires_remote(LAUNDRY_REMOTE, "enabled", "ge_remote_laundry"),
        command_fn=lambda _appliance: (LAUNDRY_STOP, "stop_command"),
    ),
    GeButtonEntityDescription(
        key="cancel_brew",
        translation_key="cancel_brew",
        erds=(CANCEL_BREW,),
        kinds=BREWERS,
        command_fn=lambda _appliance: (CANCEL_BREW, 1),
    ),
    GeButtonEntityDescription(
        key="cancel_descaling",
        translation_key="cancel_descaling",
        erds=(CANCEL_DESCALE,),
        kinds=COFFEE_MACHINES,
        command_fn=lambda _appliance: (CANCEL_DESCALE, 1),
    ),
)


class GeButton(GeEntity, ButtonEntity):
    """A one-shot command."""

    entity_description: GeButtonEntityDescription

    async def async_press(self) -> None:
        """Check that the appliance allows it, then send the command."""
        self.entity_description.check_fn(self.appliance)
        await self.async_write_erd(*self.entity_description.command_fn(self.appliance))


async_setup_entry = platform_setup(BUTTONS, GeButton)
