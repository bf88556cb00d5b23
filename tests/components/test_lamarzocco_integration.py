"""La Marzocco machines set up against the loopback cloud, over real sockets."""

from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.lamarzocco.const import ISSUE_BLOCKED
from simulators.lamarzocco.server import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    LaMarzoccoCloudSimulator,
)

from ..helpers import wait_for
from .lamarzocco_support import (
    GS3_AV,
    MICRA,
    MINI,
    PICO,
    add_lamarzocco_entry,
    attributes,
    cloud_quiet,
    entity_id,
    fast_stream,
    lamarzocco_simulator,
    runtime,
    state,
    websocket_up,
)

__all__ = ["fast_stream", "lamarzocco_simulator"]

pytestmark = pytest.mark.usefixtures("fast_stream")


def _changes(hass: HomeAssistant, watched: str) -> list[Event]:
    events: list[Event] = []

    @callback
    def _record(event: Event) -> None:
        if event.data["entity_id"] == watched:
            events.append(event)

    hass.bus.async_listen("state_changed", _record)
    return events


async def test_machine_state_follows_pushes(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """A shot started at the machine shows as brewing; power and boiler read as reported."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    assert entry.state is ConfigEntryState.LOADED
    assert state(hass, entity_id(hass, "switch", MICRA, "main")) == "on"
    await websocket_up(hass, entry)
    lamarzocco_simulator.household.start_brewing(MICRA)
    brewing = entity_id(hass, "binary_sensor", MICRA, "brewing")
    await wait_for(hass, lambda: state(hass, brewing) == "on")
    status = entity_id(hass, "sensor", MICRA, "machine_state")
    assert state(hass, status) == "brewing"
    lamarzocco_simulator.household.stop_brewing(MICRA)
    await wait_for(hass, lambda: state(hass, brewing) == "off")


async def test_hundred_pushes_hundred_writes_no_requests(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """Each push is one state write of what changed, and nothing is polled meanwhile."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    await websocket_up(hass, entry)
    # The websocket reads each dashboard and schedule once after connecting.
    await cloud_quiet(hass, lamarzocco_simulator)
    target = entity_id(hass, "number", MICRA, "coffee_temperature")
    writes = _changes(hass, target)
    requests = len(lamarzocco_simulator.requests)
    machine = lamarzocco_simulator.household.machines[MICRA]
    for step in range(100):
        machine.coffee_target = 85.0 + step * 0.1
        lamarzocco_simulator.household.changed(machine)
        await wait_for(hass, lambda step=step: len(writes) == step + 1)
    assert len(writes) == 100
    assert float(state(hass, target)) == pytest.approx(94.9)
    assert lamarzocco_simulator.requests[requests:] == []


async def test_changes_reach_the_machine_and_come_back(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """Power, steam level and coffee temperature are sent and confirmed by the push."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    await websocket_up(hass, entry)
    machine = lamarzocco_simulator.household.machines[MICRA]
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: entity_id(hass, "number", MICRA, "coffee_temperature"), "value": 94.5},
        blocking=True,
    )
    assert machine.coffee_target == 94.5
    await hass.services.async_call(
        "select",
        "select_option",
        {ATTR_ENTITY_ID: entity_id(hass, "select", MICRA, "steam_level"), "option": "level_1"},
        blocking=True,
    )
    assert machine.steam_level == "Level1"
    power = entity_id(hass, "switch", MICRA, "main")
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: power}, blocking=True)
    assert machine.mode == "StandBy"
    await wait_for(hass, lambda: state(hass, power) == "off")


async def test_out_of_range_value_is_refused_before_sending(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """The Micra's coffee boiler goes to 100 °C (its widget says so); 105 is never sent."""
    await add_lamarzocco_entry(hass, lamarzocco_simulator)
    target = entity_id(hass, "number", MICRA, "coffee_temperature")
    assert attributes(hass, target)["max"] == 100
    sent = lamarzocco_simulator.count("CoffeeBoilerTargetTemperature")
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: target, "value": 105}, blocking=True
        )
    assert lamarzocco_simulator.count("CoffeeBoilerTargetTemperature") == sent


