"""Nespresso machines through Home Assistant's Bluetooth stack, against the simulated machines.

Adverts come from a remote scanner registered with Home Assistant; connections go through
Home Assistant's bleak wrapper and bleak-retry-connector to the fake backend. Every test
ends by checking that no machine was ever given a second key.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
import logging
import time

from habluetooth.const import UNAVAILABLE_TRACK_SECONDS
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.kitchenlib.nespresso.auth import parse_key
from simulators.ha_bluetooth import SimulatedScanner
from simulators.nespresso.backend import SimulatedAir, SimulatedPeripheral
from simulators.nespresso.machine import SimulatedMachine

from ..conftest import NESPRESSO_KEY, nespresso_entry

EXPERT = "expert_milk"
OTHER_KEY = parse_key("888cd4d9403865e1")


@pytest.fixture(autouse=True)
def one_key_per_machine(nespresso_air: SimulatedAir) -> Iterator[None]:
    """Whatever a test does, no machine ends up with more than the one key it had."""
    yield
    for peripheral in nespresso_air.peripherals.values():
        assert peripheral.machine.keys_written <= 1
        assert peripheral.active_links == 0  # no connection outlives its operation


async def _setup(hass: HomeAssistant, peripheral: SimulatedPeripheral) -> MockConfigEntry:
    entry = nespresso_entry(peripheral)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _advertise(hass: HomeAssistant, scanner: SimulatedScanner) -> None:
    scanner.advertise()
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_expert_live_from_adverts(
    hass: HomeAssistant,
    nespresso_expert: SimulatedPeripheral,
    nespresso_scanner: SimulatedScanner,
) -> None:
    """Status follows adverts with no connection; the slow values came from one connection."""
    entry = await _setup(hass, nespresso_expert)
    assert entry.state is ConfigEntryState.LOADED
    assert _state(hass, f"sensor.nespresso_{EXPERT}_state") == "ready"
    assert _state(hass, f"binary_sensor.nespresso_{EXPERT}_water_tank_empty") == STATE_OFF
    assert _state(hass, f"number.nespresso_{EXPERT}_capsules_left") == "15.0"
    assert _state(hass, f"number.nespresso_{EXPERT}_water_hardness") == "4.0"
    assert _state(hass, f"number.nespresso_{EXPERT}_auto_off") == "540.0"
    assert _state(hass, f"number.nespresso_{EXPERT}_low_capsule_stock_alert") == "5.0"
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.unique_id), entry.entry_id
    )
    assert device is not None
    assert (device.manufacturer, device.model) == ("Nespresso", "Expert&Milk")
    assert (device.sw_version, device.hw_version) == ("1.25", "1.8")
    assert nespresso_expert.connections == 1

    machine = nespresso_expert.machine
    machine.set_tank_empty(True)
    machine.set_container_full(True)
    machine.capsules = 3
    machine.sleep()
    await _advertise(hass, nespresso_scanner)
    assert _state(hass, f"binary_sensor.nespresso_{EXPERT}_water_tank_empty") == STATE_ON
    assert _state(hass, f"binary_sensor.nespresso_{EXPERT}_capsule_container") == STATE_ON
    assert _state(hass, f"binary_sensor.nespresso_{EXPERT}_capsule_stock_low") == STATE_ON
    assert _state(hass, f"number.nespresso_{EXPERT}_capsules_left") == "3.0"
    assert _state(hass, f"sensor.nespresso_{EXPERT}_state") == "power_save"
    assert nespresso_expert.connections == 1  # adverts alone, no new connection


async def test_vertuo_is_read_only(
    hass: HomeAssistant,
    nespresso_vertuo: SimulatedPeripheral,
    nespresso_scanner: SimulatedScanner,
) -> None:
    """A Vertuo Pop: its own status layout and settings, no capsule stock, no drip tray."""
    await _setup(hass, nespresso_vertuo)
    prefix = "nespresso_vertuo_pop"
    assert _state(hass, f"sensor.{prefix}_state") == "ready"
    assert _state(hass, f"number.{prefix}_water_hardness") == "3.0"
    assert _state(hass, f"number.{prefix}_auto_off") == "300.0"
    assert _state(hass, f"binary_sensor.{prefix}_cleaning_needed") == STATE_OFF
    assert hass.states.get(f"number.{prefix}_capsules_left") is None
    assert hass.states.get(f"binary_sensor.{prefix}_drip_tray") is None
    nespresso_vertuo.machine.set_container_full(True)
    await _advertise(hass, nespresso_scanner)
    assert _state(hass, f"binary_sensor.{prefix}_capsule_container") == STATE_ON

    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": f"number.{prefix}_water_hardness", "value": 1},
        blocking=True,
    )
    assert nespresso_vertuo.machine.settings == bytes.fromhex("2c010109")
    assert _state(hass, f"number.{prefix}_water_hardness") == "1.0"


async def test_settings_round_trip(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral
) -> None:
    """Each number is written on a short connection; the value read back is shown at once."""
    await _setup(hass, nespresso_expert)
    for name, value in (
        ("capsules_left", 42),
        ("low_capsule_stock_alert", 8),
        ("water_hardness", 2),
        ("auto_off", 1800),
    ):
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": f"number.nespresso_{EXPERT}_{name}", "value": value},
            blocking=True,
        )
        assert _state(hass, f"number.nespresso_{EXPERT}_{name}") == f"{value}.0"
    machine = nespresso_expert.machine
    assert (machine.capsules, machine.stock_threshold) == (42, 8)
    assert machine.settings == bytes.fromhex("07080200")
    assert nespresso_expert.peak_links == 1


async def test_not_advertising_retries_setup(
    hass: HomeAssistant, nespresso_air: SimulatedAir, nespresso_scanner: SimulatedScanner
) -> None:
    """A machine no scanner hears is not dialled: setup waits for its adverts."""
    silent = nespresso_air.add("C3:85:81:8C:9B:D7", SimulatedMachine(key=NESPRESSO_KEY))
    entry = await _setup(hass, silent)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert silent.connections == 0


async def test_availability_follows_adverts(
    hass: HomeAssistant,
    nespresso_expert: SimulatedPeripheral,
    nespresso_scanner: SimulatedScanner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unavailable once adverts stop, back with the next one; one info line each way."""
    await _setup(hass, nespresso_expert)
    caplog.set_level(logging.INFO, "custom_components.kitchen_connect")
    nespresso_scanner.remove(nespresso_expert.address, forget=True)
    for _ in range(2):
        async_fire_time_changed(
            hass, dt_util.utcnow() + timedelta(seconds=UNAVAILABLE_TRACK_SECONDS + 1)
        )
        await hass.async_block_till_done()
    assert _state(hass, f"sensor.nespresso_{EXPERT}_state") == STATE_UNAVAILABLE
    nespresso_scanner.add(nespresso_expert)
    await _advertise(hass, nespresso_scanner)
    assert _state(hass, f"sensor.nespresso_{EXPERT}_state") == "ready"
    ours = [r for r in caplog.records if r.name.startswith("custom_components.kitchen_connect")]
    assert [r.levelno for r in ours] == [logging.INFO, logging.INFO]
    assert "stopped advertising" in ours[0].getMessage()
    assert "advertising again" in ours[1].getMessage()
    for record in ours:
        assert nespresso_expert.address not in record.getMessage()


