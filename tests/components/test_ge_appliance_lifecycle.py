"""Appliances that leave an account, come back, or sit on two accounts at once."""

from __future__ import annotations

import asyncio
import json
import logging

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import area_registry as ar, device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.ge import setup as ge_setup
from custom_components.kitchen_connect.ge.const import CONF_USER_ID
from simulators.ge import SmartHqSimulator

from ..helpers import (
    GE_TITLE,
    OTHER_GE_ACCOUNT,
    add_ge_entry,
    ge_entry_data,
    ge_runtime_data,
    wait_for,
)

WINDOW_AC = "D828C9A10A09"
LIST_PATH = "/v1/appliance"
LIST_INTERVAL = 0.3


@pytest.fixture(autouse=True)
def fast_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """The appliance list is asked for every few tenths of a second instead of ten minutes."""
    monkeypatch.setitem(ge_setup.CLIENT_TIMING, "list_interval", LIST_INTERVAL)
    monkeypatch.setitem(ge_setup.CLIENT_TIMING, "backoff_initial", 0.05)
    monkeypatch.setitem(ge_setup.CLIENT_TIMING, "backoff_max", 0.2)


def _lists_served(simulator: SmartHqSimulator) -> int:
    return len(simulator.records("api", LIST_PATH))


def _removals(hass: HomeAssistant) -> list[str]:
    """Every device or entity registry removal from now on, as 'device'/'entity' + id."""
    removed: list[str] = []

    @callback
    def _device(event: Event[dr.EventDeviceRegistryUpdatedData]) -> None:
        if event.data["action"] == "remove":
            removed.append(f"device {event.data['device_id']}")

    @callback
    def _entity(event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        if event.data["action"] == "remove":
            removed.append(f"entity {event.data['entity_id']}")

    hass.bus.async_listen(dr.EVENT_DEVICE_REGISTRY_UPDATED, _device)
    hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, _entity)
    return removed


def _device(hass: HomeAssistant, entry: MockConfigEntry, mac: str) -> dr.DeviceEntry | None:
    return dr.async_get(hass).async_get_device_by_identifier((DOMAIN, mac), entry.entry_id)


