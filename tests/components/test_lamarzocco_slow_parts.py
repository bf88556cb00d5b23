"""Schedules, statistics, settings and firmware of La Marzocco machines, against the cloud."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

from homeassistant.components.calendar import DOMAIN as CALENDAR_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.lamarzocco import update as lm_update
from custom_components.kitchen_connect.lamarzocco.const import ISSUE_GATEWAY_TOO_OLD
from simulators.lamarzocco.household import default_household
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator

from ..helpers import wait_for
from .lamarzocco_support import (
    GS3_AV,
    MICRA,
    add_connected_entry,
    add_lamarzocco_entry,
    attributes,
    entity_id,
    fast_stream,
    runtime,
    state,
)

__all__ = ["fast_stream"]

pytestmark = pytest.mark.usefixtures("fast_stream")


@pytest.fixture
def household_options() -> dict[str, bool]:
    """How the household differs from the default (tests parametrize this)."""
    return {}


@pytest.fixture
async def simulator(household_options: dict[str, bool]) -> AsyncIterator[LaMarzoccoCloudSimulator]:
    """The loopback cloud with the household the test asks for."""
    household = default_household(**household_options)
    sim = LaMarzoccoCloudSimulator(household=household, tick_interval=0.02)
    await sim.start()
    yield sim
    await sim.stop()


async def test_smart_standby_entities_change_the_machine(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator
) -> None:
    """Switch, minutes and starting point of smart standby reach the machine and come back."""
    await add_connected_entry(hass, simulator, MICRA)
    minutes = entity_id(hass, "number", MICRA, "smart_standby_time")
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: minutes, "value": 45}, blocking=True
    )
    await wait_for(hass, lambda: state(hass, minutes) == "45")
    after = entity_id(hass, "select", MICRA, "smart_standby_mode")
    await hass.services.async_call(
        "select", "select_option", {ATTR_ENTITY_ID: after, "option": "last_brewing"}, blocking=True
    )
    await wait_for(hass, lambda: state(hass, after) == "last_brewing")
    switch = entity_id(hass, "switch", MICRA, "smart_standby")
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: switch}, blocking=True)
    await wait_for(hass, lambda: state(hass, switch) == "off")
    assert state(hass, minutes) == "45"  # the other parts kept their values


async def test_wake_up_schedules_as_a_calendar(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator
) -> None:
    """The weekday schedule shows as events; creating, moving and deleting work from the UI."""
    await add_connected_entry(hass, simulator, MICRA)
    calendar = entity_id(hass, "calendar", MICRA, "wake_up_schedules")
    start = dt_util.start_of_local_day()
    found = await hass.services.async_call(
        CALENDAR_DOMAIN,
        "get_events",
        {ATTR_ENTITY_ID: calendar, "start_date_time": start, "end_date_time": start + timedelta(7)},
        blocking=True,
        return_response=True,
    )
    events = found[calendar]["events"]  # type: ignore[index]
    assert len(events) == 5  # Monday to Friday
    assert {event["start"][11:16] for event in events} == {"06:30"}

    saturday = start + timedelta(days=(5 - start.weekday()) % 7)
    await hass.services.async_call(
        CALENDAR_DOMAIN,
        "create_event",
        {
            ATTR_ENTITY_ID: calendar,
            "summary": "Weekend",
            "start_date_time": saturday + timedelta(hours=8),
            "end_date_time": saturday + timedelta(hours=10),
        },
        blocking=True,
    )
    machine = simulator.household.machines[MICRA]
    await wait_for(hass, lambda: len(machine.schedules) == 2)
    created = next(s for s in machine.schedules if s["id"] != "a1b2c3d4")
    assert (created["onTimeMinutes"], created["offTimeMinutes"], created["days"]) == (
        480,
        600,
        ["Saturday"],
    )
    # The new schedule gets its switch without a reload.
    schedule_switch = entity_id(hass, "switch", MICRA, f"wake_up_{created['id']}")
    await wait_for(hass, lambda: state(hass, schedule_switch) == "on")

    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            CALENDAR_DOMAIN,
            "create_event",
            {
                ATTR_ENTITY_ID: calendar,
                "summary": "All day",
                "start_date": saturday.date(),
                "end_date": saturday.date() + timedelta(days=1),
            },
            blocking=True,
        )
    assert len(machine.schedules) == 2


async def test_calendar_delete_through_the_entity(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator
) -> None:
    """Deleting an event deletes the machine's schedule; an unknown one is refused."""
    entry_id = (await add_connected_entry(hass, simulator, MICRA)).entry_id
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    component = hass.data[CALENDAR_DOMAIN]
    calendar = component.get_entity(entity_id(hass, "calendar", MICRA, "wake_up_schedules"))
    with pytest.raises(ServiceValidationError):
        await calendar.async_delete_event("no-such-schedule")
    await calendar.async_delete_event("a1b2c3d4")
    machine = simulator.household.machines[MICRA]
    assert machine.schedules == []
    switch = entity_id(hass, "switch", MICRA, "wake_up_a1b2c3d4")
    await wait_for(hass, lambda: state(hass, switch) == "unavailable")


