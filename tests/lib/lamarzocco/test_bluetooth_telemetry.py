"""Shot-counter notifications and the shot state they add up to."""

from __future__ import annotations

from dataclasses import dataclass
import json
from typing import Any

import pytest

from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.telemetry import (
    ShotState,
    ShotTracker,
    Telemetry,
    decode_telemetry,
)

START = 1_790_000_000.0


@dataclass
class FakeClock:
    """Epoch seconds the test moves."""

    now: float = START

    def __call__(self) -> float:
        return self.now


def _bytes(values: dict[str, Any]) -> bytes:
    return json.dumps(values).encode() + b"\x00"


def test_every_key_is_decoded() -> None:
    telemetry = decode_telemetry(
        _bytes(
            {
                "BrewingStartedGroup1DoseIndex": "DoseA",
                "BrewingUpdateGroup1Ev": "true",
                "BrewingUpdateGroup1Backflush": False,
                "BrewingUpdateGroup1Time": 7.5,
                "FlushStoppedGroup1Time": 3,
                "FlushStoppedGroup1DoseIndex": 1,
                "BrewingStoppedGroup1Time": 28.1,
                "BrewingStoppedGroup1DoseIndex": "DoseA",
                "BrewingStoppedGroup1StopType": "Volumetric",
                "BrewingStoppedGroup1StopReason": "Dose",
                "CoffeeBoiler1UpdateTemperature": 93.4,
                "SteamBoilerUpdateTemperature": 127,
                "MachineMode": "BrewingMode",
                "Sleep": False,
                "MachineStatistics": '{"coffees":1234}',
                "SomethingNew": [1, 2],
            }
        )
    )
    assert telemetry.started_dose_index == "DoseA"
    assert telemetry.brewing is True
    assert telemetry.backflush is False
    assert telemetry.brewing_time == 7.5
    assert (telemetry.flush_stopped_time, telemetry.flush_stopped_dose_index) == (3, "1")
    assert telemetry.stopped_time == 28.1
    assert (telemetry.stop_type, telemetry.stop_reason) == ("Volumetric", "Dose")
    assert (telemetry.coffee_temperature, telemetry.steam_temperature) == (93.4, 127)
    assert (telemetry.machine_mode, telemetry.sleep) == ("BrewingMode", False)
    assert telemetry.statistics == {"coffees": 1234}


@pytest.mark.parametrize(
    "values",
    [
        {"MachineStatistics": "{not json"},
        {"MachineStatistics": "[1]"},
        {"BrewingUpdateGroup1Time": -1},
        {"BrewingStartedGroup1DoseIndex": True},
        {"Sleep": "perhaps"},
    ],
)
def test_bad_notifications_are_protocol_errors(values: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError):
        decode_telemetry(_bytes(values))


def test_a_shot_from_start_to_stop() -> None:
    clock = FakeClock()
    tracker = ShotTracker(clock=clock)
    status = tracker.feed(Telemetry(started_dose_index="DoseA"))
    assert status is not None
    assert status.state is ShotState.BREWING
    assert status.started_at == START
    clock.now += 5.2
    status = tracker.feed(Telemetry(brewing=True, brewing_time=5.0))
    assert status is not None
    # The start keeps the earliest estimate (the first notification arrived late).
    assert status.started_at == START
    assert status.elapsed == 5.0
    clock.now += 20
    status = tracker.feed(Telemetry(stopped_time=25.3, stop_type="Manual"))
    assert status is not None
    assert status.state is ShotState.STOPPED
    assert status.last_shot_duration == 25.3
    assert status.elapsed is None


def test_a_late_first_update_moves_the_start_back() -> None:
    clock = FakeClock()
    tracker = ShotTracker(clock=clock)
    status = tracker.feed(Telemetry(brewing=True, brewing_time=3.0))
    assert status is not None
    assert status.started_at == START - 3.0
    clock.now += 10
    # Ev false without a timer: the duration is what the clock says since the start.
    status = tracker.feed(Telemetry(brewing=False))
    assert status is not None
    assert status.state is ShotState.STOPPED
    assert status.last_shot_duration == pytest.approx(13.0)


def test_a_new_shot_resets_the_start_and_keeps_the_last_duration() -> None:
    clock = FakeClock()
    tracker = ShotTracker(clock=clock)
    tracker.feed(Telemetry(brewing=True, brewing_time=2.0))
    tracker.feed(Telemetry(stopped_time=30.0))
    clock.now += 100
    status = tracker.feed(Telemetry(started_dose_index="DoseB"))
    assert status is not None
    assert status.state is ShotState.BREWING
    assert status.started_at == START + 100
    assert status.last_shot_duration == 30.0


def test_flush_and_backflush() -> None:
    tracker = ShotTracker(clock=FakeClock())
    status = tracker.feed(Telemetry(backflush=True, brewing=True, brewing_time=1.0))
    assert status is not None
    assert status.state is ShotState.BACKFLUSHING
    status = tracker.feed(Telemetry(flush_stopped_time=4.0))
    assert status is not None
    assert status.state is ShotState.FLUSHED
    assert status.last_shot_duration is None


def test_the_first_notification_after_subscribing_is_dropped() -> None:
    tracker = ShotTracker(clock=FakeClock())
    tracker.subscribed()
    assert tracker.feed(Telemetry(stopped_time=31.5)) is None
    assert tracker.status.state is ShotState.IDLE
    assert tracker.status.last_shot_duration is None
    status = tracker.feed(Telemetry(coffee_temperature=92.0, machine_mode="BrewingMode"))
    assert status is not None
    assert status.coffee_temperature == 92.0
    assert status.state is ShotState.IDLE


def test_state_goes_stale_after_a_minute_without_updates() -> None:
    clock = FakeClock()
    tracker = ShotTracker(clock=clock)
    assert tracker.is_stale()
    tracker.feed(Telemetry(brewing=True, brewing_time=1.0))
    tracker.feed(Telemetry(stopped_time=22.0))
    tracker.feed(Telemetry(brewing=True, brewing_time=1.0, steam_temperature=120.0))
    clock.now += 59
    assert tracker.status.state is ShotState.BREWING
    clock.now += 2
    assert tracker.is_stale()
    assert tracker.status.state is ShotState.IDLE
    assert tracker.status.steam_temperature is None
    assert tracker.status.started_at is None
    assert tracker.status.last_shot_duration == 22.0
    # A notification after a stale spell starts from nothing, not from the old shot.
    status = tracker.feed(Telemetry(coffee_temperature=90.0))
    assert status is not None
    assert status.state is ShotState.IDLE
    assert status.steam_temperature is None
    assert status.last_shot_duration == 22.0
