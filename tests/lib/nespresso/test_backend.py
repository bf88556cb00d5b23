"""The fake bleak backend behaves like bleak on BlueZ (or behind an ESPHome proxy).

Driven through bleak's own BleakClient, so what the library sees is what real bleak hands it.
"""

from __future__ import annotations

import asyncio

from bleak import BleakClient
from bleak.exc import (
    BleakCharacteristicNotFoundError,
    BleakDBusError,
    BleakError,
    BleakGATTProtocolError,
)
import pytest

from custom_components.kitchen_connect.kitchenlib.bluetooth_link import DisconnectedCallback
from custom_components.kitchen_connect.kitchenlib.errors import (
    CommandRefusedError,
    ConnectionFailedError,
)
from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.kitchenlib.nespresso.client import NespressoClient
from custom_components.kitchen_connect.kitchenlib.nespresso.link import Timeouts, mapped_error
from custom_components.kitchen_connect.kitchenlib.nespresso.models import Family
from simulators.nespresso.backend import Dialect, SimulatedAir, SimulatedPeripheral
from simulators.nespresso.machine import SimulatedMachine

from .support import ADDRESS, FAST, KEY, make_client


@pytest.fixture
def air() -> SimulatedAir:
    """Nothing on the air yet."""
    return SimulatedAir()


@pytest.fixture
def expert(air: SimulatedAir) -> SimulatedPeripheral:
    """An Expert with our key."""
    return air.add(ADDRESS, SimulatedMachine(key=KEY))


def _client(air: SimulatedAir, peripheral: SimulatedPeripheral, **kwargs: object) -> BleakClient:
    return BleakClient(peripheral.ble_device(), backend=air.backend(), **kwargs)  # type: ignore[arg-type]


async def test_gatt_table(air: SimulatedAir, expert: SimulatedPeripheral) -> None:
    """Both families' services and characteristics resolve by UUID, as after a discovery."""
    client = _client(air, expert)
    await client.connect()
    assert client.is_connected
    assert client.name == "Expert&Milk_D1E1037C4A9D"
    assert client.mtu_size == 23
    assert gatt.family_from_services(s.uuid for s in client.services) is Family.ORIGINAL
    assert client.services.get_characteristic(gatt.CAPSULE_STOCK) is not None
    assert await client.read_gatt_char(gatt.KEY_STATE) == bytearray(b"\x02")
    await client.disconnect()
    assert not client.is_connected
    vertuo = air.add("AA:BB:CC:DD:EE:01", SimulatedMachine(Family.VERTUO, key=KEY), name="DV2")
    client = _client(air, vertuo)
    await client.connect()
    assert gatt.family_from_services(s.uuid for s in client.services) is Family.VERTUO
    with pytest.raises(BleakCharacteristicNotFoundError):
        await client.read_gatt_char(gatt.CAPSULE_STOCK)
    await client.disconnect()


async def test_name_of_a_machine_gone_from_the_air(
    air: SimulatedAir, expert: SimulatedPeripheral
) -> None:
    """The backend falls back to the address, as bleak does without a name."""
    client = _client(air, expert)
    air.peripherals.clear()
    assert client.name == ADDRESS


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (Dialect.BLUEZ, BleakGATTProtocolError),
        (Dialect.BLUEZ_NOT_PAIRED, BleakDBusError),
        (Dialect.ESPHOME, BleakError),
    ],
)
async def test_unbonded_key_write(
    air: SimulatedAir, dialect: Dialect, expected: type[BleakError]
) -> None:
    """The three shapes of "bond first", and pair=True bonds while connecting."""
    peripheral = air.add(ADDRESS, SimulatedMachine(key=KEY), dialect=dialect)
    client = _client(air, peripheral)
    await client.connect()
    with pytest.raises(expected) as caught:
        await client.write_gatt_char(gatt.KEY, KEY, response=True)
    if dialect is Dialect.BLUEZ:
        assert isinstance(caught.value, BleakGATTProtocolError)
        assert caught.value.code == 0x05
    elif dialect is Dialect.BLUEZ_NOT_PAIRED:
        assert "Not paired" in str(caught.value)
    else:
        assert "error=5" in str(caught.value)
    await client.disconnect()
    bonding = _client(air, peripheral, pair=True)
    await bonding.connect()
    await bonding.write_gatt_char(gatt.KEY, KEY, response=True)
    assert peripheral.pair_calls == 1
    await bonding.disconnect()


