"""The load benchmark's simulators in a process of their own, so their work is not ours.

Serves GE households, Jura machines and a La Marzocco cloud; prints one JSON line with
their addresses, then reads commands from stdin: ``burst <n>`` has every appliance push
(GE appliances ``n`` ERD changes each, the others one change each) and answers ``done``.
"""

from __future__ import annotations

import asyncio
import json
import sys

from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.ge import SmartHqSimulator
from simulators.jura.simulator import JuraSimulator
from simulators.lamarzocco.household import Household as LmHousehold, SimMachine
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator
from tests.benchmark.ge_sim_host import households as ge_households

JURA_ALERT = 10  # the bean container, shown by a binary sensor


def lm_machines(count: int) -> list[SimMachine]:
    """The La Marzocco account's machines (the benchmark builds the same list)."""
    return [
        SimMachine(f"MR{number:06d}", "LINEAMICRA", "LINEA MICRA", f"Micra {number}")
        for number in range(count)
    ]


def _numeric_erds(erds: dict[int, str]) -> list[int]:
    """ERDs held as one two-byte number: a changed value still decodes."""
    return [code for code, raw in sorted(erds.items()) if len(raw) == 4 and code >= 0x1000]


class _Host:
    def __init__(self, ge_copies: int, jura: int, lamarzocco: int) -> None:
        self.ge = SmartHqSimulator(household=ge_households(ge_copies), tick_interval=0)
        profile = get_profile("EF1091")
        assert profile is not None
        self.jura = [
            JuraSimulator(profile, auto_confirm_pairing=True, push_interval=3600, serial_number=n)
            for n in range(jura)
        ]
        self.lamarzocco = LaMarzoccoCloudSimulator(
            household=LmHousehold(lm_machines(lamarzocco)), tick_interval=0
        )
        self._round = 0

    async def start(self) -> dict[str, object]:
        await self.ge.start()
        for simulator in self.jura:
            await simulator.start()
        await self.lamarzocco.start()
        return {
            "ge": self.ge.port,
            "ge_appliances": len(self.ge.household.appliances),
            "jura": [simulator.port for simulator in self.jura],
            "lamarzocco": self.lamarzocco.base_url,
        }

    def burst(self, ge_pushes: int) -> None:
        """Every appliance changes at once."""
        self._round += 1
        household = self.ge.household
        for appliance in list(household.appliances.values()):
            codes = _numeric_erds(appliance.erds)
            for index in range(ge_pushes if codes else 0):
                code = codes[index % len(codes)]
                value = (int(appliance.erds[code], 16) + 1) % 0x8000
                household.set_erd(appliance.mac, code, f"{value:04X}")
        for simulator in self.jura:
            simulator.set_alert(JURA_ALERT, on=self._round % 2 == 1)
            simulator.push_now()
        lm_household = self.lamarzocco.household
        for machine in lm_household.machines.values():
            machine.coffee_target = 88.0 + self._round % 50 / 10
            lm_household.changed(machine)

    async def stop(self) -> None:
        await self.lamarzocco.stop()
        for simulator in self.jura:
            await simulator.stop()
        await self.ge.stop()


async def _serve(ge_copies: int, jura: int, lamarzocco: int) -> None:
    host = _Host(ge_copies, jura, lamarzocco)
    print(json.dumps(await host.start()), flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        command, _, argument = line.strip().partition(" ")
        if command == "burst":
            host.burst(int(argument))
            await asyncio.sleep(0.5)  # let the frames leave before answering
            print("done", flush=True)
    await host.stop()


if __name__ == "__main__":
    asyncio.run(_serve(*(int(argument) for argument in sys.argv[1:4])))
