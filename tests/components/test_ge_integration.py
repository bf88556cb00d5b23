"""A GE account set up against the loopback SmartHQ simulator, over real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
import logging

from homeassistant.components.climate import DOMAIN as CLIMATE_DOMAIN
from homeassistant.components.water_heater import DOMAIN as WATER_HEATER_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.ge import setup as ge_setup
from custom_components.kitchen_connect.ge.const import CONF_REFRESH_TOKEN
from custom_components.kitchen_connect.ge.coordinator import GeCoordinator
from simulators.ge import (
    DEFAULT_ACCOUNT,
    SmartHqSimulator,
)
from simulators.ge.household import SimAppliance

from ..helpers import OTHER_GE_ACCOUNT, add_ge_entry, ge_runtime_data, wait_for

OVEN = "D828C9A10701"
FRIDGE = "D828C9A10302"
DISHWASHER = "D828C9A10603"
WASHER = "D828C9A10204"
DRYER = "D828C9A10105"
BREWER = "D828C9A11A06"
ESPRESSO = "D828C9A12107"
WATER_HEATER = "D828C9A10008"
WINDOW_AC = "D828C9A10A09"
PORTABLE_AC = "D828C9A1160A"


@pytest.fixture(autouse=True)
def fast_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seconds instead of minutes for list refreshes and back-off."""
    monkeypatch.setitem(ge_setup.CLIENT_TIMING, "list_interval", 0.2)
    monkeypatch.setitem(ge_setup.CLIENT_TIMING, "backoff_initial", 0.05)
    monkeypatch.setitem(ge_setup.CLIENT_TIMING, "backoff_max", 0.2)


@pytest.fixture
async def short_lived_simulator() -> AsyncIterator[SmartHqSimulator]:
    """A SmartHQ that cuts every websocket after a second, as GE does after an hour."""
    simulator = SmartHqSimulator(connection_lifetime=1.0, tick_interval=0)
    await simulator.start()
    yield simulator
    await simulator.stop()


