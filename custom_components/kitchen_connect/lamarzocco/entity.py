"""Base entity and description of La Marzocco machines and grinders."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from ..entity import KitchenConnectEntity, translate_library_errors
from ..kitchenlib import AuthError
from ..kitchenlib.lamarzocco.commands import Command, NoResultError
from ..kitchenlib.lamarzocco.dashboard import Dashboard
from ..kitchenlib.lamarzocco.models import Thing
from ..pacing import async_add_entities_paced
from ..spec import PlatformSetup
from .const import MODEL_NAMES
from .coordinator import LaMarzoccoCoordinator
from .device import machine_device_info
from .runtime import LaMarzoccoConfigEntry, LaMarzoccoRuntimeData
from .side import SideCoordinator


def _always(_data: object) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class LaMarzoccoEntityDescription(EntityDescription):
    """An entity that exists when the machine's dashboard has what it reads."""

    exists_fn: Callable[[Dashboard], bool]
    available_fn: Callable[[Dashboard], bool] = _always
    # Only the websocket can tell: unavailable while it is down.
    needs_websocket: bool = False
    # False for what describes the connection itself rather than the machine.
    needs_machine: bool = True


def model_name(thing: Thing) -> str:
    """The model as La Marzocco sells it; the cloud's own name for a model we do not know."""
    return MODEL_NAMES.get(thing.model, thing.model_name) if thing.model else thing.model_name


def device_info(coordinator: LaMarzoccoCoordinator) -> DeviceInfo:
    """The machine as the device registry shows it."""
    thing = coordinator.data.thing
    return machine_device_info(
        coordinator.serial, thing.name, thing.model, fallback_model_name=thing.model_name
    )


class LaMarzoccoEntity(KitchenConnectEntity, CoordinatorEntity[LaMarzoccoCoordinator]):
    """An entity of one machine; it reads its dashboard."""

    translation_prefix = "lamarzocco"

    entity_description: LaMarzoccoEntityDescription

    def __init__(
        self, coordinator: LaMarzoccoCoordinator, description: LaMarzoccoEntityDescription
    ) -> None:
        super().__init__(
            coordinator,
            description=description,
            device_info=device_info(coordinator),
            device_key=coordinator.serial,
        )

    @property
    def dashboard(self) -> Dashboard:
        """The machine's dashboard as last read or pushed."""
        return self.coordinator.data

    @property
    def available(self) -> bool:
        """Read, the machine online, and what the entity needs is there."""
        description = self.entity_description
        if not description.needs_machine:
            return super().available
        if description.needs_websocket and not self.coordinator.websocket_connected:
            return False
        return (
            super().available
            and self.coordinator.machine_online
            and description.exists_fn(self.dashboard)
            and description.available_fn(self.dashboard)
        )

    async def async_send(self, build: Callable[[], Command]) -> None:
        """Build a command (checking its values) and send it; the state follows the push."""
        await async_send_command(self.coordinator, build)


async def async_send_command(
    coordinator: LaMarzoccoCoordinator, build: Callable[[], Command]
) -> None:
    """Build and send a command, with every library error translated for the user."""
    title = coordinator.config_entry.title
    try:
        async with translate_library_errors(
            title,
            refused_key="lamarzocco_command_refused",
            not_connected_key=(
                "lamarzocco_local_bluetooth_unreachable"
                if coordinator.offline
                else "lamarzocco_cloud_unreachable_command"
            ),
            # Sent, but unconfirmed: "not carried out" could make a user repeat it.
            own_messages=((NoResultError, "lamarzocco_no_result"),),
        ):
            await coordinator.async_send(build())
    except AuthError as err:
        coordinator.config_entry.async_start_reauth(coordinator.hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="lamarzocco_auth_failed",
        ) from err


type ExtraEntities = Callable[[LaMarzoccoRuntimeData], list[Entity]]


def platform_setup[DescriptionT: LaMarzoccoEntityDescription, EntityT: LaMarzoccoEntity](
    descriptions: tuple[DescriptionT, ...],
    entity_type: Callable[[LaMarzoccoCoordinator, DescriptionT], EntityT],
    *extras: ExtraEntities,
) -> PlatformSetup[LaMarzoccoConfigEntry]:
    """A platform's ``async_setup_entry``: one entity per description the machine has.

    ``extras`` add entities built another way (doses listed by index, schedules...).
    """

    def dashboard_entities(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
        coordinator = runtime.coordinator
        return [
            entity_type(coordinator, description)
            for description in descriptions
            if description.exists_fn(coordinator.data)
        ]

    return entities_setup(dashboard_entities, *extras)


def entities_setup(*builders: ExtraEntities) -> PlatformSetup[LaMarzoccoConfigEntry]:
    """A platform's ``async_setup_entry`` adding what each builder makes of the entry."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: LaMarzoccoConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        runtime = entry.runtime_data
        await async_add_entities_paced(
            hass,
            async_add_entities,
            lambda: [entity for build in builders for entity in build(runtime)],
        )

    return async_setup_entry


@dataclass(frozen=True, kw_only=True)
class SideEntityDescription[DataT](EntityDescription):
    """An entity of a slow part (schedules, statistics, settings)."""

    exists_fn: Callable[[DataT], bool] = _always


class SideEntity[DataT](KitchenConnectEntity, CoordinatorEntity[SideCoordinator[DataT]]):
    """An entity of the machine's device that reads one of its slow coordinators."""

    translation_prefix = "lamarzocco"

    entity_description: SideEntityDescription[DataT]

    def __init__(
        self, coordinator: SideCoordinator[DataT], description: SideEntityDescription[DataT]
    ) -> None:
        super().__init__(
            coordinator,
            description=description,
            device_info=device_info(coordinator.machine),
            device_key=coordinator.machine.serial,
        )

    @property
    def data(self) -> DataT:
        """What the coordinator last read or was pushed."""
        return self.coordinator.data

    @property
    def available(self) -> bool:
        """Read at least once, and what the entity needs is there."""
        return (
            super().available
            and self.coordinator.data is not None
            and self.entity_description.exists_fn(self.coordinator.data)
        )

    async def async_send(self, build: Callable[[], Command]) -> None:
        """Build and send a command through the machine."""
        await async_send_command(self.coordinator.machine, build)


def side_entities[DataT, EntityT: Entity](
    coordinator: SideCoordinator[DataT] | None,
    descriptions: Iterable[SideEntityDescription[DataT]],
    entity_type: Callable[[SideCoordinator[DataT], Any], EntityT],
) -> list[Entity]:
    """One entity per description the slow part has (none before its first read)."""
    data: DataT | None = None if coordinator is None else coordinator.data
    if coordinator is None or data is None:
        return []
    return [
        entity_type(coordinator, description)
        for description in descriptions
        if description.exists_fn(coordinator.data)
    ]
