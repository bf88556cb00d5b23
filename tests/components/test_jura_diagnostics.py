"""Diagnostics help debugging without leaking secrets."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulators.jura.simulator import JuraSimulator
from tests.helpers import JURA_MACHINE_ID, add_jura_entry


async def test_diagnostics_redact_secrets(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, jura_simulator: JuraSimulator
) -> None:
    """Token, conn-id, PIN and machine id never appear; the machine state does."""
    assert await async_setup_component(hass, "diagnostics", {})
    jura_simulator.pin = "4711"
    entry = await add_jura_entry(hass, jura_simulator)
    entry_data = dict(entry.data)

    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    text = json.dumps(result)
    for secret in (entry_data["token"], entry_data["conn_id"], "4711", JURA_MACHINE_ID):
        assert secret not in text
    assert result["entry"]["data"]["token"] == "**REDACTED**"
    assert result["entry"]["data"]["pin"] == "**REDACTED**"
    assert result["runtime"]["model"] == "EF1091"
    assert result["runtime"]["connected"] is True
    assert 13 in result["runtime"]["state"]["alerts"]


async def test_diagnostics_name_the_settings_that_could_not_be_read(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, jura_simulator: JuraSimulator
) -> None:
    """A setting the firmware lacks and one answered oddly are listed, apart from the values."""
    assert await async_setup_component(hass, "diagnostics", {})
    jura_simulator.remove_setting(0x04)  # answered @tm:84
    jura_simulator.reply_overrides["@TM:0A"] = "@tm:0a"  # a bare echo
    entry = await add_jura_entry(hass, jura_simulator)

    state = (await get_diagnostics_for_config_entry(hass, hass_client, entry))["runtime"]["state"]

    assert state["settings_unsupported"] == ["04"]
    assert state["settings_unreadable"] == ["0A"]
    assert "0A" not in state["settings"]
    assert state["settings"]["02"] == 16