def _entity_id(hass: HomeAssistant, platform: str, mac: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{mac}_{key}")
    assert entity_id is not None, f"{platform} {mac}_{key} missing"
    return entity_id


def _coordinator(hass: HomeAssistant) -> GeCoordinator:
    return ge_runtime_data(hass.config_entries.async_entries(DOMAIN)[0]).coordinator


def _state_changes(hass: HomeAssistant) -> list[Event]:
    events: list[Event] = []

    @callback
    def _record(event: Event) -> None:
        if event.data.get("new_state") is not None:
            events.append(event)

    hass.bus.async_listen("state_changed", _record)
    return events


def _add_window_ac_twin(
    simulator: SmartHqSimulator,
    mac: str,
    nickname: str,
    *,
    label: str | None = None,
    erds: dict[int, str] | None = None,
) -> None:
    """Put a copy of the window AC on the account, with its own MAC, name and changed ERDs."""
    twin = simulator.household.appliances[WINDOW_AC]
    simulator.household.add_appliance(
        SimAppliance(
            mac=mac,
            nickname=nickname,
            label=twin.label if label is None else label,
            brand=twin.brand,
            erds={**twin.erds, **(erds or {})},
        )
    )


async def test_one_device_per_appliance(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Every appliance on the account is a device named by its nickname, keyed by MAC."""
    entry = await add_ge_entry(hass, ge_simulator)
    assert entry.state is ConfigEntryState.LOADED
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert {next(iter(d.identifiers))[1] for d in devices} == set(ge_simulator.household.appliances)
    oven = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, OVEN), entry.entry_id)
    assert oven is not None
    assert oven.name == "Kitchen Oven"
    assert oven.model == "Oven"
    assert oven.model_id == "JTD5000SNSS"
    assert oven.serial_number
    assert oven.sw_version
    assert oven.manufacturer


async def test_device_model_is_the_kind_and_model_id_the_model_number(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """The action pickers filter by model: the kind's label; GE's model number is the id."""
    entry = await add_ge_entry(hass, ge_simulator)
    registry = dr.async_get(hass)
    expected = {
        OVEN: "Oven",
        FRIDGE: "Refrigerator",
        DISHWASHER: "Dishwasher",
        WASHER: "Washer",
        DRYER: "Dryer",
        BREWER: "Drip coffee maker",
        ESPRESSO: "Espresso maker",
        WATER_HEATER: "Water heater",
        WINDOW_AC: "Air conditioner",
        PORTABLE_AC: "Air conditioner",
    }
    assert set(expected) == set(ge_simulator.household.appliances)
    coordinator = ge_runtime_data(entry).coordinator
    for mac, model in expected.items():
        device = registry.async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)
        assert device is not None
        assert (device.model, device.model_id) == (model, coordinator.appliance(mac).model)
        assert device.model_id

    # An appliance of a type we do not know: listed, with its model number and no model.
    other = "D828C9A104FE"
    _add_window_ac_twin(ge_simulator, other, "Mystery", label="Appliance", erds={0x0008: "04"})
    await wait_for(
        hass,
        lambda: (
            registry.async_get_device_by_identifier((DOMAIN, other), entry.entry_id) is not None
        ),
    )
    device = registry.async_get_device_by_identifier((DOMAIN, other), entry.entry_id)
    assert device is not None
    assert device.model is None
    assert device.model_id == coordinator.appliance(WINDOW_AC).model


async def test_hundred_pushes_hundred_state_writes_no_requests(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pushes are the only input after setup: no polling, one state write per push."""
    monkeypatch.setitem(ge_setup.CLIENT_TIMING, "list_interval", 600.0)
    await add_ge_entry(hass, ge_simulator)
    requests_before = len(ge_simulator.records("api")) + len(ge_simulator.records("http"))
    events = _state_changes(hass)
    water_heater = "water_heater.water_heater"
    for step in range(100):
        ge_simulator.household.set_erd(WATER_HEATER, 0x4026, f"{1010 + 10 * step:04X}")
        await wait_for(hass, lambda n=step + 1: len(events) >= n)
    await hass.async_block_till_done()
    assert len(events) == 100
    assert {event.data["entity_id"] for event in events} == {water_heater}
    requests_after = len(ge_simulator.records("api")) + len(ge_simulator.records("http"))
    assert requests_after == requests_before


async def test_hourly_cut_off_is_survived_without_losing_state(
    hass: HomeAssistant, short_lived_simulator: SmartHqSimulator
) -> None:
    """After GE closes the socket the client reconnects and re-reads what changed meanwhile."""
    simulator = short_lived_simulator
    entry = await add_ge_entry(hass, simulator)
    client = ge_runtime_data(entry).coordinator.client
    await wait_for(hass, lambda: client.stats.get("reconnects", 0) >= 1, timeout=10)
    simulator.household.set_erd(WATER_HEATER, 0x4024, "04C4")  # 122.0 °F
    await wait_for(
        hass,
        lambda: (
            hass.states.get("water_heater.water_heater").attributes["temperature"] is not None
            and round(hass.states.get("water_heater.water_heater").attributes["temperature"], 1)
            == 50.0
        ),
        timeout=10,
    )
    await wait_for(hass, lambda: client.stats.get("reconnects", 0) >= 2, timeout=10)
    assert hass.states.get("water_heater.water_heater").state != STATE_UNAVAILABLE


async def test_token_expiry_is_survived_and_the_new_refresh_token_kept(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """An expired access token on reconnect is refreshed; the rotated token is stored."""
    entry = await add_ge_entry(hass, ge_simulator)
    old_refresh = entry.data[CONF_REFRESH_TOKEN]
    ge_simulator.auth.expire_access_tokens()
    ge_simulator.drop_connections()
    await wait_for(hass, lambda: entry.data[CONF_REFRESH_TOKEN] != old_refresh, timeout=10)
    await wait_for(
        hass, lambda: hass.states.get("climate.bedroom_ac").state != STATE_UNAVAILABLE, timeout=10
    )
    assert ge_simulator.open_connections == 1


async def test_refused_refresh_asks_for_a_new_sign_in(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """When GE refuses the refresh token, entities go unavailable and reauth starts."""
    entry = await add_ge_entry(hass, ge_simulator)
    ge_simulator.auth.revoke_refresh_tokens()
    ge_simulator.auth.expire_access_tokens()
    ge_simulator.drop_connections()
    await wait_for(hass, lambda: any(entry.async_get_active_flows(hass, {"reauth"})), timeout=10)
    assert hass.states.get("climate.bedroom_ac").state == STATE_UNAVAILABLE
    password_logins = [r for r in ge_simulator.records("http") if "g_authenticate" in r.path]
    assert len(password_logins) == 1  # the one sign-in of the test setup, never another


async def test_rate_limit_is_answered_by_backing_off(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """429 replies after a reconnect are counted and retried later, and the account recovers."""
    entry = await add_ge_entry(hass, ge_simulator)
    client = ge_runtime_data(entry).coordinator.client
    ge_simulator.rate_limit_next(3)
    ge_simulator.drop_connections()
    await wait_for(hass, lambda: client.stats.get("rate_limited", 0) >= 1, timeout=10)
    await wait_for(
        hass,
        lambda: (
            client.connected
            and all(a.initialised for a in client.appliances.values())
            and hass.states.get("climate.bedroom_ac").state != STATE_UNAVAILABLE
        ),
        timeout=10,
    )


async def test_lost_connection_logs_once_each_way(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Exactly one info line when the account goes away and one when it is back."""
    await add_ge_entry(hass, ge_simulator)
    caplog.set_level(logging.INFO)
    caplog.clear()
    port = ge_simulator.port
    await ge_simulator.stop()
    await wait_for(
        hass, lambda: hass.states.get("climate.bedroom_ac").state == STATE_UNAVAILABLE, timeout=10
    )
    await ge_simulator.start(port)
    await wait_for(
        hass, lambda: hass.states.get("climate.bedroom_ac").state != STATE_UNAVAILABLE, timeout=10
    )
    ours = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components.kitchen_connect") and r.levelno >= logging.INFO
    ]
    assert [r.levelno for r in ours] == [logging.INFO, logging.INFO], [r.message for r in ours]
    assert "lost" in ours[0].message
    assert "again" in ours[1].message


async def test_offline_appliance_is_unavailable_not_an_error(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """An appliance the list shows offline is unavailable; the others stay available."""
    await add_ge_entry(hass, ge_simulator)
    ge_simulator.set_online(WINDOW_AC, False)
    await wait_for(
        hass, lambda: hass.states.get("climate.bedroom_ac").state == STATE_UNAVAILABLE, timeout=5
    )
    assert hass.states.get("water_heater.water_heater").state != STATE_UNAVAILABLE
    ge_simulator.set_online(WINDOW_AC, True)
    await wait_for(
        hass, lambda: hass.states.get("climate.bedroom_ac").state != STATE_UNAVAILABLE, timeout=5
    )
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("custom_components.kitchen_connect")
    ]


async def test_appliances_come_and_go_without_a_reload(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """A new appliance on the account gets its device and entities; a removed one is removed."""
    entry = await add_ge_entry(hass, ge_simulator)
    registry = dr.async_get(hass)
    new_mac = "D828C9A10AFF"
    _add_window_ac_twin(ge_simulator, new_mac, "Guest AC")
    await wait_for(hass, lambda: hass.states.get("climate.guest_ac") is not None, timeout=5)
    assert registry.async_get_device_by_identifier((DOMAIN, new_mac), entry.entry_id) is not None

    ge_simulator.household.remove_appliance(new_mac)
    await wait_for(
        hass,
        lambda: registry.async_get_device_by_identifier((DOMAIN, new_mac), entry.entry_id) is None,
        timeout=5,
    )
    assert er.async_get(hass).async_get("climate.guest_ac") is None
    assert entry.state is ConfigEntryState.LOADED


async def test_climate_writes_reach_the_appliance(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Turning the AC on in cool mode and setting 72 °F; state follows the pushes."""
    await add_ge_entry(hass, ge_simulator)
    await hass.services.async_call(
        CLIMATE_DOMAIN,
        "set_hvac_mode",
        {ATTR_ENTITY_ID: "climate.bedroom_ac", "hvac_mode": "cool"},
        blocking=True,
    )
    await wait_for(hass, lambda: hass.states.get("climate.bedroom_ac").state == "cool")
    await hass.services.async_call(
        CLIMATE_DOMAIN,
        "set_temperature",
        {ATTR_ENTITY_ID: "climate.bedroom_ac", "temperature": 20},
        blocking=True,
    )
    writes = ge_simulator.household.write_log
    assert (WINDOW_AC, 0x7003, "0044") in writes  # 20 °C is 68 °F
    await hass.services.async_call(
        CLIMATE_DOMAIN, "turn_off", {ATTR_ENTITY_ID: "climate.bedroom_ac"}, blocking=True
    )
    await wait_for(hass, lambda: hass.states.get("climate.bedroom_ac").state == "off")


async def test_water_heater_writes_reach_the_appliance(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Setpoint in tenths of °F, a mode change and vacation as away mode."""
    await add_ge_entry(hass, ge_simulator)
    entity = "water_heater.water_heater"
    await hass.services.async_call(
        WATER_HEATER_DOMAIN,
        "set_temperature",
        {ATTR_ENTITY_ID: entity, "temperature": 50},
        blocking=True,
    )
    assert (WATER_HEATER, 0x4024, "04C4") in ge_simulator.household.write_log  # 122.0 °F
    await hass.services.async_call(
        WATER_HEATER_DOMAIN,
        "set_operation_mode",
        {ATTR_ENTITY_ID: entity, "operation_mode": "high_demand"},
        blocking=True,
    )
    await wait_for(hass, lambda: hass.states.get(entity).state == "high_demand")
    await hass.services.async_call(
        WATER_HEATER_DOMAIN,
        "set_away_mode",
        {ATTR_ENTITY_ID: entity, "away_mode": True},
        blocking=True,
    )
    await wait_for(hass, lambda: hass.states.get(entity).attributes["away_mode"] == "on")


async def _call(hass: HomeAssistant, action: str, mac: str, **data: object) -> None:
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)
    assert device is not None
    await hass.services.async_call(DOMAIN, action, {"device_id": device.id, **data}, blocking=True)


async def _refusal(hass: HomeAssistant, action: str, mac: str, **data: object) -> tuple[str, str]:
    """The translation key of a refused call and the message the user reads."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, action, mac, **data)
    assert err.value.translation_key is not None
    message = str(err.value)
    assert err.value.translation_key not in message  # rendered, not the bare key
    return err.value.translation_key, message


async def test_destructive_actions_need_confirm(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Without confirm: true nothing is written and the refusal says what would happen."""
    await add_ge_entry(hass, ge_simulator)
    log = ge_simulator.household.write_log
    for action, mac, data, refusal, name in (
        ("start_cooking", OVEN, {"mode": "bake"}, "ge_confirm_start_cooking", "Kitchen Oven"),
        ("stop_cooking", OVEN, {}, "ge_confirm_stop_cooking", "Kitchen Oven"),
        ("start_cycle", DISHWASHER, {}, "ge_confirm_start_cycle", "Dishwasher"),
        ("brew", BREWER, {}, "ge_confirm_brew", "Coffee Maker"),
        ("start_maintenance", BREWER, {"process": "descale"}, "ge_confirm_descale", "Coffee Maker"),
    ):
        key, message = await _refusal(hass, action, mac, **data)
        assert key == refusal
        assert message.startswith("Nothing was sent.")
        assert name in message
    assert log == []


async def test_actions_refuse_appliances_of_another_kind(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """An action on an appliance that cannot run it is refused by name, confirmed or not."""
    await add_ge_entry(hass, ge_simulator)
    for action, mac, data, name in (
        ("start_cooking", DISHWASHER, {"mode": "bake"}, "Dishwasher"),
        ("stop_cooking", WASHER, {}, "Washer"),
        ("start_cycle", OVEN, {}, "Kitchen Oven"),
        ("start_cycle", WATER_HEATER, {}, "Water Heater"),
        ("brew", ESPRESSO, {}, "Espresso Maker"),
        ("start_maintenance", FRIDGE, {"process": "descale"}, "Fridge"),
    ):
        for confirm in (False, True):
            key, message = await _refusal(hass, action, mac, confirm=confirm, **data)
            assert key == "action_not_supported"
            assert name in message
            assert action in message
    assert ge_simulator.household.write_log == []


async def test_oven_cook_mode_started_and_stopped(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Bake at 180 °C (356 °F) for 90 minutes in the upper oven; then off."""
    await add_ge_entry(hass, ge_simulator)
    await _call(
        hass, "start_cooking", OVEN, confirm=True, mode="bake", temperature=180, cook_time=90
    )
    assert (OVEN, 0x5100, "010164011E000000000000000") in [
        (mac, code, raw[:25]) for mac, code, raw in ge_simulator.household.write_log
    ]
    appliance = _coordinator(hass).appliance(OVEN)
    await wait_for(hass, lambda: appliance.erds[0x5101].value != "no_mode")
    await _call(hass, "stop_cooking", OVEN, confirm=True)
    assert ge_simulator.household.write_log[-1] == (OVEN, 0x5100, "00" * 13)


async def test_remote_enable_is_respected(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """The lower oven does not allow remote control: a translated error, nothing written."""
    await add_ge_entry(hass, ge_simulator)
    key, message = await _refusal(
        hass, "start_cooking", OVEN, confirm=True, mode="bake", cavity="lower"
    )
    assert key == "ge_remote_oven"
    assert "remote control is off on Kitchen Oven" in message
    # 400 °C is 752 °F, above the oven's 550 °F.
    key, message = await _refusal(
        hass, "start_cooking", OVEN, confirm=True, mode="bake", temperature=400
    )
    assert key == "ge_oven_temperature"
    assert "Kitchen Oven" in message
    assert "170" in message
    assert "550" in message
    key, message = await _refusal(hass, "start_cycle", DRYER, confirm=True)
    assert key == "ge_laundry_not_delayed"
    assert "Dryer" in message
    key, message = await _refusal(hass, "brew", FRIDGE, confirm=True)
    assert key == "action_not_supported"
    assert "Fridge" in message
    assert ge_simulator.household.write_log == []


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "has no lower oven"), ("de", "hat keinen unteren Backofen")]
)
async def test_a_missing_oven_cavity_is_named_in_the_users_language(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, language: str, expected: str
) -> None:
    """A single oven asked for its lower cavity: the refusal names it in words, nothing sent."""
    erds = ge_simulator.household.appliances[OVEN].erds
    for code in [code for code in erds if code & 0xFF00 == 0x5200]:
        del erds[code]
    erds[0x5007] = "0890"  # the configuration without "lower oven"
    await add_ge_entry(hass, ge_simulator)
    translations = await async_get_translations(hass, language, "exceptions", {DOMAIN})
    for action, data in (("start_cooking", {"mode": "bake"}), ("stop_cooking", {})):
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, action, OVEN, confirm=True, cavity="lower", **data)
        key = f"component.{DOMAIN}.exceptions.{err.value.translation_key}.message"
        message = translations[key].format(**(err.value.translation_placeholders or {}))
        assert message.endswith(f"Kitchen Oven {expected}.")
    assert ge_simulator.household.write_log == []


@pytest.mark.parametrize(
    ("action", "mac", "data", "key", "placeholders"),
    [
        ("brew", BREWER, {"cups": 20}, "action_field_too_high", {"field": "cups", "limit": "12"}),
        (
            "start_cooking",
            OVEN,
            {"mode": "bake", "cook_time": 800},
            "action_field_too_high",
            {"field": "cook_time", "limit": "720 min"},
        ),
        (
            "start_cooking",
            OVEN,
            {"mode": "bake", "temperature": -5},
            "action_field_too_low",
            {"field": "temperature", "limit": "0"},
        ),
        (
            "brew",
            BREWER,
            {"brew_temperature": "hot"},
            "action_field_not_a_number",
            {"field": "brew_temperature"},
        ),
        (
            "stop_cooking",
            OVEN,
            {"cavity": "middle"},
            "action_field_not_an_option",
            {"field": "cavity", "options": "upper, lower"},
        ),
        (
            "brew",
            BREWER,
            {"strength": "strong"},
            "action_field_not_an_option",
            {"field": "strength", "options": "light, medium, dark, gold"},
        ),
    ],
)
async def test_out_of_range_fields_are_refused_in_words(
    hass: HomeAssistant,
    ge_simulator: SmartHqSimulator,
    action: str,
    mac: str,
    data: dict[str, object],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """The refusal says what the field accepts, and nothing reaches the appliance."""
    await add_ge_entry(hass, ge_simulator)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, action, mac, confirm=True, **data)
    assert (err.value.translation_key, err.value.translation_placeholders) == (key, placeholders)
    assert str(err.value).startswith("Nothing was sent: ")
    assert ge_simulator.household.write_log == []


async def test_cycles_and_brewing_start_when_confirmed(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Dishwasher start, the washer's delayed cycle now, a brew and descaling."""
    await add_ge_entry(hass, ge_simulator)
    await _call(hass, "start_cycle", DISHWASHER, confirm=True)
    await _call(hass, "start_cycle", WASHER, confirm=True)
    await _call(hass, "brew", BREWER, confirm=True, strength="gold", cups=2)
    writes = ge_simulator.household.write_log
    assert writes[0] == (DISHWASHER, 0x3204, "01")
    assert writes[1] == (WASHER, 0x2038, "0000")
    assert writes[2][:2] == (BREWER, 0x900B)
    assert writes[2][2].startswith("04")
    assert writes[2][2].endswith("02")
    coordinator = _coordinator(hass)
    await wait_for(hass, lambda: coordinator.appliance(WASHER).erds[0x2000].value == "run")
    await wait_for(hass, lambda: coordinator.appliance(BREWER).erds[0x9000].value is True)


async def test_write_timeout_ack_is_not_an_error(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """GE's 'timeout' acknowledgement is normal; the push decides the state."""
    await add_ge_entry(hass, ge_simulator)
    ge_simulator.write_ack_status = "timeout"
    await hass.services.async_call(
        CLIMATE_DOMAIN, "turn_on", {ATTR_ENTITY_ID: "climate.bedroom_ac"}, blocking=True
    )
    await wait_for(hass, lambda: hass.states.get("climate.bedroom_ac").state != "off")


async def test_setup_retries_when_smarthq_is_down(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """No service at setup: retried later, not an error for the user."""
    entry = await add_ge_entry(hass, ge_simulator, setup=False)
    await ge_simulator.stop()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_with_refused_tokens_asks_for_sign_in(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Stored tokens GE no longer accepts: setup fails into reauthentication."""
    entry = await add_ge_entry(hass, ge_simulator, setup=False)
    ge_simulator.auth.revoke_refresh_tokens()
    ge_simulator.auth.expire_access_tokens()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert any(entry.async_get_active_flows(hass, {"reauth"}))


async def test_diagnostics_hide_account_and_appliance_identity(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, hass_client: ClientSessionGenerator
) -> None:
    """No token, user id, e-mail, MAC or serial number in the download."""
    entry = await add_ge_entry(hass, ge_simulator)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics)
    secrets = [
        entry.data["access_token"],
        entry.data[CONF_REFRESH_TOKEN],
        DEFAULT_ACCOUNT.user_id,
        DEFAULT_ACCOUNT.username,
        *ge_simulator.household.appliances,
        *(mac.lower() for mac in ge_simulator.household.appliances),
    ]
    for secret in secrets:
        assert secret not in text
    assert len(diagnostics["runtime"]["appliances"]) == len(ge_simulator.household.appliances)
    serial = ge_simulator.household.appliances[OVEN].erds[0x0002]
    assert serial not in text
    assert OTHER_GE_ACCOUNT.username not in text


async def test_unload_closes_the_websocket(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Unloading the entry leaves no connection behind."""
    entry = await add_ge_entry(hass, ge_simulator)
    assert ge_simulator.open_connections == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await wait_for(hass, lambda: ge_simulator.open_connections == 0)


async def test_brew_and_cycle_preconditions(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """No water, no carafe, a wrong temperature or remote start off: refused, nothing sent."""
    await add_ge_entry(hass, ge_simulator)
    coordinator = _coordinator(hass)
    household = ge_simulator.household
    cases = (
        (BREWER, 0x9013, "01", "brew", "ge_brewer_no_water", "out of water"),
        (BREWER, 0x9012, "00", "brew", "ge_brewer_no_pot", "carafe"),
        (WASHER, 0x2039, "00", "start_cycle", "ge_remote_laundry", "remote control is off"),
        (DISHWASHER, 0x3087, "00", "start_cycle", "ge_remote_dishwasher", "remote start is off"),
    )
    for mac, code, raw, action, expected, words in cases:
        original = household.appliances[mac].erds[code]
        household.set_erd(mac, code, raw)
        await wait_for(
            hass,
            lambda m=mac, c=code, r=raw: coordinator.appliance(m).erds[c].raw == r,
        )
        key, message = await _refusal(hass, action, mac, confirm=True)
        assert key == expected
        assert words in message
        assert coordinator.appliance(mac).nickname in message
        household.set_erd(mac, code, original)
    await wait_for(hass, lambda: coordinator.appliance(BREWER).erds[0x9012].raw == "01")
    # 40 °C is 104 °F, below what the brewer takes.
    key, message = await _refusal(hass, "brew", BREWER, confirm=True, brew_temperature=40)
    assert key == "ge_brew_temperature"
    assert "Coffee Maker" in message
    assert household.write_log == []


async def test_descaling_the_espresso_maker(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Descaling starts when confirmed; the maker reports it by push."""
    await add_ge_entry(hass, ge_simulator)
    await _call(hass, "start_maintenance", ESPRESSO, confirm=True, process="descale")
    assert ge_simulator.household.write_log == [(ESPRESSO, 0x901A, "01")]
    coordinator = _coordinator(hass)
    await wait_for(hass, lambda: coordinator.appliance(ESPRESSO).erds[0x9019].value is True)


async def test_service_failures_are_translated(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """A rate-limited write and a write with the account offline say so in words."""
    await add_ge_entry(hass, ge_simulator)
    ge_simulator.rate_limit_next(1)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            CLIMATE_DOMAIN, "turn_on", {ATTR_ENTITY_ID: "climate.bedroom_ac"}, blocking=True
        )
    assert err.value.translation_key == "ge_write_refused"
    assert "Bedroom AC" in str(err.value)
    await ge_simulator.stop()
    await wait_for(
        hass, lambda: hass.states.get("climate.bedroom_ac").state == STATE_UNAVAILABLE, timeout=10
    )
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "start_cycle", DISHWASHER, confirm=True)
    assert err.value.translation_key == "ge_not_connected"
    assert "Dishwasher" in str(err.value)


async def test_update_entity_sends_nothing_and_keeps_the_pushes(
    hass: HomeAssistant,
    ge_simulator: SmartHqSimulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """homeassistant.update_entity on a GE entity: no error, no request, pushes still arrive."""
    monkeypatch.setitem(ge_setup.CLIENT_TIMING, "list_interval", 600.0)
    assert await async_setup_component(hass, "homeassistant", {})
    await add_ge_entry(hass, ge_simulator)
    entity = "water_heater.water_heater"
    requests = len(ge_simulator.request_log)
    caplog.clear()
    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {ATTR_ENTITY_ID: [entity, "climate.bedroom_ac"]},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert not [r.message for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(ge_simulator.request_log) == requests
    assert hass.states.get(entity).state != STATE_UNAVAILABLE
    events = _state_changes(hass)
    ge_simulator.household.set_erd(WATER_HEATER, 0x4026, "0410")
    await wait_for(hass, lambda: len(events) >= 1)
    assert events[0].data["entity_id"] == entity
    assert hass.states.get(entity).state != STATE_UNAVAILABLE
    assert len(ge_simulator.request_log) == requests


async def test_update_entity_while_disconnected_is_quiet(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Asking for an update while SmartHQ is away logs nothing; the entity recovers by itself."""
    assert await async_setup_component(hass, "homeassistant", {})
    await add_ge_entry(hass, ge_simulator)
    entity = "climate.bedroom_ac"
    caplog.set_level(logging.INFO)
    caplog.clear()
    port = ge_simulator.port
    await ge_simulator.stop()
    await wait_for(hass, lambda: hass.states.get(entity).state == STATE_UNAVAILABLE, timeout=10)
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: entity}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(entity).state == STATE_UNAVAILABLE
    await ge_simulator.start(port)
    await wait_for(hass, lambda: hass.states.get(entity).state != STATE_UNAVAILABLE, timeout=10)
    ours = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components.kitchen_connect") and r.levelno >= logging.INFO
    ]
    assert [r.levelno for r in ours] == [logging.INFO, logging.INFO], [r.message for r in ours]


async def test_debug_logs_hold_no_account_or_appliance_secret(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Even at debug level: no token, user id, e-mail or serial, in pushes and writes alike."""
    caplog.set_level(logging.DEBUG, logger="custom_components.kitchen_connect")
    entry = await add_ge_entry(hass, ge_simulator)
    await _call(hass, "start_maintenance", "D828C9A12107", confirm=True, process="descale")
    ge_simulator.household.set_erd(OVEN, 0x5109, "0190")
    await wait_for(hass, lambda: "erd=0x5109" in caplog.text)
    assert "Sent kind=websocket#api" in caplog.text
    serial = ge_simulator.household.appliances[OVEN].erds[0x0002]
    for secret in (
        entry.data["access_token"],
        entry.data[CONF_REFRESH_TOKEN],
        DEFAULT_ACCOUNT.user_id,
        DEFAULT_ACCOUNT.username,
        DEFAULT_ACCOUNT.password,
        serial,
    ):
        assert secret not in caplog.text
