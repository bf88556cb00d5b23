"""One bounded Bluetooth link to a machine: connect, authenticate, read, write, subscribe.

Every bleak call has a deadline and ends in a library error. Bleak's messages can carry the
address, and the token is a secret, so neither is ever repeated in an error or a log line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
from typing import Any

from bleak import BleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakCharacteristicNotFoundError, BleakError

from ...bluetooth_link import Connector, retrying_connector
from ...errors import ConnectionFailedError, KitchenError
from . import gatt
from .errors import MissingCharacteristicError, TokenRejectedError

_LOGGER = logging.getLogger(__name__)

type NotificationHandler = Callable[[bytes], None]

AUTH_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Deadlines in seconds; a Bluetooth call without one can hang for good."""

    connect: float = 20.0
    gatt: float = 5.0  # each read, write and subscription
    disconnect: float = 5.0
    auth_poll: float = 0.05  # between the reads that wait for the token's 0x01
    auth_reads: int = 10
    operation: float = 60.0  # a whole read or command, waiting for the link included


def bleak_connector(
    device: Callable[[], BLEDevice | None], *, max_attempts: int = 2, **client_kwargs: Any
) -> Connector:
    """Connect to the machine with bleak-retry-connector, asking ``device`` every time."""
    return retrying_connector(
        device, "La Marzocco machine", max_attempts=max_attempts, **client_kwargs
    )


def mask(token: str) -> str:
    """What a log line may say about a token: only its length."""
    return f"<token of {len(token)} characters>"


class Link:
    """A connected machine; create it, ``open`` it, ``authenticate``, use it, ``close`` it."""

    def __init__(self, timeouts: Timeouts) -> None:
        """A closed link with these deadlines."""
        self._timeouts = timeouts
        self._client: BleakClient | None = None
        self.closed = asyncio.Event()

    async def _bounded[T](self, what: str, seconds: float, call: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(seconds):
                return await call
        except TimeoutError as err:
            raise ConnectionFailedError(f"{what}: no answer within {seconds:g} s") from err
        except BleakCharacteristicNotFoundError as err:
            raise MissingCharacteristicError(f"{what}: the machine lacks a characteristic") from err
        except (BleakError, EOFError, OSError) as err:
            raise ConnectionFailedError(f"{what} failed ({type(err).__name__})") from err

    def _on_disconnect(self, _client: BleakClient) -> None:
        self.closed.set()

    @property
    def lost(self) -> bool:
        """The link is closed or the machine dropped it."""
        return self.closed.is_set()

    @property
    def client(self) -> BleakClient:
        """The connected bleak client."""
        if self._client is None or self.lost:
            raise ConnectionFailedError("the machine dropped the link")
        return self._client

    async def open(self, connector: Connector) -> None:
        """Connect within the deadline."""
        self._client = await self._bounded(
            "connect", self._timeouts.connect, connector(self._on_disconnect)
        )

    async def close(self) -> None:
        """Disconnect; a link the machine already dropped is fine, so is a failing one."""
        self.closed.set()
        if self._client is None:
            return
        client, self._client = self._client, None
        try:
            async with asyncio.timeout(self._timeouts.disconnect):
                await client.disconnect()
        except TimeoutError, BleakError, EOFError, OSError:
            _LOGGER.debug("Disconnecting from the machine failed; it is gone anyway")

    async def clear_cache(self) -> None:
        """Forget the cached services, where the client keeps any, before reconnecting."""
        # Home Assistant's client class is not a subclass of bleak-retry-connector's.
        clear = getattr(self._client, "clear_cache", None)
        if clear is None:
            return
        try:
            await self._bounded("clear cache", self._timeouts.gatt, clear())
        except KitchenError:
            _LOGGER.debug("Clearing the services cache failed")

    async def read(self, uuid: str) -> bytes:
        """Read a characteristic."""
        data = await self._bounded("read", self._timeouts.gatt, self.client.read_gatt_char(uuid))
        return bytes(data)

    async def write(self, uuid: str, data: bytes) -> None:
        """Write with response."""
        await self._bounded(
            "write", self._timeouts.gatt, self.client.write_gatt_char(uuid, data, response=True)
        )

    async def subscribe(self, uuid: str, handler: NotificationHandler) -> None:
        """Receive ``uuid``'s notifications."""

        def on_notify(_characteristic: Any, data: bytearray) -> None:
            handler(bytes(data))

        await self._bounded(
            "subscribe", self._timeouts.gatt, self.client.start_notify(uuid, on_notify)
        )

    async def authenticate(self, token: str) -> None:
        """Write the token and wait for the machine's 0x01; three refusals mean a wrong token."""
        for attempt in range(1, AUTH_ATTEMPTS + 1):
            await self.write(gatt.AUTH, token.encode())
            for _ in range(self._timeouts.auth_reads):
                if await self.read(gatt.AUTH) == gatt.AUTH_OK:
                    return
                await asyncio.sleep(self._timeouts.auth_poll)
            _LOGGER.debug("The machine did not accept %s (attempt %d)", mask(token), attempt)
        raise TokenRejectedError(
            "the machine refused the Bluetooth token: it is wrong for this machine"
        )
