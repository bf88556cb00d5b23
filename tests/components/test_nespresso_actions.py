"""Brewing and cancelling on a simulated Nespresso, through the shared confirm-gated actions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from habluetooth.const import UNAVAILABLE_TRACK_SECONDS
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.kitchenlib.nespresso.auth import parse_key
from custom_components.kitchen_connect.kitchenlib.nespresso.commands import Outcome
from custom_components.kitchen_connect.kitchenlib.nespresso.gatt import OriginalModel
from simulators.ha_bluetooth import SimulatedScanner
from simulators.nespresso.backend import SimulatedAir, SimulatedPeripheral
from simulators.nespresso.machine import SimulatedMachine

from ..conftest import NESPRESSO_KEY, NESPRESSO_SEED, nespresso_entry


@pytest.fixture(autouse=True)
def one_key_per_machine(nespresso_air: SimulatedAir) -> Iterator[None]:
    """Whatever a test does, no machine ends up with more than the one key it had."""
    yield
    for peripheral in nespresso_air.peripherals.values():
        assert peripheral.machine.keys_written <= 1
        assert peripheral.active_links == 0


async def _setup(hass: HomeAssistant, peripheral: SimulatedPeripheral, **data: str) -> str:
    """Set the machine up; the device id the actions target."""
    entry = nespresso_entry(peripheral, **data)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(entry.unique_id)), entry.entry_id
    )
    assert device is not None
    return device.id


async def _call(hass: HomeAssistant, action: str, device_id: str, **data: Any) -> None:
    await hass.services.async_call(DOMAIN, action, {"device_id": device_id, **data}, blocking=True)


def _commands(peripheral: SimulatedPeripheral) -> list[str]:
    return [data.hex() for uuid, data in peripheral.writes if uuid == gatt.COMMAND_REQUEST]


async def test_confirm_gating(hass: HomeAssistant, nespresso_expert: SimulatedPeripheral) -> None:
    """Without confirm: true nothing is sent, and the refusal says what would happen."""
    device_id = await _setup(hass, nespresso_expert)
    for data, key in (
        ({"product": "lungo"}, "nespresso_confirm_brew"),
        ({"coffee": 40}, "nespresso_confirm_brew_custom"),
        ({"product": "custom", "water": 100}, "nespresso_confirm_brew_custom"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, "brew", device_id, **data)
        assert err.value.translation_key == key
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "cancel", device_id, confirm=False)
    assert err.value.translation_key == "nespresso_confirm_cancel"
    assert _commands(nespresso_expert) == []


async def test_brew_round_trip(hass: HomeAssistant, nespresso_expert: SimulatedPeripheral) -> None:
    """A brew goes out as the machine's frame; its refusal reasons come back translated."""
    device_id = await _setup(hass, nespresso_expert)
    machine = nespresso_expert.machine
    await _call(hass, "brew", device_id, product="lungo", temperature="high", confirm=True)
    assert _commands(nespresso_expert) == ["03050704000000000202"]
    assert machine.brewing

    await _call(hass, "cancel", device_id, confirm=True)
    assert not machine.brewing
    assert _commands(nespresso_expert)[-1] == "03060102"


async def test_refusals_are_the_machines_own(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral
) -> None:
    """Lid not cycled, tank empty, slider open: each refusal names the machine's reason."""
    device_id = await _setup(hass, nespresso_expert)
    machine = nespresso_expert.machine
    await _call(hass, "brew", device_id, confirm=True)
    for _ in range(3):
        machine.tick()
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "brew", device_id, confirm=True)
    assert err.value.translation_key == "nespresso_refused_lid_not_cycled"
    machine.open_lid()
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "brew", device_id, confirm=True)
    assert err.value.translation_key == "nespresso_refused_slider_open"
    machine.close_lid()
    machine.set_tank_empty(True)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "brew", device_id, confirm=True)
    assert err.value.translation_key == "nespresso_refused_water_tank_empty"
    machine.set_tank_empty(False)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "cancel", device_id, confirm=True)
    assert err.value.translation_key == "nespresso_refused_nothing_to_cancel"
    machine.open_lid()
    machine.close_lid()
    await _call(hass, "brew", device_id, product="espresso", confirm=True)
    assert machine.brewing


async def test_custom_recipe(hass: HomeAssistant, nespresso_expert: SimulatedPeripheral) -> None:
    """Coffee and water volumes: the prepare frame, then the custom brew."""
    device_id = await _setup(hass, nespresso_expert)
    await _call(hass, "brew", device_id, coffee=97, water=36, temperature="low", confirm=True)
    assert _commands(nespresso_expert) == ["0110080000010061020024", "03050704000000000107"]
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "brew", device_id, product="lungo", water=100, confirm=True)
    assert err.value.translation_key == "nespresso_volumes_need_custom"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "brew", device_id, coffee=200, confirm=True)
    assert err.value.translation_key == "action_field_too_high"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "brew", device_id, strength="8", confirm=True)
    assert err.value.translation_key == "action_field_not_supported"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "brew", device_id, product="cappuccino", confirm=True)
    assert err.value.translation_key == "action_field_not_an_option"
    assert len(_commands(nespresso_expert)) == 2


