"""A simulated day of faults between Home Assistant and La Marzocco's cloud.

The fault proxy sits in front of the simulated cloud for the REST calls and the STOMP
websocket; the Micra's coffee temperature changes between faults and, now and then, a
backflush is asked for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
import random
import re

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.errors import KitchenError
from custom_components.kitchen_connect.lamarzocco import account as lm_account, const as lm_const
from simulators.faults import FaultProxy, Framing
from simulators.lamarzocco.auth import CloudAuth
from simulators.lamarzocco.household import default_household
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator
from tests.components.lamarzocco_support import (
    MICRA,
    entity_id,
    runtime,
    sign_in_input,
    start_sign_in,
)

from .checks import follow
from .clock import SimulatedClock
from .driver import (
    CLOUD_WEIGHTS,
    BrandChaos,
    ChaosRun,
    day_of_faults,
    running_tasks,
    schedule_for,
    spaced_auth_faults,
    tear_down,
)


@dataclass
class LaMarzoccoRig:
    """The cloud, the proxy in front of it, and the Micra's entry behind the proxy."""

    simulator: LaMarzoccoCloudSimulator
    proxy: FaultProxy
    entry: ConfigEntry


@pytest.fixture
async def lamarzocco_rig(
    hass: HomeAssistant, clock: SimulatedClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[LaMarzoccoRig]:
    """The Micra behind the fault proxy, added through the config flow."""
    monkeypatch.setattr(lm_account, "STREAM_SETTLE_SECONDS", 0.01)
    simulator = LaMarzoccoCloudSimulator(
        household=default_household(clock=clock.wall),
        auth=CloudAuth(clock=clock.wall),
        tick_interval=30.0,
    )
    await simulator.start()
    proxy = FaultProxy(simulator.port, framing=Framing.HTTP)
    await proxy.start()
    flow_id = await start_sign_in(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, sign_in_input(simulator, advanced={lm_const.CONF_SERVER: proxy.base_url})
    )
    assert result["step_id"] == "lamarzocco_machine", result
    result = await hass.config_entries.flow.async_configure(flow_id, {"machine": MICRA})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry = result["result"]
    await clock.advance(5)
    assert runtime(entry).coordinator.websocket_connected
    yield LaMarzoccoRig(simulator, proxy, entry)
    await tear_down(hass, entry, proxy, simulator)


def lamarzocco_chaos(hass: HomeAssistant, rig: LaMarzoccoRig) -> BrandChaos:
    """La Marzocco's part of a chaos run."""
    simulator, proxy = rig.simulator, rig.proxy
    machine = simulator.household.machines[MICRA]
    target = entity_id(hass, "number", MICRA, "coffee_temperature")
    watched = entity_id(hass, "switch", MICRA, "main")
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, MICRA), rig.entry.entry_id)
    assert device is not None

    def change(rng: random.Random) -> None:
        machine.coffee_target = round(rng.uniform(88.0, 96.0), 1)
        simulator.household.changed(machine)

    def truth() -> dict[str, str]:
        return {target: f"{machine.coffee_target:.1f}"}

    async def backflush() -> None:
        await hass.services.async_call(
            DOMAIN,
            "start_maintenance",
            {"device_id": device.id, "confirm": True, "process": "backflush"},
            blocking=True,
        )

    title = re.escape(rig.entry.title)
    return BrandChaos(
        watched=watched,
        down_line=re.compile(rf"^Error fetching La Marzocco {title} data"),
        up_line=re.compile(rf"^Fetching La Marzocco {title} data recovered"),
        library_errors=(KitchenError,),
        inflict=spaced_auth_faults(proxy, "/things"),
        heal=proxy.clear,
        change=change,
        truth=truth,
        destructive=backflush,
        long_lived=running_tasks("lamarzocco websocket"),
    )


def is_backflush(request: tuple[str, str]) -> bool:
    """A backflush command as the cloud receives it."""
    return "BackFlush" in request[1]


async def test_a_day_of_faults(
    hass: HomeAssistant,
    lamarzocco_rig: LaMarzoccoRig,
    clock: SimulatedClock,
    caplog: pytest.LogCaptureFixture,
    chaos_faults: int,
    chaos_seed: int,
) -> None:
    """After a day of cuts, stalls, garbage and HTTP errors, HA shows the machine's truth.

    No exception got away, the websocket task still runs, every outage was told once
    each way, and no backflush reached the machine twice.
    """
    brand = lamarzocco_chaos(hass, lamarzocco_rig)
    run = ChaosRun(hass, clock, caplog, brand, schedule_for(chaos_seed, CLOUD_WEIGHTS))
    simulator = lamarzocco_rig.simulator
    result = await day_of_faults(
        "La Marzocco",
        run,
        chaos_faults,
        lambda ledger: follow(simulator, "requests", ledger, is_backflush),
    )
    print(f"  answered: {lamarzocco_rig.proxy.stats.answered}")
    assert result.problems == []
    assert result.calls > 0
