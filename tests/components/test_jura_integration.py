"""Jura end to end: Home Assistant against the simulated machine over real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import LockState
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    EntityCategory,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.jura import entry_data
from custom_components.kitchen_connect.jura.const import (
    BRAND_KEY,
    OPTION_COUNTER_INTERVAL,
    OPTION_PRODUCT_COUNTER_INTERVAL,
)
from custom_components.kitchen_connect.kitchenlib.jura.messages import MAINTENANCE_COUNTERS
from custom_components.kitchen_connect.kitchenlib.jura.models import Process
from simulators.jura.simulator import JuraSimulator
from tests.helpers import JURA_MACHINE_ID, add_jura_entry, only_platform, wait_for

STATUS = "sensor.kaffeebert_status"
WATER_TANK = "binary_sensor.kaffeebert_water_tank_empty"
PANEL_LOCK = "lock.kaffeebert_panel"
TOTAL = "sensor.kaffeebert_products_made"
CLEANINGS = "sensor.kaffeebert_cleanings"
DESCALE_NEED = "sensor.kaffeebert_descaling_need"
HARDNESS = "number.kaffeebert_water_hardness"
LANGUAGE = "select.kaffeebert_display_language"


@pytest.fixture
def quick_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests the machine leaves unanswered time out after a moment, not six seconds."""
    monkeypatch.setitem(entry_data.MACHINE_TIMING, "request_timeout", 0.3)


def _device_id(hass: HomeAssistant) -> str:
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, JURA_MACHINE_ID), entry.entry_id
    )
    assert device is not None
    return device.id


async def _action(hass: HomeAssistant, name: str, **data: object) -> None:
    """Call one of our actions on the machine."""
    await hass.services.async_call(
        DOMAIN, name, {"device_id": _device_id(hass), **data}, blocking=True
    )


def _sent(simulator: JuraSimulator, prefix: str) -> list[str]:
    return [command for command in simulator.commands if command.startswith(prefix)]


