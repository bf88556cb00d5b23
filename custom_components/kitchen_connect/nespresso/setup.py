"""Setting up one Nespresso entry: listen to the machine's adverts, describe the device."""

from __future__ import annotations

from homeassistant.components.bluetooth import async_address_present
from homeassistant.const import CONF_ADDRESS
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import CONNECTION_BLUETOOTH, DeviceInfo

from ..const import DOMAIN
from ..kitchenlib.nespresso.models import Family
from .connection import client_for
from .const import CONF_FAMILY, CONF_KEY, CONF_MODEL, MANUFACTURER
from .coordinator import NespressoConfigEntry, NespressoCoordinator, NespressoRuntimeData


async def async_setup_nespresso_entry(
    hass: HomeAssistant, entry: NespressoConfigEntry
) -> NespressoRuntimeData:
    """Wait for the machine's adverts (not ready until one arrives); connect only later."""
    address = entry.data[CONF_ADDRESS]
    if not async_address_present(hass, address, connectable=True):
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="nespresso_not_in_range",
            translation_placeholders={"name": entry.title},
        )
    model = entry.data.get(CONF_MODEL)
    client = client_for(hass, address, bytes.fromhex(entry.data[CONF_KEY]), model)
    coordinator = NespressoCoordinator(hass, entry, client)
    device_info = DeviceInfo(
        identifiers={(DOMAIN, coordinator.device_key)},
        connections={(CONNECTION_BLUETOOTH, address)},
        manufacturer=MANUFACTURER,
        model=model,
        name=entry.title,
    )
    # The device exists before the first connection writes its versions to it.
    dr.async_get(hass).async_get_or_create(config_entry_id=entry.entry_id, **device_info)
    stop = coordinator.start(Family(entry.data[CONF_FAMILY]))
    return NespressoRuntimeData(coordinator=coordinator, device_info=device_info, stop=stop)
