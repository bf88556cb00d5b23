"""Every La Marzocco number and the calendar's edits reach the simulated machine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.components.calendar import DOMAIN as CALENDAR_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest

from simulators.lamarzocco.household import SimMachine
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator

from ..helpers import wait_for
from .lamarzocco_support import (
    GS3_AV,
    MICRA,
    MINI,
    PICO,
    add_connected_entry,
    entity_id,
    fast_stream,
    lamarzocco_simulator,
    state,
)

__all__ = ["fast_stream", "lamarzocco_simulator"]

pytestmark = pytest.mark.usefixtures("fast_stream")


def _prebrew(machine: SimMachine) -> list[float]:
    return machine.prebrew_times["PreBrewing"]


@pytest.mark.parametrize(
    ("serial", "key", "value", "seen"),
    [
        (MICRA, "prebrew_time_on", 2.5, lambda m: _prebrew(m)[0]),
        (MICRA, "prebrew_time_off", 3.0, lambda m: _prebrew(m)[1]),
        (MINI, "brew_by_weight_dose_2", 42.5, lambda m: m.bbw_doses["Dose2"]),
        (GS3_AV, "steam_temperature", 125.0, lambda m: m.steam_target),
        (GS3_AV, "dose_pulsestype_doseb", 140, lambda m: m.group_doses["DoseB"]),
        (GS3_AV, "hot_water_dose", 10, lambda m: m.hot_water_dose),
        (PICO, "grinder_dose_timetype_doseb", 11.5, lambda m: m.grinder_doses["TimeType"]["DoseB"]),
    ],
)
async def test_numbers_reach_the_machine(
    hass: HomeAssistant,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
    serial: str,
    key: str,
    value: float,
    seen: Any,
) -> None:
    """Setting a number changes the machine; the push brings the new value back."""
    await add_connected_entry(hass, lamarzocco_simulator, serial)
    number = entity_id(hass, "number", serial, key)
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": value}, blocking=True
    )
    assert seen(lamarzocco_simulator.household.machines[serial]) == value
    await wait_for(hass, lambda: float(state(hass, number)) == value)


async def test_preinfusion_in_its_mode(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """Preinfusion time is unavailable until preinfusion is the mode; then it can be set."""
    await add_connected_entry(hass, lamarzocco_simulator, MICRA)
    preinfusion = entity_id(hass, "number", MICRA, "preinfusion_time")
    assert state(hass, preinfusion) == "unavailable"
    await hass.services.async_call(
        "select",
        "select_option",
        {ATTR_ENTITY_ID: entity_id(hass, "select", MICRA, "prebrew_mode"), "option": "preinfusion"},
        blocking=True,
    )
    await wait_for(hass, lambda: state(hass, preinfusion) != "unavailable")
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: preinfusion, "value": 4}, blocking=True
    )
    machine = lamarzocco_simulator.household.machines[MICRA]
    assert (
        machine.prebrew_times["PreBrewing"][1] == 4
        or machine.prebrew_times.get("PreInfusion", [0, 0])[1] == 4
    )


async def test_calendar_moves_a_schedule_and_refuses_what_cannot_be_one(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """Moving an event moves the weekly schedule; a monthly or day-long event is refused."""
    await add_connected_entry(hass, lamarzocco_simulator, MICRA)
    calendar = hass.data[CALENDAR_DOMAIN].get_entity(
        entity_id(hass, "calendar", MICRA, "wake_up_schedules")
    )
    monday = dt_util.start_of_local_day() - timedelta(days=dt_util.now().weekday())
    event = {
        "dtstart": monday + timedelta(hours=5),
        "dtend": monday + timedelta(hours=7, minutes=30),
        "rrule": "FREQ=WEEKLY;BYDAY=MO,WE",
    }
    await calendar.async_update_event("a1b2c3d4", event)
    machine = lamarzocco_simulator.household.machines[MICRA]
    (schedule,) = machine.schedules
    assert (schedule["onTimeMinutes"], schedule["offTimeMinutes"], schedule["days"]) == (
        300,
        450,
        ["Monday", "Wednesday"],
    )
    for bad in (
        {**event, "rrule": "FREQ=MONTHLY"},
        {**event, "rrule": "FREQ=WEEKLY;BYDAY=XX"},
        {**event, "dtend": event["dtstart"]},
        {**event, "dtstart": monday.date(), "dtend": monday.date() + timedelta(days=1)},
    ):
        with pytest.raises(ServiceValidationError):
            await calendar.async_update_event("a1b2c3d4", bad)
    with pytest.raises(ServiceValidationError):
        await calendar.async_update_event("gone", event)
    # A schedule that sleeps after midnight shows as an event into the next day.
    schedule_end = {**event, "dtend": monday + timedelta(days=1, hours=1)}
    await calendar.async_update_event("a1b2c3d4", schedule_end)
    await hass.async_block_till_done()
    events = await calendar.async_get_events(hass, monday, monday + timedelta(days=7))
    assert events
    assert all(item.end > item.start for item in events)
    assert events[0].end.date() > events[0].start.date()
