"""Setting up a machine on an older gateway: the transport its entry names does the work."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ...spec import BrandRuntimeData, PlatformSetup
from .const import CONF_TRANSPORT, TRANSPORT_DIRECT, TRANSPORT_LOCAL_API
from .direct import DIRECT_PLATFORMS, async_setup_direct_entry
from .local_api import LOCAL_API_PLATFORMS, async_setup_local_api_entry


def is_local_entry(data: Mapping[str, Any]) -> bool:
    """Whether an entry reaches its machine on the local network instead of the cloud."""
    return data.get(CONF_TRANSPORT) in (TRANSPORT_LOCAL_API, TRANSPORT_DIRECT)


async def async_setup_local_entry(hass: HomeAssistant, entry: ConfigEntry[Any]) -> BrandRuntimeData:
    """Connect to the machine over the entry's transport."""
    if entry.data[CONF_TRANSPORT] == TRANSPORT_DIRECT:
        return await async_setup_direct_entry(hass, entry)
    return await async_setup_local_api_entry(hass, entry)


def with_local_platforms(
    platform: Platform, cloud_setup: PlatformSetup[Any]
) -> PlatformSetup[ConfigEntry[Any]]:
    """A platform's setup for every La Marzocco entry: the cloud's, or the local transport's."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        if not is_local_entry(entry.data):
            await cloud_setup(hass, entry, async_add_entities)
            return

        direct = entry.data[CONF_TRANSPORT] == TRANSPORT_DIRECT
        local_setup = (DIRECT_PLATFORMS if direct else LOCAL_API_PLATFORMS).get(platform)
        if local_setup is not None:
            await local_setup(hass, entry, async_add_entities)

    return async_setup_entry