async def test_setup_reads_machine_state(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """After setup the user sees the machine's status, counters and settings."""
    entry = await add_jura_entry(hass, jura_simulator)

    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(STATUS).state == "ready"
    assert hass.states.get(WATER_TANK).state == STATE_OFF
    assert hass.states.get("sensor.kaffeebert_cleanings").state == str(
        jura_simulator.maintenance_counters[Process.CLEANING]
    )
    assert hass.states.get("number.kaffeebert_water_hardness").state == "16.0"
    assert hass.states.get("select.kaffeebert_display_language").state == "german"
    device = dr.async_get(hass).async_get(_device_id(hass))
    assert device.model == "S8 (EB)"
    assert device.model_id == "EF1091"


async def test_pushed_alert_reaches_home_assistant(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """An empty water tank shows up from the next @TF push, without polling."""
    await add_jura_entry(hass, jura_simulator)

    jura_simulator.set_alert(1)  # fill_water, a blocking alert
    jura_simulator.push_now()
    await wait_for(hass, lambda: hass.states.get(WATER_TANK).state == STATE_ON)
    assert hass.states.get(STATUS).state == "needs_attention"

    jura_simulator.set_alert(1, on=False)
    jura_simulator.push_now()
    await wait_for(hass, lambda: hass.states.get(WATER_TANK).state == STATE_OFF)
    assert hass.states.get(STATUS).state == "ready"


async def test_brew_refused_without_confirm(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Without confirm: true nothing reaches the machine and the user is told why."""
    await add_jura_entry(hass, jura_simulator)
    jura_simulator.clear_commands()

    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "brew", {"device_id": _device_id(hass), "product": "espresso"}, blocking=True
        )
    assert raised.value.translation_key == "jura_confirm_brew"
    assert "cup" in str(raised.value)
    await hass.async_block_till_done()
    assert _sent(jura_simulator, "@TP") == []


@pytest.mark.parametrize(
    ("process", "command"),
    [
        (Process.CLEANING, "@TG:24"),
        (Process.DESCALE, "@TG:25"),
        (Process.FILTER_CHANGE, "@TG:26"),
        (Process.CAPPU_CLEAN, "@TG:21"),
        (Process.CAPPU_RINSE, "@TG:23"),
    ],
)
async def test_maintenance_needs_confirm(
    hass: HomeAssistant, jura_simulator: JuraSimulator, process: Process, command: str
) -> None:
    """Each care program refuses with its own explanation, then runs once confirmed."""
    await add_jura_entry(hass, jura_simulator)
    jura_simulator.clear_commands()
    call = {"device_id": _device_id(hass), "process": process.value}

    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(DOMAIN, "start_maintenance", call, blocking=True)
    assert raised.value.translation_key == f"jura_confirm_{process}"
    assert _sent(jura_simulator, command) == []

    await hass.services.async_call(
        DOMAIN, "start_maintenance", {**call, "confirm": True}, blocking=True
    )
    assert _sent(jura_simulator, command) == [command]


@pytest.mark.parametrize("confirm", [True, False], ids=["confirmed", "unconfirmed"])
async def test_a_care_program_the_model_lacks_is_refused_as_such(
    hass: HomeAssistant, jura_simulator: JuraSimulator, confirm: bool
) -> None:
    """The S8 has no coffee rinse: said so at once, not asked whether to start it."""
    await add_jura_entry(hass, jura_simulator)
    jura_simulator.clear_commands()

    with pytest.raises(ServiceValidationError) as raised:
        await _action(hass, "start_maintenance", process="coffee_rinse", confirm=confirm)
    assert raised.value.translation_key == "jura_unsupported_process"
    assert _sent(jura_simulator, "@TG") == []


async def test_confirmed_brew_runs_and_counts(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A confirmed brew sends the full recipe, shows progress and bumps the counters."""
    await add_jura_entry(hass, jura_simulator)
    before = int(hass.states.get(TOTAL).state)

    await hass.services.async_call(
        DOMAIN,
        "brew",
        {"device_id": _device_id(hass), "product": "espresso", "water": 40, "confirm": True},
        blocking=True,
    )
    # Espresso (02), strength default 08, 40 ml = 8 units, high temperature, byte 8 = 01.
    assert _sent(jura_simulator, "@TP:") == ["@TP:02000808000002000100000000000000"]
    await wait_for(hass, lambda: hass.states.get(STATUS).state == "brewing")
    await wait_for(hass, lambda: hass.states.get(TOTAL).state == str(before + 1))
    assert hass.states.get(STATUS).state == "ready"


async def test_brew_uses_ui_choices(hass: HomeAssistant, jura_simulator: JuraSimulator) -> None:
    """Product and strength picked in the selects are used when the call leaves them out."""
    await add_jura_entry(hass, jura_simulator)
    for entity_id, option in (
        ("select.kaffeebert_product", "coffee"),
        ("select.kaffeebert_strength", "3"),
    ):
        await hass.services.async_call(
            "select", "select_option", {ATTR_ENTITY_ID: entity_id, "option": option}, blocking=True
        )
    jura_simulator.clear_commands()

    await hass.services.async_call(
        DOMAIN, "brew", {"device_id": _device_id(hass), "confirm": True}, blocking=True
    )
    assert _sent(jura_simulator, "@TP:")[0].startswith("@TP:030003")


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"product": "hot_chocolate"}, "jura_unknown_product"),
        ({"product": "espresso", "water": 500}, "jura_value_out_of_range"),
        ({"product": "espresso", "water": 42}, "jura_value_out_of_range"),
        ({"product": "espresso", "milk": 10}, "jura_unsupported_parameter"),
        ({"product": "espresso", "strength": "11"}, "jura_invalid_option"),
    ],
)
@pytest.mark.parametrize("confirm", [True, False], ids=["confirmed", "unconfirmed"])
async def test_bad_brew_input_sends_nothing(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    fields: dict[str, object],
    key: str,
    confirm: bool,
) -> None:
    """Bad input gets a clear translated error and no frame is sent.

    Without confirm it is the same error, not the question whether to brew: a call that
    could never run is not asked about first.
    """
    await add_jura_entry(hass, jura_simulator)
    jura_simulator.clear_commands()

    with pytest.raises(ServiceValidationError) as raised:
        await _action(hass, "brew", confirm=confirm, **fields)
    assert raised.value.translation_key == key
    assert _sent(jura_simulator, "@TP") == []


