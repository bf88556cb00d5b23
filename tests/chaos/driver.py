"""One chaos run: random faults over simulated time, changes at the appliance, and calls.

A brand's test gives the faults' target (``inflict``), what changes at the appliance
between faults (``change``), and optionally one destructive call (a brew) that the
ledger follows; the run reports every broken promise through ``tests.chaos.checks``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
import gc
import logging
import random
import re
import time
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators.faults import Fault, FaultKind, FaultProxy, FaultSchedule

from .checks import (
    ChaosWatch,
    CommandLedger,
    escape_problems,
    outage_problems,
    task_problems,
    truth_problems,
)
from .clock import SimulatedClock

DAY = 86400.0
FAULTS_PER_DAY = 1000
# The faults of the cloud brands' HTTP and websocket transports, and how often each comes.
CLOUD_WEIGHTS: dict[FaultKind, int] = {
    FaultKind.CUT_RESET: 3,
    FaultKind.CUT_CLOSE: 2,
    FaultKind.CUT_MID_FRAME: 2,
    FaultKind.STALL: 2,
    FaultKind.DELAY: 2,
    FaultKind.SPLIT: 2,
    FaultKind.JOIN: 2,
    FaultKind.GARBAGE: 2,
    FaultKind.GARBAGE_BINARY: 1,
    FaultKind.REFUSE: 1,
    FaultKind.HTTP_STATUS: 2,
}
AUTH_FAULT_SPACING = 600.0  # simulated seconds between two injected 401/403 answers


@dataclass
class BrandChaos:
    """What a brand's run needs."""

    watched: str  # an entity that is unavailable exactly while the appliance is
    down_line: re.Pattern[str]
    up_line: re.Pattern[str]
    library_errors: tuple[type[BaseException], ...]
    inflict: Callable[[Fault], Awaitable[None]]
    heal: Callable[[], None]  # every fault off
    change: Callable[[random.Random], None]  # something changes at the appliance
    truth: Callable[[], dict[str, str]]  # entity id -> the state it must show
    destructive: Callable[[], Awaitable[None]] | None = None
    long_lived: Callable[[], list[asyncio.Task[Any]]] = list
    change_chance: float = 0.3
    call_chance: float = 0.05


def running_tasks(name: str) -> Callable[[], list[asyncio.Task[Any]]]:
    """A brand's ``long_lived``: its tasks of that name still running."""

    def long_lived() -> list[asyncio.Task[Any]]:
        return [task for task in asyncio.all_tasks() if task.get_name() == name and not task.done()]

    return long_lived


@dataclass
class ChaosResult:
    """What a run did and found."""

    faults: Counter[str] = field(default_factory=Counter)
    simulated_hours: float = 0.0
    seconds: float = 0.0
    changes: int = 0
    calls: int = 0
    refused_calls: int = 0
    arrived: int = 0  # destructive commands the appliance received
    outages: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the run's output."""
        return (
            f"{sum(self.faults.values())} faults over {self.simulated_hours:.1f} simulated h "
            f"in {self.seconds:.1f} s: {self.outages} outages, {self.changes} changes, "
            f"{self.calls} destructive calls ({self.refused_calls} refused, {self.arrived} "
            "reached the appliance); "
            f"{len(self.problems)} problems"
        )