@pytest.mark.parametrize(
    ("result", "error"),
    [("Error", "lamarzocco_command_refused"), ("none", "lamarzocco_no_result")],
)
async def test_a_failed_command_is_not_a_silent_success(
    hass: HomeAssistant,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
    monkeypatch: pytest.MonkeyPatch,
    result: str,
    error: str,
) -> None:
    """A refusal says so; no result at all says it may have run (so nobody repeats it)."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    await websocket_up(hass, entry)
    monkeypatch.setattr(runtime(entry).account.cloud, "_command_timeout", 0.3)
    lamarzocco_simulator.command_result = result
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            "switch",
            "turn_off",
            {ATTR_ENTITY_ID: entity_id(hass, "switch", MICRA, "steam_boiler")},
            blocking=True,
        )
    assert raised.value.translation_key == error


async def test_backflush_is_confirm_gated(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """Without confirm the action says what it would do and sends nothing; a grinder cannot."""
    await add_lamarzocco_entry(hass, lamarzocco_simulator, MICRA)
    await add_lamarzocco_entry(hass, lamarzocco_simulator, PICO)
    devices = dr.async_get(hass)
    micra_entry, pico_entry = hass.config_entries.async_entries(DOMAIN)
    micra = devices.async_get_device_by_identifier((DOMAIN, MICRA), micra_entry.entry_id)
    pico = devices.async_get_device_by_identifier((DOMAIN, PICO), pico_entry.entry_id)
    assert micra is not None
    assert pico is not None
    call = {"device_id": micra.id, "process": "backflush"}
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(DOMAIN, "start_maintenance", call, blocking=True)
    assert refused.value.translation_key == "lamarzocco_confirm_backflush"
    assert lamarzocco_simulator.count("BackFlushStartCleaning") == 0
    with pytest.raises(ServiceValidationError) as unsupported:
        await hass.services.async_call(
            DOMAIN,
            "start_maintenance",
            {"device_id": pico.id, "process": "backflush", "confirm": True},
            blocking=True,
        )
    assert unsupported.value.translation_key == "action_not_supported"
    await hass.services.async_call(
        DOMAIN, "start_maintenance", {**call, "confirm": True}, blocking=True
    )
    assert lamarzocco_simulator.count("BackFlushStartCleaning") == 1
    backflush = entity_id(hass, "binary_sensor", MICRA, "backflush")
    await wait_for(hass, lambda: state(hass, backflush) == "on")


async def test_websocket_drop_is_survived_with_complete_state(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """A change made while the websocket was down shows once it is back (dashboard re-read)."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    coordinator = runtime(entry).coordinator
    await websocket_up(hass, entry)
    connects = runtime(entry).account.websocket_connects
    lamarzocco_simulator.close_on_connect = True
    await lamarzocco_simulator.drop_sockets()
    await wait_for(hass, lambda: not coordinator.websocket_connected)
    brewing = entity_id(hass, "binary_sensor", MICRA, "brewing")
    assert state(hass, brewing) == STATE_UNAVAILABLE  # only the websocket knows
    machine = lamarzocco_simulator.household.machines[MICRA]
    machine.coffee_target = 91.0  # changed while nobody listens
    lamarzocco_simulator.close_on_connect = False
    await wait_for(hass, lambda: coordinator.websocket_connected, timeout=10)
    assert runtime(entry).account.websocket_connects > connects
    target = entity_id(hass, "number", MICRA, "coffee_temperature")
    await wait_for(hass, lambda: state(hass, target) == "91.0")
    assert state(hass, brewing) == "off"


async def test_expired_token_is_renewed_without_the_user(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """A token the cloud revoked early is replaced by a new sign-in; the command goes through."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    await websocket_up(hass, entry)
    sign_ins = lamarzocco_simulator.count("/auth/signin")
    lamarzocco_simulator.auth.expire_access_tokens()
    await hass.services.async_call(
        "switch",
        "turn_off",
        {ATTR_ENTITY_ID: entity_id(hass, "switch", MICRA, "steam_boiler")},
        blocking=True,
    )
    assert lamarzocco_simulator.count("/auth/signin") == sign_ins + 1
    assert not lamarzocco_simulator.household.machines[MICRA].steam_enabled
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)  # no reauth asked


async def test_blocked_cloud_raises_a_repair_and_recovers(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """CloudFront's 403 makes the machine unavailable with a repair; both go when it ends."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    coordinator = runtime(entry).coordinator
    power = entity_id(hass, "switch", MICRA, "main")
    lamarzocco_simulator.blocked = True
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, power) == STATE_UNAVAILABLE
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_BLOCKED) is not None
    lamarzocco_simulator.blocked = False
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, power) == "on"
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_BLOCKED) is None


