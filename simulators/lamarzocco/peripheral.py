"""A fake bleak backend serving the household's machines over a simulated radio.

``LaMarzoccoAir`` holds one ``SimulatedLaMarzocco`` per machine, by Bluetooth address;
``LaMarzoccoAir.backend()`` is a ``BaseBleakClient`` class for ``BleakClient(...,
backend=...)`` or ``establish_connection(..., backend=...)``. Each peripheral has what
``simulators.ha_bluetooth.FakePeripheral`` asks for (address, name, service UUIDs,
manufacturer data, backend class), so it can be put on Home Assistant's air by
``SimulatedScanner``; nothing here imports Home Assistant.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bleak.args import SizedBuffer
from bleak.assigned_numbers import CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import NotifyCallback
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError, BleakGATTProtocolError

from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth import gatt

from ..fake_bleak import FakeBleakBackend
from .bluetooth_machine import BluetoothFaults, BluetoothMachine, GattError
from .household import Household

ATT_MTU = 247
RSSI = -60


@dataclass(slots=True)
class SimulatedLaMarzocco:
    """One machine on the air, and what the links to it did."""

    address: str
    machine: BluetoothMachine
    air: LaMarzoccoAir = field(repr=False)
    connections: int = 0
    active_links: int = 0
    peak_links: int = 0
    refused_connections: int = 0
    cache_clears: int = 0
    writes: list[tuple[str, bytes]] = field(default_factory=list)
    link: FakeLaMarzoccoBackend | None = None

    @property
    def name(self) -> str:
        """The advertised local name, ``<PREFIX>_<serial>``."""
        return self.machine.name

    def service_uuids(self) -> list[str]:
        """The advertised service UUIDs."""
        return [gatt.SERVICE]

    def manufacturer_data(self) -> dict[int, bytes]:
        """The machines advertise no manufacturer data."""
        return {}

    def backend_class(self) -> type[FakeLaMarzoccoBackend]:
        """The fake bleak backend serving a connection to this machine."""
        return self.air.backend()

    @property
    def faults(self) -> BluetoothFaults:
        """The machine's fault switches."""
        return self.machine.faults

    @property
    def token(self) -> str:
        """The token the machine accepts."""
        return self.machine.token

    def ble_device(self) -> BLEDevice:
        """A BLEDevice for this machine (no BlueZ path, so no D-Bus lookups)."""
        return BLEDevice(self.address, self.name, {"source": "simulated"})

    def drop_link(self) -> None:
        """The machine (or the radio) drops the link now."""
        if self.link is not None:
            self.link.lost()


def address_of(index: int) -> str:
    """A stable, made-up address for the ``index``-th simulated machine."""
    return f"C4:DD:57:00:{index // 256:02X}:{index % 256:02X}"


class LaMarzoccoAir:
    """Machines by address; the backend class looks them up at connect time."""

    def __init__(self) -> None:
        """Nothing on the air yet."""
        self.peripherals: dict[str, SimulatedLaMarzocco] = {}
        air = self

        class BoundBackend(FakeLaMarzoccoBackend):
            """FakeLaMarzoccoBackend serving this air's machines."""

            _air = air

        self._backend = BoundBackend

    @classmethod
    def for_household(cls, household: Household, *, tick: float = 1.0) -> LaMarzoccoAir:
        """Every coffee machine of ``household`` (grinders have no machine Bluetooth here)."""
        air = cls()
        machines = [m for m in household.machines.values() if not m.grinder]
        for index, machine in enumerate(machines, start=1):
            air.add(household, machine.serial, address_of(index), tick=tick)
        return air

    def add(
        self,
        household: Household,
        serial: str,
        address: str,
        *,
        token: str | None = None,
        tick: float = 1.0,
        legacy_key: str | None = None,
    ) -> SimulatedLaMarzocco:
        """Put ``serial``'s machine on the air at ``address``.

        ``legacy_key``: a machine on an older gateway, with the legacy characteristics only.
        """
        machine = BluetoothMachine(household, serial, token=token, tick=tick, legacy_key=legacy_key)
        peripheral = SimulatedLaMarzocco(address.upper(), machine, self)
        self.peripherals[address.upper()] = peripheral
        return peripheral

    def find(self, address: str) -> SimulatedLaMarzocco | None:
        """The machine at ``address``, if it is on the air."""
        return self.peripherals.get(address.upper())

    def by_serial(self, serial: str) -> SimulatedLaMarzocco:
        """The machine with ``serial``."""
        return next(p for p in self.peripherals.values() if p.machine.serial == serial)

    def close(self) -> None:
        """Drop every link and stop listening to the household."""
        for peripheral in self.peripherals.values():
            peripheral.drop_link()
            peripheral.machine.close()

    def backend(self) -> type[FakeLaMarzoccoBackend]:
        """The bleak backend class bound to this air."""
        return self._backend


