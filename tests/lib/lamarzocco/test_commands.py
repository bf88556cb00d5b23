"""Command payloads, their ranges, and how a command's result is judged."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    CommandRefusedError,
    InvalidValueError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco import commands as cmd
from custom_components.kitchen_connect.kitchenlib.lamarzocco.commands import (
    CommandOutcome,
    Range,
    command_outcome,
    outcome_error,
    parse_command_reply,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.dashboard import (
    CommandUpdate,
    Dose,
    parse_dashboard,
)

from . import samples


def test_power_steam_and_temperatures() -> None:
    command = cmd.change_mode("StandBy")
    assert (command.name, dict(command.body)) == ("CoffeeMachineChangeMode", {"mode": "StandBy"})
    assert command.path("MR012345") == "/things/MR012345/command/CoffeeMachineChangeMode"
    assert dict(cmd.steam_boiler_enabled(False).body) == {"boilerIndex": 1, "enabled": False}
    assert dict(cmd.steam_level("Level2").body) == {"boilerIndex": 1, "targetLevel": "Level2"}
    assert dict(cmd.coffee_temperature(93.3).body) == {
        "boilerIndex": 1,
        "targetTemperature": 93.3,
    }
    steam = cmd.steam_temperature(128)
    assert steam.name == "CoffeeMachineSettingSteamBoilerTargetTemperature"
    assert steam.body["targetTemperature"] == 128


def test_coffee_temperature_range_comes_from_the_widget() -> None:
    boiler = parse_dashboard(samples.MICRA).widget("CMCoffeeBoiler").output  # type: ignore[union-attr]
    micra = Range.of(boiler.target_min, boiler.target_max, boiler.target_step)  # type: ignore[union-attr]
    with pytest.raises(InvalidValueError, match="between 80 and 100"):
        cmd.coffee_temperature(105, micra)
    assert cmd.coffee_temperature(105).body["targetTemperature"] == 105


@pytest.mark.parametrize("value", [79.9, 110.1, 93.25, float("nan"), float("inf"), True, "93"])
def test_coffee_temperature_outside_the_range_is_refused(value: Any) -> None:
    with pytest.raises(InvalidValueError):
        cmd.coffee_temperature(value)


def test_prebrew_commands() -> None:
    command = cmd.prebrew_times(2.5, 30)
    assert dict(command.body) == {
        "times": {"In": 2.5, "Out": 30},
        "groupIndex": 1,
        "doseIndex": "ByGroup",
    }
    with pytest.raises(InvalidValueError):
        cmd.prebrew_times(0, 30.1)
    assert cmd.prebrew_mode("PreInfusion").body == {"mode": "PreInfusion"}
    with pytest.raises(InvalidValueError, match="does not offer"):
        cmd.prebrew_mode("PreInfusion", ["PreBrewing", "Disabled"])
    with pytest.raises(InvalidValueError):
        cmd.prebrew_mode("Soak")


def test_backflush_and_switches() -> None:
    assert cmd.start_backflush().body == {"enabled": True}
    assert cmd.plumb_in(True).name == "CoffeeMachineSettingPlumbIn"
    assert cmd.cup_warmer(False).body == {"enabled": False}
    with pytest.raises(InvalidValueError):
        cmd.plumb_in(1)  # type: ignore[arg-type]


def test_smart_standby() -> None:
    limits = Range(10, 240, 10)
    assert dict(cmd.smart_standby(True, 30, "LastBrewing", limits).body) == {
        "enabled": True,
        "minutes": 30,
        "after": "LastBrewing",
    }
    with pytest.raises(InvalidValueError):
        cmd.smart_standby(True, 35, "LastBrewing", limits)
    with pytest.raises(InvalidValueError):
        cmd.smart_standby(True, 30, "Midnight", limits)


def test_wake_up_schedules() -> None:
    created = cmd.wake_up_schedule(
        enabled=True, on_minutes=390, off_minutes=600, steam_boiler=False, days=["Monday", "Friday"]
    )
    assert created.name == "CoffeeMachineSettingWakeUpSchedule"
    assert "id" not in created.body
    assert created.body["days"] == ["Monday", "Friday"]
    changed = cmd.wake_up_schedule(
        enabled=False,
        on_minutes=0,
        off_minutes=1439,
        steam_boiler=True,
        days=["Sunday"],
        schedule_id="a1b2",
    )
    assert changed.body["id"] == "a1b2"
    assert cmd.delete_wake_up_schedule("a1b2").body == {"id": "a1b2"}
    for days in ([], ["Monday", "Monday"], ["Funday"]):
        with pytest.raises(InvalidValueError):
            cmd.wake_up_schedule(
                enabled=True, on_minutes=1, off_minutes=2, steam_boiler=False, days=days
            )
    with pytest.raises(InvalidValueError):
        cmd.wake_up_schedule(
            enabled=True, on_minutes=1440, off_minutes=2, steam_boiler=False, days=["Monday"]
        )
    with pytest.raises(InvalidValueError):
        cmd.delete_wake_up_schedule("../x")


def test_brew_by_weight() -> None:
    assert cmd.brew_by_weight_mode("Continuous").body == {"mode": "Continuous"}
    assert dict(cmd.brew_by_weight_doses(36, 40.5).body) == {"doses": {"Dose1": 36, "Dose2": 40.5}}
    for dose in (4.9, 100.1):
        with pytest.raises(InvalidValueError):
            cmd.brew_by_weight_doses(dose, 40)


def test_gs3_av_doses_use_the_widget_ranges() -> None:
    doses = parse_dashboard(samples.GS3_AV).widget("CMGroupDoses").output  # type: ignore[union-attr]
    dose_a = doses.doses["PulsesType"][0]  # type: ignore[union-attr]
    command = cmd.group_dose("PulsesType", "DoseA", 150, Range.of_dose(dose_a))
    assert dict(command.body) == {
        "groupIndex": 1,
        "mode": "PulsesType",
        "doseIndex": "DoseA",
        "dose": 150,
    }
    with pytest.raises(InvalidValueError):
        cmd.group_dose("PulsesType", "DoseA", 10_000, Range.of_dose(dose_a))
    assert cmd.group_dose_mode("PulsesType", ["PulsesType"]).body["mode"] == "PulsesType"
    with pytest.raises(InvalidValueError):
        cmd.group_dose_mode("MassType", ["PulsesType"])
    water = cmd.hot_water_dose("DoseA", 12, Range(0, 30, 1))
    assert dict(water.body) == {"doseIndex": "DoseA", "dose": 12}
    with pytest.raises(InvalidValueError):
        cmd.hot_water_dose("Dose A!", 12, Range(0, 30, 1))


def test_range_needs_the_widget_or_a_fallback() -> None:
    with pytest.raises(InvalidValueError, match="no usable range"):
        Range.of_dose(Dose("DoseA", 5, None, None, None))
    assert Range.of(None, 50, None, fallback=Range(1, 45, 0.1)) == Range(1, 50, 0.1)
    with pytest.raises(InvalidValueError):
        Range.of(10, 5, 1)


def test_pico_grinder_commands() -> None:
    assert cmd.grinder_mode("StandBy").body == {"mode": "StandBy"}
    assert dict(cmd.barista_light(True).body) == {"index": 1, "enabled": True}
    command = cmd.grinder_dose("TimeType", "DoseA", 9.5, Range(1, 45, 0.1))
    assert dict(command.body) == {"index": 1, "mode": "TimeType", "doseIndex": "DoseA", "dose": 9.5}
    fast = cmd.grinder_dose("MassType", "DoseB", 18, Range(5, 50, 0.1), speed_level="High")
    assert fast.body["speedLevel"] == "High"
    with pytest.raises(InvalidValueError):
        cmd.grinder_dose("MassType", "DoseB", 18, Range(5, 50, 0.1), speed_level="Turbo")
    with pytest.raises(InvalidValueError):
        cmd.grinder_mode("BrewingMode")


def test_pending_reply() -> None:
    reply = [{"id": "2f0e3c1b-6b61-4b5c-9a8f-7e6d5c4b3a29", "status": "Pending", "errorCode": None}]
    pending = parse_command_reply(reply)
    assert (pending.status, pending.error_code) == ("Pending", None)
    for bad in (None, [], {}, [{"status": "Pending"}]):
        with pytest.raises(ProtocolError):
            parse_command_reply(bad)


def _update(status: str, error_code: str | None = None) -> CommandUpdate:
    return CommandUpdate("2f0e3c1b-6b61-4b5c-9a8f-7e6d5c4b3a29", status, error_code)


@pytest.mark.parametrize(
    ("update", "elapsed", "outcome"),
    [
        (None, 0, CommandOutcome.WAITING),
        (None, 10, CommandOutcome.TIMED_OUT),
        (_update("Pending"), 3, CommandOutcome.WAITING),
        (_update("InProgress"), 9.9, CommandOutcome.WAITING),
        (_update("InProgress"), 10, CommandOutcome.TIMED_OUT),
        (_update("Success"), 11, CommandOutcome.SUCCEEDED),
        (_update("Error", "MachineOff"), 1, CommandOutcome.FAILED),
        (_update("Timeout"), 1, CommandOutcome.FAILED),
        (_update("SomethingNew"), 1, CommandOutcome.WAITING),
        (_update("SomethingNew"), 12, CommandOutcome.TIMED_OUT),
    ],
)
def test_command_outcome(
    update: CommandUpdate | None, elapsed: float, outcome: CommandOutcome
) -> None:
    assert command_outcome(update, elapsed=elapsed) is outcome


def test_failures_are_errors_the_user_sees() -> None:
    command = cmd.change_mode("BrewingMode")
    error = outcome_error(command, CommandOutcome.FAILED, _update("Error", "MachineOff"))
    assert isinstance(error, CommandRefusedError)
    assert "MachineOff" in str(error)
    timeout = outcome_error(command, CommandOutcome.FAILED, _update("Timeout"))
    assert "Timeout" in str(timeout)
    late = outcome_error(command, CommandOutcome.TIMED_OUT, None)
    assert isinstance(late, CommandRefusedError)
    assert outcome_error(command, CommandOutcome.SUCCEEDED, _update("Success")) is None
    assert outcome_error(command, CommandOutcome.WAITING, None) is None


@given(
    st.floats(min_value=-1000, max_value=1000, allow_nan=False),
    st.floats(min_value=0, max_value=50, allow_nan=False),
)
def test_range_check_returns_a_grid_value_inside_or_refuses(value: float, width: float) -> None:
    limits = Range(10, 10 + width, 0.5)
    try:
        checked = limits.check(value, "x")
    except InvalidValueError:
        return
    assert limits.minimum <= checked <= limits.maximum + 1e-9
    assert abs(checked - value) < 1e-5


@given(
    st.lists(
        st.none()
        | st.integers()
        | st.text(max_size=8)
        | st.dictionaries(
            st.sampled_from(["id", "status", "errorCode"]), st.none() | st.text(max_size=8)
        ),
        max_size=3,
    )
)
def test_random_command_reply_parses_or_is_a_protocol_error(reply: list[Any]) -> None:
    with contextlib.suppress(ProtocolError):
        parse_command_reply(reply)
