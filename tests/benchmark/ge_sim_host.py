"""Serves one SmartHQ account with N copies of the simulated household, in its own process."""

from __future__ import annotations

import asyncio
import sys

from simulators.ge import SmartHqSimulator
from simulators.ge.household import (
    Household,
    SimAppliance,
    default_household,
)


def households(copies: int) -> Household:
    appliances = []
    for copy in range(copies):
        for appliance in default_household().appliances.values():
            appliances.append(
                SimAppliance(
                    mac=f"{appliance.mac[:10]}{copy:02X}",
                    nickname=f"{appliance.nickname} {copy + 1}",
                    label=appliance.label,
                    brand=appliance.brand,
                    erds=dict(appliance.erds),
                )
            )
    return Household(appliances)


async def _serve(copies: int) -> None:
    household = households(copies)
    simulator = SmartHqSimulator(household=household, tick_interval=0)
    await simulator.start()
    print(simulator.port, len(household.appliances), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await simulator.stop()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1])))
