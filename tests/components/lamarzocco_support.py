"""La Marzocco entries set up through the config flow against the loopback cloud."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntry
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.lamarzocco import account as lm_account, const as lm_const
from custom_components.kitchen_connect.lamarzocco.runtime import LaMarzoccoRuntimeData
from simulators.lamarzocco.household import Household
from simulators.lamarzocco.local_gateway import LocalGateway, old_gateway_household
from simulators.lamarzocco.server import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    LaMarzoccoCloudSimulator,
)

from ..helpers import wait_for

MICRA = "MR000001"
MINI = "LM000002"
GS3_AV = "GS000003"
PICO = "PG000004"
ADVANCED = {"source": SOURCE_USER, "show_advanced_options": True}


def sign_in_input(simulator: LaMarzoccoCloudSimulator, **overrides: Any) -> dict[str, Any]:
    """What a developer types into the sign-in form for the simulator."""
    return {
        CONF_USERNAME: DEFAULT_USERNAME,
        CONF_PASSWORD: DEFAULT_PASSWORD,
        "advanced": {lm_const.CONF_SERVER: simulator.base_url},
        **overrides,
    }


async def start_sign_in(hass: HomeAssistant) -> str:
    """Open the flow in advanced mode and pick La Marzocco's account; returns the flow id."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context=ADVANCED)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "lamarzocco"}
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "lamarzocco_cloud"}
    )
    assert result["step_id"] == "lamarzocco_cloud"
    return str(result["flow_id"])


async def add_lamarzocco_entry(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator, serial: str = MICRA
) -> ConfigEntry:
    """Add one machine through the config flow and wait until it is set up."""
    flow_id = await start_sign_in(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, sign_in_input(simulator))
    assert result["type"] is FlowResultType.FORM, result
    assert result["step_id"] == "lamarzocco_machine"
    result = await hass.config_entries.flow.async_configure(flow_id, {"machine": serial})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry = result["result"]
    assert isinstance(entry, ConfigEntry)
    return entry


async def add_connected_entry(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator, serial: str = MICRA
) -> ConfigEntry:
    """Add one machine and wait until the account's websocket pushes to it."""
    entry = await add_lamarzocco_entry(hass, simulator, serial)
    await websocket_up(hass, entry)
    return entry


async def websocket_up(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Wait until the entry's machine is on the account's websocket."""
    await wait_for(hass, lambda: runtime(entry).coordinator.websocket_connected)


async def cloud_quiet(hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator) -> None:
    """Wait until the reads a (re)connected websocket makes are over (none for 0.3 s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while loop.time() < deadline:
        seen = len(simulator.requests)
        await asyncio.sleep(0.3)
        await hass.async_block_till_done()
        if len(simulator.requests) == seen:
            return
    raise AssertionError("the simulated cloud kept being asked")


def runtime(entry: ConfigEntry) -> LaMarzoccoRuntimeData:
    """The typed runtime data of a loaded entry."""
    data = entry.runtime_data
    assert isinstance(data, LaMarzoccoRuntimeData)
    return data


def state(hass: HomeAssistant, entity: str) -> str:
    """The entity's state (it must exist)."""
    found = hass.states.get(entity)
    assert found is not None, entity
    return found.state


def attributes(hass: HomeAssistant, entity: str) -> dict[str, Any]:
    """The entity's attributes (it must exist)."""
    found = hass.states.get(entity)
    assert found is not None, entity
    return dict(found.attributes)


def entity_id(hass: HomeAssistant, platform: str, serial: str, key: str) -> str:
    """The entity id of ``<serial>_<key>``."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{serial}_{key}")
    assert found is not None, f"{platform} {serial}_{key} missing"
    return found


@pytest.fixture
def fast_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """Join the websocket at once rather than after the settle pause."""
    monkeypatch.setattr(lm_account, "STREAM_SETTLE_SECONDS", 0.01)


@pytest.fixture
async def lamarzocco_simulator() -> AsyncIterator[LaMarzoccoCloudSimulator]:
    """The loopback cloud with the default household (Micra, Mini, GS3 AV, Pico)."""
    simulator = LaMarzoccoCloudSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


# --- machines on older gateways ------------------------------------------------------------

OLD_GATEWAY_MINI = "LM000101"


@pytest.fixture
def old_household() -> Household:
    """The machines behind older gateways, heating up sixty times faster."""
    return old_gateway_household(time_scale=60.0)


@pytest.fixture
async def gateway(old_household: Household) -> AsyncIterator[LocalGateway]:
    """The Linea Mini's gateway with its local API on a free loopback port."""
    simulated = LocalGateway(old_household, OLD_GATEWAY_MINI, tick=0.05, keep_alive=0.2)
    await simulated.start()
    yield simulated
    await simulated.stop()
