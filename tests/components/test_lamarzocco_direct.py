"""A GS/3 AV and a Linea Mini on port 1774, against the simulated machine over 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.kitchen_connect.const import (
    CONF_BRAND,
    DOMAIN,
    ENTRY_MINOR_VERSION,
    ENTRY_VERSION,
)
from custom_components.kitchen_connect.kitchenlib import AuthError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct import DirectClient
from custom_components.kitchen_connect.kitchenlib.lamarzocco.models import ModelCode
from custom_components.kitchen_connect.lamarzocco.legacy.direct import (
    DEFAULT_SESSION_INTERVAL,
    async_probe_direct,
    coordinator as direct_coordinator,
    setup as direct_setup,
)
from custom_components.kitchen_connect.lamarzocco.legacy.direct.coordinator import (
    DirectCoordinator,
)
from simulators.lamarzocco.direct_machine import (
    DEFAULT_KEY,
    GS3_AV,
    LINEA_MINI,
    DirectMachineSimulator,
)

OTHER_KEY = "fedcba9876543210fedcba9876543210"
LOGGER_NAME = "custom_components.kitchen_connect.lamarzocco.legacy.direct"


@pytest.fixture(autouse=True)
def short_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions listen for pushes a fraction of a second instead of four; silence lasts 1 s."""
    monkeypatch.setattr(direct_coordinator, "LISTEN_SECONDS", 0.3)
    monkeypatch.setattr(direct_setup, "REQUEST_TIMEOUT", 1.0)


@pytest.fixture
def model() -> str:
    """The simulated machine's model; parametrize for a Linea Mini."""
    return GS3_AV


@pytest.fixture
async def machine(model: str) -> AsyncIterator[DirectMachineSimulator]:
    async with DirectMachineSimulator(model=model, push_interval=0.05, time_scale=40) as sim:
        yield sim


def _entry(
    machine: DirectMachineSimulator,
    key: str = DEFAULT_KEY,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="GS3" if machine.model == GS3_AV else "Mini",
        unique_id=machine.serial,
        version=ENTRY_VERSION,
        minor_version=ENTRY_MINOR_VERSION,
        data={
            CONF_BRAND: "lamarzocco",
            "transport": "direct",
            "host": "127.0.0.1",
            "port": machine.port,
            "key": key,
            "serial_number": machine.serial,
            "model": machine.model,
        },
        options=options or {"session_interval": DEFAULT_SESSION_INTERVAL},
    )


async def _set_up(
    hass: HomeAssistant, machine: DirectMachineSimulator, key: str = DEFAULT_KEY
) -> MockConfigEntry:
    entry = _entry(machine, key)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def entry(hass: HomeAssistant, machine: DirectMachineSimulator) -> MockConfigEntry:
    entry = await _set_up(hass, machine)
    assert entry.state is ConfigEntryState.LOADED
    return entry


def _coordinator(entry: MockConfigEntry) -> DirectCoordinator:
    coordinator: DirectCoordinator = entry.runtime_data.coordinator
    return coordinator


def _entity(hass: HomeAssistant, platform: str, key: str, serial: str = "GS012345") -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{serial}_{key}")
    assert entity_id is not None, key
    return entity_id


def _state(hass: HomeAssistant, platform: str, key: str, serial: str = "GS012345") -> str:
    state = hass.states.get(_entity(hass, platform, key, serial))
    assert state is not None
    return state.state


async def _refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await _coordinator(entry).async_refresh()
    await hass.async_block_till_done()


async def test_a_gs3_shows_what_the_machine_reports(
    hass: HomeAssistant, machine: DirectMachineSimulator, entry: MockConfigEntry
) -> None:
    assert _state(hass, "switch", "main") == "off"
    assert _state(hass, "switch", "steam_boiler") == "on"
    assert _state(hass, "number", "coffee_temperature") == "93.5"
    assert _state(hass, "number", "steam_temperature") == "124.0"
    assert _state(hass, "number", "prebrew_time_on") == "2.0"
    assert _state(hass, "number", "prebrew_time_off_key_4") == "2.0"
    assert _state(hass, "number", "preinfusion_time_key_3") == STATE_UNAVAILABLE  # prebrew mode
    assert _state(hass, "number", "dose_pulsestype_doseb") == "120"
    assert _state(hass, "number", "dose_pulsestype_continuous") == "999"
    assert _state(hass, "number", "hot_water_dose") == "8"
    assert _state(hass, "select", "prebrew_mode") == "prebrew"
    assert _state(hass, "sensor", "front_panel") == "STANDBY"
    assert _state(hass, "sensor", "total_coffees") == "245"
    assert _state(hass, "sensor", "total_flushes") == "55"
    assert _state(hass, "sensor", "key_2_coffees") == "80"
    assert _state(hass, "sensor", "machine_firmware") == "1.20"
    assert _state(hass, "binary_sensor", "water_tank") == "off"
    assert _state(hass, "binary_sensor", "coffee_heater") == "off"
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, "GS012345"), entry.entry_id)
    assert device is not None
    assert (device.manufacturer, device.model, device.sw_version) == (
        "La Marzocco",
        "GS3 AV",
        "1.20",
    )
    prebrew = hass.states.get(_entity(hass, "select", "prebrew_mode"))
    assert prebrew is not None
    assert prebrew.attributes["options"] == ["prebrew", "preinfusion", "disabled"]


