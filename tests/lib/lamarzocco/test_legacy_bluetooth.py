"""Writes over the legacy characteristic set of machines on gateways before v5."""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging

import pytest

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth import gatt
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.errors import (
    TokenRejectedError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.legacy import (
    LEGACY_AUTH,
    LEGACY_SETTINGS,
    LegacyBluetooth,
    legacy_token,
)
from simulators.lamarzocco.household import Household, default_household
from simulators.lamarzocco.peripheral import LaMarzoccoAir, SimulatedLaMarzocco

from .test_bluetooth_support import FAST, MICRA, make_client

KEY = "legacy-communication-key"
USERNAME = "owner@example.com"


@pytest.fixture
def household() -> Household:
    return default_household()


@pytest.fixture
async def legacy(household: Household) -> AsyncIterator[tuple[LaMarzoccoAir, SimulatedLaMarzocco]]:
    """The Micra on an older gateway: only the legacy characteristics."""
    air = LaMarzoccoAir()
    peripheral = air.add(household, MICRA, "C4:DD:57:00:01:01", legacy_key=KEY, tick=0.02)
    yield air, peripheral
    air.close()


def _client(air: LaMarzoccoAir, peripheral: SimulatedLaMarzocco, key: str = KEY) -> LegacyBluetooth:
    return LegacyBluetooth(
        peripheral.ble_device,
        USERNAME,
        MICRA,
        key,
        timeouts=FAST,
        auth_pause=0.0,
        max_attempts=1,
        backend=air.backend(),
    )


def test_the_token_is_user_and_serial_then_key_each_in_base64() -> None:
    assert legacy_token("user", "GS01234", "key") == b"dXNlcjpHUzAxMjM0@a2V5"


async def test_power_steam_and_targets_change_the_machine(
    legacy: tuple[LaMarzoccoAir, SimulatedLaMarzocco], household: Household
) -> None:
    air, peripheral = legacy
    client = _client(air, peripheral)
    machine = household.machines[MICRA]

    await client.async_set_power(False)
    assert machine.mode == "StandBy"
    await client.async_set_power(True)
    assert machine.mode == "BrewingMode"
    await client.async_set_steam(False)
    assert machine.steam_enabled is False
    await client.async_set_coffee_temperature(94.5)
    assert machine.coffee_target == 94.5

    writes = peripheral.writes
    assert writes[0] == (LEGACY_AUTH, legacy_token(USERNAME, MICRA, KEY))
    assert writes[1] == (
        LEGACY_SETTINGS,
        b'{"name":"MachineChangeMode","parameter":{"mode":"StandBy"}}\x00',
    )
    assert (
        LEGACY_SETTINGS,
        b'{"name":"SettingBoilerEnable","parameter":{"identifier":"SteamBoiler","state":false}}\x00',
    ) in writes
    # One short link per command, closed afterwards so the app can connect.
    assert peripheral.connections == 4
    assert peripheral.active_links == 0


async def test_a_wrong_key_is_a_rejected_token_and_changes_nothing(
    legacy: tuple[LaMarzoccoAir, SimulatedLaMarzocco], household: Household
) -> None:
    air, peripheral = legacy
    with pytest.raises(TokenRejectedError):
        await _client(air, peripheral, key="wrong").async_set_power(False)
    assert household.machines[MICRA].mode == "BrewingMode"


async def test_an_out_of_range_target_is_refused_before_connecting(
    legacy: tuple[LaMarzoccoAir, SimulatedLaMarzocco],
) -> None:
    air, peripheral = legacy
    with pytest.raises(InvalidValueError):
        await _client(air, peripheral).async_set_coffee_temperature(130)
    assert peripheral.connections == 0


async def test_the_key_and_username_never_reach_a_log_line(
    legacy: tuple[LaMarzoccoAir, SimulatedLaMarzocco], caplog: pytest.LogCaptureFixture
) -> None:
    air, peripheral = legacy
    client = _client(air, peripheral)
    caplog.set_level(logging.DEBUG)
    await client.async_set_steam(True)
    with pytest.raises(TokenRejectedError):
        await _client(air, peripheral, key="wrong").async_set_steam(True)
    token = legacy_token(USERNAME, MICRA, KEY).decode()
    for secret in (KEY, USERNAME, token, token.partition("@")[2]):
        assert secret not in caplog.text
        assert secret not in repr(client)


async def test_current_machines_keep_only_the_current_set(
    household: Household, legacy: tuple[LaMarzoccoAir, SimulatedLaMarzocco]
) -> None:
    _air, old = legacy
    assert gatt.AUTH not in old.machine.characteristics()
    air = LaMarzoccoAir.for_household(household, tick=0.02)
    try:
        micra = air.by_serial(MICRA)
        assert LEGACY_AUTH not in micra.machine.characteristics()
        assert await make_client(air, micra).async_tank_ok() is True
    finally:
        air.close()
