"""Base entity of a Nespresso machine, and the error mapping of its commands."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
import contextlib
from dataclasses import dataclass
from typing import Final

from homeassistant.components.bluetooth.passive_update_coordinator import (
    PassiveBluetoothCoordinatorEntity,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import DOMAIN
from ..entity import KitchenConnectEntity, OwnMessages, translate_library_errors
from ..kitchenlib import AuthError
from ..kitchenlib.bluetooth_link import NotInRangeError
from ..kitchenlib.nespresso.errors import MachineRefusedError, NoResponseError
from ..kitchenlib.nespresso.models import Family
from ..pacing import async_add_entities_paced
from ..spec import PlatformSetup
from .coordinator import NespressoConfigEntry, NespressoCoordinator, NespressoRuntimeData
from .models import Snapshot

ORIGINAL_ONLY = frozenset({Family.ORIGINAL})
BOTH_FAMILIES = frozenset(Family)


@dataclass(frozen=True, kw_only=True)
class NespressoEntityDescription(EntityDescription):
    """Which families have the value, and whether it needs a connection's read."""

    families: frozenset[Family] = BOTH_FAMILIES
    needs_details: bool = False


class NespressoEntity(
    KitchenConnectEntity, PassiveBluetoothCoordinatorEntity[NespressoCoordinator]
):
    """An entity of one machine; available while the machine advertises."""

    translation_prefix = "nespresso"
    entity_description: NespressoEntityDescription

    def __init__(self, data: NespressoRuntimeData, description: NespressoEntityDescription) -> None:
        super().__init__(
            data.coordinator,
            description=description,
            device_info=data.device_info,
            device_key=data.coordinator.device_key,
        )
        self.runtime = data

    @property
    def available(self) -> bool:
        """Advertising, and (for a value read over a connection) read at least once."""
        snapshot = self.coordinator.data
        if self.entity_description.needs_details and snapshot.details is None:
            return False
        return super().available and snapshot.status is not None

    @property
    def snapshot(self) -> Snapshot:
        """The machine as last heard."""
        return self.coordinator.data


# Library errors with a message of their own ("not in range" rather than "close the app":
# nothing hears the machine at all).
_OWN_MESSAGES: Final[OwnMessages] = (
    (NoResponseError, "nespresso_no_response"),
    (NotInRangeError, "nespresso_not_in_range"),
    (AuthError, "nespresso_key_rejected"),
)


@contextlib.asynccontextmanager
async def translate_machine_errors(name: str) -> AsyncIterator[None]:
    """Library errors as the translated errors Home Assistant shows.

    The machine's own refusal keeps its reason; a command without an answer may have
    been carried out, so it is reported as such and never sent again.
    """
    async with translate_library_errors(
        name,
        refused_key="nespresso_command_refused",
        not_connected_key="nespresso_not_connected",
        own_messages=_OWN_MESSAGES,
    ):
        try:
            yield
        except MachineRefusedError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=f"nespresso_refused_{err.outcome.value}",
                translation_placeholders={"name": name},
            ) from err


def platform_setup(
    build: Callable[[NespressoRuntimeData, Family], Sequence[Entity]],
) -> PlatformSetup[NespressoConfigEntry]:
    """A platform's ``async_setup_entry``: the entities ``build`` makes for the machine."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: NespressoConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        data = entry.runtime_data
        await async_add_entities_paced(
            hass, async_add_entities, lambda: build(data, data.coordinator.data.family)
        )

    return async_setup_entry
