"""Entities of the machine's settings: plumb-in, and the gateway-too-old repair."""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.entity import Entity

from ..const import DOMAIN
from ..kitchenlib.lamarzocco import commands
from ..kitchenlib.lamarzocco.settings import Settings
from .const import ISSUE_GATEWAY_TOO_OLD
from .entity import SideEntity, SideEntityDescription, side_entities
from .runtime import LaMarzoccoRuntimeData
from .side import SideCoordinator


@dataclass(frozen=True, kw_only=True)
class PlumbInDescription(SideEntityDescription[Settings], SwitchEntityDescription):
    """Water from the mains instead of the tank."""


PLUMB_IN = PlumbInDescription(
    key="plumb_in",
    translation_key="plumb_in",
    entity_category=EntityCategory.CONFIG,
    exists_fn=lambda settings: settings.plumb_in_supported,
)


class PlumbInSwitch(SideEntity[Settings], SwitchEntity):
    """Plumbed in: settings are not pushed, so they are read again after a change."""

    entity_description: PlumbInDescription

    @property
    def is_on(self) -> bool:
        """As last read."""
        return self.data.plumbed_in

    async def async_turn_on(self, **kwargs: Any) -> None:
        """The machine takes water from the mains."""
        await self.async_send(lambda: commands.plumb_in(True))
        await self.coordinator.async_request_refresh()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """The machine takes water from its tank."""
        await self.async_send(lambda: commands.plumb_in(False))
        await self.coordinator.async_request_refresh()


def switches(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
    """Plumb-in, where the machine supports it."""
    return side_entities(runtime.settings, (PLUMB_IN,), PlumbInSwitch)


def issue_id(serial: str) -> str:
    """One repair per machine; the id carries no serial."""
    return f"{ISSUE_GATEWAY_TOO_OLD}_{hashlib.sha256(serial.encode()).hexdigest()[:12]}"


@callback
def async_follow_gateway(hass: HomeAssistant, settings: SideCoordinator[Settings]) -> None:
    """Raise the repair while the gateway's firmware is too old for the cloud, clear it after."""
    machine = settings.machine

    @callback
    def _check() -> None:
        data: Settings | None = settings.data  # None while the first read failed
        if data is None:
            return
        issue = issue_id(machine.serial)
        if data.gateway_too_old:
            ir.async_create_issue(
                hass,
                DOMAIN,
                issue,
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key=ISSUE_GATEWAY_TOO_OLD,
                translation_placeholders={
                    "name": machine.config_entry.title,
                    "version": data.gateway_version or "?",
                },
                learn_more_url="https://support-iot.lamarzocco.com/firmware-updates/",
            )
        else:
            ir.async_delete_issue(hass, DOMAIN, issue)

    _check()
    machine.config_entry.async_on_unload(settings.async_add_listener(_check))
