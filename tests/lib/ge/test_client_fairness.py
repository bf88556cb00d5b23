"""The SmartHQ client shares the event loop: a burst of pushes never holds it for long."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import time

import aiohttp
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import AuthError
from custom_components.kitchen_connect.kitchenlib.ge.client import SmartHqClient
from custom_components.kitchen_connect.kitchenlib.ge.tokens import TokenManager, TokenSet
from simulators.ge import DEFAULT_ACCOUNT, SmartHqSimulator

WATER_HEATER = "D828C9A10008"
TANK, SETPOINT = 0x4026, 0x4024


class _Order:
    """A client listener that notes each push, and lets another task note itself."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def erds_changed(self, mac: str, codes: frozenset[int]) -> None:
        self.seen.append(f"push {min(codes):04X}")
        # Runs as soon as the reader gives the loop back.
        asyncio.get_running_loop().call_soon(self.seen.append, "other task")

    def appliances_changed(self) -> None:
        pass

    def appliances_listed(self, macs: frozenset[str], complete: bool) -> None:
        pass

    def connection_changed(self, connected: bool) -> None:
        pass

    def auth_failed(self, error: AuthError) -> None:
        pass


@pytest.fixture
async def simulator() -> AsyncIterator[SmartHqSimulator]:
    """The simulated cloud with its default household."""
    sim = SmartHqSimulator(tick_interval=0)
    await sim.start()
    yield sim
    await sim.stop()


async def test_other_tasks_run_between_two_queued_pushes(simulator: SmartHqSimulator) -> None:
    """Two pushes that arrive together are handled in two loop steps, not one."""
    order = _Order()
    issued = simulator.auth.issue_tokens_for(DEFAULT_ACCOUNT.user_id)
    tokens = TokenSet(
        issued["access_token"], issued["refresh_token"], time.time() + issued["expires_in"]
    )
    async with aiohttp.ClientSession() as http:
        client = SmartHqClient(
            http, simulator.endpoints, TokenManager(http, simulator.endpoints, tokens), order
        )
        await client.async_start()
        await asyncio.sleep(0.1)
        order.seen.clear()

        # Both frames leave the simulator in one go and wait in the client's socket together.
        simulator.household.set_erd(WATER_HEATER, TANK, "0401")
        simulator.household.set_erd(WATER_HEATER, SETPOINT, "0402")
        async with asyncio.timeout(5):
            while order.seen.count("other task") < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        await client.async_close()

    assert order.seen == ["push 4026", "other task", "push 4024", "other task"]
