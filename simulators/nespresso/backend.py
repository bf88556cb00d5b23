"""A fake bleak backend serving a SimulatedMachine's GATT conversation, with no radio.

``SimulatedAir`` holds machines by Bluetooth address; ``SimulatedAir.backend()`` is a
``BaseBleakClient`` class, so it can be given to ``BleakClient(..., backend=...)``, to
``establish_connection(..., backend=...)`` or to Home Assistant's ``HaBluetoothConnector``.
ATT errors are raised the way bleak 3 raises them on BlueZ (or as an ESPHome proxy's text),
so the library's failure mapping is exercised for real.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from bleak.args import SizedBuffer
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import NotifyCallback
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import (
    PROTOCOL_ERROR_CODES,
    BleakDBusError,
    BleakError,
    BleakGATTProtocolError,
)

from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.kitchenlib.nespresso.auth import NOT_BONDED_CODES

from ..fake_bleak import FakeBleakBackend
from .machine import GattError, SimulatedMachine

ATT_MTU = 23

_SERVICE_OF: dict[str, str] = {
    gatt.PROFILE_VERSION: gatt.SERVICE_IDENTITY,
    gatt.MACHINE_INFO: gatt.SERVICE_IDENTITY,
    gatt.SERIAL: gatt.SERVICE_IDENTITY,
    gatt.KEY: gatt.SERVICE_IDENTITY,
    gatt.KEY_STATE: gatt.SERVICE_IDENTITY,
    gatt.TX_LEVEL: gatt.SERVICE_IDENTITY,
    gatt.STATUS: gatt.SERVICE_MACHINE,
    gatt.SLIDER: gatt.SERVICE_MACHINE,
    gatt.SCHEDULED_BREW: gatt.SERVICE_MACHINE,
    gatt.COMMAND_REQUEST: gatt.SERVICE_MACHINE,
    gatt.COMMAND_RESPONSE: gatt.SERVICE_MACHINE,
    gatt.ERROR_SELECTION: gatt.SERVICE_ERRORS,
    gatt.ERROR_INFO: gatt.SERVICE_ERRORS,
    gatt.CUP_SELECTOR: gatt.SERVICE_SETTINGS,
    gatt.CUP_VOLUME: gatt.SERVICE_SETTINGS,
    gatt.USER_SETTINGS: gatt.SERVICE_SETTINGS,
    gatt.CAPSULE_STOCK: gatt.SERVICE_STOCK,
    gatt.STOCK_THRESHOLD: gatt.SERVICE_STOCK,
    gatt.STOCK_KEY: gatt.SERVICE_STOCK,
    gatt.IOT_MARKET: gatt.SERVICE_WIFI,
}


class Dialect(StrEnum):
    """How a refused ATT request reaches the central."""

    BLUEZ = "bluez"  # bleak 3: BleakGATTProtocolError carrying the ATT code
    BLUEZ_NOT_PAIRED = "bluez_not_paired"  # "Not paired" stays a D-Bus error
    ESPHOME = "esphome"  # a plain BleakError with the proxy's text


@dataclass(slots=True)
class Faults:
    """Switches a test flips to make the link misbehave."""

    connect_hangs: bool = False
    pair_hangs: bool = False
    disconnect_hangs: bool = False  # the link still goes when the caller gives up
    silent_reads: set[str] = field(default_factory=set)  # these reads never answer
    drop_on: set[str] = field(default_factory=set)  # the link drops when these are used
    refused_writes: dict[str, int] = field(default_factory=dict)  # uuid -> ATT code
    muted: set[str] = field(default_factory=set)  # notifications that never arrive
    garbled: dict[str, bytes] = field(default_factory=dict)  # uuid -> bytes sent instead
    idle_disconnect_after: float | None = None  # seconds without a request
    disconnect_after_brew: float | None = None  # seconds after a brew was accepted


@dataclass(slots=True)
class SimulatedPeripheral:
    """One machine on the air, and what the links to it did."""

    address: str
    machine: SimulatedMachine
    name: str = "Expert&Milk_D1E1037C4A9D"
    dialect: Dialect = Dialect.BLUEZ
    faults: Faults = field(default_factory=Faults)
    connections: int = 0
    pair_calls: int = 0
    active_links: int = 0
    peak_links: int = 0
    writes: list[tuple[str, bytes]] = field(default_factory=list)
    link: FakeNespressoBackend | None = None
    air: SimulatedAir | None = field(default=None, repr=False)

    def ble_device(self) -> BLEDevice:
        """A BLEDevice for this machine (no BlueZ path, so no D-Bus lookups)."""
        return BLEDevice(self.address, self.name, {"source": "simulated"})

    def service_uuids(self) -> list[str]:
        """Service UUIDs of the machine's advert."""
        return self.machine.advertisement()[0]

    def manufacturer_data(self) -> dict[int, bytes]:
        """Manufacturer data of the machine's advert: its live status."""
        return self.machine.advertisement()[1]

    def backend_class(self) -> type[FakeNespressoBackend]:
        """The fake bleak backend serving this machine's air."""
        assert self.air is not None, "put the machine on the air with SimulatedAir.add"
        return self.air.backend()

    def drop_link(self) -> None:
        """The machine drops the link now (idle timer, post-brew, radio trouble)."""
        if self.link is not None:
            self.link.lost()


