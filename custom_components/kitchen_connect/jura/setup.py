"""Setting up one Jura entry: open the session, read the slow values once, describe the device."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

from ..const import DOMAIN
from ..kitchenlib import ConnectionFailedError, ProtocolError
from ..kitchenlib.jura.discovery import async_poll_status
from .const import CONF_MACHINE_ID, MANUFACTURER_JURA
from .coordinator import (
    JuraConfigEntry,
    JuraCounterCoordinator,
    JuraProductCounterCoordinator,
    JuraReadCoordinator,
    JuraRuntimeData,
    JuraSessionCoordinator,
)
from .entry_data import machine_from_entry
from .migration import async_move_panel_lock_switch

_LOGGER = logging.getLogger(__name__)


async def async_setup_jura_entry(hass: HomeAssistant, entry: JuraConfigEntry) -> JuraRuntimeData:
    """Open the session (ConfigEntryNotReady or reauth when it cannot) and read once.

    A slow read failing here leaves only its own entities unavailable until the next
    read succeeds; it never fails the setup. Whatever does fail the setup, or cancels
    it, closes the session: the machine allows only one, and the retry needs it.
    """
    machine_id = entry.data.get(CONF_MACHINE_ID) or entry.unique_id or entry.entry_id
    async_move_panel_lock_switch(hass, entry, machine_id)
    machine = machine_from_entry(entry.data, entry.options)
    session = JuraSessionCoordinator(hass, entry, machine)
    readers: list[JuraReadCoordinator] = []
    try:
        await session.async_config_entry_first_refresh()
        counters = JuraCounterCoordinator(hass, entry, session)
        product_counters = JuraProductCounterCoordinator(hass, entry, session)
        readers += (counters, product_counters)
        for reader in readers:
            await reader.async_refresh()
    except BaseException:
        for reader in readers:
            await reader.async_shutdown()
        await session.async_shutdown()
        raise
    profile = machine.profile
    data = JuraRuntimeData(
        session=session,
        counters=counters,
        product_counters=product_counters,
        machine_id=machine_id,
        device_info=DeviceInfo(
            identifiers={(DOMAIN, machine_id)},
            manufacturer=MANUFACTURER_JURA,
            model=profile.name,
            model_id=profile.ef_code,
            name=entry.title,
        ),
    )
    # The device exists before the entities, so the firmware read below always has one
    # to write to, however fast the dongle answers.
    dr.async_get(hass).async_get_or_create(config_entry_id=entry.entry_id, **data.device_info)
    entry.async_create_background_task(
        hass, _async_read_identity(hass, entry, data), f"{DOMAIN} jura identity {machine.host}"
    )
    return data


async def _async_read_identity(
    hass: HomeAssistant, entry: JuraConfigEntry, data: JuraRuntimeData
) -> None:
    """Fill in firmware versions from the dongle's UDP status reply, if it answers.

    Older dongle firmware never answers UDP; the device then simply shows no version.
    """
    machine = data.machine
    try:
        reply = await async_poll_status(machine.host, port=machine.port, timeout=3.0)
    except (ConnectionFailedError, ProtocolError) as err:
        _LOGGER.debug("No UDP status from %s: %s", machine.host, err)
        return
    data.identity = reply
    registry = dr.async_get(hass)
    device = registry.async_get_device_by_identifier((DOMAIN, data.machine_id), entry.entry_id)
    if device is not None:
        registry.async_update_device(
            device.id, sw_version=reply.machine_firmware, hw_version=reply.dongle_firmware
        )
