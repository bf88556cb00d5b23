"""Kitchen Connect: connected kitchen appliances in Home Assistant."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .actions import async_setup_actions
from .brands import async_load_brands, async_spec_for_entry, spec_for_entry
from .const import DOMAIN, ENTRY_MINOR_VERSION, ENTRY_VERSION
from .pacing import async_own_step
from .spec import KitchenConnectConfigEntry
from .voice import async_setup_voice

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the confirm-gated actions of every brand once, and the voice intents."""
    async_setup_actions(hass)
    async_setup_voice(hass)
    # Only the brands the user has: their packages import side by side, off the loop.
    await async_load_brands(hass, hass.config_entries.async_entries(DOMAIN))
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: KitchenConnectConfigEntry) -> bool:
    """Bring an entry of an older minor version up to date; its brand changes what it needs."""
    if entry.version > ENTRY_VERSION:
        return False  # stored by a newer release: loading it could lose what it holds
    if (migrate := spec_for_entry(entry).async_migrate) is not None:
        await migrate(hass, entry)
    hass.config_entries.async_update_entry(
        entry,
        version=ENTRY_VERSION,
        minor_version=ENTRY_MINOR_VERSION,
    )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: KitchenConnectConfigEntry) -> bool:
    """Connect to the appliance or account behind ``entry`` and add its entities."""
    spec = await async_spec_for_entry(hass, entry)
    # Entries set up together take turns (pacing.py): connecting, then their platforms.
    await async_own_step(hass)
    entry.runtime_data = await spec.async_setup(hass, entry)
    await async_own_step(hass)
    await hass.config_entries.async_forward_entry_setups(entry, list(spec.platforms))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: KitchenConnectConfigEntry) -> bool:
    """Remove the entities and close every connection."""
    platforms = list(spec_for_entry(entry).platforms)
    unloaded = await hass.config_entries.async_unload_platforms(entry, platforms)
    if unloaded:
        await entry.runtime_data.async_shutdown()
    return unloaded
