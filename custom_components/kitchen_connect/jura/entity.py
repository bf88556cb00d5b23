"""Base entity and error mapping for Jura machines."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..entity import KitchenConnectEntity, translate_library_errors
from ..kitchenlib.jura.models import MachineProfile, MachineState
from .coordinator import JuraCoordinator

if TYPE_CHECKING:
    from .runtime import JuraRuntime


@dataclass(frozen=True, kw_only=True)
class JuraEntityDescription(EntityDescription):
    """Adds a check of whether the machine's model has the feature."""

    supported_fn: Callable[[MachineProfile], bool] = lambda _profile: True


class JuraEntity(KitchenConnectEntity, CoordinatorEntity[JuraCoordinator]):
    """An entity of one Jura machine."""

    translation_prefix = "jura"

    def __init__(self, runtime: JuraRuntime, description: EntityDescription) -> None:
        super().__init__(
            runtime.coordinator,
            description=description,
            device_info=runtime.device_info,
            device_key=runtime.machine_id,
        )
        self.runtime = runtime

    @property
    def profile(self) -> MachineProfile:
        """The machine's model description."""
        return self.runtime.profile

    @property
    def state_data(self) -> MachineState:
        """The latest machine state."""
        return self.coordinator.data


def translate_machine_errors(name: str) -> contextlib.AbstractAsyncContextManager[None]:
    """Turn library errors into the translated errors Home Assistant shows the user."""
    return translate_library_errors(
        name, refused_key="jura_command_refused", not_connected_key="jura_not_connected"
    )
