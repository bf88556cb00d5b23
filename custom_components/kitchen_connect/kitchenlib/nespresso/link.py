"""One bounded Bluetooth link to a machine: a deadline on every call, library errors only.

Bleak's messages can carry the Bluetooth address, so they are only classified, never repeated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bleak import BleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError, BleakGATTProtocolError

from ..bluetooth_link import Connector, retrying_connector
from ..errors import CommandRefusedError, ConnectionFailedError, KitchenError, ProtocolError
from . import gatt
from .auth import classify_failure, failure_error
from .commands import CommandResponse, decode_response
from .errors import NoResponseError
from .gatt import family_from_services
from .models import Family


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Deadlines in seconds; BlueZ calls without one can hang for good."""

    connect: float = 30.0
    bond: float = 10.0
    gatt: float = 10.0  # each read, write and notification subscription
    response: float = 5.0  # waiting for a command response notification
    disconnect: float = 5.0


def bleak_connector(
    device: Callable[[], BLEDevice | None], *, max_attempts: int = 2, **client_kwargs: Any
) -> Connector:
    """Connect to the machine with bleak-retry-connector, asking ``device`` every time."""
    return retrying_connector(
        device, "Nespresso machine", max_attempts=max_attempts, **client_kwargs
    )


def mapped_error(err: BaseException) -> KitchenError:
    """The library error for what bleak (or the OS) raised."""
    if isinstance(err, BleakGATTProtocolError):
        code = int(err.code)
        if classify_failure(type(err).__name__, code, "") is None:
            return CommandRefusedError(f"the machine refused the request (ATT error 0x{code:02x})")
        return failure_error(type(err).__name__, code, "")
    if isinstance(err, BleakError):
        return failure_error(type(err).__name__, None, str(err))
    return ConnectionFailedError(f"Bluetooth operation failed ({type(err).__name__})")


class Link:
    """A connected machine; create it, then ``open`` it."""

    def __init__(self, timeouts: Timeouts) -> None:
        self._timeouts = timeouts
        self._client: BleakClient | None = None
        self._waiters: dict[tuple[int, int], asyncio.Future[CommandResponse]] = {}
        self._subscribed: set[str] = set()
        self.family: Family | None = None
        self.lost = False

    async def _bounded[T](self, what: str, seconds: float, call: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(seconds):
                return await call
        except TimeoutError as err:
            raise ConnectionFailedError(f"{what}: no answer within {seconds:g} s") from err
        except (BleakError, EOFError, OSError) as err:
            raise mapped_error(err) from err

    def _on_disconnect(self, _client: BleakClient) -> None:
        self.lost = True
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_exception(ConnectionFailedError("the machine dropped the link"))

    async def open(self, connector: Connector) -> None:
        """Connect within the deadline and confirm the machine's family over GATT."""
        self._client = await self._bounded(
            "connect", self._timeouts.connect, connector(self._on_disconnect)
        )
        self.family = family_from_services(service.uuid for service in self._client.services)
        if self.family is None:
            raise ProtocolError("the device has no Nespresso service layout we know")

    @property
    def client(self) -> BleakClient:
        """The connected bleak client."""
        if self._client is None or self.lost:
            raise ConnectionFailedError("the machine dropped the link")
        return self._client

    async def close(self) -> None:
        """Disconnect; a link the machine already dropped is fine, so is a failing one."""
        if self._client is None:
            return
        client, self._client = self._client, None
        try:
            async with asyncio.timeout(self._timeouts.disconnect):
                await client.disconnect()
        except TimeoutError, BleakError, EOFError, OSError:
            self.lost = True

    async def pair(self) -> None:
        """Bond (Just Works); repeating it is harmless."""
        await self._bounded("bond", self._timeouts.bond, self.client.pair())

    async def read(self, uuid: str) -> bytes:
        """Read a characteristic."""
        data = await self._bounded("read", self._timeouts.gatt, self.client.read_gatt_char(uuid))
        return bytes(data)

    async def write(self, uuid: str, data: bytes) -> None:
        """Write with response."""
        await self._bounded(
            "write", self._timeouts.gatt, self.client.write_gatt_char(uuid, data, response=True)
        )

    async def command(self, frame: bytes) -> CommandResponse:
        """Send a command frame and wait (bounded) for its response notification."""
        if gatt.COMMAND_RESPONSE not in self._subscribed:
            await self._bounded(
                "subscribe",
                self._timeouts.gatt,
                self.client.start_notify(gatt.COMMAND_RESPONSE, self._on_response),
            )
            self._subscribed.add(gatt.COMMAND_RESPONSE)
        key = (frame[0], frame[1])
        waiter: asyncio.Future[CommandResponse] = asyncio.get_running_loop().create_future()
        self._waiters[key] = waiter
        try:
            await self.write(gatt.COMMAND_REQUEST, frame)
            async with asyncio.timeout(self._timeouts.response):
                return await waiter
        except TimeoutError as err:
            seconds = self._timeouts.response
            raise NoResponseError(f"the machine did not answer within {seconds:g} s") from err
        finally:
            del self._waiters[key]

    def _on_response(self, _characteristic: Any, data: bytearray) -> None:
        try:
            response = decode_response(bytes(data))
        except ProtocolError as err:
            for pending in self._waiters.values():
                if not pending.done():
                    pending.set_exception(err)
            return
        waiter = self._waiters.get((response.command, response.sub_command))
        if waiter is not None and not waiter.done():
            waiter.set_result(response)
