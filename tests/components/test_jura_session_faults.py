"""Jura sessions when the machine misbehaves: odd replies, silence, failed setups, the lock.

Home Assistant against the simulated machine over real sockets; the simulator plays
the firmware quirks the protocol notes report.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import logging
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import LockState
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.jura import entry_data
from custom_components.kitchen_connect.jura.const import (
    BRAND_KEY,
    CONF_PANEL_LOCK,
    OPTION_COUNTER_INTERVAL,
    OPTION_PRODUCT_COUNTER_INTERVAL,
    OPTION_RECONNECT_GAP,
)
from custom_components.kitchen_connect.kitchenlib.jura import machine as machine_module
from custom_components.kitchen_connect.kitchenlib.jura.profiles import all_profiles
from simulators.jura.simulator import JuraSimulator
from tests.helpers import JURA_MACHINE_ID, add_jura_entry, only_platform, wait_for

STATUS = "sensor.kaffeebert_status"
WATER_TANK = "binary_sensor.kaffeebert_water_tank_empty"
PANEL_LOCK = "lock.kaffeebert_panel"
CANCEL = "button.kaffeebert_cancel_product"
CLEANINGS = "sensor.kaffeebert_cleanings"
LOCKED_KEYS = 39
BRIGHTNESS = 0x0A
HARDNESS = 0x02
NO_VALUE = (STATE_UNKNOWN, STATE_UNAVAILABLE)
TRANSLATIONS = Path(__file__).parents[2] / "custom_components/kitchen_connect/translations"


@pytest.fixture
def quick_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests the machine leaves unanswered time out after a moment, not six seconds."""
    monkeypatch.setitem(entry_data.MACHINE_TIMING, "request_timeout", 0.3)


def _setting_entity(hass: HomeAssistant, argument: int) -> str:
    registry = er.async_get(hass)
    for domain in (Platform.SELECT, Platform.NUMBER):
        entity_id = registry.async_get_entity_id(
            domain, DOMAIN, f"{JURA_MACHINE_ID}_setting_{argument:02x}"
        )
        if entity_id is not None:
            return entity_id
    raise AssertionError(f"no entity for setting {argument:02X}")


def _unreadable_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.levelno >= logging.INFO and "setting display_brightness" in record.getMessage()
    ]


async def _pass_time(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: int) -> None:
    # The session drops after 30 s without a frame: move on in shorter steps while the
    # machine keeps pushing in between.
    for _ in range(minutes * 3):
        freezer.tick(timedelta(seconds=20))
        async_fire_time_changed(hass)
        await asyncio.sleep(0.05)
        await hass.async_block_till_done()


# --- settings whose address has a letter (item 1) ------------------------------------------------


