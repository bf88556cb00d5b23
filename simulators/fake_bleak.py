"""What the brands' fake bleak backends share: one link to one simulated peripheral.

A backend serves one connection attempt of bleak (or bleak-retry-connector, or Home
Assistant's Bluetooth wrapper) to a simulated peripheral: it finds the peripheral by
address, refuses a second central, keeps the link's counters, hangs when a fault says so,
and on a drop fails whatever waits on the link. Each brand adds its GATT conversation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
import functools
from typing import Any, ClassVar, Protocol

from bleak.args import SizedBuffer
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.exc import BleakDeviceNotFoundError, BleakError


class SimulatedLink(Protocol):
    """What a backend keeps up to date on the peripheral it is linked to."""

    link: Any
    connections: int
    active_links: int
    peak_links: int

    @property
    def name(self) -> str:
        """The advertised name."""


class LinkFaults(Protocol):
    """A test's faults on the links to one address (``simulators.faults.bluetooth``)."""

    async def before(self, backend: FakeBleakBackend[Any], operation: str) -> None:
        """Runs before a GATT read, write or subscription; may hang, drop or raise."""


GATED = ("read_gatt_char", "write_gatt_char", "start_notify")


def _gated[**P, T](
    operation: str, method: Callable[P, Coroutine[Any, Any, T]]
) -> Callable[P, Coroutine[Any, Any, T]]:
    @functools.wraps(method)
    async def gated(*args: P.args, **kwargs: P.kwargs) -> T:
        backend = args[0]
        assert isinstance(backend, FakeBleakBackend)
        faults = FakeBleakBackend.link_faults.get(backend.address.upper())
        if faults is not None:
            await faults.before(backend, operation)
        return await method(*args, **kwargs)

    return gated


class FakeBleakBackend[PeripheralT: SimulatedLink](BaseBleakClient):
    """The bleak backend part every simulated peripheral needs."""

    mtu = 23  # BlueZ reports the minimum unless a brand negotiates more
    # Test hook: faults by upper-case address, run before every GATT operation of every
    # brand's backend (the brands' classes are wrapped as they are defined).
    link_faults: ClassVar[dict[str, LinkFaults]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for operation in GATED:
            method = cls.__dict__.get(operation)
            if method is not None:
                setattr(cls, operation, _gated(operation, method))

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        services: set[str] | None = None,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        """A backend for one connection attempt."""
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        self._peripheral: PeripheralT | None = None
        self._connected = False
        self._callbacks: dict[str, NotifyCallback] = {}
        self._pending: set[asyncio.Future[None]] = set()

    def _find(self, address: str) -> PeripheralT | None:
        """The peripheral on the air at ``address``."""
        raise NotImplementedError

    def _connect_hangs(self, peripheral: PeripheralT) -> bool:
        """Whether a fault makes this connection attempt hang."""
        raise NotImplementedError

    def _released(self, peripheral: PeripheralT) -> None:
        """The link to ``peripheral`` ended: the brand's machine lets go of it."""
        raise NotImplementedError

    @property
    def name(self) -> str:
        """The name from the scan response."""
        peripheral = self._find(self.address)
        return self.address if peripheral is None else peripheral.name

    @property
    def mtu_size(self) -> int:
        """The negotiated MTU."""
        return self.mtu

    @property
    def is_connected(self) -> bool:
        """True while the link is up."""
        return self._connected

    async def _reach(self) -> PeripheralT:
        """The peripheral, free for this central (or a BleakError as from the radio)."""
        peripheral = self._find(self.address)
        if peripheral is None:
            raise BleakDeviceNotFoundError(self.address, "Device not found")
        if self._connect_hangs(peripheral):
            await self._wait_forever()
        if peripheral.link is not None:
            self._refused(peripheral)
            raise BleakError("the machine is connected to another central")
        return peripheral

    def _refused(self, peripheral: PeripheralT) -> None:
        """Another central holds the peripheral (a brand may count it)."""

    def _link(self, peripheral: PeripheralT) -> None:
        """The link is up: the peripheral's counters follow."""
        peripheral.link = self
        peripheral.connections += 1
        peripheral.active_links += 1
        peripheral.peak_links = max(peripheral.peak_links, peripheral.active_links)
        self._peripheral = peripheral
        self._connected = True

    def lost(self) -> None:
        """The machine or the radio dropped the link."""
        if not self._connected:
            return
        self._close(BleakError("Not connected"))
        if self._disconnected_callback is not None:
            asyncio.get_running_loop().call_soon(self._disconnected_callback)

    def _close(self, error: BleakError) -> None:
        peripheral = self._peripheral
        if not self._connected or peripheral is None:
            return
        self._connected = False
        for future in self._pending:
            if not future.done():
                future.set_exception(error)
        self._pending.clear()
        self._callbacks.clear()
        self._released(peripheral)
        peripheral.link = None
        peripheral.active_links -= 1

    def _require(self) -> PeripheralT:
        if not self._connected or self._peripheral is None:
            raise BleakError("Not connected")
        return self._peripheral

    async def _wait_forever(self) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.add(future)
        try:
            await future
        finally:
            self._pending.discard(future)

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """The libraries read no descriptors."""
        raise BleakError("descriptors are not simulated")

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        """The libraries write no descriptors."""
        raise BleakError("descriptors are not simulated")
