"""Runs N simulated Jura machines in their own process, so they don't count as our memory."""

from __future__ import annotations

import asyncio
import sys

from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.jura.simulator import JuraSimulator


async def _serve(count: int) -> None:
    profile = get_profile("EF1091")
    assert profile is not None
    simulators = [
        JuraSimulator(profile, auto_confirm_pairing=True, push_interval=2.05, serial_number=n)
        for n in range(count)
    ]
    for simulator in simulators:
        await simulator.start()
    print(" ".join(str(simulator.port) for simulator in simulators), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1])))
