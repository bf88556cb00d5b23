"""A simulated day of faults between Home Assistant and a Jura machine.

The fault proxy sits between the client and the simulated dongle (CRLF lines); alerts
change at the machine between faults and, now and then, a brew is asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
import random
import re
from typing import Any

from homeassistant.const import CONF_PORT, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.jura.const import OPTION_RECONNECT_GAP
from custom_components.kitchen_connect.kitchenlib.errors import KitchenError
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.faults import FaultKind, FaultProxy, Framing
from simulators.jura.simulator import JuraSimulator
from tests.helpers import JURA_MACHINE_ID, jura_entry_data

from .checks import follow
from .clock import SimulatedClock
from .driver import (
    CLOUD_WEIGHTS,
    BrandChaos,
    ChaosRun,
    day_of_faults,
    schedule_for,
    set_up,
    tear_down,
)

STATUS = "sensor.kaffeebert_status"
# Alerts that block no product, so brews still run while they come and go.
TOGGLED_ALERTS = (7, 12, 24, 33, 34)
PRODUCTS = ("espresso", "coffee", "cappuccino")
# A line protocol: no websocket messages, no HTTP; garbage lines come more often.
WEIGHTS: dict[FaultKind, int] = {
    **{
        kind: weight
        for kind, weight in CLOUD_WEIGHTS.items()
        if kind not in (FaultKind.GARBAGE_BINARY, FaultKind.HTTP_STATUS)
    },
    FaultKind.GARBAGE: 3,
}


@dataclass
class JuraRig:
    """The machine, the proxy in front of it, and the entry that talks through the proxy."""

    simulator: JuraSimulator
    proxy: FaultProxy
    entry: MockConfigEntry


@pytest.fixture
async def jura_rig(
    hass: HomeAssistant, clock: SimulatedClock, all_entities_enabled: None
) -> AsyncIterator[JuraRig]:
    """A Jura machine behind the fault proxy, set up in Home Assistant."""
    profile = get_profile("EF1091")
    assert profile is not None
    simulator = JuraSimulator(
        profile, auto_confirm_pairing=True, push_interval=10.0, brew_step_interval=1.0
    )
    await simulator.start()
    proxy = FaultProxy(simulator.port, framing=Framing.LINES)
    await proxy.start()
    data = await jura_entry_data(simulator)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Kaffeebert",
        unique_id=JURA_MACHINE_ID,
        data={**data, CONF_PORT: proxy.port},
        options={OPTION_RECONNECT_GAP: 0},
    )
    await set_up(hass, entry)
    yield JuraRig(simulator, proxy, entry)
    await tear_down(hass, entry, proxy, simulator)


def _alert_entity(hass: HomeAssistant, bit: int) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{JURA_MACHINE_ID}_alert_{bit}"
    )
    assert entity_id is not None, bit
    return entity_id


def jura_chaos(hass: HomeAssistant, rig: JuraRig) -> BrandChaos:
    """The Jura brand's part of a chaos run."""
    simulator, proxy = rig.simulator, rig.proxy
    entities = {bit: _alert_entity(hass, bit) for bit in TOGGLED_ALERTS}
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, JURA_MACHINE_ID), rig.entry.entry_id
    )
    assert device is not None
    products = iter(PRODUCTS * 100000)

    def change(rng: random.Random) -> None:
        bit = rng.choice(TOGGLED_ALERTS)
        simulator.set_alert(bit, bit not in simulator.alerts)
        simulator.push_now()

    def truth() -> dict[str, str]:
        alerts = simulator.alerts
        return {
            entity: STATE_ON if bit in alerts else STATE_OFF for bit, entity in entities.items()
        }

    async def brew() -> None:
        await hass.services.async_call(
            DOMAIN,
            "brew",
            {"device_id": device.id, "confirm": True, "product": next(products)},
            blocking=True,
        )

    def long_lived() -> list[asyncio.Task[Any]]:
        return [
            task
            for task in rig.entry._background_tasks
            if "jura session" in task.get_name() and not task.done()
        ]

    return BrandChaos(
        watched=STATUS,
        down_line=re.compile(r"^Jura Kaffeebert is unavailable: "),
        up_line=re.compile(r"^Jura Kaffeebert is available again$"),
        library_errors=(KitchenError,),
        inflict=proxy.apply,
        heal=proxy.clear,
        change=change,
        truth=truth,
        destructive=brew,
        long_lived=long_lived,
    )


def is_brew(command: str) -> bool:
    """A brew command as the machine receives it."""
    return command.startswith("@TP:")


async def test_a_day_of_faults(
    hass: HomeAssistant,
    jura_rig: JuraRig,
    clock: SimulatedClock,
    caplog: pytest.LogCaptureFixture,
    chaos_faults: int,
    chaos_seed: int,
) -> None:
    """After a day of cuts, stalls and garbage the entities show the machine's truth.

    No exception got away, the session supervisor still runs, every outage was told once
    each way, and no brew reached the machine twice.
    """
    run = ChaosRun(
        hass, clock, caplog, jura_chaos(hass, jura_rig), schedule_for(chaos_seed, WEIGHTS)
    )
    result = await day_of_faults(
        "Jura",
        run,
        chaos_faults,
        lambda ledger: follow(jura_rig.simulator, "commands", ledger, is_brew),
    )
    print(f"  proxy: {jura_rig.proxy.stats}")
    assert result.problems == []
    assert sum(result.faults.values()) == chaos_faults
    assert result.outages > 0
    assert result.calls > 0
