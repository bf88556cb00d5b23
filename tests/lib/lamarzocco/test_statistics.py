"""Statistics (counters, last coffees, trend) and the machines' processes over time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
import json
import random
from typing import Any, Final

import aiohttp
from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError, ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco import commands
from custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud import (
    Endpoints,
    LaMarzoccoCloud,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.dashboard import (
    BackFlush,
    CoffeeBoiler,
    MachineStatus,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import InstallationKey
from custom_components.kitchen_connect.kitchenlib.lamarzocco.statistics import (
    CoffeeAndFlushCounter,
    LastCoffee,
    TrendPoint,
    parse_counter,
    parse_last_coffees,
    parse_trend,
    stats_path,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.websocket import DashboardStream
from simulators.lamarzocco.household import default_household
from simulators.lamarzocco.server import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    LaMarzoccoCloudSimulator,
)

from .conftest import Recorder

MICRA, MINI, GS3, PICO = "MR000001", "LM000002", "GS000003", "PG000004"
DAY = 86_400_000
LAST_COFFEES: dict[str, Any] = {
    "output": {
        "lastCoffees": [
            {
                "time": 1_764_000_000_000,
                "extractionSeconds": 27.5,
                "doseMode": "Dose1",
                "doseIndex": "DoseA",
                "doseValue": 36.0,
                "doseValueNumerator": None,
            },
            {"time": 1_764_100_000_000, "extractionSeconds": 31, "doseMode": "Continuous"},
        ]
    }
}
TREND: dict[str, Any] = {
    "output": {
        "days": 2,
        "timezone": "Europe/Berlin",
        "coffees": [{"timestamp": 2 * DAY, "value": 4}, {"timestamp": DAY, "value": 3}],
        "flushes": [{"timestamp": DAY, "value": 1}],
    }
}


def test_counter_last_coffees_and_trend() -> None:
    counter = parse_counter({"output": {"totalCoffee": 1520, "totalFlush": 311}})
    assert counter == CoffeeAndFlushCounter(1520, 311)
    assert parse_last_coffees(LAST_COFFEES) == (
        LastCoffee(1_764_100_000_000, 31.0, "Continuous", None, None),
        LastCoffee(1_764_000_000_000, 27.5, "Dose1", "DoseA", 36.0),
    )
    trend = parse_trend(TREND)
    assert (trend.days, trend.timezone) == (2, "Europe/Berlin")
    assert trend.coffees == (TrendPoint(DAY, 3), TrendPoint(2 * DAY, 4))
    assert trend.flushes == (TrendPoint(DAY, 1),)


def test_paths_and_their_checks() -> None:
    assert stats_path("MR1", "LAST_COFFEE", days=7) == "/things/MR1/stats/LAST_COFFEE/1?days=7"
    assert stats_path("MR1", "X", days=1, timezone="Europe/Berlin").endswith(
        "?days=1&timezone=Europe%2FBerlin"
    )


_PARSERS: Final = (parse_counter, parse_last_coffees, parse_trend)


@pytest.mark.parametrize("data", [None, {}, {"output": None}, {"output": []}])
def test_replies_without_output_are_protocol_errors(data: Any) -> None:
    for parser in _PARSERS:
        with pytest.raises(ProtocolError):
            parser(data)


@pytest.mark.parametrize(
    ("parser", "output"),
    [
        (parse_counter, {"totalCoffee": -1, "totalFlush": 0}),
        (parse_counter, {"totalCoffee": 1}),
        (parse_last_coffees, {"lastCoffees": [{"time": None, "extractionSeconds": 1}]}),
        (parse_last_coffees, {"lastCoffees": [{"time": 1, "extractionSeconds": "27"}]}),
        (parse_last_coffees, {"lastCoffees": {}}),
        (parse_trend, {"days": 2, "coffees": [{"value": 1}]}),
        (parse_trend, {"coffees": []}),
    ],
)
def test_unusable_statistics_are_protocol_errors(
    parser: Callable[[Any], object], output: Any
) -> None:
    with pytest.raises(ProtocolError):
        parser({"output": output})


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@given(_JSON)
def test_random_statistics_parse_or_are_protocol_errors(data: Any) -> None:
    for parser in _PARSERS:
        with contextlib.suppress(ProtocolError):
            parser(data)
        with contextlib.suppress(ProtocolError):
            parser({"output": data})


@given(st.sampled_from([LAST_COFFEES, TREND]), st.data())
def test_truncated_statistics_are_protocol_errors(sample: Any, data: st.DataObject) -> None:
    text = json.dumps(sample)
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    with contextlib.suppress(ValueError):
        truncated = json.loads(text[:cut])
        for parser in (parse_last_coffees, parse_trend):
            with contextlib.suppress(ProtocolError):
                parser(truncated)


# --- over the wire --------------------------------------------------------------------------


async def test_statistics_of_the_household(cloud: LaMarzoccoCloud) -> None:
    counter = await cloud.async_coffee_and_flush_counter(MICRA)
    assert counter == CoffeeAndFlushCounter(1200, 310)
    week = await cloud.async_last_coffees(MICRA, days=7)
    month = await cloud.async_last_coffees(MICRA, days=30)
    assert 0 < len(week) < len(month)
    assert all(coffee.extraction_seconds > 20 for coffee in week)
    trend = await cloud.async_coffee_and_flush_trend(MICRA, days=7, timezone="Europe/Berlin")
    assert (trend.days, trend.timezone, len(trend.coffees)) == (7, "Europe/Berlin", 7)
    # The trend's days start at midnight: its week is within the last 7 days of 24 hours.
    assert 0 < sum(point.value for point in trend.coffees) <= len(week)
    for bad in (0, 366):
        with pytest.raises(InvalidValueError):
            await cloud.async_last_coffees(MICRA, days=bad)
    with pytest.raises(InvalidValueError):
        await cloud.async_coffee_and_flush_trend(MICRA, timezone="../../etc")
    with pytest.raises(ProtocolError, match="404"):
        await cloud.async_coffee_and_flush_counter(PICO)


# --- machines over time -------------------------------------------------------------------


@pytest.fixture
async def fast_sim() -> AsyncIterator[LaMarzoccoCloudSimulator]:
    """The household with time running 200 times faster (heating takes about a second)."""
    simulator = LaMarzoccoCloudSimulator(
        household=default_household(time_scale=200), tick_interval=0.005
    )
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def fast_cloud(
    fast_sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession
) -> LaMarzoccoCloud:
    """A client of the fast simulator."""
    client = LaMarzoccoCloud(
        http,
        InstallationKey.generate(),
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        endpoints=Endpoints.for_server(fast_sim.base_url),
        command_timeout=2.0,
    )
    await client.async_register()
    return client


@pytest.fixture
async def recorder(
    http: aiohttp.ClientSession, fast_cloud: LaMarzoccoCloud
) -> AsyncIterator[Recorder]:
    """What a running stream of every machine reported."""
    recorded = Recorder()
    stream = DashboardStream(
        http,
        fast_cloud,
        (MICRA, MINI, GS3),
        recorded,
        heart_beat_ms=0,
        backoff=(0.01, 0.05),
        rng=random.Random(1),
    )
    stream.start()
    await _until(lambda: len(recorded.reads) == 3)
    yield recorded
    await stream.stop()


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polls what the listener recorded
            await asyncio.sleep(0.005)


def _outputs[T](recorder: Recorder, serial: str, kind: type[T]) -> list[T]:
    return [
        widget.output
        for sn, push in recorder.pushes
        if sn == serial
        for widget in push.widgets
        if isinstance(widget.output, kind)
    ]


async def test_power_on_heats_up_then_ready_is_pushed(
    recorder: Recorder, fast_cloud: LaMarzoccoCloud
) -> None:
    await fast_cloud.async_send_command(GS3, commands.change_mode("BrewingMode"))
    await _until(lambda: "Ready" in [b.status for b in _outputs(recorder, GS3, CoffeeBoiler)])
    statuses = [boiler.status for boiler in _outputs(recorder, GS3, CoffeeBoiler)]
    assert statuses[0] == "HeatingUp"
    assert statuses[-1] == "Ready"
    heating = _outputs(recorder, GS3, CoffeeBoiler)[0]
    assert heating.ready_start_ms is not None


async def test_shot_ends_by_itself_and_joins_the_statistics(
    recorder: Recorder, fast_sim: LaMarzoccoCloudSimulator, fast_cloud: LaMarzoccoCloud
) -> None:
    before = await fast_cloud.async_coffee_and_flush_counter(MICRA)
    fast_sim.household.brew(MICRA, seconds=28)
    await _until(
        lambda: [s.status for s in _outputs(recorder, MICRA, MachineStatus)][-1:] == ["PoweredOn"]
    )
    statuses = [status.status for status in _outputs(recorder, MICRA, MachineStatus)]
    assert statuses == ["Brewing", "PoweredOn"]
    after = await fast_cloud.async_coffee_and_flush_counter(MICRA)
    assert after.total_coffees == before.total_coffees + 1
    newest = (await fast_cloud.async_last_coffees(MICRA, days=1))[0]
    assert 20 <= newest.extraction_seconds <= 40


async def test_backflush_runs_requested_cleaning_off(
    recorder: Recorder, fast_cloud: LaMarzoccoCloud
) -> None:
    await fast_cloud.async_send_command(MINI, commands.start_backflush())
    await _until(lambda: [b.status for b in _outputs(recorder, MINI, BackFlush)][-1:] == ["Off"])
    flushes = _outputs(recorder, MINI, BackFlush)
    assert [flush.status for flush in flushes] == ["Requested", "Cleaning", "Off"]
    assert flushes[0].last_cleaning_start_ms is None
    assert flushes[-1].last_cleaning_start_ms is not None


async def test_machine_losing_the_cloud_is_pushed(
    recorder: Recorder, fast_sim: LaMarzoccoCloudSimulator, fast_cloud: LaMarzoccoCloud
) -> None:
    machine = fast_sim.household.machines[MINI]
    machine.connected = False
    fast_sim.household.changed(machine)
    await _until(lambda: any(push.connected is False for _, push in recorder.pushes))
    assert not (await fast_cloud.async_dashboard(MINI)).thing.connected
