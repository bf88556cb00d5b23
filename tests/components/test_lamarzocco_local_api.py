"""A La Marzocco machine on an older gateway, through its local API (port 8081) over 127.0.0.1."""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
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
from custom_components.kitchen_connect.kitchenlib.errors import ConnectionFailedError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.legacy import (
    LEGACY_SETTINGS,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.local.client import LocalApiClient
from custom_components.kitchen_connect.kitchenlib.lamarzocco.local.errors import (
    KeyNotEnabledError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.models import ModelCode
from custom_components.kitchen_connect.lamarzocco.const import (
    CONF_BLUETOOTH_ADDRESS,
    CONF_MODEL,
    CONF_SERIAL,
)
from custom_components.kitchen_connect.lamarzocco.legacy.const import (
    CONF_HOST,
    CONF_KEY,
    CONF_PORT,
    CONF_TRANSPORT,
    CONF_USERNAME,
    TRANSPORT_LOCAL_API,
)
from custom_components.kitchen_connect.lamarzocco.legacy.local_api import (
    async_probe_local_api,
    coordinator,
)
from custom_components.kitchen_connect.lamarzocco.legacy.local_api.runtime import (
    LocalApiRuntime,
)
from custom_components.kitchen_connect.lamarzocco.legacy.probe import ProbeResult
from simulators.ha_bluetooth import SimulatedScanner, async_start_scanner
from simulators.lamarzocco.household import Household, default_household
from simulators.lamarzocco.local_gateway import LocalGateway

from .lamarzocco_support import gateway, old_household

__all__ = ["gateway", "old_household"]
from simulators.lamarzocco.peripheral import LaMarzoccoAir

from ..helpers import wait_for

MINI = "LM000101"
GS3 = "GS000003"
USERNAME = "owner@example.com"
ADDRESS = "C4:DD:57:00:01:01"


@pytest.fixture(autouse=True)
def quick_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect delays of a test, not of a kitchen."""
    monkeypatch.setattr(coordinator, "RECONNECT_INITIAL", 0.02)
    monkeypatch.setattr(coordinator, "RECONNECT_MAX", 0.05)


@pytest.fixture
def household(old_household: Household) -> Household:
    return old_household


def local_api_entry(gateway: LocalGateway, **extra: Any) -> MockConfigEntry:
    """The Linea Mini's entry as the config flow stores it (the benchmark uses it too)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Linea Mini",
        unique_id=extra.get(CONF_SERIAL, MINI),
        version=ENTRY_VERSION,
        minor_version=ENTRY_MINOR_VERSION,
        data={
            CONF_BRAND: "lamarzocco",
            CONF_TRANSPORT: TRANSPORT_LOCAL_API,
            CONF_HOST: "127.0.0.1",
            CONF_PORT: gateway.port,
            CONF_KEY: gateway.key,
            CONF_SERIAL: MINI,
            CONF_MODEL: "LINEAMINI",
            **extra,
        },
    )


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def _streaming(hass: HomeAssistant, gateway: LocalGateway, entry: MockConfigEntry) -> None:
    await _set_up(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    await wait_for(hass, lambda: gateway.streaming)


def _id(hass: HomeAssistant, platform: str, key: str) -> str:
    entity = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{MINI}_{key}")
    assert entity is not None, (platform, key)
    return entity


def _state(hass: HomeAssistant, platform: str, key: str) -> str:
    found = hass.states.get(_id(hass, platform, key))
    assert found is not None
    return found.state


def _runtime(entry: MockConfigEntry) -> LocalApiRuntime:
    runtime = entry.runtime_data
    assert isinstance(runtime, LocalApiRuntime)
    return runtime


async def test_read_only_entities_show_the_gateway_and_follow_its_pushes(
    hass: HomeAssistant, gateway: LocalGateway, household: Household
) -> None:
    entry = local_api_entry(gateway)
    await _streaming(hass, gateway, entry)

    assert _state(hass, "sensor", "coffee_temperature") == "93.0"
    assert _state(hass, "sensor", "steam_temperature") == "128.0"
    assert _state(hass, "sensor", "machine_state") == "powered_on"
    assert _state(hass, "sensor", "gateway_firmware") == "v4.1.3"
    assert _state(hass, "sensor", "scale_battery") == "64.0"
    assert _state(hass, "sensor", "dose_masstype_dosea") == "36.0"
    assert _state(hass, "sensor", "prebrew_time_on") == "0.5"
    assert _state(hass, "sensor", "preinfusion_time") == "4.0"
    assert _state(hass, "binary_sensor", "water_tank") == STATE_OFF
    assert _state(hass, "binary_sensor", "plumb_in") == STATE_OFF
    assert _state(hass, "binary_sensor", "main") == STATE_ON
    # Without Bluetooth nothing can be changed.
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("switch", DOMAIN, f"{MINI}_main") is None
    assert registry.async_get_entity_id("number", DOMAIN, f"{MINI}_coffee_temperature") is None
    await wait_for(hass, lambda: _state(hass, "sensor", "total_coffees") == "1200")

    machine = household.machines[MINI]
    machine.steam_enabled = False
    machine.tank_ok = False
    household.changed(machine)
    await wait_for(hass, lambda: _state(hass, "binary_sensor", "steam_boiler") == STATE_OFF)
    await wait_for(hass, lambda: _state(hass, "binary_sensor", "water_tank") == STATE_ON)

    household.brew(MINI, seconds=60)
    await wait_for(hass, lambda: _state(hass, "binary_sensor", "brewing") == STATE_ON)
    await wait_for(hass, lambda: float(_state(hass, "sensor", "shot_timer")) > 0)
    assert _state(hass, "sensor", "machine_state") == "brewing"
    await wait_for(hass, lambda: _state(hass, "binary_sensor", "brewing") == STATE_OFF)
    await wait_for(hass, lambda: _state(hass, "sensor", "last_shot_duration") != "unknown")
    await wait_for(hass, lambda: _state(hass, "sensor", "total_coffees") == "1201")


async def test_a_key_the_gateway_has_not_enabled_asks_for_a_new_one(
    hass: HomeAssistant, gateway: LocalGateway
) -> None:
    gateway.key_enabled = False
    entry = local_api_entry(gateway)
    await _set_up(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert "has not enabled the stored key" in entry.reason
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_a_key_refused_later_stops_the_stream_and_asks_again(
    hass: HomeAssistant, gateway: LocalGateway
) -> None:
    entry = local_api_entry(gateway)
    await _streaming(hass, gateway, entry)
    gateway.key_enabled = False
    await gateway.drop_stream()
    await wait_for(
        hass,
        lambda: any(
            flow["context"]["source"] == SOURCE_REAUTH
            for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        ),
    )
    assert _state(hass, "sensor", "coffee_temperature") == STATE_UNAVAILABLE
    opened = gateway.streams_opened
    gateway.key_enabled = True
    await hass.async_block_till_done()
    assert gateway.streams_opened == opened  # no retry storm with a refused key


async def test_a_dropped_stream_is_one_line_down_and_one_line_back(
    hass: HomeAssistant, gateway: LocalGateway, caplog: pytest.LogCaptureFixture
) -> None:
    entry = local_api_entry(gateway)
    await _streaming(hass, gateway, entry)
    caplog.set_level(logging.INFO)
    gateway.app_holds = True  # the app takes the local connection when we lose it
    await gateway.drop_stream()
    await wait_for(hass, lambda: _state(hass, "sensor", "coffee_temperature") == STATE_UNAVAILABLE)
    await wait_for(hass, lambda: gateway.streams_refused >= 3)
    assert _runtime(entry).coordinator.streaming is False
    household = gateway.household
    machine = household.machines[MINI]
    machine.coffee_target = 94.0  # changed while we were away: read again on return
    gateway.app_holds = False
    await wait_for(hass, lambda: _state(hass, "sensor", "coffee_temperature") == "94.0")
    assert _runtime(entry).coordinator.streaming is True
    assert caplog.text.count("Linea Mini is unavailable") == 1
    assert caplog.text.count("Linea Mini is back") == 1


async def test_unloading_gives_the_machine_back_to_the_app(
    hass: HomeAssistant, gateway: LocalGateway
) -> None:
    entry = local_api_entry(gateway)
    await _streaming(hass, gateway, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await wait_for(hass, lambda: not gateway.streaming)
    # Another client (the official app) may stream now.
    app = LocalApiClient(async_get_clientsession(hass), "127.0.0.1", gateway.port, gateway.key)
    opened: list[bool] = []
    task = hass.async_create_background_task(
        app.async_listen(lambda _frame: None, lambda: opened.append(True)), "app"
    )
    await wait_for(hass, lambda: opened == [True])
    assert gateway.streams_refused == 0
    task.cancel()


@pytest.mark.usefixtures("no_discovery_flows", "enable_bluetooth")
async def test_changes_go_over_legacy_bluetooth_and_show_when_pushed(
    hass: HomeAssistant, gateway: LocalGateway, household: Household
) -> None:
    air = LaMarzoccoAir()
    peripheral = air.add(household, MINI, ADDRESS, legacy_key=gateway.key, tick=0.05)
    scanner = SimulatedScanner("simulated-lamarzocco-proxy", [peripheral])
    stop = async_start_scanner(hass, scanner, interval=None)
    try:
        entry = local_api_entry(
            gateway, **{CONF_BLUETOOTH_ADDRESS: ADDRESS, CONF_USERNAME: USERNAME}
        )
        await _streaming(hass, gateway, entry)
        assert _runtime(entry).writer is not None
        power = _id(hass, "switch", "main")
        assert hass.states.get(power).state == STATE_ON  # type: ignore[union-attr]
        await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: power}, blocking=True)
        assert household.machines[MINI].mode == "StandBy"
        await wait_for(hass, lambda: hass.states.get(power).state == STATE_OFF)  # type: ignore[union-attr]
        target = _id(hass, "number", "coffee_temperature")
        await hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: target, "value": 95.5}, blocking=True
        )
        await wait_for(hass, lambda: hass.states.get(target).state == "95.5")  # type: ignore[union-attr]
        assert any(uuid == LEGACY_SETTINGS for uuid, _data in peripheral.writes)
        # Out of range: refused before anything is sent.
        writes = len(peripheral.writes)
        with pytest.raises(HomeAssistantError):
            await hass.services.async_call(
                "number", "set_value", {ATTR_ENTITY_ID: target, "value": 130}, blocking=True
            )
        assert len(peripheral.writes) == writes
    finally:
        air.close()
        stop()


