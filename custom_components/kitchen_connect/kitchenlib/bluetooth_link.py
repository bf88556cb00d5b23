"""What every Bluetooth brand's link shares: connecting through bleak-retry-connector."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bleak import BleakClient
from bleak.backends.device import BLEDevice
import bleak_retry_connector

from .errors import ConnectionFailedError


class NotInRangeError(ConnectionFailedError):
    """No adapter or proxy hears the machine: out of range, or unplugged."""


type DisconnectedCallback = Callable[[BleakClient], None]
type Connector = Callable[[DisconnectedCallback], Awaitable[BleakClient]]


def retrying_connector(
    device: Callable[[], BLEDevice | None],
    what: str,
    *,
    max_attempts: int = 2,
    **client_kwargs: Any,
) -> Connector:
    """Connect with bleak-retry-connector, a fresh client each time.

    ``device`` is asked before every connection and between the retry connector's attempts
    (a proxy may have taken over the machine); ``what`` names the device in its logs.
    """

    async def connect(on_disconnect: DisconnectedCallback) -> BleakClient:
        ble_device = device()
        if ble_device is None:
            raise NotInRangeError("no Bluetooth adapter or proxy can see the machine")
        # Looked up at each call: Home Assistant swaps in its own client class when its
        # Bluetooth stack starts, which may be after this module was imported.
        return await bleak_retry_connector.establish_connection(
            bleak_retry_connector.BleakClientWithServiceCache,
            ble_device,
            what,
            disconnected_callback=on_disconnect,
            max_attempts=max_attempts,
            ble_device_callback=lambda: device() or ble_device,
            **client_kwargs,
        )

    return connect