@pytest.mark.parametrize("reset", [False, True], ids=["other_key", "factory_reset"])
async def test_key_refused_starts_reauth_and_never_pairs(
    hass: HomeAssistant,
    nespresso_air: SimulatedAir,
    nespresso_expert: SimulatedPeripheral,
    reset: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another key or a reset machine: reauthentication, and no key is ever stored anew."""
    if reset:
        nespresso_expert.machine.factory_reset()
    else:
        nespresso_air.peripherals.pop(nespresso_expert.address)
        other = nespresso_air.add(
            nespresso_expert.address,
            SimulatedMachine(key=OTHER_KEY),
            name=nespresso_expert.name,
        )
        nespresso_expert = other
    entry = await _setup(hass, nespresso_expert)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows].count(SOURCE_REAUTH) == 1
    assert entry.state is ConfigEntryState.LOADED  # status still comes from adverts
    machine = nespresso_expert.machine
    assert machine.keys_written == 1  # a reset frees no slot; none was used again
    assert machine.key_state.name == ("NONE" if reset else "FINAL")
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("custom_components")]
    assert any("no longer accepts the stored key" in message for message in ours)
    for message in ours:
        assert NESPRESSO_KEY.hex() not in message
        assert nespresso_expert.address not in message


async def test_reload_and_drops_keep_one_key(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral
) -> None:
    """Reloads and links the machine drops after a brew never add a key."""
    nespresso_expert.faults.disconnect_after_brew = 0.0
    entry = await _setup(hass, nespresso_expert)
    for _ in range(2):
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    await hass.services.async_call(
        DOMAIN,
        "brew",
        {"device_id": _device_id(hass, entry), "product": "lungo", "confirm": True},
        blocking=True,
    )
    assert nespresso_expert.connections >= 4
    assert {data for uuid, data in nespresso_expert.writes if uuid == gatt.KEY} == {NESPRESSO_KEY}


@pytest.mark.parametrize(
    "fault",
    ["connect_hangs", "pair_hangs", "silent_reads", "muted", "disconnect_hangs"],
)
async def test_no_call_hangs_past_its_deadline(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral, fault: str
) -> None:
    """Whatever the machine stops answering, a command ends within its deadlines."""
    entry = await _setup(hass, nespresso_expert)
    faults = nespresso_expert.faults
    if fault == "silent_reads":
        faults.silent_reads.add(gatt.STATUS)
    elif fault == "muted":
        faults.muted.add(gatt.COMMAND_RESPONSE)
    elif fault == "pair_hangs":
        faults.pair_hangs = True
        nespresso_expert.machine.forget_bond()
    else:
        setattr(faults, fault, True)
    started = time.monotonic()
    call = hass.services.async_call(
        DOMAIN,
        "brew",
        {"device_id": _device_id(hass, entry), "confirm": True},
        blocking=True,
    )
    if fault == "disconnect_hangs":
        await call  # the brew went through; giving up on the hanging disconnect is fine
    else:
        with pytest.raises(HomeAssistantError):
            await call
    assert time.monotonic() - started < 5.0
    nespresso_expert.faults = type(faults)()
    nespresso_expert.drop_link()


def _device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(entry.unique_id)), entry.entry_id
    )
    assert device is not None
    return device.id