@pytest.mark.parametrize(
    "jura_model", [profile.ef_code for profile in all_profiles() if profile.settings]
)
async def test_every_setting_of_the_model_loads(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Every setting shows its value, including those echoed in lower case (``@tm:0a,…``)."""
    profile = jura_simulator.profile
    await add_jura_entry(hass, jura_simulator)

    for setting in profile.settings:
        state = hass.states.get(_setting_entity(hass, setting.argument))
        assert state is not None
        assert state.state not in NO_VALUE, (profile.ef_code, setting.key)


async def test_s8_brightness_reads_and_writes(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """The S8's display brightness (address 0A) is shown and can be changed."""
    await add_jura_entry(hass, jura_simulator)
    brightness = _setting_entity(hass, BRIGHTNESS)
    assert hass.states.get(brightness).state == "40"

    await hass.services.async_call(
        "select", "select_option", {ATTR_ENTITY_ID: brightness, "option": "100"}, blocking=True
    )
    assert hass.states.get(brightness).state == "100"
    assert jura_simulator.settings[BRIGHTNESS] == "0A"


# --- one setting the machine answers oddly (item 2) ----------------------------------------------


@pytest.mark.usefixtures("quick_requests")
@pytest.mark.freeze_time(tick=True)
@pytest.mark.parametrize(
    "fault", ["bare echo", "not supported", "no answer", "refusal", "bad checksum"]
)
async def test_one_odd_setting_costs_only_that_setting(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    """The entry loads, the other settings and the pushed state stay, and one log line says so."""
    match fault:
        case "bare echo":
            jura_simulator.reply_overrides["@TM:0A"] = "@tm:0a"
        case "not supported":
            jura_simulator.remove_setting(BRIGHTNESS)  # answered @tm:8A
        case "no answer":
            jura_simulator.ignored_commands.add("@TM:0A")
        case "refusal":
            jura_simulator.reply_overrides["@TM:0A"] = "@an:error"
        case "bad checksum":
            jura_simulator.reply_overrides["@TM:0A"] = "@tm:0a,0400"
    caplog.set_level(logging.INFO, logger="custom_components.kitchen_connect")
    entry = await add_jura_entry(hass, jura_simulator, options={OPTION_PRODUCT_COUNTER_INTERVAL: 5})

    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(_setting_entity(hass, BRIGHTNESS)).state == STATE_UNAVAILABLE
    for argument in (0x02, 0x13, 0x08, 0x09, 0x04, 0x62):
        assert hass.states.get(_setting_entity(hass, argument)).state not in NO_VALUE
    assert hass.states.get("sensor.kaffeebert_products_made").state == "0"
    assert hass.states.get(STATUS).state == "ready"
    jura_simulator.set_alert(1)
    jura_simulator.push_now()
    await wait_for(hass, lambda: hass.states.get(WATER_TANK).state == STATE_ON)

    jura_simulator.set_setting(0x02, "0D")  # hardness changed on the machine
    await _pass_time(hass, freezer, 5)
    await wait_for(hass, lambda: hass.states.get(_setting_entity(hass, 0x02)).state == "13.0")
    await _pass_time(hass, freezer, 5)
    assert hass.states.get(_setting_entity(hass, BRIGHTNESS)).state == STATE_UNAVAILABLE
    assert len(_unreadable_lines(caplog)) == 1, [r.getMessage() for r in caplog.records]
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("fault", ["not supported", "no answer"])
@pytest.mark.usefixtures("quick_requests")
async def test_a_numeric_setting_without_a_value_is_unavailable(
    hass: HomeAssistant, jura_simulator: JuraSimulator, fault: str
) -> None:
    """The hardness number is unavailable, not unknown, while the machine gives no value."""
    if fault == "not supported":
        jura_simulator.remove_setting(HARDNESS)
    else:
        jura_simulator.ignored_commands.add("@TM:02")
    await add_jura_entry(hass, jura_simulator)

    assert hass.states.get(_setting_entity(hass, HARDNESS)).state == STATE_UNAVAILABLE
    assert hass.states.get(_setting_entity(hass, BRIGHTNESS)).state == "40"
    assert hass.states.get(PANEL_LOCK).state == LockState.UNLOCKED


async def test_a_value_that_is_no_option_is_unknown(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A setting that reads, but to none of the model's options, shows unknown: it is there."""
    jura_simulator.set_setting(BRIGHTNESS, "0F")
    await add_jura_entry(hass, jura_simulator)

    assert hass.states.get(_setting_entity(hass, BRIGHTNESS)).state == STATE_UNKNOWN


# --- requests the machine ignores (item 3) -------------------------------------------------------


@pytest.mark.usefixtures("quick_requests")
async def test_unanswered_command_is_a_clear_error_and_the_session_stays(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Pressing a button the machine ignores says so in words; the next press works."""
    await add_jura_entry(hass, jura_simulator)
    connections = jura_simulator.connections
    jura_simulator.ignored_commands.add("@TG:FF")

    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: CANCEL}, blocking=True)
    exceptions = json.loads((TRANSLATIONS / "en.json").read_text())["exceptions"]
    assert raised.value.translation_domain == DOMAIN
    # Sent, but no answer: the message must not claim that nothing was sent.
    assert raised.value.translation_key == "jura_no_reply"
    assert raised.value.translation_key in exceptions
    assert str(raised.value).startswith("Kaffeebert did not answer in time;")

    assert hass.states.get(STATUS).state == "ready"
    jura_simulator.ignored_commands.clear()
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: CANCEL}, blocking=True)
    assert jura_simulator.commands.count("@TG:FF") == 2
    assert jura_simulator.connections == connections
    jura_simulator.set_alert(1)
    jura_simulator.push_now()
    await wait_for(hass, lambda: hass.states.get(WATER_TANK).state == STATE_ON)


@pytest.mark.usefixtures("quick_requests")
async def test_an_unanswered_read_keeps_the_last_counters_without_an_error_line(
    hass: HomeAssistant, jura_simulator: JuraSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A read the machine leaves unanswered logs no error: an outage is the session's to tell."""
    await add_jura_entry(hass, jura_simulator)
    cleanings = hass.states.get(CLEANINGS)
    assert cleanings is not None
    assert cleanings.state not in NO_VALUE
    jura_simulator.ignored_commands.add("@TG:43")
    asked = jura_simulator.commands.count("@TG:43")
    coordinator = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.counters
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        await coordinator.async_refresh()
    assert jura_simulator.commands.count("@TG:43") > asked
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert hass.states.get(CLEANINGS).state == cleanings.state  # type: ignore[union-attr]


async def test_odd_read_back_after_a_write_is_a_clear_error(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A setting written, then read back garbled (bad checksum): an error in words."""
    await add_jura_entry(hass, jura_simulator)
    brightness = _setting_entity(hass, BRIGHTNESS)
    jura_simulator.reply_overrides["@TM:0A"] = "@tm:0a,0400"

    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            "select", "select_option", {ATTR_ENTITY_ID: brightness, "option": "100"}, blocking=True
        )
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "jura_unexpected_reply"
    assert "Kaffeebert" in str(raised.value)
    assert jura_simulator.settings[BRIGHTNESS] == "0A"  # the write itself went through
    assert hass.states.get(STATUS).state == "ready"


# --- a setup that fails after the session opened (item 4) ----------------------------------------


def _handshake_sent(simulator: JuraSimulator) -> bool:
    # The pairing's own @HP: ended with a hang-up (""); this one carries the token.
    return simulator.connected and simulator.commands[-1].startswith("@HP:")


async def _start_setup(
    hass: HomeAssistant, simulator: JuraSimulator, stage: str
) -> tuple[MockConfigEntry, asyncio.Task[bool]]:
    """Begin setting up and return while it waits for the machine at ``stage``.

    "handshake": the machine is slow to accept the session. "first status": someone
    brews at the machine, which then pushes no status for a while.
    """
    entry = await add_jura_entry(hass, simulator, setup=False)
    if stage == "handshake":
        simulator.reply_delays["@HP:"] = 2.0
    else:
        simulator.brew_step_interval = 1.0
        simulator.brew_at_machine("espresso")
    setup = hass.async_create_task(hass.config_entries.async_setup(entry.entry_id))
    await wait_for(hass, lambda: _handshake_sent(simulator))
    await asyncio.sleep(0.1)
    return entry, setup


@pytest.mark.parametrize("stage", ["handshake", "first status"])
async def test_cancelled_setup_frees_the_machine(
    hass: HomeAssistant, jura_simulator: JuraSimulator, stage: str
) -> None:
    """Setup cancelled with a session open (e.g. Home Assistant stopping) hangs up."""
    entry, setup = await _start_setup(hass, jura_simulator, stage)

    setup.cancel()
    with pytest.raises(asyncio.CancelledError):
        await setup
    assert entry.state is ConfigEntryState.SETUP_ERROR
    # Past the slow handshake: a socket left open would be accepted by now.
    await asyncio.sleep(2.2 if stage == "handshake" else 0.3)
    assert not jura_simulator.connected

    jura_simulator.reply_delays.clear()
    jura_simulator.brew_step_interval = 0.02  # let the espresso finish quickly
    await jura_simulator.wait_idle()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(STATUS).state == "ready"


async def test_reload_waits_out_the_rest_of_the_gap(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """The reloaded entry's new client knows when the old one hung up and waits the rest.

    Reconnecting sooner makes the dongle reset the connection (about 3 s on an S8).
    """
    entry = await add_jura_entry(hass, jura_simulator, options={OPTION_RECONNECT_GAP: 0.5})
    jura_simulator.reconnect_gap = 0.4
    connections = jura_simulator.connections

    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert jura_simulator.connections == connections + 1  # no reset on the way
    jura_simulator.set_alert(1)
    jura_simulator.push_now()
    await wait_for(hass, lambda: hass.states.get(WATER_TANK).state == STATE_ON)


async def test_reload_while_reconnecting_frees_the_machine(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A reload that cuts a reconnect short in its handshake leaves no session behind."""
    entry = await add_jura_entry(hass, jura_simulator)
    jura_simulator.clear_commands()
    jura_simulator.reply_delays["@HP:"] = 1.0
    jura_simulator.drop_session()
    await wait_for(hass, lambda: _handshake_sent(jura_simulator))

    # The machine is busy with the slow handshake and notices the hang-up only after it,
    # so the reload itself may find it taken; what matters is that it is free afterwards.
    await hass.config_entries.async_reload(entry.entry_id)
    await asyncio.sleep(1.3)
    await hass.async_block_till_done()
    if entry.state is not ConfigEntryState.LOADED:
        assert not jura_simulator.connected

    jura_simulator.reply_delays.clear()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    jura_simulator.set_alert(1)
    jura_simulator.push_now()
    await wait_for(hass, lambda: hass.states.get(WATER_TANK).state == STATE_ON)


async def test_session_lost_during_setup_leaves_nothing_open(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """The machine hangs up right after accepting: setup retries, and the retry succeeds."""
    entry, setup = await _start_setup(hass, jura_simulator, "first status")

    jura_simulator.drop_session()
    await setup
    assert entry.state is ConfigEntryState.SETUP_RETRY
    await asyncio.sleep(0.3)
    await hass.async_block_till_done()
    assert not jura_simulator.connected

    jura_simulator.brew_step_interval = 0.02  # let the espresso finish quickly
    await jura_simulator.wait_idle()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert jura_simulator.connected


# --- the panel lock the user set (item 5) --------------------------------------------------------


async def _lock_panel(hass: HomeAssistant) -> None:
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: PANEL_LOCK}, blocking=True)
    assert hass.states.get(PANEL_LOCK).state == LockState.LOCKED


async def _settle(hass: HomeAssistant) -> None:
    """Several status pushes: time for a wrongly released lock to show."""
    await asyncio.sleep(0.7)
    await hass.async_block_till_done()


@pytest.mark.parametrize("how", ["reload", "restart"])
async def test_users_lock_survives_reload_and_restart(
    hass: HomeAssistant, jura_simulator: JuraSimulator, how: str
) -> None:
    """Locked from Home Assistant, the panel stays locked when the entry comes back."""
    entry = await add_jura_entry(hass, jura_simulator)
    await _lock_panel(hass)

    if how == "reload":
        await hass.config_entries.async_reload(entry.entry_id)
    else:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await _settle(hass)

    assert entry.state is ConfigEntryState.LOADED
    assert LOCKED_KEYS in jura_simulator.alerts
    assert "@TS:00" not in jura_simulator.commands
    assert hass.states.get(PANEL_LOCK).state == LockState.LOCKED


async def test_users_lock_survives_an_options_change(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Saving the options reloads the entry; the lock is kept all the same."""
    entry = await add_jura_entry(hass, jura_simulator)
    await _lock_panel(hass)

    flow = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {OPTION_COUNTER_INTERVAL: 20, OPTION_PRODUCT_COUNTER_INTERVAL: 60, OPTION_RECONNECT_GAP: 0},
    )
    await hass.async_block_till_done()
    await _settle(hass)

    assert entry.options[OPTION_COUNTER_INTERVAL] == 20
    assert LOCKED_KEYS in jura_simulator.alerts
    assert hass.states.get(PANEL_LOCK).state == LockState.LOCKED


async def test_unlocking_is_remembered_too(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Unlocked again, a later lock left behind by a dropped app session is released."""
    entry = await add_jura_entry(hass, jura_simulator)
    await _lock_panel(hass)
    await hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: PANEL_LOCK}, blocking=True)
    assert entry.data[CONF_PANEL_LOCK] is False

    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    jura_simulator.set_alert(LOCKED_KEYS)  # the phone app locked it and went away
    jura_simulator.push_now()
    await wait_for(hass, lambda: LOCKED_KEYS not in jura_simulator.alerts)
    await wait_for(hass, lambda: hass.states.get(PANEL_LOCK).state == LockState.UNLOCKED)


async def test_leaked_lock_is_released_once(
    hass: HomeAssistant, jura_simulator: JuraSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A lock nobody here asked for is released with one @TS:00, however often it is pushed."""
    jura_simulator.set_alert(LOCKED_KEYS)
    jura_simulator.reply_delays["@TS:00"] = 1.0  # five "locked" pushes meanwhile
    caplog.set_level(logging.INFO, logger=machine_module.__name__)
    await add_jura_entry(hass, jura_simulator)

    await wait_for(hass, lambda: LOCKED_KEYS not in jura_simulator.alerts)
    await _settle(hass)
    assert jura_simulator.commands.count("@TS:00") == 1
    assert caplog.text.count("Releasing a panel lock") == 1
    assert hass.states.get(PANEL_LOCK).state == LockState.UNLOCKED


def _pending_unlocks() -> list[asyncio.Task[object]]:
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done() and "_send_unlock" in getattr(task.get_coro(), "__qualname__", "")
    ]


async def test_unload_cancels_a_pending_release(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Unloading while the machine has not answered the release leaves nothing running."""
    jura_simulator.set_alert(LOCKED_KEYS)
    jura_simulator.ignored_commands.add("@TS:00")
    entry = await add_jura_entry(hass, jura_simulator)
    await wait_for(hass, lambda: "@TS:00" in jura_simulator.commands)
    assert _pending_unlocks()

    await hass.config_entries.async_unload(entry.entry_id)
    assert _pending_unlocks() == []
    assert not jura_simulator.connected


# --- firmware versions on the first setup (item 6) -----------------------------------------------


def _device(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry | None:
    return dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, JURA_MACHINE_ID), entry.entry_id
    )


@pytest.mark.parametrize("jura_model", ["EF1013"])
async def test_firmware_does_not_wait_for_the_entities(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """The versions land on the device even when no entity has created it yet.

    Here the one platform set up has no entity for this model (the ENA 4 has no
    numbers), the extreme case of a dongle answering before the entities are added.
    """
    await jura_simulator.async_start_discovery_responder(jura_simulator.port)
    with only_platform(BRAND_KEY, Platform.NUMBER):
        entry = await add_jura_entry(hass, jura_simulator)
        await wait_for(
            hass, lambda: (device := _device(hass, entry)) is not None and bool(device.sw_version)
        )
    device = _device(hass, entry)
    assert device is not None
    assert device.sw_version == "EF1013 V01.00"
    assert device.hw_version is not None
    assert device.hw_version.startswith("TT237W")
    assert device.model_id == "EF1013"


async def test_firmware_is_shown_on_a_fresh_device(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A new entry's device shows the versions without a reload."""
    await jura_simulator.async_start_discovery_responder(jura_simulator.port)
    entry = await add_jura_entry(hass, jura_simulator)
    await wait_for(
        hass, lambda: (device := _device(hass, entry)) is not None and bool(device.sw_version)
    )
    device = _device(hass, entry)
    assert device is not None
    assert device.sw_version == "EF1091 V01.00"
    assert device.name == "Kaffeebert"
    assert device.manufacturer == "Jura"
