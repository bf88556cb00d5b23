"""Setting up one GE Appliances (SmartHQ) account entry: its client, coordinator and devices."""

from __future__ import annotations

from typing import TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..kitchenlib.ge.client import SmartHqClient
from ..kitchenlib.ge.tokens import TokenManager
from .coordinator import GeConfigEntry, GeCoordinator, GeRuntimeData
from .devices import ApplianceDevices
from .entry_data import endpoints_from_data, tokens_from_data


# The websocket client's timing (seconds): GE's pace in production; tests shorten it.
class ClientTiming(TypedDict):
    """Seconds the websocket client waits between its own requests."""

    ping_interval: float
    list_interval: float
    max_connection_age: float
    backoff_initial: float
    backoff_max: float


CLIENT_TIMING: ClientTiming = {
    "ping_interval": 30.0,
    "list_interval": 600.0,  # new or removed appliances show up within ten minutes
    "max_connection_age": 3300.0,  # reconnect before GE's one-hour cut-off
    "backoff_initial": 10.0,
    "backoff_max": 1800.0,
}


async def async_setup_ge_entry(hass: HomeAssistant, entry: GeConfigEntry) -> GeRuntimeData:
    """Connect the account's websocket (raising ConfigEntryNotReady/AuthFailed)."""
    session = async_get_clientsession(hass)
    devices = ApplianceDevices(hass, entry.entry_id)
    coordinator = GeCoordinator(hass, entry, expected=devices.registered())
    tokens = TokenManager(
        session,
        endpoints_from_data(entry.data),
        tokens_from_data(entry.data),
        on_rotated=coordinator.tokens_rotated,
    )
    coordinator.attach(
        SmartHqClient(
            session, endpoints_from_data(entry.data), tokens, coordinator, **CLIENT_TIMING
        )
    )
    coordinator.async_add_appliances_listener(lambda: devices.async_update(coordinator.data))
    devices.async_start(lambda: coordinator.data)
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        devices.async_stop()
        await coordinator.async_stop()
        raise
    coordinator.appliances_changed()
    return GeRuntimeData(coordinator, devices)