async def test_appliance_missing_from_one_list_keeps_its_device_and_customisations(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """One list without the AC: its device, entities, area and names stay; it works after."""
    entry = await add_ge_entry(hass, ge_simulator)
    client = ge_runtime_data(entry).coordinator.client
    device = _device(hass, entry, WINDOW_AC)
    assert device is not None
    bedroom = ar.async_get(hass).async_create("Bedroom")
    dr.async_get(hass).async_update_device(device.id, area_id=bedroom.id)
    entities = er.async_get(hass)
    climate = "climate.bedroom_ac"
    entities.async_update_entity(climate, name="Sleeping room cooler")
    removed = _removals(hass)

    ge_simulator.leave_out_of_lists({WINDOW_AC}, 1)
    ge_simulator.fail_next(1, path="/v1/appliance/*/erd")  # its first read again fails
    await wait_for(hass, lambda: WINDOW_AC not in client.appliances)
    await wait_for(hass, lambda: WINDOW_AC in client.appliances)
    await wait_for(
        hass, lambda: len(ge_simulator.records("api", f"{LIST_PATH}/{WINDOW_AC}/erd")) == 2
    )
    # Back on the list but not read yet: it shows as last seen, not as unknown.
    assert hass.states.get(climate).attributes["current_temperature"] == 25
    served = _lists_served(ge_simulator)
    # Enough lists for a removal, had the one gap counted as the appliance leaving.
    await wait_for(hass, lambda: _lists_served(ge_simulator) >= served + 3)

    assert removed == []
    kept = _device(hass, entry, WINDOW_AC)
    assert kept is not None
    assert kept.id == device.id
    assert kept.area_id == bedroom.id
    registry_entry = entities.async_get(climate)
    assert registry_entry is not None
    assert registry_entry.name == "Sleeping room cooler"
    state = hass.states.get(climate)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["current_temperature"] == 25  # 77 °F, as before the gap
    ge_simulator.household.set_erd(WINDOW_AC, 0x7A02, "50")  # the room warms to 80 °F
    await wait_for(hass, lambda: hass.states.get(climate).attributes["current_temperature"] == 26.7)


async def test_appliance_missing_from_two_lists_in_a_row_is_removed(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Gone from the account for good: removed with the second list in a row without it."""
    entry = await add_ge_entry(hass, ge_simulator)
    client = ge_runtime_data(entry).coordinator.client
    device = _device(hass, entry, WINDOW_AC)
    assert device is not None
    removed_at: list[int] = []

    @callback
    def _device_removed(event: Event[dr.EventDeviceRegistryUpdatedData]) -> None:
        if event.data["action"] == "remove" and event.data["device_id"] == device.id:
            removed_at.append(_lists_served(ge_simulator))

    hass.bus.async_listen(dr.EVENT_DEVICE_REGISTRY_UPDATED, _device_removed)

    ge_simulator.household.remove_appliance(WINDOW_AC)
    await wait_for(hass, lambda: WINDOW_AC not in client.appliances)
    first_absence = _lists_served(ge_simulator)
    assert _device(hass, entry, WINDOW_AC) is not None
    await wait_for(hass, lambda: _device(hass, entry, WINDOW_AC) is None)
    assert removed_at == [first_absence + 1]
    assert er.async_get(hass).async_get("climate.bedroom_ac") is None
    assert entry.state is ConfigEntryState.LOADED


async def test_failed_lists_do_not_confirm_an_absence(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Left out of one list, then refused lists on a live connection: the AC stays and works."""
    entry = await add_ge_entry(hass, ge_simulator)
    client = ge_runtime_data(entry).coordinator.client
    removed = _removals(hass)

    ge_simulator.leave_out_of_lists({WINDOW_AC}, 1)
    await wait_for(hass, lambda: WINDOW_AC not in client.appliances)
    ge_simulator.fail_next(6, path=LIST_PATH)
    served = _lists_served(ge_simulator)
    await wait_for(hass, lambda: _lists_served(ge_simulator) >= served + 6)
    assert client.connected
    assert removed == []
    assert _device(hass, entry, WINDOW_AC) is not None
    assert hass.states.get("climate.bedroom_ac").state == "off"

    await wait_for(hass, lambda: WINDOW_AC in client.appliances)
    ge_simulator.household.set_erd(WINDOW_AC, 0x7A0F, "01")  # switched on at the unit
    await wait_for(hass, lambda: hass.states.get("climate.bedroom_ac").state == "cool")
    assert removed == []


async def test_lists_on_either_side_of_a_reconnect_are_not_in_a_row(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """The last list before a lost connection and the first after it both miss the AC: kept."""
    entry = await add_ge_entry(hass, ge_simulator)
    client = ge_runtime_data(entry).coordinator.client
    removed = _removals(hass)

    ge_simulator.leave_out_of_lists({WINDOW_AC}, 2)
    await wait_for(hass, lambda: WINDOW_AC not in client.appliances)
    ge_simulator.drop_connections()
    await wait_for(hass, lambda: not client.connected)
    await wait_for(hass, lambda: client.connected and WINDOW_AC in client.appliances)
    served = _lists_served(ge_simulator)
    await wait_for(hass, lambda: _lists_served(ge_simulator) >= served + 2)
    assert removed == []
    assert _device(hass, entry, WINDOW_AC) is not None


async def test_empty_list_while_the_connection_fails_removes_nothing(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """An empty list, then the service goes away for a while: every device is still there."""
    entry = await add_ge_entry(hass, ge_simulator)
    client = ge_runtime_data(entry).coordinator.client
    macs = set(ge_simulator.household.appliances)
    devices = {mac: _device(hass, entry, mac) for mac in macs}
    removed = _removals(hass)

    ge_simulator.leave_out_of_lists(macs, 1)
    await wait_for(hass, lambda: not client.appliances)
    port = ge_simulator.port
    await ge_simulator.stop()
    await wait_for(hass, lambda: not client.connected)
    await asyncio.sleep(6 * LIST_INTERVAL)  # down for several list intervals
    await hass.async_block_till_done()
    assert removed == []
    await ge_simulator.start(port)
    await wait_for(hass, lambda: client.connected and set(client.appliances) == macs, timeout=10)
    served = _lists_served(ge_simulator)
    await wait_for(hass, lambda: _lists_served(ge_simulator) >= served + 3)
    assert removed == []
    for mac, device in devices.items():
        assert device is not None
        kept = _device(hass, entry, mac)
        assert kept is not None
        assert kept.id == device.id


async def _add_second_account(hass: HomeAssistant, simulator: SmartHqSimulator) -> MockConfigEntry:
    data = await ge_entry_data(simulator, OTHER_GE_ACCOUNT)
    entry = MockConfigEntry(domain=DOMAIN, title=GE_TITLE, unique_id=data[CONF_USER_ID], data=data)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_appliance_on_two_accounts_is_shown_once(
    hass: HomeAssistant,
    ge_simulator: SmartHqSimulator,
    caplog: pytest.LogCaptureFixture,
    hass_client: ClientSessionGenerator,
) -> None:
    """The first entry shows a shared appliance; the second skips it, says so once, and notes it.

    In the simulator both accounts share the whole household.
    """
    caplog.set_level(logging.INFO)
    first = await add_ge_entry(hass, ge_simulator)
    second = await _add_second_account(hass, ge_simulator)
    assert second.state is ConfigEntryState.LOADED
    macs = set(ge_simulator.household.appliances)
    # A few list refreshes later, still nothing repeated.
    served = _lists_served(ge_simulator)
    await wait_for(hass, lambda: _lists_served(ge_simulator) >= served + 4)

    assert "does not generate unique IDs" not in caplog.text
    # Ours only: Home Assistant's own notes (a custom integration loaded, a missing
    # compression library) and asyncio's notes on slow steps depend on the machine.
    assert not [
        r.message
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("custom_components.")
    ]
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    for mac in macs:
        found = [d for d in devices.devices if (DOMAIN, mac) in d.identifiers]
        assert len(found) == 1, mac
        assert found[0].config_entry_id == first.entry_id
        assert er.async_entries_for_device(entities, found[0].id), mac
    assert er.async_entries_for_config_entry(entities, second.entry_id) == []
    assert not [s.entity_id for s in hass.states.async_all() if s.entity_id.endswith("_2")]

    skipped = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components.kitchen_connect") and "another" in r.message
    ]
    assert [r.levelno for r in skipped] == [logging.INFO] * len(macs)
    for mac in macs:
        assert mac not in caplog.text
        assert mac.lower() not in caplog.text

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, second)
    text = json.dumps(diagnostics)
    assert len(diagnostics["runtime"]["shown_by_another_entry"]) == len(macs)
    for mac in macs:
        assert mac not in text
        assert mac.lower() not in text
    first_diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, first)
    assert first_diagnostics["runtime"]["shown_by_another_entry"] == []


async def test_second_account_takes_over_when_the_first_is_unloaded(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Unloading the entry that showed a shared appliance hands it to the other one."""
    first = await add_ge_entry(hass, ge_simulator)
    second = await _add_second_account(hass, ge_simulator)
    assert await hass.config_entries.async_unload(first.entry_id)
    await hass.async_block_till_done()
    device = _device(hass, second, WINDOW_AC)
    assert device is not None
    await wait_for(hass, lambda: hass.states.get("climate.bedroom_ac").state == "off")
    registry_entry = er.async_get(hass).async_get("climate.bedroom_ac")
    assert registry_entry is not None
    assert registry_entry.config_entry_id == second.entry_id
    assert "does not generate unique IDs" not in caplog.text


async def test_restart_keeps_a_shared_appliance_with_the_entry_that_had_it(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """After a restart whose first list is empty, the other account's entry still waits.

    The entry that had the devices keeps them (their ids, so the user's settings) and shows
    the appliances again with its next list; the other entry never takes them.
    """
    first = await add_ge_entry(hass, ge_simulator)
    macs = set(ge_simulator.household.appliances)
    devices = {mac: _device(hass, first, mac) for mac in macs}
    assert await hass.config_entries.async_unload(first.entry_id)
    await hass.async_block_till_done()
    removed = _removals(hass)

    ge_simulator.leave_out_of_lists(macs, 1, user_id=first.unique_id)
    await hass.config_entries.async_setup(first.entry_id)
    await hass.async_block_till_done()
    assert first.state is ConfigEntryState.LOADED
    assert not ge_runtime_data(first).coordinator.client.appliances
    second = await _add_second_account(hass, ge_simulator)

    client = ge_runtime_data(first).coordinator.client
    await wait_for(hass, lambda: set(client.appliances) == macs)
    await wait_for(hass, lambda: hass.states.get("climate.bedroom_ac").state == "off")
    assert removed == []
    for mac, device in devices.items():
        assert device is not None
        kept = _device(hass, first, mac)
        assert kept is not None
        assert kept.id == device.id
        assert _device(hass, second, mac) is None
    assert "does not generate unique IDs" not in caplog.text


async def test_appliance_leaving_the_first_account_moves_to_the_second(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Gone from the account whose entry showed it, the appliance shows up in the other one."""
    first = await add_ge_entry(hass, ge_simulator)
    second = await _add_second_account(hass, ge_simulator)
    assert _device(hass, second, WINDOW_AC) is None

    ge_simulator.leave_out_of_lists({WINDOW_AC}, 10_000, user_id=first.unique_id)
    await wait_for(hass, lambda: _device(hass, second, WINDOW_AC) is not None)
    assert _device(hass, first, WINDOW_AC) is None
    await wait_for(hass, lambda: hass.states.get("climate.bedroom_ac").state == "off")
    registry_entry = er.async_get(hass).async_get("climate.bedroom_ac")
    assert registry_entry is not None
    assert registry_entry.config_entry_id == second.entry_id
    assert "does not generate unique IDs" not in caplog.text


async def test_two_entries_with_the_same_device_settle_on_the_older_one(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Left over from before: both entries have the AC's device. Set up together, the older
    entry keeps its device (and what the user set on it); the younger one drops its own."""
    first = await add_ge_entry(hass, ge_simulator)
    kept = _device(hass, first, WINDOW_AC)
    assert kept is not None
    assert await hass.config_entries.async_unload(first.entry_id)
    data = await ge_entry_data(ge_simulator, OTHER_GE_ACCOUNT)
    second = MockConfigEntry(domain=DOMAIN, title=GE_TITLE, unique_id=data[CONF_USER_ID], data=data)
    second.add_to_hass(hass)
    dr.async_get(hass).async_get_or_create(
        config_entry_id=second.entry_id, identifiers={(DOMAIN, WINDOW_AC)}, name="Bedroom AC"
    )

    await asyncio.gather(
        hass.config_entries.async_setup(second.entry_id),
        hass.config_entries.async_setup(first.entry_id),
    )
    await hass.async_block_till_done()
    await wait_for(hass, lambda: _device(hass, second, WINDOW_AC) is None)
    device = _device(hass, first, WINDOW_AC)
    assert device is not None
    assert device.id == kept.id
    registry_entry = er.async_get(hass).async_get("climate.bedroom_ac")
    assert registry_entry is not None
    assert registry_entry.config_entry_id == first.entry_id
    assert "does not generate unique IDs" not in caplog.text
