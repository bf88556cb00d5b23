"""Commands over the legacy Bluetooth characteristic set of gateways before v5.

The token is built from the account's username, the machine's serial and its
``communicationKey``, written to the legacy auth characteristic; after a short pause a
command (the same JSON as the current set's, NUL-terminated) goes to the legacy settings
characteristic. The machine writes nothing back, so a command that reached it counts as
sent; the local API's push shows whether it took effect.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any, Final

from bleak.backends.device import BLEDevice
from bleak.exc import BleakGATTProtocolError

from ...errors import ConnectionFailedError
from ..commands import COFFEE_TEMPERATURE, STEAM_TEMPERATURE, Range
from . import gatt, payloads
from .errors import TokenRejectedError
from .link import Link, Timeouts, bleak_connector

# The legacy characteristics share the service's UUID suffix.
_SUFFIX: Final = gatt.SERVICE.removeprefix("d30a7847")
LEGACY_SETTINGS: Final = f"050b7847{_SUFFIX}"
LEGACY_AUTH: Final = f"090b7847{_SUFFIX}"
LEGACY_CHARACTERISTICS: Final = (
    f"030b7847{_SUFFIX}",
    f"040b7847{_SUFFIX}",
    LEGACY_SETTINGS,
    f"060b7847{_SUFFIX}",
    f"070b7847{_SUFFIX}",
    LEGACY_AUTH,
)
# The old library paused this long between the token and the command.
AUTH_PAUSE: Final = 0.1
_ATT_INSUFFICIENT_AUTHENTICATION: Final = 0x05


def legacy_token(username: str, serial: str, key: str) -> bytes:
    """``base64(username:serial)@base64(key)``, as written to the legacy auth characteristic."""
    user = base64.b64encode(f"{username}:{serial}".encode())
    return user + b"@" + base64.b64encode(key.encode())


class LegacyBluetooth:
    """Writes to one machine over the legacy characteristics, one short link per command."""

    def __init__(
        self,
        device: Callable[[], BLEDevice | None],
        username: str,
        serial: str,
        key: str,
        *,
        timeouts: Timeouts | None = None,
        auth_pause: float = AUTH_PAUSE,
        max_attempts: int = 2,
        **client_kwargs: Any,
    ) -> None:
        """``device`` is asked before every connection (Home Assistant's lookup)."""
        self._connector = bleak_connector(device, max_attempts=max_attempts, **client_kwargs)
        self._token = legacy_token(username, serial, key)
        self._timeouts = timeouts or Timeouts()
        self._auth_pause = auth_pause
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        # Never the token: it carries the key.
        return "LegacyBluetooth()"

    async def _send(self, command: bytes) -> None:
        seconds = self._timeouts.operation
        try:
            async with asyncio.timeout(seconds), self._lock:
                link = Link(self._timeouts)
                try:
                    await link.open(self._connector)
                    await link.write(LEGACY_AUTH, self._token)
                    await asyncio.sleep(self._auth_pause)
                    await link.write(LEGACY_SETTINGS, command)
                finally:
                    await link.close()
        except TimeoutError as err:
            raise ConnectionFailedError(f"no answer within {seconds:g} s") from err
        except ConnectionFailedError as err:
            cause = err.__cause__
            if (
                isinstance(cause, BleakGATTProtocolError)
                and cause.args[0] == _ATT_INSUFFICIENT_AUTHENTICATION
            ):
                raise TokenRejectedError(
                    "the machine refused the legacy token: username, serial or key is wrong"
                ) from None
            raise

    async def async_set_power(self, on: bool) -> None:
        """Brewing mode (on) or standby (off)."""
        await self._send(payloads.power(on))

    async def async_set_steam(self, enabled: bool) -> None:
        """Steam boiler on or off."""
        await self._send(payloads.steam_enabled(enabled))

    async def async_set_coffee_temperature(
        self, value: float, limits: Range = COFFEE_TEMPERATURE
    ) -> None:
        """The coffee boiler's target, checked against ``limits`` before anything is sent."""
        await self._send(payloads.coffee_temperature(value, limits))

    async def async_set_steam_temperature(
        self, value: float, limits: Range = STEAM_TEMPERATURE
    ) -> None:
        """The steam boiler's target."""
        await self._send(payloads.steam_temperature(value, limits))