@pytest.mark.parametrize("model", [LINEA_MINI])
async def test_a_linea_mini_has_its_paddle_not_doses(
    hass: HomeAssistant, machine: DirectMachineSimulator, entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    serial = machine.serial
    assert _state(hass, "number", "prebrew_time_on", serial) == "2.0"
    for platform, key in [
        ("number", "dose_pulsestype_dosea"),
        ("number", "hot_water_dose"),
        ("number", "prebrew_time_on_key_2"),
        ("number", "preinfusion_time"),
    ]:
        assert registry.async_get_entity_id(platform, DOMAIN, f"{serial}_{key}") is None
    prebrew = hass.states.get(_entity(hass, "select", "prebrew_mode", serial))
    assert prebrew is not None
    assert prebrew.attributes["options"] == ["prebrew", "disabled"]


async def test_pushed_temperatures_reach_the_state_while_a_session_listens(
    hass: HomeAssistant, machine: DirectMachineSimulator, entry: MockConfigEntry
) -> None:
    machine.memory[0] = 1  # on: the machine heats and reports
    sensor = _entity(hass, "sensor", "coffee_boiler_temperature")
    seen: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None:
            seen.append(new.state)

    unsubscribe = async_track_state_change_event(hass, [sensor], record)
    await _refresh(hass, entry)
    unsubscribe()
    # Several reports within one session, each shown as it came, the boiler warming.
    values = [float(value) for value in seen]
    assert len(values) >= 3
    assert values == sorted(values)
    assert values[-1] > values[0]
    assert float(_state(hass, "sensor", "steam_boiler_temperature")) > 20


async def test_writes_change_the_machine(
    hass: HomeAssistant, machine: DirectMachineSimulator, entry: MockConfigEntry
) -> None:
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": _entity(hass, "number", "coffee_temperature"), "value": 95.2},
        blocking=True,
    )
    assert machine.target(7) == 95.2
    assert _state(hass, "number", "coffee_temperature") == "95.2"
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": _entity(hass, "switch", "main")}, blocking=True
    )
    assert machine.power
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": _entity(hass, "switch", "steam_boiler")}, blocking=True
    )
    assert not machine.steam_enabled
    assert _state(hass, "switch", "steam_boiler") == "off"
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": _entity(hass, "select", "prebrew_mode"), "option": "preinfusion"},
        blocking=True,
    )
    assert machine.config_byte(11) == 2
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": _entity(hass, "number", "preinfusion_time_key_3"), "value": 12.5},
        blocking=True,
    )
    assert machine.memory[0x00E4] == 125
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": _entity(hass, "number", "dose_pulsestype_dosec"), "value": 90},
        blocking=True,
    )
    assert machine.memory[0x18:0x1A] == (90).to_bytes(2)
    assert _state(hass, "number", "dose_pulsestype_dosec") == "90"
    await machine.wait_released()  # every write let go of the machine


@pytest.mark.parametrize(
    ("key", "value"),
    [("coffee_temperature", 93.55), ("prebrew_time_on_key_2", 1.25), ("hot_water_dose", 2.5)],
)
async def test_a_value_off_the_machine_s_grid_is_refused_and_nothing_sent(
    hass: HomeAssistant,
    machine: DirectMachineSimulator,
    entry: MockConfigEntry,
    key: str,
    value: float,
) -> None:
    sessions = machine.accepted
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": _entity(hass, "number", key), "value": value},
            blocking=True,
        )
    assert caught.value.translation_key == "lamarzocco_direct_out_of_range"
    assert caught.value.translation_placeholders["value"] == f"{value:g}"
    assert machine.writes == []
    assert machine.accepted == sessions  # not even connected


async def test_a_value_beyond_the_range_is_refused_and_nothing_sent(
    hass: HomeAssistant, machine: DirectMachineSimulator, entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": _entity(hass, "number", "steam_temperature"), "value": 140},
            blocking=True,
        )
    assert machine.writes == []


async def test_while_the_app_holds_the_machine_it_is_unavailable_with_one_line_each_way(
    hass: HomeAssistant,
    machine: DirectMachineSimulator,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="custom_components.kitchen_connect")
    caplog.clear()
    machine.app_holds = True
    for _ in range(3):
        await _refresh(hass, entry)
    assert _state(hass, "number", "coffee_temperature") == STATE_UNAVAILABLE
    assert _state(hass, "switch", "main") == STATE_UNAVAILABLE
    assert machine.dropped == 3
    lines = [r for r in caplog.records if r.name.startswith("custom_components.kitchen_connect")]
    assert [r.levelno for r in lines] == [logging.INFO]
    assert "is unavailable" in lines[0].getMessage()
    assert "app" in lines[0].getMessage()
    caplog.clear()
    machine.app_holds = False
    await _refresh(hass, entry)
    await _refresh(hass, entry)
    assert _state(hass, "number", "coffee_temperature") == "93.5"
    lines = [r for r in caplog.records if r.name.startswith("custom_components.kitchen_connect")]
    assert [(r.levelno, "is back" in r.getMessage()) for r in lines] == [(logging.INFO, True)]


