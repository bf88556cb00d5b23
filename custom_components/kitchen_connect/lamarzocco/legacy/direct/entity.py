"""Base entity of a machine on port 1774: the cloud's naming and unique ids, checked writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ....const import DOMAIN
from ....entity import KitchenConnectEntity
from ....kitchenlib import InvalidValueError
from ....kitchenlib.lamarzocco.direct.writes import Limits, Write
from ....spec import PlatformSetup
from ...device import machine_device_info
from .coordinator import DirectCoordinator, DirectState
from .machine import Machine


def _always(_value: object) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class DirectEntityDescription(EntityDescription):
    """An entity the machine has (by model) and that reads the last session."""

    exists_fn: Callable[[Machine], bool] = _always
    available_fn: Callable[[DirectState], bool] = _always


def device_info(coordinator: DirectCoordinator) -> DeviceInfo:
    """The machine as the device registry shows it (the cloud's identifiers)."""
    data = coordinator.data
    return machine_device_info(
        coordinator.serial,
        coordinator.config_entry.title,
        coordinator.machine.model,
        sw_version=None if data is None else data.snapshot.status.firmware,
    )


class DirectEntity(KitchenConnectEntity, CoordinatorEntity[DirectCoordinator]):
    """An entity of one machine on port 1774."""

    translation_prefix = "lamarzocco"

    entity_description: DirectEntityDescription

    def __init__(
        self, coordinator: DirectCoordinator, description: DirectEntityDescription
    ) -> None:
        super().__init__(
            coordinator,
            description=description,
            device_info=device_info(coordinator),
            device_key=coordinator.serial,
        )

    @property
    def state_data(self) -> DirectState:
        """What the last session read, with the newest pushed temperatures."""
        return self.coordinator.data

    @property
    def available(self) -> bool:
        """Read, the machine reachable, and what the entity needs is there."""
        return (
            super().available
            and self.coordinator.reachable
            and self.entity_description.available_fn(self.coordinator.data)
        )

    async def async_write(self, build: Callable[[], Write]) -> None:
        """Build the write (checking its value; nothing is sent when it is out of range)."""
        try:
            write = build()
        except InvalidValueError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_value",
                translation_placeholders={"detail": str(err)},
            ) from err
        await self.coordinator.async_write(write)


def check_limits(limits: Limits, value: float) -> None:
    """Refuse ``value`` outside ``limits`` with the translated range, before anything is built."""
    try:
        limits.check(value, "value")
    except InvalidValueError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="lamarzocco_direct_out_of_range",
            translation_placeholders={
                "value": f"{value:g}",
                "minimum": f"{limits.minimum:g}",
                "maximum": f"{limits.maximum:g}",
                "step": f"{limits.step:g}",
            },
        ) from err


def direct_platform[DescriptionT: DirectEntityDescription](
    descriptions: tuple[DescriptionT, ...],
    entity_type: Callable[[DirectCoordinator, DescriptionT], DirectEntity],
) -> PlatformSetup[ConfigEntry[Any]]:
    """A platform's setup: one entity per description the machine's model has."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        coordinator: DirectCoordinator = entry.runtime_data.coordinator
        async_add_entities(
            entity_type(coordinator, description)
            for description in descriptions
            if description.exists_fn(coordinator.machine)
        )

    return async_setup_entry