async def test_plumb_in_is_read_back_after_a_change(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator
) -> None:
    """Settings are not pushed: the switch reads them again after the change."""
    await add_connected_entry(hass, simulator, MICRA)
    plumbed = entity_id(hass, "switch", MICRA, "plumb_in")
    assert state(hass, plumbed) == "off"
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: plumbed}, blocking=True)
    await wait_for(hass, lambda: state(hass, plumbed) == "on")
    assert simulator.household.machines[MICRA].plumbed_in


async def test_firmware_update_with_progress(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installing the offered machine firmware shows progress and ends on the new version."""
    monkeypatch.setattr(lm_update, "PROGRESS_INTERVAL", 0.05)
    simulator.household.machines[MICRA].time_scale = 20.0  # the six-second update in 0.3 s
    await add_connected_entry(hass, simulator, MICRA)
    firmware = entity_id(hass, "update", MICRA, "machine_firmware")
    assert state(hass, firmware) == "on"
    assert attributes(hass, firmware)["latest_version"] == "v1.41"
    seen: list[object] = []

    def _watch() -> bool:
        seen.append(attributes(hass, firmware).get("in_progress"))
        return False

    install = hass.async_create_task(
        hass.services.async_call("update", "install", {ATTR_ENTITY_ID: firmware}, blocking=True)
    )
    while not install.done():
        _watch()
        await asyncio.sleep(0.02)
    await install
    await hass.async_block_till_done()
    assert True in seen
    assert attributes(hass, firmware)["installed_version"] == "v1.41"
    assert state(hass, firmware) == "off"


@pytest.mark.parametrize("household_options", [{"old_gateway": True}])
async def test_gateway_too_old_is_a_repair(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator
) -> None:
    """A gateway on a build the cloud no longer serves raises a repair naming the machine."""
    await add_connected_entry(hass, simulator, MICRA)
    issues = [
        issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue_id.startswith(ISSUE_GATEWAY_TOO_OLD)
    ]
    assert len(issues) == 1
    assert issues[0].translation_placeholders == {"name": "Micra", "version": "v4.4.2"}
    assert MICRA not in issues[0].issue_id


@pytest.mark.parametrize("household_options", [{"extra_things": True}])
async def test_things_we_do_not_support_never_break_setup(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator
) -> None:
    """A Strada X or a Swan on the account is a device with its model and no controls."""
    things = [
        s
        for s, m in simulator.household.machines.items()
        if m.model_code in {"STRADAX", "SWANGRINDER"}
    ]
    assert things
    for serial in things:
        entry = await add_lamarzocco_entry(hass, simulator, serial)
        device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, serial), entry.entry_id)
        assert device is not None
        assert device.model in {"Strada X", "Swan"}
        controls = [
            e.domain
            for e in er.async_entries_for_device(er.async_get(hass), device.id)
            if e.domain in {"switch", "number", "select"}
        ]
        assert controls == []


async def test_statistics_follow_a_shot(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator
) -> None:
    """After a shot the next statistics read counts it and shows its extraction time."""
    entry_id = (await add_connected_entry(hass, simulator, GS3_AV)).entry_id
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    total = entity_id(hass, "sensor", GS3_AV, "total_coffees")
    before = int(state(hass, total))
    machine = simulator.household.machines[GS3_AV]
    machine.total_coffees += 1
    machine.last_coffees.insert(
        0,
        {
            "time": int(dt_util.utcnow().timestamp() * 1000),
            "extractionSeconds": 31.5,
            "doseMode": "PulsesType",
            "doseIndex": "DoseA",
            "doseValue": 120,
            "doseValueNumerator": None,
        },
    )
    statistics = runtime(entry).statistics
    assert statistics is not None
    await statistics.async_refresh()
    await hass.async_block_till_done()
    assert int(state(hass, total)) == before + 1
    assert state(hass, entity_id(hass, "sensor", GS3_AV, "last_shot_extraction")) == "31.5"
