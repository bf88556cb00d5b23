"""Fifty appliances of every brand on one Home Assistant: setup, memory and loop stalls.

GE households, Jura machines and a La Marzocco cloud are simulated in another process
(``load_sim_host``), so their work does not count as ours; the Nespresso machines sit
behind the simulated Bluetooth proxy, which is part of Home Assistant's own stack. A
ticker task that sleeps 1 ms records the longest gap between its wake-ups: the longest
time the event loop was busy with one step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
import gc
import json
import sys
import time
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.lamarzocco import account as lm_account
from simulators.ha_bluetooth import SimulatedScanner, async_start_scanner
from simulators.lamarzocco.household import Household as LmHousehold
from simulators.nespresso.backend import SimulatedAir, SimulatedPeripheral
from tests.benchmark import (
    ge as ge_bench,
    jura as jura_bench,
    lamarzocco as lm_bench,
    nespresso as nes_bench,
)
from tests.benchmark.load_sim_host import lm_machines
from tests.benchmark.measure import (
    Report,
    async_setup_bluetooth,
    rss_bytes,
    start_sim_host,
    stop_sim_host,
)
from tests.helpers import jura_entry_data

# Fifty appliances: two GE households of ten, and ten of each other brand.
DEFAULT_MIX = {"ge": 20, "jura": 10, "lamarzocco": 10, "nespresso": 10}
GE_HOUSEHOLD = 10  # appliances in one simulated GE household
GE_BURST_PUSHES = 1000  # ERD changes the GE appliances push in one burst, all together
STALL_TARGET = 0.020
TICK = 0.001
BURST_SETTLE = 1.0  # seconds for every push of a burst to reach Home Assistant's states


def _stage(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


class StallMeter:
    """The longest time between two wake-ups of a task that sleeps ``TICK``.

    ``longest`` is wall time, what a user waits; ``busiest`` is the event loop thread's
    own CPU time in that gap, which leaves out the other processes of a busy machine.
    """

    def __init__(self) -> None:
        self.longest = 0.0
        self.busiest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        last, last_cpu = loop.time(), time.thread_time()
        while True:
            await asyncio.sleep(TICK)
            now, cpu = loop.time(), time.thread_time()
            self.longest = max(self.longest, now - last - TICK)
            self.busiest = max(self.busiest, cpu - last_cpu)
            last, last_cpu = now, cpu

    @contextlib.contextmanager
    def measuring(self) -> Iterator[StallMeter]:
        """Measure while the block runs (afresh each time)."""
        self.longest = self.busiest = 0.0
        self._task = asyncio.get_running_loop().create_task(self._tick())
        try:
            yield self
        finally:
            self._task.cancel()


@dataclass
class _Fleet:
    """The appliances of the run, and how to make all of them push at once."""

    host: asyncio.subprocess.Process
    entries: dict[str, list[MockConfigEntry]]
    nespresso: list[SimulatedPeripheral]
    scanner: SimulatedScanner
    ge_per_appliance: int

    async def burst(self, round_: int) -> None:
        assert self.host.stdin is not None
        assert self.host.stdout is not None
        for peripheral in self.nespresso:
            peripheral.machine.set_tank_empty(round_ % 2 == 1)
            self.scanner.advertise(peripheral.address)
        self.host.stdin.write(f"burst {self.ge_per_appliance}\n".encode())
        await self.host.stdin.drain()
        assert (await self.host.stdout.readline()).strip() == b"done"

    async def stop(self) -> None:
        await stop_sim_host(self.host)


async def _start_host(mix: dict[str, int]) -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    copies = -(-mix["ge"] // GE_HOUSEHOLD)
    host, served = await start_sim_host("load_sim_host", copies, mix["jura"], mix["lamarzocco"])
    return host, json.loads(served)


class _RemoteLaMarzocco:
    """Enough of LaMarzoccoCloudSimulator's interface to add entries for its machines."""

    def __init__(self, base_url: str, count: int) -> None:
        self.base_url = base_url
        self.household = LmHousehold(lm_machines(count))


async def _entries(
    hass: HomeAssistant,
    mix: dict[str, int],
    address: dict[str, Any],
    air: SimulatedAir,
    scanner: SimulatedScanner,
) -> tuple[dict[str, list[MockConfigEntry]], list[SimulatedPeripheral]]:
    entries: dict[str, list[MockConfigEntry]] = {}
    if mix["ge"]:
        entries["ge"] = [
            await ge_bench.add_entry(hass, ge_bench.RemoteSimulator(address["ge"]))  # type: ignore[arg-type]
        ]
    entries["jura"] = []
    for number, port in enumerate(address["jura"]):
        remote = jura_bench.RemoteJura(port, "EF1091")
        data = await jura_entry_data(remote, conn_id=f"load-{number}")  # type: ignore[arg-type]
        entries["jura"].append(
            await jura_bench.add_entry(
                hass, {**data, "machine_id": f"load{number}"}, f"Jura {number}"
            )
        )
    if mix["lamarzocco"]:
        remote_lm = _RemoteLaMarzocco(address["lamarzocco"], mix["lamarzocco"])
        serials = list(remote_lm.household.machines)
        entries["lamarzocco"] = await lm_bench.add_entries(hass, remote_lm, serials)  # type: ignore[arg-type]
    peripherals = []
    entries["nespresso"] = []
    for number in range(mix["nespresso"]):
        peripheral, entry = await nes_bench.add_machine(hass, air, scanner, number)
        peripherals.append(peripheral)
        entries["nespresso"].append(entry)
    return entries, peripherals