async def test_a_write_while_the_app_holds_the_machine_says_so(
    hass: HomeAssistant, machine: DirectMachineSimulator, entry: MockConfigEntry
) -> None:
    machine.app_holds = True
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": _entity(hass, "switch", "main")}, blocking=True
        )
    assert caught.value.translation_key == "lamarzocco_direct_busy_command"
    assert not machine.power


async def test_the_machine_is_released_between_sessions(
    hass: HomeAssistant, machine: DirectMachineSimulator, entry: MockConfigEntry
) -> None:
    await machine.wait_released()
    # The app (another client) gets the machine between two sessions.
    app = DirectClient("127.0.0.1", machine.port, DEFAULT_KEY, timeout=1.0)
    await app.read(listen=0)
    await machine.wait_released()
    await _refresh(hass, entry)
    assert _coordinator(entry).reachable
    assert machine.dropped == 0
    assert _coordinator(entry).update_interval is not None
    assert _coordinator(entry).update_interval.total_seconds() == DEFAULT_SESSION_INTERVAL


async def test_the_session_interval_option_sets_the_cadence(
    hass: HomeAssistant, machine: DirectMachineSimulator
) -> None:
    entry = _entry(machine, options={"session_interval": 300})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    coordinator = _coordinator(entry)
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 300
    # The options form reloads the entry with the new cadence.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(result["flow_id"], {"session_interval": 45})
    await hass.async_block_till_done()
    coordinator = _coordinator(entry)
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 45


async def test_backflush_needs_confirm_then_runs(
    hass: HomeAssistant, machine: DirectMachineSimulator, entry: MockConfigEntry
) -> None:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, "GS012345"), entry.entry_id)
    assert device is not None
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "start_maintenance",
            {"device_id": device.id, "process": "backflush"},
            blocking=True,
        )
    assert caught.value.translation_key == "lamarzocco_confirm_backflush"
    assert machine.writes == []
    await hass.services.async_call(
        DOMAIN,
        "start_maintenance",
        {"device_id": device.id, "process": "backflush", "confirm": True},
        blocking=True,
    )
    assert machine.writes == [(0x00E1, b"\x82")]
    assert machine.backflush_left > 0
    assert _state(hass, "sensor", "front_panel") == "BACKFLUSH"


async def test_a_wrong_key_asks_for_the_key_again(
    hass: HomeAssistant, machine: DirectMachineSimulator
) -> None:
    entry = await _set_up(hass, machine, OTHER_KEY)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_a_key_that_stops_working_asks_for_it_again(
    hass: HomeAssistant, machine: DirectMachineSimulator, entry: MockConfigEntry
) -> None:
    """The machine got a new key: its frames no longer decrypt with ours."""
    machine.memory[0] = 1  # on: it pushes reports
    machine.change_key(OTHER_KEY)
    await _refresh(hass, entry)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_the_app_holding_the_machine_at_start_retries_setup(
    hass: HomeAssistant, machine: DirectMachineSimulator
) -> None:
    machine.app_holds = True
    entry = await _set_up(hass, machine)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_unloading_hangs_up(
    hass: HomeAssistant, machine: DirectMachineSimulator, entry: MockConfigEntry
) -> None:
    coordinator = _coordinator(entry)
    coordinator.listen_seconds = 30  # a session that would hold the machine a long time
    refresh = hass.async_create_task(coordinator.async_refresh())
    await machine.wait_connected()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await machine.wait_released(timeout=2)
    await refresh


async def test_the_probe_names_the_machine(
    hass: HomeAssistant, machine: DirectMachineSimulator
) -> None:
    result = await async_probe_direct(hass, "127.0.0.1", machine.port, DEFAULT_KEY)
    assert (result.serial, result.model, result.firmware) == ("GS012345", ModelCode.GS3_AV, "1.20")
    await machine.wait_released()
    with pytest.raises(AuthError):
        await async_probe_direct(hass, "127.0.0.1", machine.port, OTHER_KEY)


async def test_no_key_or_serial_in_logs_or_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    machine: DirectMachineSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    machine.memory[0] = 1
    entry = await _set_up(hass, machine)
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": _entity(hass, "switch", "main")}, blocking=True
    )
    machine.app_holds = True
    await _refresh(hass, entry)
    machine.app_holds = False
    await _refresh(hass, entry)
    diagnostics: dict[str, Any] = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = caplog.text + repr(diagnostics)
    for secret in (DEFAULT_KEY, machine.serial, machine.module_serial):
        assert secret not in text
    assert diagnostics["runtime"]["blocks"]["config"]["coffee_target"] == 93.5
    assert diagnostics["runtime"]["sessions"] >= 3
