"""A La Marzocco machine on a gateway before v5.0.9, through its local API on port 8081.

Reads come from the gateway (REST once, then its streaming websocket); the gateway takes
no writes, so power, steam and boiler targets go over the legacy Bluetooth characteristics
when the entry knows the machine's Bluetooth address and the account's username.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Final

from homeassistant.components.bluetooth import async_ble_device_from_address
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ....kitchenlib.lamarzocco.bluetooth.legacy import LegacyBluetooth
from ....kitchenlib.lamarzocco.bluetooth.link import Timeouts
from ....kitchenlib.lamarzocco.local.client import LocalApiClient
from ....kitchenlib.lamarzocco.models import ModelCode
from ....spec import PlatformSetup
from ...const import CONF_BLUETOOTH_ADDRESS, CONF_MODEL, CONF_SERIAL, OPTION_USE_BLUETOOTH
from ..const import CONF_HOST, CONF_KEY, CONF_PORT, CONF_USERNAME
from ..probe import ProbeResult
from . import binary_sensor, number, sensor, switch
from .coordinator import LocalApiCoordinator
from .entity import FAMILY_MODELS
from .runtime import LocalApiRuntime

__all__ = ["LOCAL_API_PLATFORMS", "async_probe_local_api", "async_setup_local_api_entry"]

# A write waits this long for the machine over Bluetooth before it is reported as failed.
WRITE_TIMEOUTS: Final = Timeouts(connect=10.0, gatt=5.0, operation=20.0)
# A gateway on the local network answers its config at once; on a port where a raw TCP
# machine listens nothing ever answers, and the flow tries that transport next.
PROBE_TIMEOUT: Final = 4.0

LOCAL_API_PLATFORMS: Final[Mapping[Platform, PlatformSetup[ConfigEntry[Any]]]] = {
    Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
    Platform.NUMBER: number.async_setup_entry,
    Platform.SENSOR: sensor.async_setup_entry,
    Platform.SWITCH: switch.async_setup_entry,
}


def _client(hass: HomeAssistant, host: str, port: int, key: str, **kwargs: float) -> LocalApiClient:
    return LocalApiClient(async_get_clientsession(hass), host, port, key, **kwargs)


def _model(value: str | None) -> ModelCode | None:
    try:
        return None if value is None else ModelCode(value)
    except ValueError:
        return None


def _writer(hass: HomeAssistant, entry: ConfigEntry[Any]) -> LegacyBluetooth | None:
    """Legacy Bluetooth writes, when the entry has what the token needs and allows them."""
    data = entry.data
    address, username = data.get(CONF_BLUETOOTH_ADDRESS), data.get(CONF_USERNAME)
    if not address or not username or not entry.options.get(OPTION_USE_BLUETOOTH, True):
        return None
    lookup = partial(async_ble_device_from_address, hass, address, connectable=True)
    return LegacyBluetooth(
        lookup, username, data[CONF_SERIAL], data[CONF_KEY], timeouts=WRITE_TIMEOUTS
    )


async def async_setup_local_api_entry(
    hass: HomeAssistant, entry: ConfigEntry[Any]
) -> LocalApiRuntime:
    """Read the machine's config, open its stream; ConfigEntryNotReady or AuthFailed if not."""
    data = entry.data
    client = _client(hass, data[CONF_HOST], data[CONF_PORT], data[CONF_KEY])
    coordinator = LocalApiCoordinator(hass, entry, client, data[CONF_SERIAL])
    await coordinator.async_config_entry_first_refresh()
    coordinator.start()
    return LocalApiRuntime(coordinator, _writer(hass, entry), _model(data.get(CONF_MODEL)))


async def async_probe_local_api(hass: HomeAssistant, host: str, port: int, key: str) -> ProbeResult:
    """What the gateway at ``host:port`` says with ``key`` (library errors pass through).

    The config does not carry the machine's serial (only its module's), so ``serial`` is None.
    """
    config = await _client(hass, host, port, key, request_timeout=PROBE_TIMEOUT).async_get_config()
    capabilities = config.capabilities
    return ProbeResult(
        serial=None,
        model=None if capabilities is None else FAMILY_MODELS.get(capabilities.family),
        firmware=config.firmware.get("machine_firmware"),
    )
