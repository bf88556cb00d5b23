"""Base entity and error mapping for Jura machines."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.entity import EntityDescription

from ..const import DOMAIN
from ..entity import KitchenConnectEntity
from ..kitchenlib import CommandRefusedError, ConnectionFailedError, InvalidValueError
from ..kitchenlib.jura.models import MachineProfile, MachineState
from .coordinator import JuraCoordinator

if TYPE_CHECKING:
    from .runtime import JuraRuntime


@dataclass(frozen=True, kw_only=True)
class JuraEntityDescription(EntityDescription):
    """Adds a check of whether the machine's model has the feature."""

    supported_fn: Callable[[MachineProfile], bool] = lambda _profile: True


class JuraEntity(KitchenConnectEntity[JuraCoordinator]):
    """An entity of one Jura machine."""

    def __init__(self, runtime: JuraRuntime, description: EntityDescription) -> None:
        super().__init__(runtime.coordinator, description, runtime.device_info, runtime.machine_id)
        self.runtime = runtime

    @property
    def profile(self) -> MachineProfile:
        """The machine's model description."""
        return self.runtime.profile

    @property
    def state_data(self) -> MachineState:
        """The latest machine state."""
        return self.coordinator.data


@contextlib.asynccontextmanager
async def translate_machine_errors(name: str) -> AsyncIterator[None]:
    """Turn library errors into the translated errors Home Assistant shows the user."""
    try:
        yield
    except InvalidValueError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_value",
            translation_placeholders={"detail": str(err)},
        ) from err
    except CommandRefusedError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_refused",
            translation_placeholders={"name": name},
        ) from err
    except ConnectionFailedError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="not_connected",
            translation_placeholders={"name": name},
        ) from err
