"""Smart standby and wake-up schedules: both shapes, the REST read and the websocket push."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
import json
import random
from typing import Any

import aiohttp
from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    CommandRefusedError,
    InvalidValueError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco import commands
from custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud import LaMarzoccoCloud
from custom_components.kitchen_connect.kitchenlib.lamarzocco.commands import Command, Range
from custom_components.kitchen_connect.kitchenlib.lamarzocco.scheduling import (
    Scheduling,
    SmartStandBy,
    WakeUpSchedule,
    parse_scheduling,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.websocket import DashboardStream
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator

from .conftest import Recorder

MICRA, MINI, GS3, PICO = "MR000001", "LM000002", "GS000003", "PG000004"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

OLD_SHAPE: dict[str, Any] = {
    "smartWakeUpSleepSupported": True,
    "smartWakeUpSleep": {
        "smartStandByEnabled": True,
        "smartStandByMinutes": 30,
        "smartStandByMinutesMin": 10,
        "smartStandByMinutesMax": 240,
        "smartStandByMinutesStep": 1,
        "smartStandByAfter": "PowerOn",
        "schedules": [
            {
                "id": "Os2OswX",
                "enabled": True,
                "onTimeMinutes": 390,
                "offTimeMinutes": 540,
                "days": WEEKDAYS,
                "steamBoiler": True,
            }
        ],
    },
    "weeklySupported": False,
    "autoStandBy": None,
    "autoOnOff": None,
}

NEW_SHAPE: dict[str, Any] = {
    "smartStandBySupported": True,
    "smartStandBy": {
        "enabled": True,
        "minutes": 30,
        "minutesMin": 10,
        "minutesMax": 240,
        "minutesStep": 1,
        "after": "PowerOn",
    },
    "smartWakeUpSleepSupported": True,
    "smartWakeUpSleep": {
        "steamBoilerSupported": True,
        "schedules": OLD_SHAPE["smartWakeUpSleep"]["schedules"],
    },
    "earlyStartSupported": True,
    "earlyStart": {"enabled": False},
    "autoOnOffSupported": False,
    "ecoModeSupported": False,
}

SCHEDULE = WakeUpSchedule("Os2OswX", True, 390, 540, tuple(WEEKDAYS), True)
STANDBY = SmartStandBy(True, 30, 10, 240, 1, "PowerOn")


def test_both_shapes_read_as_one_model() -> None:
    old, new = parse_scheduling(OLD_SHAPE), parse_scheduling(NEW_SHAPE)
    for scheduling in (old, new):
        assert scheduling.smart_standby == STANDBY
        assert scheduling.smart_standby_supported
        assert scheduling.wake_up_supported
        assert scheduling.steam_boiler_supported
        assert scheduling.schedules == (SCHEDULE,)
        assert scheduling.schedule("Os2OswX") == SCHEDULE
        assert scheduling.schedule("nope") is None
    assert (old.new_shape, new.new_shape) == (False, True)
    assert (old.early_start_supported, new.early_start_supported) == (False, True)
    assert new.early_start is False
    assert STANDBY.limits == Range(10, 240, 1)


def test_standby_without_limits_falls_back_and_odd_schedules_are_left_out() -> None:
    scheduling = parse_scheduling(
        {
            "smartStandBy": {"enabled": False, "minutes": 0, "after": "LastBrewing"},
            "smartWakeUpSleep": {
                "schedules": [
                    None,
                    {"id": "x", "onTimeMinutes": 5000, "offTimeMinutes": 1, "days": []},
                    {"id": "y", "onTimeMinutes": 1, "offTimeMinutes": 2, "days": ["Funday"]},
                ]
            },
            "earlyStart": True,
        }
    )
    assert scheduling.smart_standby is not None
    assert scheduling.smart_standby.limits == Range(0, 240, 1)
    assert [(s.schedule_id, s.days) for s in scheduling.schedules] == [("y", ())]
    assert scheduling.early_start is True
    assert not scheduling.steam_boiler_supported


def test_no_standby_at_all() -> None:
    scheduling = parse_scheduling({"smartWakeUpSleepSupported": False})
    assert scheduling.smart_standby is None
    assert not scheduling.smart_standby_supported
    assert scheduling.schedules == ()


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"smartStandBy": {"enabled": True}},
        {"smartStandBy": {"minutes": -1}},
        {"smartWakeUpSleep": {"smartStandByMinutes": "30"}},
        {"smartWakeUpSleep": {"schedules": {}}},
        {"smartWakeUpSleep": {"schedules": [{}] * 65}},
    ],
)
def test_unusable_scheduling_is_a_protocol_error(data: Any) -> None:
    with pytest.raises(ProtocolError):
        parse_scheduling(data)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@given(_JSON)
def test_random_scheduling_parses_or_is_a_protocol_error(data: Any) -> None:
    with contextlib.suppress(ProtocolError):
        parse_scheduling(data)


@given(st.sampled_from([OLD_SHAPE, NEW_SHAPE]), st.data())
def test_mutated_scheduling_parses_or_is_a_protocol_error(
    sample: dict[str, Any], data: st.DataObject
) -> None:
    mutated = {**sample}
    key = data.draw(st.sampled_from(sorted(mutated)))
    mutated[key] = data.draw(_JSON)
    with contextlib.suppress(ProtocolError):
        parse_scheduling(mutated)


@given(st.sampled_from([OLD_SHAPE, NEW_SHAPE]), st.integers(min_value=0, max_value=400))
def test_truncated_scheduling_json_is_a_protocol_error(sample: dict[str, Any], cut: int) -> None:
    text = json.dumps(sample)[:cut]
    try:
        data = json.loads(text)
    except ValueError:
        return
    with contextlib.suppress(ProtocolError):
        parse_scheduling(data)


# --- over the wire --------------------------------------------------------------------------


async def test_every_machine_reads_the_same_model_from_its_shape(cloud: LaMarzoccoCloud) -> None:
    micra, mini, gs3 = [await cloud.async_scheduling(sn) for sn in (MICRA, MINI, GS3)]
    assert (micra.new_shape, mini.new_shape, gs3.new_shape) == (True, False, False)
    for scheduling in (micra, mini, gs3):
        assert scheduling.smart_standby == SmartStandBy(True, 30, 10, 240, 1, "PowerOn")
    assert [s.days for s in micra.schedules] == [tuple(WEEKDAYS)]
    assert [s.days for s in mini.schedules] == [("Saturday", "Sunday")]
    assert gs3.schedules == ()


async def test_grinder_has_no_scheduling(cloud: LaMarzoccoCloud) -> None:
    with pytest.raises(ProtocolError, match="404"):
        await cloud.async_scheduling(PICO)


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polls what the listener recorded
            await asyncio.sleep(0.005)


@pytest.fixture
async def stream(
    http: aiohttp.ClientSession, cloud: LaMarzoccoCloud, recorder: Recorder
) -> AsyncIterator[DashboardStream]:
    """A stream for every thing; scheduling asked for the grinder too, which has none."""
    dashboard_stream = DashboardStream(
        http,
        cloud,
        (MICRA, MINI, GS3, PICO),
        recorder,
        heart_beat_ms=0,
        backoff=(0.01, 0.05),
        rng=random.Random(1),
        scheduling_serials=(MICRA, MINI, GS3, PICO),
    )
    dashboard_stream.start()
    await _until(lambda: len(recorder.schedules) == 3)
    yield dashboard_stream
    await dashboard_stream.stop()


@pytest.fixture
def recorder() -> Recorder:
    """What the stream reported."""
    return Recorder()


def _latest(recorder: Recorder, serial: str) -> Scheduling:
    return [scheduling for sn, scheduling in recorder.schedules if sn == serial][-1]


async def test_stream_reads_scheduling_after_connect_and_skips_the_grinder(
    stream: DashboardStream, recorder: Recorder, sim: LaMarzoccoCloudSimulator
) -> None:
    assert sorted(serial for serial, _ in recorder.schedules) == [GS3, MINI, MICRA]
    assert stream.connected
    assert sim.open_sockets == 1
    # After a drop the scheduling is read again, on the same single connection.
    await sim.drop_sockets()
    await _until(lambda: len(recorder.schedules) == 6)
    assert stream.connects == 2


async def _send(cloud: LaMarzoccoCloud, serial: str, command: Command) -> None:
    await cloud.async_send_command(serial, command)


async def test_schedule_create_edit_delete_are_pushed(
    stream: DashboardStream, recorder: Recorder, cloud: LaMarzoccoCloud
) -> None:
    await _send(
        cloud,
        GS3,
        commands.wake_up_schedule(
            enabled=True, on_minutes=420, off_minutes=600, steam_boiler=False, days=["Sunday"]
        ),
    )
    # The push arrived before the command's result.
    (created,) = _latest(recorder, GS3).schedules
    assert (created.on_minutes, created.days, created.steam_boiler) == (420, ("Sunday",), False)

    await _send(
        cloud,
        GS3,
        commands.wake_up_schedule(
            enabled=False,
            on_minutes=430,
            off_minutes=600,
            steam_boiler=True,
            days=["Saturday", "Sunday"],
            schedule_id=created.schedule_id,
        ),
    )
    (edited,) = _latest(recorder, GS3).schedules
    assert (edited.schedule_id, edited.enabled, edited.on_minutes) == (
        created.schedule_id,
        False,
        430,
    )
    assert (await cloud.async_scheduling(GS3)).schedules == (edited,)

    await _send(cloud, GS3, commands.delete_wake_up_schedule(created.schedule_id))
    assert _latest(recorder, GS3).schedules == ()


async def test_smart_standby_in_the_2026_shape_is_pushed(
    stream: DashboardStream, recorder: Recorder, cloud: LaMarzoccoCloud
) -> None:
    limits = (await cloud.async_scheduling(MICRA)).smart_standby
    assert limits is not None
    await _send(cloud, MICRA, commands.smart_standby(False, 45, "LastBrewing", limits.limits))
    assert _latest(recorder, MICRA).smart_standby == SmartStandBy(
        False, 45, 10, 240, 1, "LastBrewing"
    )
    with pytest.raises(InvalidValueError):
        commands.smart_standby(True, 5, "PowerOn", limits.limits)


async def test_bad_schedule_values_are_refused_by_the_cloud(
    stream: DashboardStream, cloud: LaMarzoccoCloud
) -> None:
    for name, body in (
        ("CoffeeMachineSettingWakeUpSchedule", {"enabled": True}),
        ("CoffeeMachineDeleteWakeUpSchedule", {"id": "unknown"}),
        ("CoffeeMachineSettingSmartStandBy", {"enabled": True, "minutes": 5, "after": "PowerOn"}),
        ("CoffeeMachineSettingSmartStandBy", {"enabled": 1, "minutes": 30, "after": "PowerOn"}),
    ):
        with pytest.raises(CommandRefusedError, match="HTTP 400"):
            await _send(cloud, MICRA, Command(name, body))


async def test_old_schedule_command_is_answered_with_the_new_name(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession, cloud: LaMarzoccoCloud
) -> None:
    token = await cloud.async_access_token()
    body = {"enabled": True, "onTimeMinutes": 1, "offTimeMinutes": 2, "days": ["Monday"]}
    async with http.post(
        f"{cloud.endpoints.api}/things/{MICRA}/command/CoffeeMachineSetWakeUpSchedule",
        json={**body, "steamBoiler": True},
        headers={**cloud.signed_headers(), "Authorization": f"Bearer {token}"},
    ) as response:
        assert response.status == 400
        assert "CoffeeMachineSettingWakeUpSchedule" in (await response.json())["message"]


async def test_a_null_scheduling_is_skipped_and_the_stream_keeps_running(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession, cloud: LaMarzoccoCloud
) -> None:
    sim.household.machines[GS3].schedule_shape = "null"
    recorder = Recorder()
    stream = DashboardStream(
        http,
        cloud,
        (MICRA, GS3, PICO),
        recorder,
        heart_beat_ms=0,
        scheduling_serials=(MICRA, GS3, PICO),
    )
    stream.start()
    try:
        await _until(lambda: len(recorder.schedules) == 1)
        sim.household.start_brewing(GS3)
        await _until(lambda: any(sn == GS3 for sn, _ in recorder.pushes))
        assert stream.connects == 1
        assert [sn for sn, _ in recorder.schedules] == [MICRA]
    finally:
        await stream.stop()
