"""Simulated time for chaos and soak runs: the event loop's clock, moved on by the test.

``SimulatedClock`` adds an offset to the loop's clock, to Home Assistant's ``utcnow``, to
the wall clock the token code and the simulators read, and to the coarse monotonic clock
Home Assistant's Bluetooth ages adverts with. ``advance`` jumps from one due
timer to the next, letting the sockets talk in between, so a simulated day passes in
seconds while every timer (back-off, watchdog, poll, token expiry) fires in its order,
as it would have over the day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
import inspect
import time
from types import ModuleType
from typing import Any

from homeassistant.helpers import event as ha_event
from homeassistant.util import dt as dt_util
import pytest

# Modules that read the wall clock (``time.time()``) for token lifetimes and gaps.
WALL_CLOCK_MODULES = (
    "custom_components.kitchen_connect.kitchenlib.ge.tokens",
    "custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud",
    "custom_components.kitchen_connect.kitchenlib.lamarzocco.installation",
    "custom_components.kitchen_connect.kitchenlib.jura.session_gap",
    "simulators.ge.auth_pages",
    "simulators.lamarzocco.auth",
    "simulators.lamarzocco.household",
)
# Modules that age Bluetooth adverts and polls with ``monotonic_time_coarse``: Home
# Assistant's Bluetooth stack (habluetooth's compiled modules look the name up in their
# module globals, so replacing it there reaches them), our coordinators and the scanner.
COARSE_MONOTONIC_MODULES = (
    "habluetooth.base_scanner",
    "habluetooth.manager",
    "habluetooth.auto_scheduler",
    "homeassistant.components.bluetooth.active_update_coordinator",
    "homeassistant.components.bluetooth.active_update_processor",
    "homeassistant.components.bluetooth.util",
    "custom_components.kitchen_connect.nespresso.coordinator",
    "simulators.ha_bluetooth",
)


class _ShiftedTime:
    """The ``time`` module, its clocks moved on by the simulated clock's offset."""

    def __init__(self, clock: SimulatedClock) -> None:
        self._clock = clock

    def time(self) -> float:
        return time.time() + self._clock.offset

    def monotonic(self) -> float:
        return time.monotonic() + self._clock.offset

    def time_ns(self) -> int:
        return time.time_ns() + int(self._clock.offset * 1e9)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class SimulatedClock:
    """Real time plus an offset that only ``advance`` moves."""

    def __init__(self, step: float = 10.0, settle: int = 3, settle_limit: int = 200) -> None:
        self.offset = 0.0
        self.jumps = 0
        self.step = step
        self.settle = settle
        self.settle_limit = settle_limit

    def wall(self) -> float:
        """The simulated wall clock, for simulators that take a ``clock``."""
        return time.time() + self.offset

    @property
    def simulated(self) -> float:
        """Seconds moved on so far."""
        return self.offset

    def install(
        self,
        loop: asyncio.AbstractEventLoop,
        monkeypatch: pytest.MonkeyPatch,
        modules: Iterable[str] = WALL_CLOCK_MODULES,
    ) -> None:
        """Make the loop, Home Assistant and the listed modules read this clock."""
        loop_time = loop.time
        real_utcnow = dt_util.utcnow

        def shifted_loop_time() -> float:
            return loop_time() + self.offset

        def shifted_utcnow() -> datetime:
            return real_utcnow() + timedelta(seconds=self.offset)

        monkeypatch.setattr(loop, "time", shifted_loop_time)
        monkeypatch.setattr(dt_util, "utcnow", shifted_utcnow)
        monkeypatch.setattr(ha_event, "time_tracker_utcnow", shifted_utcnow)
        monkeypatch.setattr(
            ha_event, "time_tracker_timestamp", lambda: shifted_utcnow().timestamp()
        )
        shifted = _ShiftedTime(self)
        for name in modules:
            module = _module(name)
            if module is None:
                continue
            if hasattr(module, "time"):
                monkeypatch.setattr(module, "time", shifted)
            _shift_clock_defaults(module, monkeypatch, self.wall)
        for name in COARSE_MONOTONIC_MODULES:
            module = _module(name)
            if module is not None and hasattr(module, "monotonic_time_coarse"):
                real = module.monotonic_time_coarse
                monkeypatch.setattr(module, "monotonic_time_coarse", _shifted_monotonic(real, self))

    async def advance(self, seconds: float) -> None:
        """Move on ``seconds``, from one due timer to the next, letting each run.

        Like a discrete-event simulation: the clock jumps straight to the earliest
        timer, and the loop runs until the sockets are quiet before the next jump, so
        a reply that comes at once always beats a timeout that waits for it.
        """
        loop = asyncio.get_running_loop()
        target = loop.time() + seconds
        while True:
            await self.settle_loop()
            now = loop.time()
            if now >= target:
                return
            due = _next_timer(loop)
            self.offset += min(target, due if due is not None else target) - now
            self.jumps += 1

    async def settle_loop(self) -> None:
        """Run loop iterations until a few in a row find nothing ready.

        Loop iterations, not real time: loopback data moves one hop per iteration, and
        a frame needs a few hops through the proxy.
        """
        loop = asyncio.get_running_loop()
        quiet = 0
        for _ in range(self.settle_limit):
            await asyncio.sleep(0)
            quiet = quiet + 1 if not loop._ready else 0  # type: ignore[attr-defined]
            if quiet >= self.settle:
                return


def _shifted_monotonic(real: Callable[[], float], clock: SimulatedClock) -> Callable[[], float]:
    def shifted() -> float:
        return real() + clock.offset

    return shifted


def _next_timer(loop: asyncio.AbstractEventLoop) -> float | None:
    """When the earliest live timer of the loop is due."""
    scheduled: list[asyncio.TimerHandle] = loop._scheduled  # type: ignore[attr-defined]
    return min((handle.when() for handle in scheduled if not handle.cancelled()), default=None)


def _shift_clock_defaults(
    module: ModuleType, monkeypatch: pytest.MonkeyPatch, wall: Callable[[], float]
) -> None:
    """Functions and classes of ``module`` taking ``clock=time.time`` get ``wall`` instead."""
    for value in list(vars(module).values()):
        function = vars(value).get("__init__") if isinstance(value, type) else value
        if not callable(function) or getattr(function, "__module__", None) != module.__name__:
            continue
        keyword_defaults = getattr(function, "__kwdefaults__", None)
        if keyword_defaults and keyword_defaults.get("clock") is time.time:
            monkeypatch.setitem(keyword_defaults, "clock", wall)
        defaults = getattr(function, "__defaults__", None)
        if defaults and time.time in defaults:
            names = inspect.signature(function).parameters
            positional = [name for name in names if names[name].default is not names[name].empty]
            replaced = tuple(
                wall if default is time.time and name == "clock" else default
                for name, default in zip(positional[-len(defaults) :], defaults, strict=True)
            )
            monkeypatch.setattr(function, "__defaults__", replaced)


def _module(name: str) -> ModuleType | None:
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        return None
