"""Kitchen Connect: connected kitchen appliances in Home Assistant."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .actions import async_setup_actions
from .const import CONF_BRAND, DOMAIN, Brand
from .ge.runtime import async_create_ge_runtime
from .jura.runtime import async_create_jura_runtime
from .runtime import KitchenConnectConfigEntry

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

_RUNTIME_FACTORIES = {Brand.JURA: async_create_jura_runtime, Brand.GE: async_create_ge_runtime}


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the confirm-gated actions once for every brand."""
    async_setup_actions(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: KitchenConnectConfigEntry) -> bool:
    """Connect to the appliance or account behind ``entry`` and add its entities."""
    runtime = await _RUNTIME_FACTORIES[Brand(entry.data[CONF_BRAND])](hass, entry)
    entry.runtime_data = runtime
    await hass.config_entries.async_forward_entry_setups(entry, runtime.platforms)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: KitchenConnectConfigEntry) -> bool:
    """Remove the entities and close every connection."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, entry.runtime_data.platforms)
    if unloaded:
        await entry.runtime_data.async_shutdown()
    return unloaded
