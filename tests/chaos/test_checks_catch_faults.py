"""Each chaos check fails when the fault it guards against is put back on purpose.

Short Jura runs (the brand with every check) with one bug re-introduced each: a brew
resent after a reconnect, a parser that raises outside the library's errors, a session
supervisor that dies, a second "unavailable" line, and pushes that are dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import logging
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.kitchen_connect.jura import coordinator as jura_coordinator
from custom_components.kitchen_connect.jura.coordinator import JuraSessionCoordinator
from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.jura import connection as jura_connection
from custom_components.kitchen_connect.kitchenlib.jura.framing import decode_frame
from custom_components.kitchen_connect.kitchenlib.jura.machine import JuraMachine
from simulators.faults import FaultKind, FaultSchedule

from .checks import follow
from .clock import SimulatedClock
from .driver import ChaosResult, ChaosRun
from .test_chaos_jura import WEIGHTS, JuraRig, is_brew, jura_chaos, jura_rig

__all__ = ["jura_rig"]

SHORT_RUN = 80
CUTS = {FaultKind.CUT_RESET: 1, FaultKind.CUT_CLOSE: 1}


ShortRun = Callable[..., Awaitable[ChaosResult]]


@pytest.fixture
def short_run(
    hass: HomeAssistant,
    jura_rig: JuraRig,
    clock: SimulatedClock,
    caplog: pytest.LogCaptureFixture,
) -> ShortRun:
    """A short Jura run with the given faults and share of brews."""

    async def run_it(
        weights: dict[FaultKind, int] = WEIGHTS, *, call_chance: float = 0.05
    ) -> ChaosResult:
        caplog.set_level(logging.INFO, logger="custom_components.kitchen_connect")
        brand = jura_chaos(hass, jura_rig)
        brand.call_chance = call_chance
        run = ChaosRun(hass, clock, caplog, brand, FaultSchedule(5, weights, mean_gap=120))
        follow(jura_rig.simulator, "commands", run.ledger, is_brew)
        return await run.run(SHORT_RUN, recovery=900)

    return run_it


def _matching(result: ChaosResult, *words: str) -> list[str]:
    return [problem for problem in result.problems if all(word in problem for word in words)]


async def test_the_same_run_finds_nothing_without_a_bug(short_run: ShortRun) -> None:
    """The baseline for the tests below: their run, unpatched, is clean."""
    result = await short_run(CUTS, call_chance=0.4)
    assert result.problems == []
    assert result.calls > 0


async def test_a_brew_resent_after_reconnect_is_caught(
    short_run: ShortRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that repeats the last brew once the session is back is reported."""
    brew, connect = JuraMachine.brew, JuraMachine.connect
    last: dict[str, Any] = {}

    async def remembering_brew(self: JuraMachine, *args: Any) -> None:
        last["args"] = args
        await brew(self, *args)

    async def resending_connect(self: JuraMachine) -> None:
        await connect(self)
        if args := last.pop("args", None):

            async def resend() -> None:
                try:
                    await brew(self, *args)
                except Exception:
                    return

            asyncio.get_running_loop().create_task(resend())

    monkeypatch.setattr(JuraMachine, "brew", remembering_brew)
    monkeypatch.setattr(JuraMachine, "connect", resending_connect)
    result = await short_run(CUTS, call_chance=0.4)
    assert _matching(result, "reached the appliance again")


async def test_an_exception_outside_the_hierarchy_is_caught(
    short_run: ShortRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frame decoder that raises ValueError on garbage instead of ProtocolError is reported."""

    def careless_decode(raw: bytes) -> str:
        try:
            return decode_frame(raw)
        except ProtocolError as err:
            raise ValueError(str(err)) from None

    monkeypatch.setattr(jura_connection, "decode_frame", careless_decode)
    result = await short_run({FaultKind.GARBAGE: 1})
    assert _matching(result, "ValueError")


async def test_a_dead_supervisor_is_caught(
    short_run: ShortRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session supervisor killed by an unexpected error is reported."""

    async def broken_open(self: JuraSessionCoordinator) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(JuraSessionCoordinator, "_open_session", broken_open)
    result = await short_run(CUTS)
    assert _matching(result, "task", "died", "RuntimeError")


async def test_a_second_unavailable_line_is_caught(
    short_run: ShortRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Logging the outage on every failed attempt, not once, is reported."""
    mark = JuraSessionCoordinator._mark_unavailable

    def chatty_mark(self: JuraSessionCoordinator, reason: str) -> None:
        if not self.last_update_success:
            jura_coordinator._LOGGER.info("%s is unavailable: %s", self.name, reason)
        mark(self, reason)

    monkeypatch.setattr(JuraSessionCoordinator, "_mark_unavailable", chatty_mark)
    # Refused connections make the supervisor fail several attempts in one outage.
    result = await short_run({**CUTS, FaultKind.REFUSE: 2})
    assert _matching(result, "'unavailable' lines for")


async def test_a_lost_update_is_caught(
    short_run: ShortRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alerts dropped on the way from the pushes to the state are reported."""
    set_state = JuraMachine._set_state

    def forgetful_set_state(self: JuraMachine, **changes: object) -> None:
        changes.pop("alerts", None)
        set_state(self, **changes)

    monkeypatch.setattr(JuraMachine, "_set_state", forgetful_set_state)
    result = await short_run(CUTS)
    assert _matching(result, "shows", "the appliance has")