async def test_hot_water_is_the_machines_hot_water_portion(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """The voice sentences say ``hot_water``; the S8 calls it ``hotwater_portion`` (0D)."""
    await add_jura_entry(hass, jura_simulator)
    jura_simulator.clear_commands()

    await _action(hass, "brew", product="hot_water", confirm=True)
    assert [frame[:6] for frame in _sent(jura_simulator, "@TP:")] == ["@TP:0D"]


async def test_brew_without_any_product_sends_nothing(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """No product in the call and none chosen (no Product select here): refused up front."""
    with only_platform(BRAND_KEY, Platform.SENSOR):
        await add_jura_entry(hass, jura_simulator)
    jura_simulator.clear_commands()

    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "brew", {"device_id": _device_id(hass), "confirm": True}, blocking=True
        )
    assert raised.value.translation_key == "jura_no_product"
    assert _sent(jura_simulator, "@TP") == []


@pytest.mark.usefixtures("quick_requests")
async def test_standby_needs_confirm(hass: HomeAssistant, jura_simulator: JuraSimulator) -> None:
    """Standby is gated like the other destructive actions.

    The simulated S8 EB takes @AN:02 without a word, as the real one does; the action
    still succeeds, as the command was sent.
    """
    await add_jura_entry(hass, jura_simulator)
    call = {"device_id": _device_id(hass)}
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(DOMAIN, "standby", call, blocking=True)
    assert _sent(jura_simulator, "@AN") == []
    await hass.services.async_call(DOMAIN, "standby", {**call, "confirm": True}, blocking=True)
    assert _sent(jura_simulator, "@AN:02") == ["@AN:02"]
    assert hass.states.get(STATUS).state == "ready"


@pytest.mark.usefixtures("quick_requests")
@pytest.mark.parametrize("jura_model", ["EF1030"])
async def test_standby_on_a_machine_that_answers(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """An E6 answers @AN:02 and goes to energy saving; a refusal is reported in words."""
    await add_jura_entry(hass, jura_simulator)
    call = {"device_id": _device_id(hass), "confirm": True}
    await hass.services.async_call(DOMAIN, "standby", call, blocking=True)
    assert 36 in jura_simulator.alerts  # energy_safe

    jura_simulator.reply_overrides["@AN:02"] = "@an:error"
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(DOMAIN, "standby", call, blocking=True)
    assert raised.value.translation_key == "jura_command_refused"


async def test_actions_reject_unknown_or_unloaded_targets(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Targets that are not a loaded Kitchen Connect device are refused up front."""
    entry = await add_jura_entry(hass, jura_simulator)
    device_id = _device_id(hass)

    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "standby", {"device_id": "nope", "confirm": True}, blocking=True
        )
    assert raised.value.translation_key == "unknown_device"

    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "standby", {"device_id": device_id, "confirm": True}, blocking=True
        )
    assert raised.value.translation_key == "entry_not_loaded"


async def test_setting_write_uses_lock_wrapper(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A setting is written inside @TS:01/@TS:00 and read back."""
    await add_jura_entry(hass, jura_simulator)
    jura_simulator.clear_commands()

    await hass.services.async_call(
        "select",
        "select_option",
        {ATTR_ENTITY_ID: "select.kaffeebert_display_language", "option": "english"},
        blocking=True,
    )
    assert hass.states.get("select.kaffeebert_display_language").state == "english"
    assert jura_simulator.commands[0] == "@TS:01"
    assert jura_simulator.commands[1].startswith("@TM:09,02")
    assert jura_simulator.commands[2] == "@TS:00"
    assert hass.states.get(PANEL_LOCK).state == LockState.UNLOCKED


async def test_number_out_of_range_sends_nothing(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Hardness outside the model's range is refused before anything is sent."""
    await add_jura_entry(hass, jura_simulator)
    jura_simulator.clear_commands()
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "number",
            "set_value",
            {ATTR_ENTITY_ID: "number.kaffeebert_water_hardness", "value": 31},
            blocking=True,
        )
    assert jura_simulator.commands == []

    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: "number.kaffeebert_water_hardness", "value": 13},
        blocking=True,
    )
    assert hass.states.get("number.kaffeebert_water_hardness").state == "13.0"
    assert jura_simulator.settings[0x02] == "0D"


async def test_panel_lock_and_cancel(hass: HomeAssistant, jura_simulator: JuraSimulator) -> None:
    """The panel lock follows status bit 39; cancel sends @TG:FF."""
    await add_jura_entry(hass, jura_simulator)

    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: PANEL_LOCK}, blocking=True)
    assert hass.states.get(PANEL_LOCK).state == LockState.LOCKED
    assert 39 in jura_simulator.alerts
    await hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: PANEL_LOCK}, blocking=True)
    assert hass.states.get(PANEL_LOCK).state == LockState.UNLOCKED
    assert 39 not in jura_simulator.alerts

    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.kaffeebert_cancel_product"}, blocking=True
    )
    assert _sent(jura_simulator, "@TG:FF") == ["@TG:FF"]