class SimulatedAir:
    """Machines by address; the backend class looks them up at connect time."""

    def __init__(self) -> None:
        self.peripherals: dict[str, SimulatedPeripheral] = {}
        self._backend: type[FakeNespressoBackend] | None = None

    def add(
        self,
        address: str,
        machine: SimulatedMachine,
        *,
        dialect: Dialect = Dialect.BLUEZ,
        name: str = "Expert&Milk_D1E1037C4A9D",
    ) -> SimulatedPeripheral:
        """Put a machine on the air."""
        peripheral = SimulatedPeripheral(address, machine, name=name, dialect=dialect, air=self)
        self.peripherals[address.upper()] = peripheral
        return peripheral

    def find(self, address: str) -> SimulatedPeripheral | None:
        """The machine at ``address``, if it is on the air."""
        return self.peripherals.get(address.upper())

    def backend(self) -> type[FakeNespressoBackend]:
        """A bleak backend class bound to this air (the same class on every call)."""
        if self._backend is not None:
            return self._backend
        air = self

        class BoundBackend(FakeNespressoBackend):
            """FakeNespressoBackend serving this air's machines."""

            _air = air

        self._backend = BoundBackend
        return BoundBackend


def _services(peripheral: SimulatedPeripheral) -> BleakGATTServiceCollection:
    collection = BleakGATTServiceCollection()
    handle = 0x0010
    handles: dict[str, int] = {}
    for uuid in peripheral.machine.services():
        handles[uuid] = handle
        collection.add_service(BleakGATTService(None, handle, uuid))
        handle += 0x10
    for uuid in sorted(peripheral.machine.characteristics()):
        service = collection.get_service(handles.get(_SERVICE_OF[uuid], -1))
        if service is None:
            continue
        handle += 2
        collection.add_characteristic(
            BleakGATTCharacteristic(
                None, handle, uuid, ["read", "write", "notify"], lambda: ATT_MTU - 3, service
            )
        )
    return collection


