"""The entities of a machine on port 8081: naming, device, availability and writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ....entity import KitchenConnectEntity, translate_library_errors
from ....kitchenlib import AuthError
from ....kitchenlib.lamarzocco.bluetooth.legacy import LegacyBluetooth
from ....kitchenlib.lamarzocco.local.frames import LocalState
from ....kitchenlib.lamarzocco.models import ModelCode
from ....spec import PlatformSetup
from ...device import machine_device_info
from .coordinator import LocalApiCoordinator
from .runtime import LocalApiRuntime

# What the gateway calls each family, as the cloud's model codes.
FAMILY_MODELS: dict[str, ModelCode] = {
    "MICRA": ModelCode.LINEA_MICRA,
    "LINEA": ModelCode.LINEA_MINI,
    "GS3AV": ModelCode.GS3_AV,
    "GS3MP": ModelCode.GS3_MP,
}


def _always(_state: LocalState) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class LocalEntityDescription(EntityDescription):
    """An entity that exists when the machine's config has what it reads."""

    exists_fn: Callable[[LocalState], bool] = _always
    # False for what describes the stream itself rather than the machine.
    needs_stream: bool = True


def model_of(runtime: LocalApiRuntime) -> ModelCode | None:
    """The model the entry names, else the one the gateway's family stands for."""
    if runtime.model is not None:
        return runtime.model
    capabilities = runtime.coordinator.data.config.capabilities
    return None if capabilities is None else FAMILY_MODELS.get(capabilities.family)


def device_info(runtime: LocalApiRuntime) -> DeviceInfo:
    """The machine as the device registry shows it (the same device as the cloud's)."""
    coordinator = runtime.coordinator
    return machine_device_info(
        coordinator.serial,
        coordinator.config_entry.title,
        model_of(runtime),
        sw_version=coordinator.data.config.firmware.get("machine_firmware"),
    )


class LocalApiEntity(KitchenConnectEntity, CoordinatorEntity[LocalApiCoordinator]):
    """An entity of one machine, fed by its gateway's stream."""

    translation_prefix = "lamarzocco"
    entity_description: LocalEntityDescription

    def __init__(self, runtime: LocalApiRuntime, description: LocalEntityDescription) -> None:
        super().__init__(
            runtime.coordinator,
            description=description,
            device_info=device_info(runtime),
            device_key=runtime.coordinator.serial,
        )
        self.runtime = runtime

    @property
    def state_data(self) -> LocalState:
        """The machine as last read or pushed."""
        return self.coordinator.data

    @property
    def available(self) -> bool:
        """Unavailable while the stream is down (its own sensor excepted)."""
        if not self.entity_description.needs_stream:
            return True
        return super().available

    async def async_write(self, call: Callable[[LegacyBluetooth], Awaitable[None]]) -> None:
        """Send a change over legacy Bluetooth; the gateway's push shows the result."""
        writer = self.runtime.writer
        assert writer is not None
        title = self.coordinator.config_entry.title
        async with translate_library_errors(
            title,
            refused_key="lamarzocco_command_refused",
            not_connected_key="lamarzocco_local_bluetooth_unreachable",
            own_messages=((AuthError, "lamarzocco_local_bluetooth_refused"),),
        ):
            await call(writer)


type EntityBuilder = Callable[[LocalApiRuntime], Iterable[Entity]]


def described[DescriptionT: LocalEntityDescription](
    descriptions: Iterable[DescriptionT],
    entity_type: Callable[[LocalApiRuntime, DescriptionT], Entity],
    *,
    when: Callable[[LocalApiRuntime], bool] = lambda _runtime: True,
) -> EntityBuilder:
    """One entity per description the machine has, when ``when`` holds for the entry."""

    def build(runtime: LocalApiRuntime) -> list[Entity]:
        if not when(runtime):
            return []
        state = runtime.coordinator.data
        return [
            entity_type(runtime, description)
            for description in descriptions
            if description.exists_fn(state)
        ]

    return build


def platform_setup(*builders: EntityBuilder) -> PlatformSetup[ConfigEntry[Any]]:
    """A platform's ``async_setup_entry`` adding what each builder makes of the entry."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        runtime: LocalApiRuntime = entry.runtime_data
        entities: list[Entity] = []
        for build in builders:
            entities.extend(build(runtime))
        async_add_entities(entities)

    return async_setup_entry


def writable(runtime: LocalApiRuntime) -> bool:
    """Whether changes can go over legacy Bluetooth."""
    return runtime.writer is not None


def read_only(runtime: LocalApiRuntime) -> bool:
    """Whether the entry can only read."""
    return runtime.writer is None
