"""Pushes share the event loop: machines that push at the same moment take turns.

Each push rewrites its machine's entities. Machines on connections of their own (Jura)
wake in the same loop step when they push together, and an account's websocket (La
Marzocco) hands over every queued push at once; left alone, a burst of them holds the
event loop for the sum of all those rewrites.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from custom_components.kitchen_connect.pacing import TURN
from simulators.jura.simulator import JuraSimulator
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator
from tests.helpers import wait_for

from .lamarzocco_support import (
    MICRA,
    MINI,
    add_lamarzocco_entry,
    cloud_quiet,
    entity_id,
    fast_stream,
    lamarzocco_simulator,
    state,
    websocket_up,
)
from .test_setup_fairness import _jura_entry, _set_up_together, another_jura

__all__ = ["another_jura", "fast_stream", "lamarzocco_simulator"]

BEAN_ALERT = 10  # "no beans", one of the alerts an EF1091 shows as a binary sensor
WATER_ALERT = 1  # "fill water"


class _DevicesPerStep:
    """Which devices' entities changed state in each loop step that changed any."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.steps: list[set[str]] = []
        self._current: set[str] = set()
        self._registry = er.async_get(hass)
        self._unsubscribe: Callable[[], None] = hass.bus.async_listen(
            EVENT_STATE_CHANGED, self._changed
        )

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        entry = self._registry.async_get(event.data["entity_id"])
        if entry is None or entry.device_id is None:
            return
        if not self._current:
            # Runs as soon as the step that wrote this state gives the loop back.
            asyncio.get_running_loop().call_soon(self._step_over)
        self._current.add(entry.device_id)

    def _step_over(self) -> None:
        self.steps.append(self._current)
        self._current = set()

    def stop(self) -> list[set[str]]:
        """Stop watching; the devices of each step so far."""
        self._unsubscribe()
        return self.steps


def _alert_entities(hass: HomeAssistant, bit: int = BEAN_ALERT) -> list[str]:
    return [
        entry.entity_id
        for entry in er.async_get(hass).entities.values()
        if entry.domain == "binary_sensor" and entry.unique_id.endswith(f"_alert_{bit}")
    ]


async def test_jura_machines_pushing_together_update_in_turns(
    hass: HomeAssistant, jura_simulator: JuraSimulator, another_jura: JuraSimulator
) -> None:
    """Both machines show the new alert, each updated in a loop step of its own."""
    machines = (jura_simulator, another_jura)
    await _set_up_together(
        hass, [await _jura_entry(hass, simulator, n) for n, simulator in enumerate(machines)]
    )
    alerts = _alert_entities(hass)
    assert len(alerts) == 2
    assert {hass.states.get(alert).state for alert in alerts} == {"off"}  # type: ignore[union-attr]
    watcher = _DevicesPerStep(hass)

    for simulator in machines:
        simulator.set_alert(BEAN_ALERT, on=True)
        simulator.push_now()
    await wait_for(
        hass,
        lambda: {hass.states.get(alert).state for alert in alerts} == {"on"},  # type: ignore[union-attr]
    )

    steps = watcher.stop()
    assert len(set().union(*steps)) == 2
    assert all(len(devices) == 1 for devices in steps), steps


async def test_an_accounts_machines_pushing_together_update_in_turns(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, fast_stream: None
) -> None:
    """Two machines on one La Marzocco account: each push handled in a step of its own."""
    entries = [await add_lamarzocco_entry(hass, lamarzocco_simulator, s) for s in (MICRA, MINI)]
    for entry in entries:
        await websocket_up(hass, entry)
    await cloud_quiet(hass, lamarzocco_simulator)
    targets = [entity_id(hass, "number", serial, "coffee_temperature") for serial in (MICRA, MINI)]
    watcher = _DevicesPerStep(hass)

    household = lamarzocco_simulator.household
    for serial in (MICRA, MINI):
        machine = household.machines[serial]
        machine.coffee_target = 91.5
        household.changed(machine)
    await wait_for(hass, lambda: all(state(hass, target) == "91.5" for target in targets))

    steps = watcher.stop()
    assert len(set().union(*steps)) == 2
    assert all(len(devices) == 1 for devices in steps), steps


async def test_pushes_that_pile_up_while_waiting_for_a_turn_are_shown_once(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Only the newest state is written: an alert raised and cleared meanwhile never shows."""
    entry = await _jura_entry(hass, jura_simulator, 1)
    await _set_up_together(hass, [entry])
    (beans,) = _alert_entities(hass, BEAN_ALERT)
    (water,) = _alert_entities(hass, WATER_ALERT)
    machine = entry.runtime_data.session.machine
    changed: list[str] = []

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] in (beans, water):
            changed.append(event.data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_CHANGED, _changed)

    async def _until(done: Callable[[], bool]) -> None:
        # Not wait_for: waiting for Home Assistant's tasks would wait for the turn held here.
        async with asyncio.timeout(5):
            while not done():  # noqa: ASYNC110 - the library's state, pushed over a socket
                await asyncio.sleep(0.01)

    async with hass.data[TURN]:  # another piece of work has the turn meanwhile
        jura_simulator.set_alert(BEAN_ALERT, on=True)
        jura_simulator.push_now()
        await _until(lambda: BEAN_ALERT in machine.state.alerts)
        jura_simulator.set_alert(BEAN_ALERT, on=False)
        jura_simulator.set_alert(WATER_ALERT, on=True)
        jura_simulator.push_now()
        await _until(lambda: WATER_ALERT in machine.state.alerts)
        assert changed == []
    await hass.async_block_till_done()

    assert changed == [water]
    assert hass.states.get(beans).state == "off"  # type: ignore[union-attr]
    assert hass.states.get(water).state == "on"  # type: ignore[union-attr]