class FakeNespressoBackend(FakeBleakBackend[SimulatedPeripheral]):
    """The part of a bleak backend the Nespresso library uses, served by the simulator."""

    _air: ClassVar[SimulatedAir]
    mtu = ATT_MTU

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """A backend for one connection attempt."""
        super().__init__(*args, **kwargs)
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def _find(self, address: str) -> SimulatedPeripheral | None:
        return self._air.find(address)

    def _connect_hangs(self, peripheral: SimulatedPeripheral) -> bool:
        return peripheral.faults.connect_hangs

    def _released(self, peripheral: SimulatedPeripheral) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        peripheral.machine.disconnect()
        peripheral.machine.on_notify = None

    # -- link ------------------------------------------------------------------------------

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Connect, discover the services and, if asked, bond."""
        peripheral = await self._reach()
        peripheral.machine.connect()
        peripheral.machine.on_notify = self._on_notify
        self._link(peripheral)
        self.services = _services(peripheral)
        self._activity()
        if pair:
            await self.pair()

    async def disconnect(self) -> None:
        """Close the link (no disconnected callback: the central asked for it)."""
        try:
            if self._peripheral is not None and self._peripheral.faults.disconnect_hangs:
                await self._wait_forever()
        finally:
            self._close(BleakError("Disconnected"))

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """Just Works bonding (harmless to repeat)."""
        peripheral = self._require()
        peripheral.pair_calls += 1
        if peripheral.faults.pair_hangs:
            await self._wait_forever()
        peripheral.machine.bond()

    async def unpair(self) -> None:
        """Forget the bond; unpairing also disconnects."""
        peripheral = self._require()
        peripheral.machine.forget_bond()
        await self.disconnect()

    # -- GATT ------------------------------------------------------------------------------

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """A read; silent reads wait until the link drops or the caller gives up."""
        peripheral = self._request(characteristic.uuid)
        if characteristic.uuid in peripheral.faults.silent_reads:
            await self._wait_forever()
        try:
            return bytearray(peripheral.machine.read(characteristic.uuid))
        except GattError as err:
            raise self._att_error(err.att_code, characteristic.handle) from None

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        """A write; a brew accepted here may end the link a moment later."""
        peripheral = self._request(characteristic.uuid)
        peripheral.writes.append((characteristic.uuid, bytes(data)))
        refused = peripheral.faults.refused_writes.get(characteristic.uuid)
        if refused is not None:
            raise self._att_error(refused, characteristic.handle)
        machine = peripheral.machine
        was_brewing = machine.brewing
        try:
            machine.write(characteristic.uuid, bytes(data))
        except GattError as err:
            raise self._att_error(err.att_code, characteristic.handle) from None
        delay = peripheral.faults.disconnect_after_brew
        if machine.brewing and not was_brewing and delay is not None:
            self._timers["brew"] = asyncio.get_running_loop().call_later(delay, self.lost)

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Write the CCCD."""
        peripheral = self._request(characteristic.uuid)
        try:
            peripheral.machine.subscribe(characteristic.uuid)
        except GattError as err:
            raise self._att_error(err.att_code, characteristic.handle) from None
        self._callbacks[characteristic.uuid] = callback

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Clear the CCCD."""
        peripheral = self._request(characteristic.uuid)
        peripheral.machine.subscriptions.discard(characteristic.uuid)
        self._callbacks.pop(characteristic.uuid, None)

    # -- helpers ---------------------------------------------------------------------------

    def _request(self, uuid: str) -> SimulatedPeripheral:
        peripheral = self._require()
        if uuid in peripheral.faults.drop_on:
            self.lost()
            raise BleakError("Not connected")
        self._activity()
        return peripheral

    def _activity(self) -> None:
        peripheral = self._require()
        idle = peripheral.faults.idle_disconnect_after
        if idle is None:
            return
        if (timer := self._timers.get("idle")) is not None:
            timer.cancel()
        self._timers["idle"] = asyncio.get_running_loop().call_later(idle, self.lost)

    def _on_notify(self, uuid: str, value: bytes) -> None:
        peripheral = self._peripheral
        callback = self._callbacks.get(uuid)
        if callback is None or peripheral is None or uuid in peripheral.faults.muted:
            return
        value = peripheral.faults.garbled.get(uuid, value)
        # Notifications arrive on a later loop iteration, as from the radio.
        asyncio.get_running_loop().call_soon(callback, bytearray(value))

    def _att_error(self, code: int, handle: int) -> BleakError:
        assert self._peripheral is not None
        dialect = self._peripheral.dialect
        if dialect is Dialect.BLUEZ_NOT_PAIRED and code in NOT_BONDED_CODES:
            return BleakDBusError("org.bluez.Error.NotPermitted", ["Not paired"])
        if dialect is Dialect.ESPHOME:
            description = PROTOCOL_ERROR_CODES.get(code, "Unknown")
            return BleakError(
                f"Bluetooth GATT Error address={self.address} handle={handle} "
                f"error={code} description={description}"
            )
        return BleakGATTProtocolError(code)
