"""The Bluetooth client against the simulated machines (a fake bleak backend, no radio)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
import json
import logging
import time

from bleak.backends.device import BLEDevice
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    CommandRefusedError,
    ConnectionFailedError,
    InvalidValueError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth import gatt
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.client import (
    LaMarzoccoBluetooth,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.errors import (
    TokenRejectedError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.payloads import (
    SmartStandby,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.commands import (
    MachineMode,
    StandByAfter,
    SteamLevel,
)
from simulators.lamarzocco.household import Household, default_household
from simulators.lamarzocco.peripheral import LaMarzoccoAir

from .test_bluetooth_support import FAST, GS3, MICRA, make_client


@pytest.fixture
def household() -> Household:
    """The simulated household the radio serves."""
    return default_household()


@pytest.fixture
async def air(household: Household) -> AsyncIterator[LaMarzoccoAir]:
    """The household's coffee machines on the air."""
    simulated = LaMarzoccoAir.for_household(household, tick=0.02)
    yield simulated
    simulated.close()


def _written(air: LaMarzoccoAir, serial: str, uuid: str) -> list[bytes]:
    return [data for char, data in air.by_serial(serial).writes if char == uuid]


async def test_the_machines_advertise_their_model_and_serial(air: LaMarzoccoAir) -> None:
    names = sorted(p.name for p in air.peripherals.values())
    assert names == ["GS3AV_GS000003", "MICRA_MR000001", "MINI_LM000002"]
    micra = air.by_serial(MICRA)
    assert micra.service_uuids() == [gatt.SERVICE]
    assert micra.manufacturer_data() == {}
    assert micra.backend_class() is air.backend()
    assert micra.ble_device().address == micra.address


async def test_reads_after_the_token_is_accepted(air: LaMarzoccoAir, household: Household) -> None:
    micra = air.by_serial(MICRA)
    client = make_client(air, micra)
    capabilities = await client.async_capabilities()
    assert capabilities.family == "MICRA"
    assert capabilities.machine_modes == ("BrewingMode", "StandBy")
    assert await client.async_machine_mode() is MachineMode.BREWING
    assert await client.async_tank_ok() is True
    assert await client.async_plumbed_in() is False
    boilers = await client.async_boilers()
    assert boilers.coffee is not None
    assert boilers.coffee.target == 93.0
    assert boilers.steam is not None
    assert (boilers.steam.enabled, boilers.steam.target) == (True, 131)
    assert await client.async_smart_standby() == SmartStandby(True, 30, StandByAfter.POWER_ON)
    # Each read is its own short link: the token first, then the name, then the reply.
    assert _written(air, MICRA, gatt.AUTH)[0] == micra.token.encode()
    assert _written(air, MICRA, gatt.READ)[0] == b"machineCapabilities\x00"
    assert micra.active_links == 0

    household.machines[MICRA].tank_ok = False
    micra.faults.plumb_in_unknown = True
    assert await client.async_tank_ok() is False
    assert await client.async_plumbed_in() is None


