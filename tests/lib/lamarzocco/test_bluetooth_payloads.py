"""Bluetooth payloads: the bytes we send, and the replies of the reference decoded."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError, ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth import gatt, payloads as p
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.telemetry import (
    decode_telemetry,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.commands import (
    MachineMode,
    Range,
    StandByAfter,
    SteamLevel,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.models import ModelCode

# The example replies of the reference (section 1D), NUL-terminated as the machine sends them.
CAPABILITIES = (
    b'[{"family":"MICRA","groupsNumber":1,"coffeeBoilersNumber":1,"hasCupWarmer":false,'
    b'"steamBoilersNumber":1,"teaDosesNumber":0,"machineModes":["BrewingMode","StandBy"],'
    b'"schedulingType":"smartWakeUpSleep"}]\x00'
)
BOILERS = (
    b'[{"id":"SteamBoiler","isEnabled":true,"target":131,"current":45},'
    b'{"id":"CoffeeBoiler1","isEnabled":true,"target":94,"current":65}]\x00'
)
SMART_STANDBY = b'{"mode":"PowerOn","minutes":42,"enabled":"true"}\x00'
COMMAND_SUCCESS = b'{"id":"abc-1","message":"Success","status":"success"}\x00'


def test_commands_are_compact_json_with_a_nul() -> None:
    assert p.power(True) == b'{"name":"MachineChangeMode","parameter":{"mode":"BrewingMode"}}\x00'
    assert p.power(False) == b'{"name":"MachineChangeMode","parameter":{"mode":"StandBy"}}\x00'
    assert p.steam_enabled(False) == (
        b'{"name":"SettingBoilerEnable","parameter":{"identifier":"SteamBoiler","state":false}}\x00'
    )
    assert p.coffee_temperature(93.5) == (
        b'{"name":"SettingBoilerTarget","parameter":{"identifier":"CoffeeBoiler1","value":93.5}}\x00'
    )
    assert p.steam_temperature(124) == (
        b'{"name":"SettingBoilerTarget","parameter":{"identifier":"SteamBoiler","value":124}}\x00'
    )
    assert p.smart_standby(True, 42, StandByAfter.LAST_BREWING) == (
        b'{"name":"SettingSmartStandby","parameter":'
        b'{"minutes":42,"mode":"LastBrewing","enabled":true}}\x00'
    )


@pytest.mark.parametrize(
    ("level", "value"), [(SteamLevel.LEVEL_1, 126), ("Level2", 128), (SteamLevel.LEVEL_3, 131)]
)
def test_steam_levels_go_out_as_temperatures(level: str, value: int) -> None:
    sent = json.loads(p.steam_level(level)[:-1])
    assert sent == {
        "name": "SettingBoilerTarget",
        "parameter": {"identifier": "SteamBoiler", "value": value},
    }
    assert p.steam_level_of(value) == SteamLevel(level)


def test_values_out_of_range_send_nothing() -> None:
    with pytest.raises(InvalidValueError):
        p.coffee_temperature(120)
    with pytest.raises(InvalidValueError):
        p.coffee_temperature(95, Range(80, 94, 0.1))
    with pytest.raises(InvalidValueError):
        p.steam_level("Level4")
    with pytest.raises(InvalidValueError):
        p.smart_standby(True, 0, "PowerOn")
    with pytest.raises(InvalidValueError):
        p.smart_standby(True, 30, "Sometimes")
    with pytest.raises(InvalidValueError):
        p.power("yes")  # type: ignore[arg-type]
    assert p.steam_level_of(None) is None
    assert p.steam_level_of(120) is None


def test_read_requests_are_the_bare_name() -> None:
    assert p.read_request(p.Setting.CAPABILITIES) == b"machineCapabilities\x00"
    assert p.read_request(p.Setting.PLUMBED_IN) == b"isPlumbedIn\x00"


def test_reference_replies() -> None:
    capabilities = p.decode_capabilities(CAPABILITIES)
    assert capabilities == p.Capabilities(
        family="MICRA",
        groups=1,
        coffee_boilers=1,
        steam_boilers=1,
        tea_doses=0,
        has_cup_warmer=False,
        machine_modes=("BrewingMode", "StandBy"),
        scheduling_type="smartWakeUpSleep",
    )
    assert p.decode_machine_mode(b'"BrewingMode"\x00') is MachineMode.BREWING
    assert p.decode_tank_ok(b'"true"\x00') is True
    assert p.decode_tank_ok(b"false\x00") is False
    assert p.decode_plumbed_in(b'"false"\x00') is False
    assert p.decode_plumbed_in(b"\x00") is None
    boilers = p.decode_boilers(BOILERS)
    assert boilers.steam == p.Boiler("SteamBoiler", enabled=True, target=131, current=45)
    assert boilers.coffee is not None
    assert (boilers.coffee.target, boilers.coffee.current) == (94, 65)
    assert p.decode_smart_standby(SMART_STANDBY) == p.SmartStandby(
        enabled=True, minutes=42, after=StandByAfter.POWER_ON
    )
    result = p.decode_command_result(COMMAND_SUCCESS)
    assert result.succeeded
    assert result.command_id == "abc-1"


def test_command_status_is_compared_case_insensitively() -> None:
    assert p.decode_command_result(b'{"status":"SUCCESS"}').succeeded
    assert p.decode_command_result(b'{"status":"Success","id":7}').command_id == "7"
    refused = p.decode_command_result(b'{"status":"error","message":"Busy"}\x00')
    assert not refused.succeeded
    assert refused.message == "Busy"


@pytest.mark.parametrize(
    ("decoder", "data"),
    [
        (p.decode_capabilities, b"[]"),
        (p.decode_capabilities, b'[{"family":"MICRA"}]'),
        (p.decode_machine_mode, b'"Espresso"'),
        (p.decode_machine_mode, b"BrewingMode"),
        (p.decode_tank_ok, b'"maybe"'),
        (p.decode_boilers, b'{"id":"SteamBoiler"}'),
        (p.decode_boilers, b'[{"id":"SteamBoiler","isEnabled":1}]'),
        (p.decode_boilers, b'[{"id":"SteamBoiler","isEnabled":true,"current":NaN}]'),
        (p.decode_smart_standby, b'{"mode":"Never","minutes":1,"enabled":true}'),
        (p.decode_command_result, b'{"status":"success","id":true}'),
        (p.decode_command_result, b"\xff\xfe"),
        (p.decode_command_result, b"[" * 100_000),
        (p.decode_command_result, b" " * (p.MAX_PAYLOAD + 1)),
    ],
)
def test_bad_replies_are_protocol_errors(decoder: Callable[[bytes], object], data: bytes) -> None:
    with pytest.raises(ProtocolError):
        decoder(data)


def test_advertised_names() -> None:
    assert gatt.model_from_name("MICRA_MR000001") is ModelCode.LINEA_MICRA
    assert gatt.model_from_name("GS3AV_GS000003") is ModelCode.GS3_AV
    assert gatt.model_from_name("LINEA_X1") is None
    assert gatt.is_machine_name("LINEA_X1")
    assert not gatt.is_machine_name("MICRA_")
    assert not gatt.is_machine_name("Expert&Milk_D1E1037C4A9D")
    assert not gatt.is_machine_name(None)
    assert gatt.advertised_name(ModelCode.LINEA_MINI, "LM000002") == "MINI_LM000002"


DECODERS: list[Callable[[bytes], object]] = [
    p.decode_capabilities,
    p.decode_machine_mode,
    p.decode_tank_ok,
    p.decode_plumbed_in,
    p.decode_boilers,
    p.decode_smart_standby,
    p.decode_command_result,
    decode_telemetry,
]
IDS = [decoder.__name__ for decoder in DECODERS]
VALID = [
    CAPABILITIES,
    b'"StandBy"\x00',
    b'"true"\x00',
    b'"true"\x00',
    BOILERS,
    SMART_STANDBY,
    COMMAND_SUCCESS,
    b'{"BrewingUpdateGroup1Ev":true,"BrewingUpdateGroup1Time":4.2,'
    b'"MachineStatistics":"{\\"coffees\\":3}"}\x00',
]
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["true", "false", "BrewingMode", "PowerOn", "SteamBoiler", "{}"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "family",
                    "groupsNumber",
                    "id",
                    "isEnabled",
                    "target",
                    "current",
                    "mode",
                    "minutes",
                    "enabled",
                    "status",
                    "message",
                    "BrewingUpdateGroup1Time",
                    "BrewingStartedGroup1DoseIndex",
                    "MachineStatistics",
                    "Sleep",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=12,
)


def _only_protocol_errors(decoder: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decoder(data)


@pytest.mark.parametrize("decoder", DECODERS, ids=IDS)
@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=64))
def test_random_bytes_give_protocol_errors_only(
    decoder: Callable[[bytes], object], data: bytes
) -> None:
    _only_protocol_errors(decoder, data)


@pytest.mark.parametrize("decoder", DECODERS, ids=IDS)
@settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_random_json_gives_protocol_errors_only(
    decoder: Callable[[bytes], object], value: Any
) -> None:
    _only_protocol_errors(decoder, json.dumps(value).encode() + b"\x00")


@pytest.mark.parametrize(("decoder", "valid"), zip(DECODERS, VALID, strict=True), ids=IDS)
def test_truncated_replies_give_protocol_errors_only(
    decoder: Callable[[bytes], object], valid: bytes
) -> None:
    decoder(valid)
    for end in range(len(valid)):
        _only_protocol_errors(decoder, valid[:end])
