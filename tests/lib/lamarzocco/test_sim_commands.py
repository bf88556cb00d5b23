"""Every command the simulated cloud accepts changes the machine; bad values get a 400."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import random
from typing import Any

import aiohttp
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import CommandRefusedError
from custom_components.kitchen_connect.kitchenlib.lamarzocco import commands
from custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud import LaMarzoccoCloud
from custom_components.kitchen_connect.kitchenlib.lamarzocco.commands import Command, Range
from custom_components.kitchen_connect.kitchenlib.lamarzocco.dashboard import (
    BrewByWeight,
    Dashboard,
    GrinderDoses,
    GroupDoses,
    HotWaterDose,
    PreBrewing,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.websocket import DashboardStream
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator

from .conftest import Recorder

MICRA, MINI, GS3, PICO = "MR000001", "LM000002", "GS000003", "PG000004"


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polls what the listener recorded
            await asyncio.sleep(0.005)


@pytest.fixture
async def stream(http: aiohttp.ClientSession, cloud: LaMarzoccoCloud) -> AsyncIterator[None]:
    """A running stream, so commands complete."""
    recorder = Recorder()
    dashboard_stream = DashboardStream(
        http,
        cloud,
        (MICRA, MINI, GS3, PICO),
        recorder,
        heart_beat_ms=0,
        backoff=(0.01, 0.05),
        rng=random.Random(1),
    )
    dashboard_stream.start()
    await _until(lambda: len(recorder.reads) == 4)
    yield
    await dashboard_stream.stop()


def _output[T](dashboard: Dashboard, kind: type[T]) -> T:
    found = [widget.output for widget in dashboard.widgets if isinstance(widget.output, kind)]
    assert found, kind
    return found[0]


@pytest.mark.usefixtures("stream")
async def test_prebrew_times_change_and_are_shown(cloud: LaMarzoccoCloud) -> None:
    prebrew = _output(await cloud.async_dashboard(MICRA), PreBrewing)
    (dose,) = prebrew.times["PreBrewing"]
    limits = Range.of(dose.in_time.minimum, dose.in_time.maximum, dose.in_time.step)
    assert limits == Range(0, 10, 0.1)
    await cloud.async_send_command(MICRA, commands.prebrew_times(1.5, 2.5, limits=limits))
    (dose,) = _output(await cloud.async_dashboard(MICRA), PreBrewing).times["PreBrewing"]
    assert (dose.in_time.seconds, dose.out_time.seconds) == (1.5, 2.5)
    await cloud.async_send_command(MICRA, commands.prebrew_mode("PreInfusion"))
    await cloud.async_send_command(MICRA, commands.prebrew_times(0, 6, limits=limits))
    (dose,) = _output(await cloud.async_dashboard(MICRA), PreBrewing).times["PreInfusion"]
    assert dose.out_time.seconds == 6


@pytest.mark.usefixtures("stream")
async def test_doses_plumb_in_and_grinder(
    cloud: LaMarzoccoCloud, sim: LaMarzoccoCloudSimulator
) -> None:
    await cloud.async_send_command(MINI, commands.brew_by_weight_doses(30.5, 42))
    doses = _output(await cloud.async_dashboard(MINI), BrewByWeight).doses
    assert (doses["Dose1"].dose, doses["Dose2"].dose) == (30.5, 42)

    pulses = _output(await cloud.async_dashboard(GS3), GroupDoses).doses["PulsesType"]
    await cloud.async_send_command(
        GS3, commands.group_dose("PulsesType", "DoseB", 150, Range.of_dose(pulses[1]))
    )
    await cloud.async_send_command(GS3, commands.group_dose_mode("PulsesType", ["PulsesType"]))
    hot_water = _output(await cloud.async_dashboard(GS3), HotWaterDose).doses[0]
    await cloud.async_send_command(
        GS3, commands.hot_water_dose("DoseA", 12, Range.of_dose(hot_water))
    )
    gs3 = await cloud.async_dashboard(GS3)
    assert _output(gs3, GroupDoses).doses["PulsesType"][1].dose == 150
    assert _output(gs3, HotWaterDose).doses[0].dose == 12

    await cloud.async_send_command(GS3, commands.plumb_in(False))
    assert not (await cloud.async_settings(GS3)).plumbed_in

    grinder = _output(await cloud.async_dashboard(PICO), GrinderDoses)
    mass = grinder.doses["MassType"][0]
    await cloud.async_send_command(
        PICO, commands.grinder_dose("MassType", "DoseA", 19.2, Range.of_dose(mass))
    )
    grinder = _output(await cloud.async_dashboard(PICO), GrinderDoses)
    assert (grinder.mode, grinder.doses["MassType"][0].dose) == ("MassType", 19.2)


@pytest.mark.parametrize(
    ("serial", "name", "body"),
    [
        (MICRA, "CoffeeMachinePreBrewingSettingTimes", {"times": {"In": 1, "Out": 1}}),
        (
            MICRA,
            "CoffeeMachinePreBrewingSettingTimes",
            {"times": {"In": 11, "Out": 1}, "groupIndex": 1, "doseIndex": "ByGroup"},
        ),
        (MINI, "CoffeeMachineBrewByWeightSettingDoses", {"doses": {"Dose1": 30}}),
        (MINI, "CoffeeMachineBrewByWeightSettingDoses", {"doses": {"Dose1": 1, "Dose2": 30}}),
        (MICRA, "CoffeeMachineBrewByWeightSettingDoses", {"doses": {"Dose1": 30, "Dose2": 30}}),
        (MINI, "CoffeeMachineSettingPlumbIn", {"enabled": True}),
        (GS3, "CoffeeMachineSettingPlumbIn", {"enabled": "no"}),
        (
            GS3,
            "CoffeeMachineGroupDoseSettingDose",
            {"groupIndex": 1, "mode": "PulsesType", "doseIndex": "DoseE", "dose": 1},
        ),
        (GS3, "CoffeeMachineGroupDoseChangeMode", {"groupIndex": 1, "mode": "MassType"}),
        (GS3, "CoffeeMachineSettingHotWaterDose", {"doseIndex": "DoseA", "dose": 31}),
        (MICRA, "CoffeeMachineSettingHotWaterDose", {"doseIndex": "DoseA", "dose": 5}),
        (
            PICO,
            "GrinderSettingDose",
            {"index": 1, "mode": "TimeType", "doseIndex": "DoseA", "dose": 46},
        ),
        (
            PICO,
            "GrinderSettingDose",
            {"index": 1, "mode": "RevType", "doseIndex": "DoseA", "dose": 4},
        ),
        (
            PICO,
            "GrinderSettingDose",
            {"index": 1, "mode": "TimeType", "doseIndex": "DoseA", "dose": 4, "speedLevel": "X"},
        ),
        (MICRA, "CoffeeMachineBackFlushStartCleaning", {"enabled": False}),
    ],
)
async def test_bad_values_are_refused_with_400(
    cloud: LaMarzoccoCloud, serial: str, name: str, body: dict[str, Any]
) -> None:
    with pytest.raises(CommandRefusedError, match="HTTP 400"):
        await cloud.async_send_command(serial, Command(name, body))
