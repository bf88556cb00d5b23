"""The simulated machine spoken to with a plain BleakClient: what it refuses and why."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json

from bleak import BleakClient
from bleak.exc import BleakDeviceNotFoundError, BleakGATTProtocolError
import pytest

from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth import gatt
from simulators.lamarzocco.household import Household, default_household
from simulators.lamarzocco.peripheral import LaMarzoccoAir, SimulatedLaMarzocco

from .test_bluetooth_support import GS3, MICRA


@pytest.fixture
async def air() -> AsyncIterator[LaMarzoccoAir]:
    """The default household's coffee machines on the air."""
    simulated = LaMarzoccoAir.for_household(default_household(), tick=0.02)
    yield simulated
    simulated.close()


@pytest.fixture
async def micra(air: LaMarzoccoAir) -> AsyncIterator[tuple[SimulatedLaMarzocco, BleakClient]]:
    """A plain bleak client connected to the Micra."""
    peripheral = air.by_serial(MICRA)
    client = BleakClient(peripheral.ble_device(), backend=air.backend())
    await client.connect()
    yield peripheral, client
    await client.disconnect()


async def _ask(client: BleakClient, name: bytes) -> bytes:
    await client.write_gatt_char(gatt.READ, name + b"\x00", response=True)
    return bytes(await client.read_gatt_char(gatt.READ))


async def test_nothing_but_the_auth_without_the_token(
    micra: tuple[SimulatedLaMarzocco, BleakClient],
) -> None:
    peripheral, client = micra
    assert client.mtu_size > 23
    with pytest.raises(BleakGATTProtocolError):
        await client.read_gatt_char(gatt.READ)
    with pytest.raises(BleakGATTProtocolError):
        await client.start_notify(gatt.SHOT_COUNTER, lambda _c, _d: None)
    # Outside pairing mode the token cannot be read, authenticated or not.
    with pytest.raises(BleakGATTProtocolError):
        await client.read_gatt_char(gatt.TOKEN)
    await client.write_gatt_char(gatt.AUTH, b"guess", response=True)
    assert await client.read_gatt_char(gatt.AUTH) == b"\x00"
    await client.write_gatt_char(gatt.AUTH, peripheral.token.encode(), response=True)
    assert await client.read_gatt_char(gatt.AUTH) == b"\x01"
    with pytest.raises(BleakGATTProtocolError):
        await client.read_gatt_char(gatt.TOKEN)
    with pytest.raises(BleakGATTProtocolError):
        await client.write_gatt_char(gatt.TOKEN, b"x", response=True)
    with pytest.raises(BleakGATTProtocolError):
        await client.start_notify(gatt.READ, lambda _c, _d: None)
    await client.start_notify(gatt.SHOT_COUNTER, lambda _c, _d: None)
    await client.stop_notify(gatt.SHOT_COUNTER)


async def test_unknown_reads_and_bad_commands(
    micra: tuple[SimulatedLaMarzocco, BleakClient],
) -> None:
    peripheral, client = micra
    await client.write_gatt_char(gatt.AUTH, peripheral.token.encode(), response=True)
    assert await _ask(client, b"somethingElse") == b"null\x00"
    for command in (b"{", b'{"name":"Brew","parameter":{}}', b"[]"):
        await client.write_gatt_char(gatt.WRITE, command + b"\x00", response=True)
        reply = json.loads(bytes(await client.read_gatt_char(gatt.WRITE))[:-1])
        assert reply["status"] == "error"


async def test_the_gs3_reports_its_steam_temperature(air: LaMarzoccoAir) -> None:
    peripheral = air.by_serial(GS3)
    household: Household = peripheral.machine.household
    household.machines[GS3].mode = "BrewingMode"
    async with BleakClient(peripheral.ble_device(), backend=air.backend()) as client:
        await client.write_gatt_char(gatt.AUTH, peripheral.token.encode(), response=True)
        boilers = json.loads((await _ask(client, b"boilers"))[:-1])
        assert boilers[0] == {
            "id": "SteamBoiler",
            "isEnabled": True,
            "target": 124.0,
            "current": 124.0,
        }


async def test_the_backend_clears_its_cache_when_asked(air: LaMarzoccoAir) -> None:
    peripheral = air.by_serial(MICRA)
    backend = air.backend()(peripheral.ble_device())
    assert await backend.clear_cache()
    assert peripheral.cache_clears == 1


async def test_a_machine_off_the_air_is_not_found(air: LaMarzoccoAir) -> None:
    client = BleakClient("C4:DD:57:99:99:99", backend=air.backend())
    with pytest.raises(BleakDeviceNotFoundError):
        await client.connect()