async def test_refused_password_starts_reauth(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """A password changed in the app leads to the reauth notification, not to errors."""
    lamarzocco_simulator.auth.add_account(DEFAULT_USERNAME, DEFAULT_PASSWORD)
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    lamarzocco_simulator.auth.add_account(DEFAULT_USERNAME, "changed-in-the-app")
    lamarzocco_simulator.auth.expire_access_tokens()
    lamarzocco_simulator.auth.revoke_refresh_tokens(DEFAULT_USERNAME)
    await runtime(entry).coordinator.async_refresh()
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_offline_machine_logs_once_each_way(
    hass: HomeAssistant,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The cloud losing the machine makes it unavailable with one info line, and one back."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    await websocket_up(hass, entry)
    caplog.set_level(logging.INFO)
    caplog.clear()
    machine = lamarzocco_simulator.household.machines[MICRA]
    power = entity_id(hass, "switch", MICRA, "main")
    machine.connected = False
    for _ in range(3):
        lamarzocco_simulator.household.changed(machine)
    await wait_for(hass, lambda: state(hass, power) == STATE_UNAVAILABLE)
    machine.connected = True
    lamarzocco_simulator.household.changed(machine)
    await wait_for(hass, lambda: state(hass, power) == "on")
    lines = [r.getMessage() for r in caplog.records if "La Marzocco's cloud" in r.getMessage()]
    assert lines == [
        "Micra is not connected to La Marzocco's cloud",
        "Micra is connected to La Marzocco's cloud again",
    ]


async def test_grinder_and_machines_together(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """Four entries share one websocket; the Pico's power and light work."""
    entries = [
        await add_lamarzocco_entry(hass, lamarzocco_simulator, serial)
        for serial in (MICRA, MINI, GS3_AV, PICO)
    ]
    for entry in entries:
        await websocket_up(hass, entry)
    assert lamarzocco_simulator.open_sockets == 1
    light = entity_id(hass, "switch", PICO, "barista_light")
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: light}, blocking=True)
    await wait_for(hass, lambda: state(hass, light) == "on")
    for entry in entries[:3]:
        assert await hass.config_entries.async_unload(entry.entry_id)
    assert lamarzocco_simulator.open_sockets == 1  # the Pico still listens
    assert await hass.config_entries.async_unload(entries[3].entry_id)
    await wait_for(hass, lambda: lamarzocco_simulator.open_sockets == 0)


async def test_diagnostics_carry_no_secret(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
) -> None:
    """No serial, e-mail, password, token or installation key in the download."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = str(diagnostics)
    cloud = runtime(entry).account.cloud
    tokens = cloud.tokens
    assert tokens is not None
    secrets = [
        MICRA,
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        tokens.access_token,
        tokens.refresh_token,
        cloud.key.installation_id,
        "simulated-ble-token-micra",
    ]
    assert [secret for secret in secrets if secret in text] == []
    assert diagnostics["runtime"]["machine"]["model_code"] == "LINEAMICRA"


async def test_privacy_policy_during_operation_asks_the_user(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """A policy to accept stops the entry with a repair; accepting it in reauth resumes."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    auth = lamarzocco_simulator.auth
    auth.require_privacy_policy = True
    auth.expire_access_tokens()
    auth.revoke_refresh_tokens(DEFAULT_USERNAME)
    await runtime(entry).coordinator.async_refresh()
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, "lamarzocco_privacy_policy") is not None
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"password": DEFAULT_PASSWORD}
    )
    assert result["step_id"] == "lamarzocco_policy"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"profile_data": False, "commercial": False}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, "lamarzocco_privacy_policy") is None


async def test_the_water_tank_alarm_comes_and_goes(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """The cloud adds its no-water widget while the tank is out and removes it after."""
    entry = await add_lamarzocco_entry(hass, lamarzocco_simulator)
    await websocket_up(hass, entry)
    tank = entity_id(hass, "binary_sensor", MICRA, "water_tank")
    assert state(hass, tank) == "off"
    machine = lamarzocco_simulator.household.machines[MICRA]
    machine.tank_ok = False
    lamarzocco_simulator.household.changed(machine)
    await wait_for(hass, lambda: state(hass, tank) == "on")
    machine.tank_ok = True
    lamarzocco_simulator.household.changed(machine)
    await wait_for(hass, lambda: state(hass, tank) == "off")
