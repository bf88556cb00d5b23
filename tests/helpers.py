"""Helpers for setting up Kitchen Connect entries against the simulators."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import dataclasses
import importlib.util
from pathlib import Path
import sys
from types import ModuleType
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PIN, CONF_PORT, CONF_TOKEN, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect import brands
from custom_components.kitchen_connect.const import CONF_BRAND, DOMAIN
from custom_components.kitchen_connect.ge.const import (
    CONF_REGION,
    CONF_SERVER,
    CONF_USER_ID,
    DEFAULT_REGION,
    REGIONS,
)
from custom_components.kitchen_connect.ge.coordinator import GeRuntimeData
from custom_components.kitchen_connect.ge.entry_data import token_data
from custom_components.kitchen_connect.jura.const import (
    CONF_ARTICLE,
    CONF_CONN_ID,
    CONF_MACHINE_ID,
    CONF_MODEL,
    OPTION_RECONNECT_GAP,
)
from custom_components.kitchen_connect.kitchenlib.ge.account import async_fetch_websocket_endpoint
from custom_components.kitchen_connect.kitchenlib.ge.login import LoginSucceeded, SmartHqLogin
from custom_components.kitchen_connect.kitchenlib.jura.machine import async_pair
from simulators.ge import (
    DEFAULT_ACCOUNT,
    SmartHqSimulator,
)
from simulators.ge.auth_pages import SimAccount
from simulators.jura.simulator import JuraSimulator

JURA_MACHINE_ID = "15480-1-4242"
OTHER_GE_ACCOUNT = SimAccount("baker@example.com", "another-password", "simuser0002")
GE_TITLE = "GE Appliances"


async def jura_entry_data(simulator: JuraSimulator, conn_id: str = "ha-test") -> dict[str, Any]:
    """Pair with the simulator (it confirms by itself) and return entry data."""
    token = await async_pair(
        simulator.host, conn_id=conn_id, pin=simulator.pin, port=simulator.port
    )
    return {
        CONF_BRAND: "jura",
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


async def ge_entry_data(
    simulator: SmartHqSimulator, account: SimAccount = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    """Sign in to the simulator as ``account`` and return what the config flow stores."""
    async with aiohttp.ClientSession() as session:
        login = SmartHqLogin(session, REGIONS[DEFAULT_REGION], simulator.endpoints)
        result = await login.async_sign_in(account.username, account.password)
        assert isinstance(result, LoginSucceeded)
        endpoint = await async_fetch_websocket_endpoint(
            session, simulator.endpoints, result.tokens.access_token
        )
    return {
        CONF_BRAND: "ge",
        CONF_USERNAME: account.username,
        CONF_REGION: DEFAULT_REGION,
        CONF_SERVER: simulator.base_url,
        **token_data(result.tokens),
        CONF_USER_ID: endpoint.user_id,
    }


async def add_ge_entry(
    hass: HomeAssistant, simulator: SmartHqSimulator, *, setup: bool = True
) -> MockConfigEntry:
    """Add the simulated household's account entry and (by default) set it up."""
    data = await ge_entry_data(simulator)
    entry = MockConfigEntry(domain=DOMAIN, title=GE_TITLE, unique_id=data[CONF_USER_ID], data=data)
    entry.add_to_hass(hass)
    if setup:
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    return entry


@contextlib.contextmanager
def only_platform(brand_key: str, platform: Platform) -> Iterator[None]:
    """Set up the brand's entries with just one of its platforms."""
    specs = tuple(
        dataclasses.replace(spec, platforms={platform: spec.platforms[platform]})
        if spec.key == brand_key
        else spec
        for spec in brands.BRANDS
    )
    with patch.object(brands, "BRANDS", specs):
        yield


def ge_runtime_data(entry: ConfigEntry) -> GeRuntimeData:
    """The runtime data of a loaded GE entry, typed (a test's entry holds ``Any``)."""
    runtime = entry.runtime_data
    assert isinstance(runtime, GeRuntimeData)
    return runtime


def load_develop_setup() -> ModuleType:
    """scripts/develop_setup.py as a module, as scripts/develop runs it (it is no package)."""
    path = Path(__file__).parents[1] / "scripts" / "develop_setup.py"
    spec = importlib.util.spec_from_file_location("develop_setup", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
