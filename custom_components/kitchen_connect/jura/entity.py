"""Base entity and error mapping for Jura machines."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
import contextlib
from dataclasses import dataclass
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..entity import KitchenConnectEntity, translate_library_errors
from ..kitchenlib import ProtocolError
from ..kitchenlib.jura.connection import ReplyTimeoutError
from ..kitchenlib.jura.machine import JuraMachine
from ..kitchenlib.jura.models import MachineProfile, MachineState, SettingDef
from ..pacing import async_add_entities_paced
from ..spec import PlatformSetup
from .coordinator import (
    JuraConfigEntry,
    JuraReadCoordinator,
    JuraRuntimeData,
    JuraSessionCoordinator,
)


@dataclass(frozen=True, kw_only=True)
class JuraEntityDescription(EntityDescription):
    """Adds a check of whether the machine's model has the feature."""

    supported_fn: Callable[[MachineProfile], bool] = lambda _profile: True


class JuraEntity(KitchenConnectEntity, CoordinatorEntity[JuraSessionCoordinator]):
    """An entity of one Jura machine, fed by the session's pushes.

    One that shows a slow read (counters, settings) is also given that read's
    coordinator: it listens to both, shows what the read returned, and is available
    only while the read succeeded and the session is up.
    """

    translation_prefix = "jura"

    def __init__(
        self,
        data: JuraRuntimeData,
        description: EntityDescription,
        *,
        reads: JuraReadCoordinator | None = None,
    ) -> None:
        super().__init__(
            data.session,
            description=description,
            device_info=data.device_info,
            device_key=data.machine_id,
        )
        self.runtime = data
        self.reads = reads

    async def async_added_to_hass(self) -> None:
        """Listen to the slow read as well as to the session."""
        await super().async_added_to_hass()
        if self.reads is not None:
            self.async_on_remove(self.reads.async_add_listener(self._handle_coordinator_update))

    @property
    def available(self) -> bool:
        """Session up, and the slow read shown (if any) succeeded last time."""
        return super().available and (self.reads is None or self.reads.last_update_success)

    async def async_update(self) -> None:
        """``homeassistant.update_entity``: read a slow value again; pushed ones are current."""
        if self.reads is None:
            await super().async_update()
        elif self.enabled:
            await self.reads.async_request_refresh()

    @property
    def profile(self) -> MachineProfile:
        """The machine's model description."""
        return self.runtime.profile

    @property
    def machine(self) -> JuraMachine:
        """The machine client; commands go through its session."""
        return self.coordinator.machine

    @property
    def state_data(self) -> MachineState:
        """The pushed state, or for a slow value the state as its last read left it."""
        return self.coordinator.data if self.reads is None else self.reads.data


class JuraSettingEntity(JuraEntity):
    """A machine setting, shown from the slow read of the settings.

    Unavailable while the machine gives no value for it: its firmware lacks the setting
    or the last read of it failed. A value that reads but is none of the model's
    options is a single missing value instead, shown as unknown.
    """

    def __init__(
        self, data: JuraRuntimeData, description: EntityDescription, setting: SettingDef
    ) -> None:
        super().__init__(data, description, reads=data.product_counters)
        self._setting = setting

    @property
    def available(self) -> bool:
        """Session and read up, and the machine gave this setting a value."""
        argument = self._setting.argument
        machine = self.machine
        return (
            super().available
            and argument not in machine.unsupported_settings
            and argument not in machine.unreadable_settings
        )


_OWN_MESSAGES: Final = (
    (ReplyTimeoutError, "jura_no_reply"),
    (ProtocolError, "jura_unexpected_reply"),
)


@contextlib.asynccontextmanager
async def translate_machine_errors(name: str) -> AsyncIterator[None]:
    """Turn library errors into the translated errors Home Assistant shows the user.

    A command that got no answer, or one that could not be understood, was sent all
    the same: the machine may have carried it out, unlike when it was never connected.
    """
    async with translate_library_errors(
        name,
        refused_key="jura_command_refused",
        not_connected_key="jura_not_connected",
        own_messages=_OWN_MESSAGES,
    ):
        yield


def platform_setup(
    build: Callable[[JuraRuntimeData], Sequence[Entity]],
) -> PlatformSetup[JuraConfigEntry]:
    """A platform's ``async_setup_entry``: the entities ``build`` makes for the machine."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: JuraConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        await async_add_entities_paced(hass, async_add_entities, lambda: build(entry.runtime_data))

    return async_setup_entry