async def test_notifications(air: SimulatedAir, expert: SimulatedPeripheral) -> None:
    """Subscriptions need a bond; notifications arrive later, and stop when asked."""
    client = _client(air, expert)
    await client.connect()
    seen: list[bytes] = []
    with pytest.raises(BleakGATTProtocolError):
        await client.start_notify(gatt.CAPSULE_STOCK, lambda _c, data: seen.append(bytes(data)))
    with pytest.raises(BleakGATTProtocolError):
        await client.read_gatt_char(gatt.CAPSULE_STOCK)
    await client.pair()
    await client.write_gatt_char(gatt.KEY, KEY, response=True)
    await client.start_notify(gatt.CAPSULE_STOCK, lambda _c, data: seen.append(bytes(data)))
    await client.write_gatt_char(gatt.CAPSULE_STOCK, b"\x00\x09", response=True)
    assert seen == []  # not delivered inside the write
    await asyncio.sleep(0)
    assert seen == [b"\x00\x09"]
    await client.stop_notify(gatt.CAPSULE_STOCK)
    await client.write_gatt_char(gatt.CAPSULE_STOCK, b"\x00\x08", response=True)
    await asyncio.sleep(0)
    assert seen == [b"\x00\x09"]
    await client.disconnect()


async def test_descriptors_and_unpair(air: SimulatedAir, expert: SimulatedPeripheral) -> None:
    """No descriptors are simulated; unpairing forgets the bond and disconnects."""
    client = _client(air, expert, pair=True)
    await client.connect()
    characteristic = client.services.get_characteristic(gatt.STATUS)
    assert characteristic is not None
    backend = client._backend
    with pytest.raises(BleakError):
        await backend.read_gatt_descriptor(characteristic)  # type: ignore[arg-type]
    with pytest.raises(BleakError):
        await backend.write_gatt_descriptor(characteristic, b"\x01\x00")  # type: ignore[arg-type]
    await client.unpair()
    assert not client.is_connected
    assert not expert.machine.bonded
    with pytest.raises(BleakError, match="Not connected"):
        await client.pair()


async def test_silent_read_fails_when_the_link_drops(
    air: SimulatedAir, expert: SimulatedPeripheral
) -> None:
    """A read with no answer ends with the link, and the disconnected callback runs."""
    dropped = asyncio.Event()
    client = _client(air, expert, disconnected_callback=lambda _c: dropped.set())
    await client.connect()
    expert.faults.silent_reads.add(gatt.KEY_STATE)
    asyncio.get_running_loop().call_later(0.02, expert.drop_link)
    with pytest.raises(BleakError, match="Not connected"):
        await client.read_gatt_char(gatt.KEY_STATE)
    await asyncio.wait_for(dropped.wait(), 1)
    dropped.clear()
    client._backend.lost()  # type: ignore[attr-defined]
    await asyncio.sleep(0)
    assert not dropped.is_set()  # a link that is gone cannot drop twice


async def test_late_disconnect_is_bounded(air: SimulatedAir, expert: SimulatedPeripheral) -> None:
    """A disconnect that does not answer cannot hold the operation past its deadline."""
    expert.faults.disconnect_hangs = True
    client = make_client(air, expert)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await client.read_serial() == "16069D70p13036820NJ"
    assert loop.time() - started < FAST.disconnect + 1.0
    assert expert.active_links == 0


async def test_link_used_after_a_drop(air: SimulatedAir, expert: SimulatedPeripheral) -> None:
    """Once the machine hung up, the session says so instead of touching bleak again."""
    client = make_client(air, expert)
    async with client.pairing_session() as session:
        await session.read_key_state()
        expert.drop_link()
        await asyncio.sleep(0)
        with pytest.raises(ConnectionFailedError, match="dropped"):
            await session.read_key_state()


async def test_os_level_failure(expert: SimulatedPeripheral) -> None:
    """A broken D-Bus pipe or socket is a connection error like the rest."""

    async def broken(_on_disconnect: DisconnectedCallback) -> BleakClient:
        raise BrokenPipeError

    client = NespressoClient(broken, KEY, timeouts=Timeouts(connect=0.5))
    with pytest.raises(ConnectionFailedError, match="BrokenPipeError"):
        await client.read_status()


def test_mapped_errors() -> None:
    """ATT codes that are not about the key are refusals; the rest map as the reference says."""
    assert isinstance(mapped_error(BleakGATTProtocolError(0x13)), CommandRefusedError)
    assert isinstance(mapped_error(BleakError("Disconnected")), ConnectionFailedError)
    assert isinstance(mapped_error(EOFError()), ConnectionFailedError)