def _services(uuids: tuple[str, ...]) -> BleakGATTServiceCollection:
    collection = BleakGATTServiceCollection()
    service = BleakGATTService(None, 0x0010, gatt.SERVICE)
    collection.add_service(service)
    for offset, uuid in enumerate(uuids, start=1):
        properties: list[CharacteristicPropertyName] = (
            ["notify"] if uuid == gatt.SHOT_COUNTER else ["read", "write"]
        )
        collection.add_characteristic(
            BleakGATTCharacteristic(
                None, 0x0010 + 2 * offset, uuid, properties, lambda: ATT_MTU - 3, service
            )
        )
    return collection


class FakeLaMarzoccoBackend(FakeBleakBackend[SimulatedLaMarzocco]):
    """The part of a bleak backend the La Marzocco library uses, served by the simulator."""

    _air: ClassVar[LaMarzoccoAir]
    mtu = ATT_MTU

    def _find(self, address: str) -> SimulatedLaMarzocco | None:
        return self._air.find(address)

    def _connect_hangs(self, peripheral: SimulatedLaMarzocco) -> bool:
        return peripheral.faults.connect_hangs

    def _refused(self, peripheral: SimulatedLaMarzocco) -> None:
        peripheral.refused_connections += 1

    def _released(self, peripheral: SimulatedLaMarzocco) -> None:
        peripheral.machine.disconnect()

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Connect and discover the services; the machine takes one central at a time."""
        peripheral = await self._reach()
        peripheral.machine.connect(self._on_notify, self.lost)
        self._link(peripheral)
        self.services = _services(peripheral.machine.characteristics())

    async def disconnect(self) -> None:
        """Close the link (no disconnected callback: the central asked for it)."""
        self._close(BleakError("Disconnected"))

    async def clear_cache(self) -> bool:
        """Forget the services (Home Assistant's client wrapper asks the backend)."""
        peripheral = self._air.find(self.address)
        if peripheral is not None:
            peripheral.cache_clears += 1
        return True

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """The machines need no bond."""

    async def unpair(self) -> None:
        """Nothing to forget."""

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """A read; silent reads wait until the link drops or the caller gives up."""
        peripheral = self._require()
        if characteristic.uuid in peripheral.faults.silent_reads:
            await self._wait_forever()
        try:
            return bytearray(peripheral.machine.read(characteristic.uuid))
        except GattError as err:
            raise BleakGATTProtocolError(err.att_code) from None

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        """A write."""
        peripheral = self._require()
        peripheral.writes.append((characteristic.uuid, bytes(data)))
        try:
            peripheral.machine.write(characteristic.uuid, bytes(data))
        except GattError as err:
            raise BleakGATTProtocolError(err.att_code) from None

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Write the CCCD; the callback is in place before the machine's first notification."""
        peripheral = self._require()
        self._callbacks[characteristic.uuid] = callback
        try:
            peripheral.machine.subscribe(characteristic.uuid)
        except GattError as err:
            self._callbacks.pop(characteristic.uuid, None)
            raise BleakGATTProtocolError(err.att_code) from None

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Clear the CCCD."""
        self._require()
        self._callbacks.pop(characteristic.uuid, None)

    def notify_raw(self, uuid: str, value: bytes) -> None:
        """Send ``value`` as a notification, whatever it holds (garbage from the radio)."""
        self._on_notify(uuid, value)

    def _on_notify(self, uuid: str, value: bytes) -> None:
        callback = self._callbacks.get(uuid)
        if callback is None or not self._connected:
            return
        # Notifications arrive on a later loop iteration, as from the radio.
        asyncio.get_running_loop().call_soon(callback, bytearray(value))