async def test_prodigio_limits_checked_before_sending(
    hass: HomeAssistant, nespresso_air: SimulatedAir, nespresso_scanner: SimulatedScanner
) -> None:
    """A Prodigio makes no hot water: refused before anything is sent."""
    peripheral = nespresso_air.add(
        "E4:E3:8E:7D:8A:5F",
        SimulatedMachine(model=OriginalModel.PRODIGIO, key=NESPRESSO_KEY),
        name="Prodigio_E4E38E7D8A5F",
    )
    nespresso_scanner.add(peripheral)
    nespresso_scanner.advertise()
    device_id = await _setup(hass, peripheral, model="Prodigio")
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "brew", device_id, product="hot_water", confirm=True)
    assert err.value.translation_key == "invalid_value"
    assert _commands(peripheral) == []


async def test_vertuo_cannot_brew(
    hass: HomeAssistant, nespresso_vertuo: SimulatedPeripheral
) -> None:
    """Vertuo machines are read-only: no brew, no cancel."""
    device_id = await _setup(hass, nespresso_vertuo)
    for action in ("brew", "cancel"):
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, action, device_id, confirm=True)
        assert err.value.translation_key == "action_not_supported"
    assert _commands(nespresso_vertuo) == []


async def test_no_answer_is_not_repeated(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral
) -> None:
    """A brew the machine does not answer is reported as possibly done, never sent again."""
    device_id = await _setup(hass, nespresso_expert)
    nespresso_expert.faults.muted.add(gatt.COMMAND_RESPONSE)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "brew", device_id, confirm=True)
    assert err.value.translation_key == "nespresso_no_response"
    assert len(_commands(nespresso_expert)) == 1


async def test_a_machine_nothing_hears_is_said_to_be_out_of_range(
    hass: HomeAssistant,
    nespresso_expert: SimulatedPeripheral,
    nespresso_scanner: SimulatedScanner,
) -> None:
    """Unplugged or out of range: the error says so (not "close the app") and nothing is sent."""
    device_id = await _setup(hass, nespresso_expert)
    nespresso_scanner.remove(nespresso_expert.address, forget=True)
    for _ in range(2):
        async_fire_time_changed(
            hass, dt_util.utcnow() + timedelta(seconds=UNAVAILABLE_TRACK_SECONDS + 1)
        )
        await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "brew", device_id, confirm=True)
    assert err.value.translation_key == "nespresso_not_in_range"
    assert _commands(nespresso_expert) == []


async def test_refused_key_during_a_command(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral
) -> None:
    """The machine was paired with the app meanwhile: the command fails, reauth starts."""
    device_id = await _setup(hass, nespresso_expert)
    nespresso_expert.machine._key = parse_key("888cd4d9403865e1")
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "brew", device_id, confirm=True)
    assert err.value.translation_key == "nespresso_key_rejected"
    await hass.async_block_till_done()
    sources = [f["context"]["source"] for f in hass.config_entries.flow.async_progress()]
    assert "reauth" in sources
    assert _commands(nespresso_expert) == []


async def test_diagnostics_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    nespresso_expert: SimulatedPeripheral,
) -> None:
    """Key, seed, address, serial and MAC never appear; the decoded status does."""
    assert await async_setup_component(hass, "diagnostics", {})
    await _setup(hass, nespresso_expert, seed=NESPRESSO_SEED)
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(result).lower()
    for secret in (
        NESPRESSO_KEY.hex(),
        NESPRESSO_SEED,
        nespresso_expert.address.lower(),
        nespresso_expert.address.replace(":", "").lower(),
        "d2:a7:4c:76:f3:e0",  # the MAC the machine reports in its info
        "16069d70p13036820nj",  # its serial
    ):
        assert secret not in text
    runtime = result["runtime"]
    assert runtime["family"] == "original"
    assert runtime["status"]["state"] == "ready"
    assert runtime["details"]["info"]["firmware"] == "1.25"


def test_every_refusal_reason_is_translated() -> None:
    """Whatever reason the machine gives, the user reads it in words (en and de)."""
    root = Path(__file__).parents[2] / "custom_components" / "kitchen_connect" / "translations"
    for language in ("en", "de"):
        exceptions = json.loads((root / f"{language}.json").read_text("utf-8"))["exceptions"]
        for outcome in Outcome:
            if outcome is not Outcome.ACCEPTED:
                assert f"nespresso_refused_{outcome.value}" in exceptions, (language, outcome)
