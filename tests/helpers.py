"""Helpers for setting up Kitchen Connect entries against the simulators."""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_HOST, CONF_PIN, CONF_PORT, CONF_TOKEN
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.const import CONF_BRAND, DOMAIN, Brand
from custom_components.kitchen_connect.jura.const import (
    CONF_ARTICLE,
    CONF_CONN_ID,
    CONF_MACHINE_ID,
    CONF_MODEL,
    OPTION_RECONNECT_GAP,
)
from custom_components.kitchen_connect.kitchenlib.jura.machine import async_pair
from custom_components.kitchen_connect.kitchenlib.jura.simulator import JuraSimulator

JURA_MACHINE_ID = "15480-1-4242"


async def jura_entry_data(simulator: JuraSimulator, conn_id: str = "ha-test") -> dict[str, Any]:
    """Pair with the simulator (it confirms by itself) and return entry data."""
    token = await async_pair(
        simulator.host, conn_id=conn_id, pin=simulator.pin, port=simulator.port
    )
    return {
        CONF_BRAND: Brand.JURA,
        CONF_HOST: simulator.host,
        CONF_PORT: simulator.port,
        CONF_CONN_ID: conn_id,
        CONF_TOKEN: token,
        CONF_PIN: simulator.pin,
        CONF_MODEL: simulator.profile.ef_code,
        CONF_ARTICLE: None,
        CONF_MACHINE_ID: JURA_MACHINE_ID,
    }


async def add_jura_entry(
    hass: HomeAssistant,
    simulator: JuraSimulator,
    *,
    setup: bool = True,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """Add a Jura entry for the simulator and (by default) set it up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Kaffeebert",
        unique_id=JURA_MACHINE_ID,
        data=await jura_entry_data(simulator),
        options={OPTION_RECONNECT_GAP: 0, **(options or {})},
    )
    entry.add_to_hass(hass)
    if setup:
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    return entry


async def wait_for(hass: HomeAssistant, condition: Any, timeout: float = 5.0) -> None:
    """Let the loop run until ``condition()`` is true (pushes arrive over real sockets)."""
    import asyncio

    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()
