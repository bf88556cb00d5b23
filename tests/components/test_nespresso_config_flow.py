"""The Nespresso config flow against simulated machines heard through Home Assistant's Bluetooth.

Every branch: discovery, the add menu, importing a seed or key, pairing with both
confirmations, refusals that write nothing, and reauthentication that never pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from homeassistant.components.bluetooth import async_last_service_info
from homeassistant.config_entries import SOURCE_BLUETOOTH, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.kitchenlib.nespresso.auth import derive_key, parse_key
from custom_components.kitchen_connect.kitchenlib.nespresso.models import KeyState
from simulators.ha_bluetooth import SimulatedScanner
from simulators.nespresso.backend import SimulatedAir, SimulatedPeripheral
from simulators.nespresso.machine import KEY_STORAGE_SLOTS, SimulatedMachine

from ..conftest import NESPRESSO_KEY, NESPRESSO_SEED, nespresso_entry

OTHER_KEY = "888cd4d9403865e1"
FACTORY = "D2:A7:4C:76:F3:E0"


@pytest.fixture(autouse=True)
def one_key_per_machine(nespresso_air: SimulatedAir) -> Iterator[None]:
    """No flow ever leaves a machine with a second key (the storage test starts full)."""
    yield
    for peripheral in nespresso_air.peripherals.values():
        assert peripheral.machine.keys_written in (0, 1, KEY_STORAGE_SLOTS)


@pytest.fixture
def factory(
    nespresso_air: SimulatedAir, nespresso_scanner: SimulatedScanner
) -> SimulatedPeripheral:
    """An Expert in factory state (never given a key), advertising."""
    peripheral = nespresso_air.add(FACTORY, SimulatedMachine(), name="Expert_D2A74C76F3E0")
    nespresso_scanner.add(peripheral)
    nespresso_scanner.advertise()
    return peripheral


def _key_writes(peripheral: SimulatedPeripheral) -> list[bytes]:
    return [data for uuid, data in peripheral.writes if uuid == gatt.KEY]


async def _discover(hass: HomeAssistant, peripheral: SimulatedPeripheral) -> dict[str, Any]:
    """The discovery flow Home Assistant started for the machine's advert."""
    await hass.async_block_till_done(wait_background_tasks=True)
    flows = [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_BLUETOOTH
        and flow["context"]["unique_id"] == peripheral.address.lower()
    ]
    assert len(flows) == 1
    return dict(flows[0])


async def _configure(hass: HomeAssistant, flow_id: str, data: dict[str, Any] | None = None) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, data)


async def test_discovery_then_import_seed(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral
) -> None:
    """Discovery shows the machine without connecting; the seed is checked, then stored."""
    flow = await _discover(hass, nespresso_expert)
    assert flow["step_id"] == "nespresso_confirm"
    assert flow["context"]["title_placeholders"] == {"name": "Nespresso Expert&Milk"}
    assert nespresso_expert.connections == 0  # nothing connects before the user confirms
    result = await _configure(hass, flow["flow_id"], {})
    assert result["step_id"] == "nespresso_key"  # the machine has a key: no pairing offered
    assert result["description_placeholders"]["family"].startswith("Original")

    result = await _configure(hass, flow["flow_id"], {"credential": "not hex"})
    assert result["errors"] == {"credential": "nespresso_invalid_key"}
    result = await _configure(hass, flow["flow_id"], {"credential": OTHER_KEY})
    assert result["errors"] == {"base": "nespresso_key_rejected"}
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await _configure(hass, flow["flow_id"], {"credential": NESPRESSO_SEED.upper()})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Nespresso Expert&Milk"
    assert result["result"].unique_id == "d1:e1:03:7c:4a:9d"
    assert result["data"] == {
        "brand": "nespresso",
        "address": nespresso_expert.address,
        "family": "original",
        "model": "Expert&Milk",
        "key": NESPRESSO_KEY.hex(),
        "seed": NESPRESSO_SEED,
    }
    assert set(_key_writes(nespresso_expert)) <= {NESPRESSO_KEY, parse_key(OTHER_KEY)}
    assert nespresso_expert.machine.keys_written == 1


