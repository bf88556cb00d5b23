"""What every brand's entities share: naming, unique id and device, and error translation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
import contextlib
from typing import Any, ClassVar

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN
from .kitchenlib import (
    CommandRefusedError,
    ConnectionFailedError,
    InvalidValueError,
    KitchenError,
)


class KitchenConnectEntity(Entity):
    """Naming, unique id and device of one appliance's entity, and nothing else.

    A mixin placed before whatever feeds the entity (``CoordinatorEntity``, Home
    Assistant's Bluetooth coordinator entities, or two coordinators at once): its
    constructor takes its own keywords and hands every other argument on.

    Descriptions carry the brand-local translation key; the entity reads it under the
    brand's prefix (``status`` of a Jura machine is ``jura_status`` in the translations),
    so the brands share one translation file without sharing keys.
    """

    _attr_has_entity_name = True
    translation_prefix: ClassVar[str]

    def __init__(
        self,
        *args: Any,
        description: EntityDescription,
        device_info: DeviceInfo,
        device_key: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entity_description = description
        self._attr_device_info = device_info
        self._attr_unique_id = f"{device_key}_{description.key}"
        if description.translation_key is not None:
            self._attr_translation_key = f"{self.translation_prefix}_{description.translation_key}"


type OwnMessages = Sequence[tuple[type[KitchenError], str]]


@contextlib.asynccontextmanager
async def translate_library_errors(
    name: str, *, refused_key: str, not_connected_key: str, own_messages: OwnMessages = ()
) -> AsyncIterator[None]:
    """Turn library errors into the translated errors Home Assistant shows the user.

    Bad input is the caller's to fix (ServiceValidationError); a refusal or a lost
    connection is the appliance's (HomeAssistantError), named by each brand's keys.
    ``own_messages`` are a brand's more specific errors with a key of their own (naming
    the appliance), most specific first; they are looked at before the general ones.
    """
    try:
        try:
            yield
        except KitchenError as err:
            key = next((key for kind, key in own_messages if isinstance(err, kind)), None)
            if key is None:
                raise
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={"name": name},
            ) from err
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
