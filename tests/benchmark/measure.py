"""Small measuring helpers the benchmark sections share."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import gc
import os
import socket
import sys
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.loader import async_get_integration
from homeassistant.setup import async_setup_component

from custom_components.kitchen_connect.brands import async_load_brands, spec_for_entry

type Report = list[tuple[str, str, Callable[[], bool]]]


def rss_bytes() -> int:
    """This process's resident memory."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def rss_per_entry(
    hass: HomeAssistant,
    entries: Sequence[ConfigEntry],
    *,
    settle_seconds: float = 1.0,
    wait_background_tasks: bool = False,
) -> float:
    """Resident memory each entry after the first adds; every entry is unloaded after.

    The first entry warms up imports and caches, so they are not counted per entry.
    """
    await hass.config_entries.async_setup(entries[0].entry_id)
    await hass.async_block_till_done(wait_background_tasks=wait_background_tasks)
    gc.collect()
    before = rss_bytes()
    for entry in entries[1:]:
        await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=wait_background_tasks)
    if settle_seconds:
        await asyncio.sleep(settle_seconds)
    gc.collect()
    per_entry = (rss_bytes() - before) / (len(entries) - 1)
    for entry in entries:
        await hass.config_entries.async_unload(entry.entry_id)
    return per_entry


def percentile(samples: list[float], fraction: float) -> float:
    """The sample below which ``fraction`` of the samples lie."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latency_lines(
    what: str, samples: list[float], *, p50_target: float = 0.005, p99_target: float = 0.020
) -> Report:
    """Report lines for the p50 and p99 of ``samples`` (seconds), against their targets."""
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    return [
        (f"{what} p50", f"{p50 * 1000:.2f} ms", lambda: p50 < p50_target),
        (f"{what} p99", f"{p99 * 1000:.2f} ms", lambda: p99 < p99_target),
    ]


async def async_setup_bluetooth(hass: HomeAssistant) -> None:
    """Home Assistant's Bluetooth stack, its web server listening on loopback only.

    Bluetooth needs ``usb``, which needs the websocket API and so ``http``: by default
    that would bind every interface on port 8123.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    http = {"server_host": ["127.0.0.1"], "server_port": port}
    assert await async_setup_component(hass, "http", {"http": http})
    assert await async_setup_component(hass, "bluetooth", {})


async def state_latencies(
    hass: HomeAssistant,
    entity_id: str,
    samples: int,
    send: Callable[[int], object],
    prepare: Callable[[int], object] = lambda _index: None,
) -> list[float]:
    """Seconds from ``send(index)`` to the state change of ``entity_id``, ``samples`` times.

    ``prepare(index)`` sets the change up before the clock starts.
    """
    latencies: list[float] = []
    changed: asyncio.Future[float] | None = None

    # A @callback runs in the event loop; a plain function would run in a worker thread,
    # adding a thread hop to every figure and resolving the future from another thread.
    @callback
    def _on_change(event: Event[Any]) -> None:
        if event.data["entity_id"] == entity_id and changed is not None and not changed.done():
            changed.set_result(time.perf_counter())

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, _on_change)
    try:
        for index in range(samples):
            changed = hass.loop.create_future()
            prepare(index)
            sent = time.perf_counter()
            send(index)
            latencies.append(await asyncio.wait_for(changed, 5) - sent)
    finally:
        unsubscribe()
    return latencies


async def start_sim_host(module: str, *arguments: object) -> tuple[asyncio.subprocess.Process, str]:
    """Run ``tests.benchmark.<module>`` in a process of its own, so its work is not ours.

    Returns the process and the first line it prints: what it serves, and where.
    """
    host = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"tests.benchmark.{module}",
        *(str(argument) for argument in arguments),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert host.stdout is not None
    return host, (await host.stdout.readline()).decode()


async def stop_sim_host(host: asyncio.subprocess.Process) -> None:
    """End a host started by ``start_sim_host`` (it stops when its input closes)."""
    assert host.stdin is not None
    host.stdin.close()
    await host.wait()


async def timed_setup(
    hass: HomeAssistant, entry: ConfigEntry, *, wait_background_tasks: bool = False
) -> float:
    """Seconds from setting ``entry`` up to its entities being there.

    What Home Assistant does once at start is done first: setting up the integrations ours
    depends on (Bluetooth brings USB and the Supervisor client along), importing the brand's
    package (off the event loop; ``--imports`` measures it on its own) and setting up the
    entity components its platforms belong to (climate, calendar, ...).
    """
    integration = await async_get_integration(hass, entry.domain)
    await async_load_brands(hass, [entry])
    for component in (*integration.dependencies, *spec_for_entry(entry).platforms):
        assert await async_setup_component(hass, component, {}), component
    # With every benchmark module imported, a full collection of the whole process (about
    # 170 ms) otherwise tends to fall inside the window: Python's pause, not our setup.
    gc.collect()
    started = time.perf_counter()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=wait_background_tasks)
    return time.perf_counter() - started
