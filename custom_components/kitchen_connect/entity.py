"""The base entity every brand's entities share."""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from typing import Any

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .const import DOMAIN
from .kitchenlib import CommandRefusedError, ConnectionFailedError, InvalidValueError


class KitchenConnectEntity[CoordinatorT: DataUpdateCoordinator[Any]](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of one appliance, named by translation key, unique by device and key."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: CoordinatorT,
        description: EntityDescription,
        device_info: DeviceInfo,
        device_key: str,
    ) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_device_info = device_info
        self._attr_unique_id = f"{device_key}_{description.key}"


@contextlib.asynccontextmanager
async def translate_library_errors(
    name: str, *, refused_key: str, not_connected_key: str
) -> AsyncIterator[None]:
    """Turn library errors into the translated errors Home Assistant shows the user.

    Bad input is the caller's to fix (ServiceValidationError); a refusal or a lost
    connection is the appliance's (HomeAssistantError), named by each brand's keys.
    """
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
            translation_key=refused_key,
            translation_placeholders={"name": name, "detail": str(err)},
        ) from err
    except ConnectionFailedError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=not_connected_key,
            translation_placeholders={"name": name},
        ) from err