async def test_the_old_panel_lock_switch_becomes_the_lock(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """An entry from when the panel lock was a switch: the lock takes its place and name.

    No switch is left behind as an orphan ("no longer provided"); the lock keeps the
    switch's object id and the name the user gave it, and locks the machine.
    """
    entry = await add_jura_entry(hass, jura_simulator, setup=False)
    registry = er.async_get(hass)
    unique_id = f"{JURA_MACHINE_ID}_panel_lock"
    old = registry.async_get_or_create(
        "switch",
        DOMAIN,
        unique_id,
        config_entry=entry,
        suggested_object_id="kaffeebert_panel_lock",
        entity_category=EntityCategory.CONFIG,
    )
    registry.async_update_entity(old.entity_id, name="Child lock")

    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert registry.async_get_entity_id("switch", DOMAIN, unique_id) is None
    assert hass.states.get(old.entity_id) is None
    lock = registry.async_get("lock.kaffeebert_panel_lock")
    assert lock is not None
    assert (lock.unique_id, lock.name, lock.entity_category) == (unique_id, "Child lock", None)
    assert [
        entity.entity_id for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
    ].count(lock.entity_id) == 1
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: lock.entity_id}, blocking=True)
    assert hass.states.get(lock.entity_id).state == LockState.LOCKED
    assert 39 in jura_simulator.alerts