async def _setup(hass: HomeAssistant, entries: list[MockConfigEntry]) -> None:
    """Set entries up side by side, as Home Assistant does at startup."""
    await asyncio.gather(*(hass.config_entries.async_setup(entry.entry_id) for entry in entries))
    await hass.async_block_till_done()


async def _connected(hass: HomeAssistant, entries: dict[str, list[MockConfigEntry]]) -> None:
    """Wait until every push channel is open (La Marzocco's websockets connect after setup)."""
    for entry in entries.get("lamarzocco", []):
        await lm_bench.wait_connected(hass, entry)
    await hass.async_block_till_done()


async def run(hass: HomeAssistant, mix: dict[str, int] | None = None) -> Report:
    """Set up the fleet, make it push, and report setup time, memory and stalls."""
    mix = {**DEFAULT_MIX, **(mix or {})}
    total = sum(mix.values())
    lm_account.STREAM_SETTLE_SECONDS = 0.01
    await async_setup_bluetooth(hass)
    host, address = await _start_host(mix)
    _stage("simulators started; adding entries")
    air = SimulatedAir()
    scanner = SimulatedScanner("load-proxy")
    stop_scanner = async_start_scanner(
        hass, scanner, interval=None, connection_slots=max(1, mix["nespresso"])
    )
    entries, peripherals = await _entries(hass, mix, address, air, scanner)
    _stage("setting up")
    meter = StallMeter()
    all_entries = [entry for brand in entries.values() for entry in brand]
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    with meter.measuring():
        await _setup(hass, all_entries)
    setup_seconds = time.perf_counter() - started
    setup_stall = (meter.longest, meter.busiest)
    _stage("waiting for push channels")
    await _connected(hass, entries)
    _stage("bursts")
    gc.collect()
    per_appliance = (rss_bytes() - before) / total
    ge_count = address["ge_appliances"] if mix["ge"] else 0
    fleet = _Fleet(host, entries, peripherals, scanner, -(-GE_BURST_PUSHES // max(1, ge_count)))
    entities = len(hass.states.async_entity_ids())
    burst_stalls = []
    for round_ in range(1, 6):
        with meter.measuring():
            await fleet.burst(round_)
            await asyncio.sleep(BURST_SETTLE)
        burst_stalls.append((meter.longest, meter.busiest))
    burst_stall = (max(wall for wall, _ in burst_stalls), max(cpu for _, cpu in burst_stalls))
    for entry in all_entries:
        await hass.config_entries.async_unload(entry.entry_id)
    stop_scanner()
    await fleet.stop()
    described = ", ".join(f"{count} {brand}" for brand, count in mix.items() if count)
    pushes = fleet.ge_per_appliance * ge_count + total - ge_count
    return [
        ("appliances", f"{total} ({described})", lambda: True),
        ("entities", f"{entities}", lambda: True),
        (
            "setup of every entry at once",
            f"{setup_seconds * 1000:.0f} ms",
            lambda: setup_seconds < 10,
        ),
        (
            "resident memory per appliance (imports included)",
            f"{per_appliance / 1024 / 1024:.2f} MB",
            lambda: per_appliance < 2 * 1024 * 1024,
        ),
        *_stall_lines("setup", setup_stall),
        *_stall_lines(f"{pushes} pushes at once (worst of 5)", burst_stall),
    ]


def _stall_lines(when: str, stall: tuple[float, float]) -> Report:
    wall, cpu = stall
    return [
        (
            f"longest event-loop stall, {when}",
            f"{wall * 1000:.1f} ms",
            lambda: wall < STALL_TARGET,
        ),
        (
            "  of which the loop's own CPU time",
            f"{cpu * 1000:.1f} ms",
            lambda: cpu < STALL_TARGET,
        ),
    ]


def parse_mix(text: str) -> dict[str, int]:
    """``ge=50,jura=0``: how many appliances of each brand (others keep their default)."""
    mix: dict[str, int] = {}
    for part in filter(None, text.split(",")):
        brand, _, count = part.partition("=")
        if brand not in DEFAULT_MIX:
            raise ValueError(f"unknown brand {brand!r}")
        mix[brand] = int(count)
    return mix
