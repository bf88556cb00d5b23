"""Setting up shares the event loop: no loop step adds more than a few entities.

Home Assistant adds the entities of one ``async_add_entities`` call in one loop step,
during which nothing else runs (a light switched meanwhile waits). Fifty appliances set
up at startup must therefore add theirs a few at a time, taking turns across entries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.jura.simulator import JuraSimulator
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator
from simulators.nespresso.backend import SimulatedPeripheral
from tests.helpers import jura_entry_data

from ..conftest import nespresso_entry
from .lamarzocco_support import add_lamarzocco_entry, fast_stream, lamarzocco_simulator

__all__ = ["fast_stream", "lamarzocco_simulator"]

# "A few": with about 0.1 ms per entity, a step adding this many stays near a millisecond.
MOST_PER_STEP = 8


class _EntitiesPerStep:
    """How many entities the registry got in each loop step that added any."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.steps: list[int] = []
        self._current = 0
        self._unsubscribe: Callable[[], None] | None = hass.bus.async_listen(
            er.EVENT_ENTITY_REGISTRY_UPDATED, self._added
        )

    @callback
    def _added(self, event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        if event.data["action"] != "create":
            return
        if not self._current:
            # Runs as soon as the step that adds this entity gives the loop back.
            asyncio.get_running_loop().call_soon(self._step_over)
        self._current += 1

    def _step_over(self) -> None:
        self.steps.append(self._current)
        self._current = 0

    def stop(self) -> list[int]:
        """Stop counting; the counts so far."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        return self.steps


@pytest.fixture
def per_step(hass: HomeAssistant) -> Iterator[_EntitiesPerStep]:
    """Counts the entities added per loop step from now on."""
    counter = _EntitiesPerStep(hass)
    yield counter
    counter.stop()


@pytest.fixture
async def another_jura() -> AsyncIterator[JuraSimulator]:
    """A second Jura machine (a machine allows one session: each entry needs its own)."""
    profile = get_profile("EF1091")
    assert profile is not None
    simulator = JuraSimulator(profile, auto_confirm_pairing=True, push_interval=0.2)
    await simulator.start()
    yield simulator
    await simulator.stop()


async def _jura_entry(
    hass: HomeAssistant, simulator: JuraSimulator, number: int
) -> MockConfigEntry:
    data = await jura_entry_data(simulator, conn_id=f"fair-{number}")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Jura {number}",
        unique_id=f"fair-{number}",
        data={**data, "machine_id": f"fair-{number}"},
    )
    entry.add_to_hass(hass)
    return entry


async def _set_up_together(hass: HomeAssistant, entries: list[MockConfigEntry]) -> None:
    """Set the entries up side by side, as Home Assistant does at startup."""
    await asyncio.gather(*(hass.config_entries.async_setup(entry.entry_id) for entry in entries))
    await hass.async_block_till_done()


def _nespresso_entries(
    hass: HomeAssistant, *peripherals: SimulatedPeripheral
) -> list[MockConfigEntry]:
    entries = [nespresso_entry(peripheral) for peripheral in peripherals]
    for entry in entries:
        entry.add_to_hass(hass)
    return entries


def _assert_all_added_a_few_per_step(
    hass: HomeAssistant, per_step: _EntitiesPerStep, *, more_than: int
) -> None:
    steps = per_step.stop()
    assert sum(steps) == len(er.async_get(hass).entities) > more_than
    assert max(steps) <= MOST_PER_STEP


async def test_a_jura_machine_adds_its_fifty_alerts_a_few_per_step(
    hass: HomeAssistant, jura_simulator: JuraSimulator, per_step: _EntitiesPerStep
) -> None:
    """All its entities arrive, yet no step adds more than a few of them."""
    await _set_up_together(hass, [await _jura_entry(hass, jura_simulator, 1)])

    _assert_all_added_a_few_per_step(hass, per_step, more_than=50)


async def test_a_la_marzocco_machine_adds_its_entities_a_few_per_step(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, per_step: _EntitiesPerStep
) -> None:
    """Its platforms take turns rather than each adding theirs in the same step."""
    await add_lamarzocco_entry(hass, lamarzocco_simulator)

    _assert_all_added_a_few_per_step(hass, per_step, more_than=20)


async def test_machines_of_two_brands_set_up_together_take_turns(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    another_jura: JuraSimulator,
    nespresso_expert: SimulatedPeripheral,
    nespresso_vertuo: SimulatedPeripheral,
    per_step: _EntitiesPerStep,
) -> None:
    """Two Jura machines and two Nespresso machines at once: still a few per step in all."""
    entries = [
        await _jura_entry(hass, simulator, number)
        for number, simulator in enumerate((jura_simulator, another_jura))
    ]
    entries += _nespresso_entries(hass, nespresso_expert, nespresso_vertuo)
    await _set_up_together(hass, entries)

    _assert_all_added_a_few_per_step(hass, per_step, more_than=120)


async def test_nespresso_machines_set_up_together_are_first_read_in_turns(
    hass: HomeAssistant,
    nespresso_expert: SimulatedPeripheral,
    nespresso_vertuo: SimulatedPeripheral,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each machine's first read starts in a loop step of its own.

    A proxy that answers at once lets a read run to its end in the step it starts in.
    """
    order: list[str] = []
    for peripheral in (nespresso_expert, nespresso_vertuo):
        connect = peripheral.machine.connect

        def _connect(name: str = peripheral.name, connect: Callable[[], None] = connect) -> None:
            order.append(name)
            asyncio.get_running_loop().call_soon(order.append, "step over")
            connect()

        monkeypatch.setattr(peripheral.machine, "connect", _connect)
    await _set_up_together(hass, _nespresso_entries(hass, nespresso_expert, nespresso_vertuo))

    reads = [name for name in order if name != "step over"]
    assert sorted(reads) == sorted((nespresso_expert.name, nespresso_vertuo.name))
    assert "step over" in order[order.index(reads[0]) : order.index(reads[1])]
