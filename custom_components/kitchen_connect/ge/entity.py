"""Base entity, description and ERD readers for GE appliances."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..entity import KitchenConnectEntity
from ..kitchenlib.ge.appliance import Appliance
from ..pacing import async_add_entities_paced
from ..spec import PlatformSetup
from .appliance_types import ApplianceKind, appliance_kind
from .coordinator import GeConfigEntry, GeCoordinator
from .devices import device_info


def erd_value(appliance: Appliance, code: int) -> Any:
    """The decoded value of ``code``, or None when the appliance does not report it."""
    erd = appliance.erds.get(code)
    return None if erd is None else erd.value


def erd_field(appliance: Appliance, code: int, key: str) -> Any:
    """One field of a multi-field ERD, or None."""
    value = erd_value(appliance, code)
    return value.get(key) if isinstance(value, dict) else None


def reports(appliance: Appliance, code: int) -> bool:
    """Whether the appliance reports a usable value for ``code``."""
    return erd_value(appliance, code) is not None


@dataclass(frozen=True, kw_only=True)
class GeEntityDescription(EntityDescription):
    """An entity built from one or more ERDs of the appliance kinds it applies to.

    ``erds`` are the codes whose pushes update the entity; the entity only exists
    when the appliance reports the first of them (or ``exists_fn`` says so).
    """

    erds: tuple[int, ...]
    kinds: frozenset[ApplianceKind] = frozenset()  # empty: every kind
    exists_fn: Callable[[Appliance], bool] | None = None

    def applies_to(self, appliance: Appliance) -> bool:
        """Whether an appliance of this kind that reports these ERDs gets the entity."""
        if self.kinds and appliance_kind(appliance) not in self.kinds:
            return False
        if self.exists_fn is not None:
            return self.exists_fn(appliance)
        return reports(appliance, self.erds[0])


class GeEntity(KitchenConnectEntity, CoordinatorEntity[GeCoordinator]):
    """An entity of one appliance of a SmartHQ account; it reads only its coordinator."""

    translation_prefix = "ge"

    entity_description: GeEntityDescription

    def __init__(
        self, coordinator: GeCoordinator, mac: str, description: GeEntityDescription
    ) -> None:
        super().__init__(
            coordinator,
            description=description,
            device_info=device_info(coordinator.appliance(mac)),
            device_key=mac,
        )
        self.mac = mac
        self._read_erds()

    @property
    def appliance(self) -> Appliance:
        """The appliance as last pushed (its last known state if it just left the account)."""
        return self.coordinator.appliance(self.mac)

    @property
    def available(self) -> bool:
        """Connected, still on the account, and online in the appliance list.

        The coordinator counts as successful exactly while the websocket is connected.
        """
        return super().available and self.coordinator.online(self.mac)

    async def async_added_to_hass(self) -> None:
        """Listen to this entity's ERDs only."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_erd_listener(
                self.mac, self.entity_description.erds, self._handle_coordinator_update
            )
        )

    def _read_erds(self) -> None:
        """Derive what the entity keeps from its ERDs: when built, and before every write."""

    @callback
    def _handle_coordinator_update(self) -> None:
        """One of its ERDs or the account changed: derive, then write the state."""
        self._read_erds()
        super()._handle_coordinator_update()

    async def async_write_erd(self, code: int, value: Any) -> None:
        """Encode and send one ERD; the new state arrives with the appliance's push."""
        await self.coordinator.async_write_erd(self.mac, code, value)


def entities_for[DescriptionT: GeEntityDescription, EntityT: GeEntity](
    coordinator: GeCoordinator,
    mac: str,
    descriptions: tuple[DescriptionT, ...],
    entity_type: Callable[[GeCoordinator, str, DescriptionT], EntityT],
) -> list[EntityT]:
    """One entity per description that applies to the appliance ``mac``."""
    appliance = coordinator.appliance(mac)
    return [
        entity_type(coordinator, mac, description)
        for description in descriptions
        if description.applies_to(appliance)
    ]


def platform_setup[DescriptionT: GeEntityDescription, EntityT: GeEntity](
    descriptions: tuple[DescriptionT, ...],
    entity_type: Callable[[GeCoordinator, str, DescriptionT], EntityT],
) -> PlatformSetup[GeConfigEntry]:
    """A platform's ``async_setup_entry``: its entities for every appliance, now and later."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: GeConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        coordinator = entry.runtime_data.coordinator
        # The appliances there at setup are added a few entities per loop step: fifty
        # appliances' entities in one step would hold the event loop for tens of ms.
        at_setup: list[str] | None = []

        @callback
        def _async_add_appliance(mac: str) -> None:
            if at_setup is not None:
                at_setup.append(mac)
            elif entities := entities_for(coordinator, mac, descriptions, entity_type):
                async_add_entities(entities)

        def _entities_at_setup() -> list[EntityT]:
            nonlocal at_setup
            macs, at_setup = at_setup or [], None
            return [
                entity
                for mac in macs
                for entity in entities_for(coordinator, mac, descriptions, entity_type)
            ]

        entry.runtime_data.devices.async_for_each_appliance(_async_add_appliance)
        await async_add_entities_paced(hass, async_add_entities, _entities_at_setup)

    return async_setup_entry
