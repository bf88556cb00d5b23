"""Frames of the port-8081 streaming websocket and the state they update."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.local.config import (
    LocalConfig,
    decode_config,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.local.frames import (
    LocalState,
    decode_frame,
)
from simulators.lamarzocco.local_gateway import LocalGateway, old_gateway_household

# From the public docs of the old library (docs/websockets.md, tests/test_machine.py).
BOILERS = (
    r'[{"Boilers":"[{\"id\":\"SteamBoiler\",\"isEnabled\":true,\"target\":131,\"current\":113},'
    r'{\"id\":\"CoffeeBoiler1\",\"isEnabled\":true,\"target\":94,\"current\":81}]"}]'
)
TARGETS = r'[{"BoilersTargetTemperature":"{\"SteamBoiler\":131,\"CoffeeBoiler1\":94}"}]'
STATISTICS = (
    r'[{"MachineStatistics":"{\"groups\":[{\"doses\":[{\"DoseA\":343},{\"DoseB\":0},'
    r"{\"ContinuousDose\":2}],\"clean\":0,\"ev_activations\":1012,\"ev_ontime\":11849}],"
    r"\"tot_doses\":345,\"boilers\":[{\"rsteam_ontime\":25},{\"rcoffee_ontime\":37}],"
    r"\"tea\":{\"count\":4,\"ev_activation\":0,\"ev_ontime\":0},\"pump_ontime\":11660,"
    r'\"machine_ontime\":2522,\"refill_ontime\":473,\"count_liter\":0}"}]'
)
SNAPSHOT = json.dumps(
    {
        "groupConfiguration": {"groupNumber": "Group1"},
        "flushInfo": {"doseIndex": "DoseA", "stopReason": "Manual", "time": 27.5},
    }
)
BREW_END = json.dumps([{"BrewingSnapshotGroup1": SNAPSHOT}, {"FlushStoppedGroup1Time": 27.5}])
FLUSH_END = json.dumps(
    [{"FlushSnapshotGroup1": SNAPSHOT.replace("27.5", "4.5")}, {"FlushStoppedGroup1Time": 4.5}]
)
VALID = [
    BOILERS,
    TARGETS,
    STATISTICS,
    BREW_END,
    FLUSH_END,
    '[{"BrewingUpdateGroup1Time":6.188},{"BrewingUpdateGroup1Ev":true}]',
    '[{"MachineMode":"StandBy"},{"Sleep":"command"},{"TankStatus":"empty"}]',
    '[{"KeepAlive":"ok"}]',
    json.dumps({"SystemInfo": json.dumps({"up_time": 5, "boot_reason": "ESP_RST_POWERON"})}),
]


def _config() -> LocalConfig:
    return decode_config(json.dumps(LocalGateway(old_gateway_household(), "LM000101").config()))


@pytest.fixture
def state() -> LocalState:
    return LocalState.from_config(_config())


def _feed(state: LocalState, *frames: str) -> LocalState:
    for text in frames:
        state = state.apply(decode_frame(text))
    return state


def test_the_config_gives_the_first_state(state: LocalState) -> None:
    assert state.machine_mode == "BrewingMode"
    assert state.coffee_target == 93.0
    assert state.steam_enabled is True
    assert state.brewing is False


def test_double_encoded_boilers_and_targets(state: LocalState) -> None:
    state = _feed(state, BOILERS, TARGETS)
    assert (state.coffee_temperature, state.coffee_target) == (81, 94)
    assert (state.steam_temperature, state.steam_target) == (113, 131)


def test_a_shot_runs_its_timer_and_ends_in_a_snapshot(state: LocalState) -> None:
    state = _feed(state, '[{"BrewingStartedGroup1DoseIndex":"DoseA"}]')
    assert (state.brewing, state.shot_timer) == (True, 0.0)
    state = _feed(state, '[{"BrewingUpdateGroup1Time":6.188},{"BrewingUpdateGroup1Ev":true}]')
    assert (state.brewing, state.shot_timer) == (True, 6.188)
    state = _feed(state, BREW_END)
    assert state.brewing is False
    assert state.last_shot is not None
    assert state.last_shot.seconds == 27.5
    # The valve closing after the shot is not a flush.
    assert state.last_flush is None
    state = _feed(state, FLUSH_END)
    assert state.last_flush is not None
    assert state.last_flush.seconds == 4.5
    assert state.last_shot.seconds == 27.5


def test_statistics_count_shots_and_flushes(state: LocalState) -> None:
    statistics = _feed(state, STATISTICS).statistics
    assert statistics is not None
    assert statistics.total_doses == 345
    assert statistics.doses == {"DoseA": 343, "DoseB": 0, "ContinuousDose": 2}
    assert statistics.total_flushes == 1012 - 345
    assert statistics.hot_water_doses == 4


def test_mode_tank_and_machine_configuration(state: LocalState) -> None:
    state = _feed(state, '[{"MachineMode":"StandBy"},{"TankStatus":"empty"}]')
    assert (state.machine_mode, state.tank_ok) == ("StandBy", False)
    document = LocalGateway(old_gateway_household(), "MR000102").config()
    state = _feed(state, json.dumps({"MachineConfiguration": json.dumps(document)}))
    assert state.machine_mode == "BrewingMode"
    assert state.config.preinfusion.preinfusion("Continuous") is not None


def test_partial_config_frames_replace_only_their_part(state: LocalState) -> None:
    state = _feed(state, BOILERS)
    groups = [
        {
            "capabilities": {"groupNumber": "Group1"},
            "doses": [{"doseIndex": "DoseA", "doseType": "PulsesType", "stopTarget": 77}],
        }
    ]
    state = _feed(state, json.dumps([{"GroupCapabilities": json.dumps(groups)}]))
    assert state.config.group is not None
    dose = state.config.group.dose("DoseA")
    assert dose is not None
    assert dose.target == 77
    assert state.coffee_temperature == 81  # not reset to the config's


def test_keep_alive_and_unknown_keys_change_nothing(state: LocalState) -> None:
    frame = decode_frame('[{"KeepAlive":"ok"},{"SomethingNew":1}]')
    assert frame.keep_alive
    assert state.apply(frame) == state
    assert decode_frame('{"Unknown":"x"}').changes == {}


def test_system_info_keeps_no_network_details(state: LocalState) -> None:
    info = json.dumps({"network_interfaces": [{"mac": "AA:BB"}], "up_time": 7})
    state = _feed(state, json.dumps({"SystemInfo": info}))
    assert state.system_info is not None
    assert state.system_info.up_time == 7
    assert "AA:BB" not in repr(state)


def test_one_bad_delta_rejects_the_whole_frame(state: LocalState) -> None:
    with pytest.raises(ProtocolError):
        decode_frame('[{"MachineMode":"StandBy"},{"CoffeeBoiler1UpdateTemperature":"hot"}]')
    assert state.machine_mode == "BrewingMode"


# -- property tests ---------------------------------------------------------------------------

KEYS = [
    "CoffeeBoiler1UpdateTemperature",
    "SteamBoilerUpdateSetPoint",
    "SteamBoilerEnabled",
    "MachineMode",
    "TankStatus",
    "BrewingUpdateGroup1Time",
    "BrewingUpdateGroup1Ev",
    "BrewingSnapshotGroup1",
    "FlushStoppedGroup1Time",
    "Boilers",
    "BoilersTargetTemperature",
    "MachineStatistics",
    "GroupCapabilities",
    "PreinfusionSettings",
    "MachineConfiguration",
    "SystemInfo",
    "KeepAlive",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["full", "true", "[]", "{}", '{"flushInfo":{}}', '[{"id":1}]', "null"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner),
    max_leaves=12,
)


def _only_protocol_errors(state: LocalState, text: str | bytes) -> None:
    before = copy.deepcopy(state)
    with contextlib.suppress(ProtocolError):
        state.apply(decode_frame(text))
    assert state == before


@settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_random_frames_give_protocol_errors_only(value: Any) -> None:
    with contextlib.suppress(ValueError):
        text = json.dumps(value)
        _only_protocol_errors(LocalState.from_config(_config()), text)
        _only_protocol_errors(LocalState.from_config(_config()), json.dumps([value]))


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=64))
def test_random_bytes_give_protocol_errors_only(data: bytes) -> None:
    _only_protocol_errors(LocalState.from_config(_config()), data)


@settings(max_examples=200, deadline=None)
@given(value=JSON)
def test_random_config_documents_give_protocol_errors_only(value: Any) -> None:
    with contextlib.suppress(ProtocolError):
        decode_config(json.dumps(value))


@pytest.mark.parametrize("valid", VALID)
def test_truncated_frames_give_protocol_errors_only(state: LocalState, valid: str) -> None:
    state.apply(decode_frame(valid))
    for end in range(len(valid)):
        _only_protocol_errors(state, valid[:end])


def test_truncated_config_gives_protocol_errors_only() -> None:
    text = json.dumps(LocalGateway(old_gateway_household(), "LM000101").config())
    for end in range(0, len(text), 7):
        with contextlib.suppress(ProtocolError):
            decode_config(text[:end])
