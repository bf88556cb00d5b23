"""La Marzocco over Bluetooth through Home Assistant's own Bluetooth stack (simulated proxy)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
import logging
import time

from homeassistant.components import bluetooth
from homeassistant.config_entries import (
    SOURCE_BLUETOOTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigEntryState,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.link import Timeouts
from custom_components.kitchen_connect.lamarzocco import ble as lm_ble
from custom_components.kitchen_connect.lamarzocco.const import (
    CONF_BLUETOOTH_ADDRESS,
    CONF_BLUETOOTH_TOKEN,
    OPTION_OFFLINE_MODE,
    OPTION_USE_BLUETOOTH,
)
from simulators.ha_bluetooth import SimulatedScanner, async_start_scanner
from simulators.lamarzocco.peripheral import LaMarzoccoAir, SimulatedLaMarzocco
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator

from ..helpers import wait_for
from .lamarzocco_support import (
    ADVANCED,
    MICRA,
    add_lamarzocco_entry,
    entity_id,
    fast_stream,
    lamarzocco_simulator,
    runtime,
    sign_in_input,
    state,
)

__all__ = ["fast_stream", "lamarzocco_simulator"]

pytestmark = pytest.mark.usefixtures("fast_stream", "quick_fallback")


@pytest.fixture
def quick_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bluetooth deadlines of a test, not of a kitchen."""
    monkeypatch.setattr(
        lm_ble, "FALLBACK_TIMEOUTS", Timeouts(connect=1.0, gatt=0.5, auth_poll=0.005, operation=2.0)
    )


@pytest.fixture
async def air(
    no_discovery_flows: None,
    hass: HomeAssistant,
    enable_bluetooth: None,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
) -> AsyncIterator[LaMarzoccoAir]:
    """The household's machines on the air through a simulated proxy."""
    simulated = LaMarzoccoAir.for_household(lamarzocco_simulator.household, tick=0.05)
    scanner = SimulatedScanner("simulated-lamarzocco-proxy", simulated.peripherals.values())
    stop = async_start_scanner(hass, scanner, interval=None)
    yield simulated
    simulated.close()
    stop()


async def add_discovered(
    hass: HomeAssistant, sim: LaMarzoccoCloudSimulator, micra: SimulatedLaMarzocco
) -> ConfigEntry:
    """Add the Micra as Bluetooth discovery would: its address is kept in the entry."""
    info = next(
        info
        for info in bluetooth.async_discovered_service_info(hass)
        if info.address == micra.address
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={**ADVANCED, "source": SOURCE_BLUETOOTH}, data=info
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], sign_in_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = result["result"]
    assert isinstance(entry, ConfigEntry)
    return entry


async def test_live_telemetry_and_commands_over_bluetooth(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, air: LaMarzoccoAir
) -> None:
    """Boiler temperatures and the shot timer arrive over the air; changes go over it too."""
    micra = air.by_serial(MICRA)
    entry = await add_discovered(hass, lamarzocco_simulator, micra)
    assert entry.data[CONF_BLUETOOTH_ADDRESS] == micra.address
    assert entry.data[CONF_BLUETOOTH_TOKEN] == micra.token  # from the cloud's settings
    ble = runtime(entry).bluetooth
    assert ble is not None
    await wait_for(hass, lambda: ble.connected)

    coffee = entity_id(hass, "sensor", MICRA, "coffee_boiler_temperature")
    await wait_for(hass, lambda: state(hass, coffee) not in ("unknown", STATE_UNAVAILABLE))
    timer = entity_id(hass, "sensor", MICRA, "shot_timer")
    last = entity_id(hass, "sensor", MICRA, "last_shot_duration")
    micra.machine.start_shot()
    await wait_for(hass, lambda: float(state(hass, timer)) > 0)
    micra.machine.stop_shot()
    await wait_for(hass, lambda: state(hass, last) not in ("unknown", STATE_UNAVAILABLE))
    assert state(hass, timer) == "0.0"

    commands = lamarzocco_simulator.count("SteamBoilerEnabled")
    writes = len(micra.writes)
    await hass.services.async_call(
        "switch",
        "turn_off",
        {ATTR_ENTITY_ID: entity_id(hass, "switch", MICRA, "steam_boiler")},
        blocking=True,
    )
    assert len(micra.writes) > writes  # over the air ...
    assert lamarzocco_simulator.count("SteamBoilerEnabled") == commands  # ... not the cloud
    assert not lamarzocco_simulator.household.machines[MICRA].steam_enabled
    steam = entity_id(hass, "switch", MICRA, "steam_boiler")
    await wait_for(hass, lambda: state(hass, steam) == "off")  # the cloud pushes it back


async def test_silent_bluetooth_falls_back_to_the_cloud_quickly(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, air: LaMarzoccoAir
) -> None:
    """A machine that does not answer over the air is reached over the cloud, in seconds."""
    micra = air.by_serial(MICRA)
    entry = await add_discovered(hass, lamarzocco_simulator, micra)
    ble = runtime(entry).bluetooth
    assert ble is not None
    await ble.async_stop()  # no held link: each command opens its own
    micra.faults.connect_hangs = True
    started = time.monotonic()
    await hass.services.async_call(
        "switch",
        "turn_off",
        {ATTR_ENTITY_ID: entity_id(hass, "switch", MICRA, "main")},
        blocking=True,
    )
    assert time.monotonic() - started < 5
    assert lamarzocco_simulator.count("ChangeMode") == 1
    assert lamarzocco_simulator.household.machines[MICRA].mode == "StandBy"