class ChaosRun:
    """Drives one brand through a fault schedule and checks the promises afterwards."""

    def __init__(
        self,
        hass: HomeAssistant,
        clock: SimulatedClock,
        caplog: pytest.LogCaptureFixture,
        brand: BrandChaos,
        schedule: FaultSchedule,
    ) -> None:
        self.hass = hass
        self.clock = clock
        self.caplog = caplog
        self.brand = brand
        self.schedule = schedule
        self.rng = random.Random(schedule.seed + 1)
        self.ledger = CommandLedger()
        self.watch = ChaosWatch(hass, brand.watched)
        self.result = ChaosResult()
        self.escaped: list[BaseException] = []
        self._call: asyncio.Task[None] | None = None

    async def run(self, faults: int, *, recovery: float = 3600.0) -> ChaosResult:
        """``faults`` random faults, then every fault off and time to recover."""
        started = time.perf_counter()
        self.caplog.clear()
        tasks = self.brand.long_lived()
        self.watch.start()
        try:
            for _ in range(faults):
                scheduled = self.schedule.next()
                await self.clock.advance(scheduled.gap)
                await self._between_faults()
                self.result.faults[scheduled.fault.kind] += 1
                await self.brand.inflict(scheduled.fault)
            self.brand.heal()
            if self._call is not None:
                await self._settle(lambda: self._call is None or self._call.done(), recovery)
            # The last word is the appliance's: one more change, shown once recovered.
            self.brand.change(self.rng)
            self.result.changes += 1
            await self._settle(self._shows_truth, recovery)
            # Tasks that died unwatched say so when collected ("never retrieved").
            gc.collect()
            await self.clock.settle_loop()
        finally:
            self.watch.stop()
        records = list(self.caplog.records)
        result = self.result
        result.simulated_hours = self.clock.simulated / 3600
        result.seconds = time.perf_counter() - started
        result.outages = self.watch.outages.down
        result.arrived = len(self.ledger.received)
        result.problems = [
            *truth_problems(self.hass, self.brand.truth()),
            *escape_problems(records, self.watch.loop_errors, self.brand.library_errors),
            *(f"call raised {error!r}" for error in self.escaped),
            *task_problems(tasks),
            *outage_problems(self.watch.outages, records, self.brand.down_line, self.brand.up_line),
            *self.ledger.problems(),
        ]
        return result

    def _shows_truth(self) -> bool:
        return not truth_problems(self.hass, self.brand.truth())

    async def _settle(self, done: Callable[[], bool], limit: float) -> None:
        waited = 0.0
        while not done() and waited < limit:
            await self.clock.advance(self.clock.step)
            waited += self.clock.step

    async def _between_faults(self) -> None:
        brand = self.brand
        if self.rng.random() < brand.change_chance:
            brand.change(self.rng)
            self.result.changes += 1
        idle = self._call is None or self._call.done()
        if brand.destructive is not None and idle and self.rng.random() < brand.call_chance:
            self._call = self.hass.async_create_task(self._destructive(brand.destructive))
            # The call goes out before the fault, which then lands on it or on the brew.
            await self.clock.settle_loop()

    async def _destructive(self, call: Callable[[], Awaitable[None]]) -> None:
        self.result.calls += 1
        self.ledger.call(f"call {self.result.calls}")
        try:
            await call()
        except HomeAssistantError as err:
            self.result.refused_calls += 1
            self.result.refusals[str(err)[:100]] += 1
        except Exception as err:
            self.escaped.append(err)


async def day_of_faults(
    name: str,
    run: ChaosRun,
    faults: int,
    listen: Callable[[CommandLedger], None],
) -> ChaosResult:
    """A brand's run of ``faults`` faults (a day per thousand), with its figures printed."""
    run.caplog.set_level(logging.INFO, logger="custom_components.kitchen_connect")
    listen(run.ledger)
    result = await run.run(faults)
    print(f"\n{name} chaos: {result.summary()}")
    print(f"  refusals: {result.refusals.most_common(3)}")
    print("".join(f"  problem: {problem}\n" for problem in result.problems), end="")
    return result


def schedule_for(seed: int, weights: Mapping[FaultKind, int]) -> FaultSchedule:
    """A thousand faults a simulated day."""
    return FaultSchedule(seed, weights, mean_gap=DAY / FAULTS_PER_DAY)


def spaced_auth_faults(
    proxy: FaultProxy, api_path: str, spacing: float = AUTH_FAULT_SPACING
) -> Callable[[Fault], Awaitable[None]]:
    """The proxy's faults, with 401/403 only on API calls and well apart.

    On the token service these mean "sign in again", and so does a refusal of the token
    just refreshed: both rightly stop the client and ask the user. A chaos run lets only
    single API calls meet them (refresh and retry).
    """
    last = [-spacing]

    async def inflict(fault: Fault) -> None:
        if fault.kind is FaultKind.HTTP_STATUS and fault.status in (401, 403):
            proxy.stats.faults[fault.kind] += 1
            now = asyncio.get_running_loop().time()
            if now - last[0] > spacing and not proxy.pending_answers:
                last[0] = now
                proxy.answer_next(fault.status, path=api_path)
            return
        await proxy.apply(fault)

    return inflict


class Stoppable(Protocol):
    """A simulator or a proxy."""

    async def stop(self) -> None:
        """Stop serving."""


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add ``entry`` and set it up."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def tear_down(hass: HomeAssistant, entry: ConfigEntry, *servers: Stoppable) -> None:
    """Unload ``entry``, then stop the proxy and the simulator behind it."""
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    for server in servers:
        await server.stop()