async def test_a_wrong_token_says_so_after_three_attempts(
    air: LaMarzoccoAir, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    micra = air.by_serial(MICRA)
    client = make_client(air, micra, token="not-the-right-token")
    with pytest.raises(TokenRejectedError, match="token"):
        await client.async_machine_mode()
    assert client.authentication_failed
    assert _written(air, MICRA, gatt.AUTH) == [b"not-the-right-token"] * 3
    assert _written(air, MICRA, gatt.READ) == []
    assert micra.active_links == 0
    assert "not-the-right-token" not in caplog.text
    # A link that fails later says nothing new about the token.
    micra.faults.connect_hangs = True
    with pytest.raises(ConnectionFailedError):
        await client.async_machine_mode()
    assert client.authentication_failed
    micra.faults.connect_hangs = False

    right = make_client(air, micra)
    assert await right.async_machine_mode() is MachineMode.BREWING
    assert micra.token not in caplog.text


async def test_no_read_back_is_a_refused_token(air: LaMarzoccoAir) -> None:
    micra = air.by_serial(MICRA)
    micra.faults.auth_read_back = b""
    with pytest.raises(TokenRejectedError):
        await make_client(air, micra).async_boilers()


async def test_a_silent_machine_is_bounded(air: LaMarzoccoAir) -> None:
    micra = air.by_serial(MICRA)
    micra.faults.silent_reads = {gatt.AUTH}
    client = make_client(air, micra)
    started = time.monotonic()
    with pytest.raises(ConnectionFailedError):
        await client.async_machine_mode()
    micra.faults.silent_reads = {gatt.READ}
    with pytest.raises(ConnectionFailedError):
        await client.async_machine_mode()
    assert time.monotonic() - started < 2 * FAST.gatt + 1.0
    assert micra.active_links == 0

    micra.faults.silent_reads = set()
    micra.faults.connect_hangs = True
    with pytest.raises(ConnectionFailedError):
        await client.async_machine_mode()
    assert time.monotonic() - started < 2 * FAST.gatt + FAST.connect + 1.5


async def test_a_whole_call_has_a_deadline(air: LaMarzoccoAir) -> None:
    micra = air.by_serial(MICRA)
    micra.faults.silent_reads = {gatt.READ}
    patient = replace(FAST, gatt=5.0, operation=0.2)
    started = time.monotonic()
    with pytest.raises(ConnectionFailedError, match=r"0\.2 s"):
        await make_client(air, micra, timeouts=patient).async_boilers()
    assert time.monotonic() - started < 1.0
    assert micra.active_links == 0


async def test_commands_change_the_machine(air: LaMarzoccoAir, household: Household) -> None:
    micra = household.machines[MICRA]
    client = make_client(air, air.by_serial(MICRA))
    result = await client.async_set_power(False)
    assert result.succeeded
    assert micra.mode == "StandBy"
    assert await client.async_machine_mode() is MachineMode.STANDBY
    await client.async_set_power(True)
    await client.async_set_steam(False)
    assert micra.steam_enabled is False
    await client.async_set_coffee_temperature(92.5)
    assert micra.coffee_target == 92.5
    await client.async_set_smart_standby(True, 45, StandByAfter.LAST_BREWING)
    assert await client.async_smart_standby() == SmartStandby(True, 45, StandByAfter.LAST_BREWING)
    sent = [json.loads(data[:-1]) for data in _written(air, MICRA, gatt.WRITE)]
    assert [command["name"] for command in sent] == [
        "MachineChangeMode",
        "MachineChangeMode",
        "SettingBoilerEnable",
        "SettingBoilerTarget",
        "SettingSmartStandby",
    ]


@pytest.mark.parametrize(
    ("level", "sent"), [(SteamLevel.LEVEL_1, 126), (SteamLevel.LEVEL_2, 128), ("Level3", 131)]
)
async def test_steam_levels_are_sent_as_temperatures(
    air: LaMarzoccoAir, household: Household, level: str, sent: int
) -> None:
    household.machines[MICRA].steam_level = "Level2" if level != "Level2" else "Level1"
    client = make_client(air, air.by_serial(MICRA))
    await client.async_set_steam_level(level)
    assert household.machines[MICRA].steam_level == SteamLevel(level).value
    (command,) = [json.loads(data[:-1]) for data in _written(air, MICRA, gatt.WRITE)]
    assert command["parameter"] == {"identifier": "SteamBoiler", "value": sent}
    boilers = await client.async_boilers()
    assert boilers.steam is not None
    assert boilers.steam.target == sent


async def test_steam_temperature_on_a_gs3(air: LaMarzoccoAir, household: Household) -> None:
    client = make_client(air, air.by_serial(GS3))
    await client.async_set_steam_temperature(130)
    assert household.machines[GS3].steam_target == 130
    # A GS3 has no steam levels: the machine refuses 126 °C as a level, it is a temperature.
    await client.async_set_steam_level(SteamLevel.LEVEL_1)
    assert household.machines[GS3].steam_target == 126


async def test_refused_commands_are_errors(air: LaMarzoccoAir, household: Household) -> None:
    micra = air.by_serial(MICRA)
    client = make_client(air, micra)
    with pytest.raises(CommandRefusedError):
        # The Micra's coffee boiler stops at 100 °C; our own range allows 110.
        await client.async_set_coffee_temperature(105)
    assert household.machines[MICRA].coffee_target == 93.0
    micra.faults.command_status = "Error"
    with pytest.raises(CommandRefusedError, match="Error"):
        await client.async_set_steam(False)
    assert household.machines[MICRA].steam_enabled is True
    with pytest.raises(InvalidValueError):
        await client.async_set_coffee_temperature(150)
    assert len(_written(air, MICRA, gatt.WRITE)) == 2


async def test_one_link_at_a_time(air: LaMarzoccoAir) -> None:
    micra = air.by_serial(MICRA)
    client = make_client(air, micra)
    mode, boilers, tank = await asyncio.gather(
        client.async_machine_mode(), client.async_boilers(), client.async_tank_ok()
    )
    assert mode is MachineMode.BREWING
    assert boilers.coffee is not None
    assert tank is True
    assert micra.peak_links == 1
    assert micra.refused_connections == 0
    assert micra.connections == 3


async def test_a_missing_characteristic_clears_the_cache_once(air: LaMarzoccoAir) -> None:
    micra = air.by_serial(MICRA)
    micra.faults.hidden_once = {gatt.READ}
    client = make_client(air, micra)
    assert await client.async_machine_mode() is MachineMode.BREWING
    assert micra.connections == 2
    assert micra.active_links == 0


async def test_the_device_lookup_is_asked_each_time(air: LaMarzoccoAir) -> None:
    micra = air.by_serial(MICRA)
    seen: list[str] = []

    def lookup(address: str) -> BLEDevice | None:
        seen.append(address)
        return micra.ble_device() if len(seen) == 1 else None

    client = LaMarzoccoBluetooth.for_address(
        micra.address, lookup, micra.token, timeouts=FAST, max_attempts=1, backend=air.backend()
    )
    assert await client.async_tank_ok() is True
    with pytest.raises(ConnectionFailedError, match="no Bluetooth adapter"):
        await client.async_tank_ok()
    assert seen[:2] == [micra.address, micra.address]
    assert "token" not in repr(client)