async def add_offline(
    hass: HomeAssistant, sim: LaMarzoccoCloudSimulator, micra: SimulatedLaMarzocco
) -> ConfigEntry:
    """The Micra added through discovery, then switched to offline mode; the cloud blocked."""
    entry = await add_discovered(hass, sim, micra)
    await hass.config_entries.options.async_init(entry.entry_id)
    flow = hass.config_entries.options.async_progress()[0]
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {OPTION_USE_BLUETOOTH: True, OPTION_OFFLINE_MODE: True}
    )
    sim.blocked = True
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def _next_poll(hass: HomeAssistant) -> None:
    """A minute passes: offline mode reads the machine again."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done()


async def _poll_until(hass: HomeAssistant, condition: Callable[[], bool], polls: int = 10) -> None:
    """Minutes pass until ``condition()`` holds (a read may still be waiting on a link)."""
    for _ in range(polls):
        if condition():
            return
        await _next_poll(hass)
    assert condition()


async def test_offline_mode_needs_no_cloud(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, air: LaMarzoccoAir
) -> None:
    """With the cloud blocked, offline mode reads and switches the machine over the air."""
    micra = air.by_serial(MICRA)
    await add_offline(hass, lamarzocco_simulator, micra)
    requests = len(lamarzocco_simulator.requests)
    power = entity_id(hass, "switch", MICRA, "main")
    assert state(hass, power) == "on"
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: power}, blocking=True)
    await wait_for(hass, lambda: state(hass, power) == "off")
    assert lamarzocco_simulator.household.machines[MICRA].mode == "StandBy"
    assert lamarzocco_simulator.requests[requests:] == []  # not one request to the cloud


async def test_reconfigure_picks_the_bluetooth_device(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, air: LaMarzoccoAir
) -> None:
    """With machines in range, reconfigure offers them; the choice (or none) is stored."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator, MICRA)
    assert CONF_BLUETOOTH_ADDRESS not in entry.data
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    credentials = {"username": "barista@example.com", "password": "simulated-password"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], credentials)
    assert result["step_id"] == "lamarzocco_bluetooth"
    options = result["data_schema"].schema[CONF_BLUETOOTH_ADDRESS].config["options"]
    micra = air.by_serial(MICRA)
    assert {option["value"] for option in options} >= {"none", micra.address}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BLUETOOTH_ADDRESS: micra.address}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_BLUETOOTH_ADDRESS] == micra.address
    await hass.async_block_till_done()

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], credentials)
    assert result["data_schema"]({})[CONF_BLUETOOTH_ADDRESS] == micra.address  # the default
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BLUETOOTH_ADDRESS: "none"}
    )
    assert CONF_BLUETOOTH_ADDRESS not in entry.data
    await hass.async_block_till_done()


async def test_bluetooth_drop_during_a_shot(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, air: LaMarzoccoAir
) -> None:
    """The link drops mid-shot; it comes back by itself and the shot's end is still shown."""
    micra = air.by_serial(MICRA)
    entry = await add_discovered(hass, lamarzocco_simulator, micra)
    ble = runtime(entry).bluetooth
    assert ble is not None
    await wait_for(hass, lambda: ble.connected)
    connections = micra.connections
    micra.faults.drop_mid_shot = True
    micra.machine.start_shot()
    await wait_for(hass, lambda: micra.connections > connections, timeout=10)
    await wait_for(hass, lambda: ble.connected, timeout=10)
    micra.machine.stop_shot()
    last = entity_id(hass, "sensor", MICRA, "last_shot_duration")
    await wait_for(hass, lambda: state(hass, last) not in ("unknown", STATE_UNAVAILABLE))
    assert float(state(hass, last)) > 0


async def test_offline_machine_out_of_reach_is_logged_once_each_way(
    hass: HomeAssistant,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
    air: LaMarzoccoAir,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A Bluetooth-only machine that stops answering: one info line, one when it is back.

    The line names the machine, not the cloud (offline mode never asks it), and neither
    its address nor its token.
    """
    micra = air.by_serial(MICRA)
    await add_offline(hass, lamarzocco_simulator, micra)
    power = entity_id(hass, "switch", MICRA, "main")
    caplog.clear()
    caplog.set_level(logging.INFO, logger="custom_components.kitchen_connect")
    micra.faults.connect_hangs = True
    micra.drop_link()
    await _poll_until(hass, lambda: state(hass, power) == STATE_UNAVAILABLE)
    await _next_poll(hass)
    micra.faults.connect_hangs = False
    await _poll_until(hass, lambda: state(hass, power) == "on")
    await _next_poll(hass)
    ours = [r for r in caplog.records if r.name.startswith("custom_components.kitchen_connect")]
    lines = [r.getMessage() for r in ours if r.levelno >= logging.INFO]
    assert len(lines) == 2, lines
    assert lines[0].startswith("Micra cannot be reached over Bluetooth (")
    assert lines[1] == "Micra can be reached over Bluetooth again"
    assert all(r.levelno == logging.INFO for r in ours if r.levelno >= logging.INFO)
    for message in (r.getMessage() for r in ours):
        assert micra.address not in message
        assert micra.token not in message


async def test_offline_machine_out_of_reach_at_start_names_bluetooth(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, air: LaMarzoccoAir
) -> None:
    """Offline mode retries a machine out of reach at start, saying Bluetooth, not the cloud."""
    micra = air.by_serial(MICRA)
    entry = await add_offline(hass, lamarzocco_simulator, micra)
    micra.faults.connect_hangs = True
    micra.drop_link()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert str(entry.reason).startswith("Micra cannot be reached over Bluetooth (")