async def test_no_key_serial_username_or_address_in_logs_or_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    gateway: LocalGateway,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    entry = local_api_entry(gateway, **{CONF_BLUETOOTH_ADDRESS: ADDRESS, CONF_USERNAME: USERNAME})
    await _streaming(hass, gateway, entry)
    await gateway.drop_stream()
    await wait_for(hass, lambda: gateway.streams_opened >= 2)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = str(diagnostics)
    assert diagnostics["runtime"]["streaming"] is True
    for secret in (gateway.key, MINI, f"Sn{MINI}", USERNAME, ADDRESS, "44:b7:d0"):
        assert secret not in text, secret
        assert secret not in caplog.text, secret


async def test_a_gs3_av_shows_pulses_and_prebrew_per_key(hass: HomeAssistant) -> None:
    household = default_household()
    gateway = LocalGateway(household, GS3, tick=0.05)
    await gateway.start()
    try:
        entry = local_api_entry(gateway, **{CONF_SERIAL: GS3, CONF_MODEL: "GS3AV"})
        await _streaming(hass, gateway, entry)
        registry = er.async_get(hass)

        def state_of(key: str) -> str:
            entity = registry.async_get_entity_id("sensor", DOMAIN, f"{GS3}_{key}")
            assert entity is not None, key
            return hass.states.get(entity).state  # type: ignore[union-attr]

        assert state_of("dose_pulsestype_doseb") == "121.0"
        assert state_of("prebrew_time_on") == "0.5"
        assert state_of("prebrew_time_off_key_4") == "1.0"
        assert registry.async_get_entity_id("sensor", DOMAIN, f"{GS3}_preinfusion_time") is None
        assert state_of("machine_state") == "standby"
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await gateway.stop()


async def test_the_probe_tells_model_and_firmware_or_the_refusal(
    hass: HomeAssistant, gateway: LocalGateway
) -> None:
    found = await async_probe_local_api(hass, "127.0.0.1", gateway.port, gateway.key)
    assert found == ProbeResult(serial=None, model=ModelCode.LINEA_MINI, firmware="1.40")
    gateway.key_enabled = False
    with pytest.raises(KeyNotEnabledError):
        await async_probe_local_api(hass, "127.0.0.1", gateway.port, gateway.key)
    port = gateway.port
    await gateway.stop()
    with pytest.raises(ConnectionFailedError):
        await async_probe_local_api(hass, "127.0.0.1", port, "any")