async def test_add_menu_lists_heard_machines(
    hass: HomeAssistant,
    nespresso_expert: SimulatedPeripheral,
    nespresso_vertuo: SimulatedPeripheral,
) -> None:
    """From the add menu: pick a heard machine; a 16-digit key is stored without a seed."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await _configure(hass, result["flow_id"], {"next_step_id": "nespresso"})
    assert result["step_id"] == "nespresso"
    options = result["data_schema"].schema["address"].config["options"]
    assert {option["value"] for option in options} == {
        nespresso_expert.address,
        nespresso_vertuo.address,
    }
    result = await _configure(hass, result["flow_id"], {"address": nespresso_vertuo.address})
    assert result["step_id"] == "nespresso_confirm"
    assert result["description_placeholders"] == {
        "name": "Nespresso Vertuo Pop",
        "family": "Vertuo",
    }
    result = await _configure(hass, result["flow_id"], {})
    result = await _configure(hass, result["flow_id"], {"credential": NESPRESSO_KEY.hex(":")})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Nespresso Vertuo Pop"
    assert result["data"]["family"] == "vertuo"
    assert "seed" not in result["data"]

    # The set-up machine is no longer offered; with none left the menu says so.
    nespresso_expert_entry = nespresso_entry(nespresso_expert)
    nespresso_expert_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await _configure(hass, result["flow_id"], {"next_step_id": "nespresso"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "nespresso_no_devices_found"


async def test_discovery_of_a_configured_machine_aborts(
    hass: HomeAssistant, nespresso_air: SimulatedAir, nespresso_scanner: SimulatedScanner
) -> None:
    """Adverts of a machine already set up start no flow, nor does a discovery handed in."""
    peripheral = nespresso_air.add(
        "D1:E1:03:7C:4A:9D", SimulatedMachine(key=NESPRESSO_KEY), name="Expert&Milk_D1E1037C4A9D"
    )
    nespresso_entry(peripheral).add_to_hass(hass)
    nespresso_scanner.add(peripheral)
    nespresso_scanner.advertise()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    info = async_last_service_info(hass, peripheral.address, connectable=True)
    assert info is not None
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=info
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert peripheral.connections == 0


async def test_confirm_retries_when_the_machine_does_not_answer(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral
) -> None:
    """A machine that does not answer: the error, and the same step to try again."""
    flow = await _discover(hass, nespresso_expert)
    nespresso_expert.faults.connect_hangs = True
    result = await _configure(hass, flow["flow_id"], {})
    assert result["errors"] == {"base": "nespresso_cannot_connect"}
    nespresso_expert.faults.connect_hangs = False
    result = await _configure(hass, flow["flow_id"], {})
    assert result["step_id"] == "nespresso_key"
    nespresso_expert.faults.connect_hangs = True
    result = await _configure(hass, flow["flow_id"], {"credential": NESPRESSO_SEED})
    assert result["errors"] == {"base": "nespresso_cannot_connect"}


async def test_pair_a_factory_machine(hass: HomeAssistant, factory: SimulatedPeripheral) -> None:
    """Pairing: offered for a keyless machine, two confirmations, one key, stored with its seed."""
    flow = await _discover(hass, factory)
    result = await _configure(hass, flow["flow_id"], {})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["nespresso_key", "nespresso_pair"]
    # Importing a key into a keyless machine cannot be checked.
    result = await _configure(hass, flow["flow_id"], {"next_step_id": "nespresso_key"})
    result = await _configure(hass, flow["flow_id"], {"credential": NESPRESSO_SEED})
    assert result["errors"] == {"base": "nespresso_machine_has_no_key"}
    assert factory.machine.keys_written == 0

    flow2 = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_BLUETOOTH},
        data=async_last_service_info(hass, factory.address, connectable=True),
    )
    assert flow2["type"] is FlowResultType.ABORT  # already in progress
    hass.config_entries.flow.async_abort(flow["flow_id"])
    factory_flow = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_BLUETOOTH},
        data=async_last_service_info(hass, factory.address, connectable=True),
    )
    flow_id = factory_flow["flow_id"]
    result = await _configure(hass, flow_id, {})
    result = await _configure(hass, flow_id, {"next_step_id": "nespresso_pair"})
    assert result["step_id"] == "nespresso_pair"
    result = await _configure(hass, flow_id, {"understood": False})
    assert result["errors"] == {"understood": "nespresso_not_understood"}
    result = await _configure(hass, flow_id, {"understood": True})
    assert result["step_id"] == "nespresso_pair_confirm"
    assert factory.machine.keys_written == 0  # nothing written before the second yes
    result = await _configure(hass, flow_id, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    seed = result["data"]["seed"]
    assert len(seed) == 32
    assert result["data"]["key"] == derive_key(seed).hex()
    assert factory.machine.keys_written == 1
    # Refused unbonded, then taken; the new entry's connections send the same key.
    assert set(_key_writes(factory)) == {derive_key(seed)}
    assert factory.machine.key_state is KeyState.FINAL


async def _to_pair_confirm(hass: HomeAssistant, peripheral: SimulatedPeripheral) -> str:
    flow = await _discover(hass, peripheral)
    await _configure(hass, flow["flow_id"], {})
    await _configure(hass, flow["flow_id"], {"next_step_id": "nespresso_pair"})
    result = await _configure(hass, flow["flow_id"], {"understood": True})
    assert result["step_id"] == "nespresso_pair_confirm"
    return str(flow["flow_id"])


async def test_pairing_refused_when_a_key_appeared(
    hass: HomeAssistant, factory: SimulatedPeripheral
) -> None:
    """The app paired the machine meanwhile: the pairing link reads a key and writes nothing."""
    flow_id = await _to_pair_confirm(hass, factory)
    factory.machine._key = NESPRESSO_KEY
    factory.machine.keys_written = 1
    result = await _configure(hass, flow_id, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "nespresso_already_has_key"
    assert _key_writes(factory) == []


async def test_pairing_link_trouble(hass: HomeAssistant, factory: SimulatedPeripheral) -> None:
    """No link before the key went out: try again; a drop after it: the key is kept."""
    flow_id = await _to_pair_confirm(hass, factory)
    factory.faults.connect_hangs = True
    result = await _configure(hass, flow_id, {})
    assert result["errors"] == {"base": "nespresso_cannot_connect"}
    assert factory.machine.keys_written == 0
    factory.faults.connect_hangs = False
    factory.faults.drop_on.add(gatt.STATUS)
    result = await _configure(hass, flow_id, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert factory.machine.keys_written == 1
    assert result["data"]["key"] == _key_writes(factory)[-1].hex()


async def test_pairing_refused_by_full_storage(
    hass: HomeAssistant, factory: SimulatedPeripheral
) -> None:
    """A machine whose key storage is full refuses the key; the flow stops, nothing stored."""
    factory.machine.keys_written = KEY_STORAGE_SLOTS
    flow_id = await _to_pair_confirm(hass, factory)
    result = await _configure(hass, flow_id, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "nespresso_pair_refused"
    assert factory.machine.keys_written == KEY_STORAGE_SLOTS
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_pairing_not_kept(
    hass: HomeAssistant, nespresso_air: SimulatedAir, nespresso_scanner: SimulatedScanner
) -> None:
    """A machine that takes the key but does not keep it: the flow stops and says so."""

    class Forgetful(SimulatedMachine):
        @property
        def key_state(self) -> KeyState:
            return KeyState.NONE

    peripheral = nespresso_air.add(FACTORY, Forgetful(), name="Expert_D2A74C76F3E0")
    nespresso_scanner.add(peripheral)
    nespresso_scanner.advertise()
    flow_id = await _to_pair_confirm(hass, peripheral)
    result = await _configure(hass, flow_id, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "nespresso_pair_failed"


async def test_reauth_asks_for_the_key_and_never_pairs(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral
) -> None:
    """Reauth: wrong keys are refused; the right one is stored and the entry reloaded."""
    entry = nespresso_entry(nespresso_expert, key=parse_key(OTHER_KEY))
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "nespresso_reauth_confirm"
    result = await _configure(hass, result["flow_id"], {"credential": "12"})
    assert result["errors"] == {"credential": "nespresso_invalid_key"}
    result = await _configure(hass, result["flow_id"], {"credential": OTHER_KEY})
    assert result["errors"] == {"base": "nespresso_key_rejected"}
    result = await _configure(hass, result["flow_id"], {"credential": NESPRESSO_SEED})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["key"] == NESPRESSO_KEY.hex()
    assert entry.data["seed"] == NESPRESSO_SEED
    await hass.async_block_till_done(wait_background_tasks=True)
    assert nespresso_expert.machine.keys_written == 1


async def test_reauth_of_a_reset_machine(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral
) -> None:
    """A machine reset to factory state: reauth explains, and gives it no key."""
    nespresso_expert.machine.factory_reset()
    entry = nespresso_entry(nespresso_expert)
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await _configure(hass, result["flow_id"], {"credential": NESPRESSO_SEED})
    assert result["errors"] == {"base": "nespresso_machine_was_reset"}
    assert _key_writes(nespresso_expert) == []
    assert nespresso_expert.machine.key_state is KeyState.NONE