async def test_leaked_panel_lock_is_released(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A lock left behind by a dropped session is noticed from bit 39 and undone."""
    jura_simulator.set_alert(39)
    await add_jura_entry(hass, jura_simulator)
    await wait_for(hass, lambda: 39 not in jura_simulator.alerts)
    assert "@TS:00" in jura_simulator.commands


async def test_machine_refusal_is_reported(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A command the machine refuses gives a translated error."""
    await add_jura_entry(hass, jura_simulator)
    jura_simulator.set_alert(1)  # fill_water blocks every product
    with pytest.raises(HomeAssistantError) as raised:
        await _action(hass, "brew", product="espresso", confirm=True)
    assert raised.value.translation_key == "jura_command_refused"


async def test_machine_away_and_back(
    hass: HomeAssistant, jura_simulator: JuraSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Switched off: unavailable with one info line; back: recovered, one info line."""
    await add_jura_entry(hass, jura_simulator)
    cleanings = hass.states.get("sensor.kaffeebert_cleanings").state
    caplog.set_level(logging.INFO, logger="custom_components.kitchen_connect")
    caplog.clear()

    await jura_simulator.stop()
    await wait_for(hass, lambda: hass.states.get(STATUS).state == STATE_UNAVAILABLE)
    for _ in range(20):  # several reconnect attempts fail meanwhile
        await hass.async_block_till_done()
    await jura_simulator.start()
    await wait_for(hass, lambda: hass.states.get(STATUS).state == "ready", timeout=10)

    lines = [r for r in caplog.records if r.name.startswith("custom_components.kitchen_connect")]
    assert [r.levelno for r in lines] == [logging.INFO, logging.INFO]
    assert "unavailable" in lines[0].getMessage()
    assert "available again" in lines[1].getMessage()
    assert hass.states.get("sensor.kaffeebert_cleanings").state == cleanings


async def test_unreachable_machine_retries_setup(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """An unreachable machine makes setup retry later instead of failing for good."""
    entry = await add_jura_entry(hass, jura_simulator, setup=False)
    await jura_simulator.stop()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_rejected_token_starts_reauth(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """When the machine forgot the pairing, setup fails and asks the user to pair again."""
    entry = await add_jura_entry(hass, jura_simulator, setup=False)
    jura_simulator.forget_tokens()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_repeated_refusals_raise_a_repair(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A machine that keeps refusing sessions gets a repair the user can act on."""
    entry = await add_jura_entry(hass, jura_simulator)
    jura_simulator.refuse_sessions = True
    jura_simulator.drop_session()
    issue_id = f"session_refused_{entry.entry_id}"
    registry = ir.async_get(hass)
    await wait_for(hass, lambda: registry.async_get_issue(DOMAIN, issue_id) is not None, 15)

    jura_simulator.refuse_sessions = False
    await wait_for(hass, lambda: registry.async_get_issue(DOMAIN, issue_id) is None, 15)
    assert hass.states.get(STATUS).state == "ready"


async def test_unload_closes_session(hass: HomeAssistant, jura_simulator: JuraSimulator) -> None:
    """Unloading hangs up so the machine is free for the phone app."""
    entry = await add_jura_entry(hass, jura_simulator)
    assert jura_simulator.connected
    await hass.config_entries.async_unload(entry.entry_id)
    await wait_for(hass, lambda: not jura_simulator.connected)
    assert entry.state is ConfigEntryState.NOT_LOADED


async def test_firmware_from_udp_status(hass: HomeAssistant, jura_simulator: JuraSimulator) -> None:
    """When the dongle answers the UDP status poll, the device shows its firmware."""
    await jura_simulator.async_start_discovery_responder(jura_simulator.port)
    await add_jura_entry(hass, jura_simulator)
    registry = dr.async_get(hass)
    await wait_for(hass, lambda: registry.async_get(_device_id(hass)).sw_version is not None)
    device = registry.async_get(_device_id(hass))
    assert device.sw_version == "EF1091 V01.00"
    assert device.hw_version.startswith("TT237W")


async def test_secrets_never_logged(
    hass: HomeAssistant, jura_simulator: JuraSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Token, PIN and conn-id stay out of every log line, even at debug level and on errors."""
    caplog.set_level(logging.DEBUG)
    jura_simulator.pin = "4711"
    entry = await add_jura_entry(hass, jura_simulator)
    jura_simulator.display_asleep = True
    jura_simulator.forget_tokens()
    jura_simulator.drop_session()
    await wait_for(hass, lambda: hass.states.get(STATUS).state == STATE_UNAVAILABLE)
    await hass.config_entries.async_unload(entry.entry_id)
    text = caplog.text
    assert entry.data["token"] not in text
    assert "4711" not in text
    assert entry.data["conn_id"].encode().hex().upper() not in text


# The session is dropped after 30 s without a frame, so time moves on in shorter steps
# while the machine keeps pushing in between, as a real one does; the clock ticks on its
# own meanwhile, as the sockets need it to.
STEP = timedelta(seconds=20)


async def _pass_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    minutes: int,
    *,
    until: Callable[[], bool] = lambda: False,
) -> None:
    for _ in range(minutes * 3):
        if until():
            return
        freezer.tick(STEP)
        async_fire_time_changed(hass)
        await asyncio.sleep(0.05)
        await hass.async_block_till_done()


async def _update_entity(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    await hass.async_block_till_done()


async def test_update_entity_leaves_the_session_alone(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Updating a pushed entity by hand reconnects nothing and asks the machine nothing."""
    assert await async_setup_component(hass, "homeassistant", {})
    entry = await add_jura_entry(hass, jura_simulator)
    connections = jura_simulator.connections
    jura_simulator.clear_commands()

    await _update_entity(hass, STATUS)

    assert jura_simulator.connections == connections
    assert jura_simulator.commands == []
    assert hass.states.get(STATUS).state == "ready"
    jura_simulator.set_alert(1)
    jura_simulator.push_now()
    await wait_for(hass, lambda: hass.states.get(STATUS).state == "needs_attention")
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.freeze_time(tick=True)
@pytest.mark.parametrize("trigger", ["interval", "update_entity"])
async def test_refused_counter_read_spares_pushed_entities(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    freezer: FrozenDateTimeFactory,
    trigger: str,
) -> None:
    """A counter read the machine refuses greys out the counters, and nothing else.

    The status keeps following the pushes; the counters come back with the next read.
    """
    assert await async_setup_component(hass, "homeassistant", {})
    entry = await add_jura_entry(hass, jura_simulator)
    cleanings = hass.states.get(CLEANINGS).state
    jura_simulator.refuse_counter_reads = True

    if trigger == "interval":
        await _pass_time(hass, freezer, 10)
    else:
        await _update_entity(hass, CLEANINGS)

    await wait_for(hass, lambda: hass.states.get(CLEANINGS).state == STATE_UNAVAILABLE)
    assert hass.states.get(DESCALE_NEED).state == STATE_UNAVAILABLE
    assert hass.states.get(STATUS).state == "ready"
    assert hass.states.get(TOTAL).state == "0"
    assert hass.states.get(HARDNESS).state == "16.0"
    jura_simulator.set_alert(1)
    jura_simulator.push_now()
    await wait_for(hass, lambda: hass.states.get(WATER_TANK).state == STATE_ON)
    assert hass.states.get(STATUS).state == "needs_attention"

    jura_simulator.refuse_counter_reads = False
    jura_simulator.set_maintenance_percent(Process.DESCALE, 85)
    await _pass_time(hass, freezer, 10)
    await wait_for(hass, lambda: hass.states.get(DESCALE_NEED).state == "85")
    assert hass.states.get(CLEANINGS).state == cleanings
    assert hass.states.get(STATUS).state == "needs_attention"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_refused_counter_read_does_not_fail_setup(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Counters the machine will not give at setup time cost the counters, not the machine."""
    jura_simulator.refuse_counter_reads = True
    entry = await add_jura_entry(hass, jura_simulator)

    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(STATUS).state == "ready"
    assert hass.states.get(TOTAL).state == "0"
    assert hass.states.get(CLEANINGS).state == STATE_UNAVAILABLE


@pytest.mark.freeze_time(tick=True)
async def test_slow_reads_follow_their_intervals(
    hass: HomeAssistant, jura_simulator: JuraSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """Counters and settings changed on the machine show up on the intervals from the options."""
    await add_jura_entry(
        hass,
        jura_simulator,
        options={OPTION_COUNTER_INTERVAL: 2, OPTION_PRODUCT_COUNTER_INTERVAL: 5},
    )
    jura_simulator.set_maintenance_percent(Process.DESCALE, 85)
    jura_simulator.set_setting(0x02, "0D")  # hardness 13, set on the machine's display
    jura_simulator.clear_commands()

    await _pass_time(hass, freezer, 1)
    assert hass.states.get(DESCALE_NEED).state == "70"
    assert _sent(jura_simulator, MAINTENANCE_COUNTERS) == []

    await _pass_time(hass, freezer, 1)
    await wait_for(hass, lambda: hass.states.get(DESCALE_NEED).state == "85")
    assert hass.states.get(HARDNESS).state == "16.0"
    assert _sent(jura_simulator, "@TM:") == []

    await _pass_time(hass, freezer, 3)
    await wait_for(hass, lambda: hass.states.get(HARDNESS).state == "13.0")


async def test_counters_read_when_a_program_ends(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A finished care program shows in its counter at once, not at the next interval."""
    await add_jura_entry(hass, jura_simulator)
    cleanings = int(hass.states.get(CLEANINGS).state)
    jura_simulator.clear_commands()

    await hass.services.async_call(
        DOMAIN,
        "start_maintenance",
        {"device_id": _device_id(hass), "process": "cleaning", "confirm": True},
        blocking=True,
    )
    await wait_for(hass, lambda: hass.states.get(STATUS).state == "maintenance")
    await wait_for(hass, lambda: hass.states.get(CLEANINGS).state == str(cleanings + 1))
    assert hass.states.get(STATUS).state == "ready"
    assert _sent(jura_simulator, MAINTENANCE_COUNTERS) == [MAINTENANCE_COUNTERS]


@pytest.mark.freeze_time(tick=True)
async def test_no_reads_while_the_machine_is_away(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Intervals passing while the machine is off log nothing; back, it is read again."""
    await add_jura_entry(hass, jura_simulator)
    caplog.set_level(logging.INFO, logger="custom_components.kitchen_connect")
    caplog.clear()

    await jura_simulator.stop()
    await wait_for(hass, lambda: hass.states.get(STATUS).state == STATE_UNAVAILABLE)
    jura_simulator.set_maintenance_percent(Process.DESCALE, 90)
    await _pass_time(hass, freezer, 10)
    assert hass.states.get(DESCALE_NEED).state == STATE_UNAVAILABLE

    jura_simulator.clear_commands()
    await jura_simulator.start()
    # The reconnect back-off has grown meanwhile: let the clock run until the session is back,
    # and no further, so it never overtakes the read the return triggers (the next interval is
    # ten minutes away, so that read is the only one).
    await _pass_time(hass, freezer, 5, until=lambda: hass.states.get(STATUS).state == "ready")
    await wait_for(hass, lambda: hass.states.get(DESCALE_NEED).state == "90")
    assert hass.states.get(STATUS).state == "ready"
    assert _sent(jura_simulator, MAINTENANCE_COUNTERS) == [MAINTENANCE_COUNTERS]
    lines = [r for r in caplog.records if r.name.startswith("custom_components.kitchen_connect")]
    assert [r.levelno for r in lines] == [logging.INFO, logging.INFO]
