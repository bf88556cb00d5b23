"""Setting up, and probing, a machine on port 1774."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from ....kitchenlib import ConnectionFailedError
from ....kitchenlib.lamarzocco.direct import DirectClient
from ...const import CONF_MODEL, CONF_SERIAL
from ..const import CONF_HOST, CONF_KEY, CONF_PORT
from ..probe import ProbeResult
from .const import PROBE_TIMEOUT, REQUEST_TIMEOUT
from .coordinator import DirectCoordinator
from .machine import Machine, model_of
from .runtime import DirectRuntimeData


async def async_setup_direct_entry(
    hass: HomeAssistant, entry: ConfigEntry[Any]
) -> DirectRuntimeData:
    """Read the machine once (ConfigEntryNotReady / ConfigEntryAuthFailed when it cannot)."""
    data = entry.data
    serial = data[CONF_SERIAL]
    client = DirectClient(data[CONF_HOST], data[CONF_PORT], data[CONF_KEY], timeout=REQUEST_TIMEOUT)
    machine = Machine(model_of(data.get(CONF_MODEL), serial))
    coordinator = DirectCoordinator(hass, entry, client, machine, serial)
    await coordinator.async_config_entry_first_refresh()
    return DirectRuntimeData(coordinator)


async def async_probe_direct(hass: HomeAssistant, host: str, port: int, key: str) -> ProbeResult:
    """Who answers at ``host:port`` with ``key``: one short session without listening.

    Raises the library's AuthError, ConnectionFailedError or ProtocolError.
    """
    client = DirectClient(host, port, key, timeout=REQUEST_TIMEOUT)
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            snapshot = await client.read(listen=0)
    except TimeoutError as err:
        raise ConnectionFailedError("the machine did not finish answering in time") from err
    return ProbeResult(
        serial=snapshot.serial or None,
        model=model_of(None, snapshot.serial),
        firmware=snapshot.status.firmware,
    )
