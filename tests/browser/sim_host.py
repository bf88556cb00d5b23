"""The simulators for the browser tests, in their own process, steered over stdin/stdout.

Started by the browser tests' fixture: it prints one JSON line with the ports, then
answers one JSON line per command line: a name and its arguments separated by spaces
(``press_ok``, ``ge_code``, ``jura_alert 1 on``). Closing stdin stops everything.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from typing import Any

from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.ge import DEFAULT_ACCOUNT, SmartHqSimulator
from simulators.ge.auth_pages import AuthScenario, SimAccount
from simulators.ge.household import Household, default_household as ge_household
from simulators.jura.simulator import JuraSimulator
from simulators.lamarzocco.direct_machine import DirectMachineSimulator
from simulators.lamarzocco.household import Household as LaMarzoccoHousehold, default_household
from simulators.lamarzocco.local_gateway import LocalGateway, old_gateway_household
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator

MFA_ACCOUNT = SimAccount("baker@example.com", "another-password", "simuser0002")
# The second household's appliances: two of the default kinds under their own ids.
MFA_HOUSEHOLD = {
    "D828C9A11A06": ("D828C9B11A16", "Bakery Coffee"),
    "D828C9A10302": (
        "D828C9B10312",
        "Bakery Fridge",
    ),
}

# A second La Marzocco account, on a cloud of its own that asks for the privacy policy.
POLICY_USERNAME = "pastry@example.com"
POLICY_PASSWORD = "policy-password"
POLICY_MACHINE = ("MR000077", "Bakery Micra")


def _policy_household() -> LaMarzoccoHousehold:
    micra = default_household().machines["MR000001"]
    serial, name = POLICY_MACHINE
    return LaMarzoccoHousehold([dataclasses.replace(micra, serial=serial, name=name)])


def _mfa_household() -> Household:
    appliances = ge_household().appliances
    return Household(
        dataclasses.replace(appliances[mac], mac=new_mac, nickname=nickname)
        for mac, (new_mac, nickname) in MFA_HOUSEHOLD.items()
    )


class Simulators:
    """Four Jura machines, two SmartHQ clouds and a La Marzocco cloud.

    ``jura`` and ``ge`` are what scripts/develop's setup pairs and signs in to; the others
    are added from the UI: one machine waits for OK, one confirms at once, one is never
    confirmed, the second SmartHQ cloud asks for a one-time code and the La Marzocco cloud
    for the privacy policy (the develop household's cloud runs inside Home Assistant).
    """

    def __init__(self) -> None:
        profile = get_profile("EF1091")
        assert profile is not None
        self.jura = JuraSimulator(
            profile, auto_confirm_pairing=True, push_interval=0.5, brew_step_interval=0.5
        )
        # Never answers UDP, so the config flow asks for the model, as with old dongles.
        self.jura_new = JuraSimulator(profile, name="Jura on the counter", serial_number=777)
        # Confirms at once, as when the user pressed OK before the dialog could show a step.
        self.jura_quick = JuraSimulator(
            profile, auto_confirm_pairing=True, name="Jura in the office", serial_number=778
        )
        # Nobody ever presses OK on it.
        self.jura_unattended = JuraSimulator(profile, name="Jura in the hall", serial_number=779)
        self.ge = SmartHqSimulator(accounts=(DEFAULT_ACCOUNT,), tick_interval=1.0)
        self.ge_mfa = SmartHqSimulator(
            household=_mfa_household(),
            accounts=(MFA_ACCOUNT,),
            scenario=AuthScenario(mfa=True, mfa_methods=("email",)),
            tick_interval=0,
        )
        # The two machines scripts/develop reaches on older gateways' local transports.
        self.lamarzocco_local = LocalGateway(old_gateway_household(time_scale=10.0), "LM000101")
        self.lamarzocco_direct = DirectMachineSimulator(time_scale=10.0)
        self.lamarzocco = LaMarzoccoCloudSimulator(household=_policy_household(), tick_interval=0)
        self.lamarzocco.auth.add_account(POLICY_USERNAME, POLICY_PASSWORD)
        self.lamarzocco.require_policy = True

    async def start(self) -> dict[str, int]:
        for simulator in self._all():
            await simulator.start()
        await self.lamarzocco.start()
        await self.lamarzocco_local.start()
        await self.lamarzocco_direct.start()
        return {
            "jura": self.jura.port,
            "jura_new": self.jura_new.port,
            "jura_quick": self.jura_quick.port,
            "jura_unattended": self.jura_unattended.port,
            "ge": self.ge.port,
            "ge_mfa": self.ge_mfa.port,
            "lamarzocco": self.lamarzocco.port,
            "lamarzocco_local": self.lamarzocco_local.port,
            "lamarzocco_direct": self.lamarzocco_direct.port,
        }

    def _all(self) -> tuple[JuraSimulator | SmartHqSimulator, ...]:
        return (
            self.jura,
            self.jura_new,
            self.jura_quick,
            self.jura_unattended,
            self.ge,
            self.ge_mfa,
        )

    async def stop(self) -> None:
        for simulator in self._all():
            await simulator.stop()
        await self.lamarzocco.stop()
        await self.lamarzocco_local.stop()
        await self.lamarzocco_direct.stop()

    async def command(self, line: str) -> Any:
        name, *args = line.split()
        match name:
            case "wait_pairing":
                await asyncio.wait_for(self.jura_new.pairing_requested.wait(), 30)
                return True
            case "jura_alert":
                bit, state = args
                self.jura.set_alert(int(bit), state == "on")
                self.jura.push_now()
                return sorted(self.jura.alerts)
            case "ge_freezer_door":
                # The door-state ERD holds one byte per door; the third is the freezer's.
                household = self.ge.household
                fridge = next(a for a in household.appliances.values() if 0x1016 in a.erds)
                doors = "00000100" if args[0] == "open" else "00000000"
                household.set_erd(fridge.mac, 0x1016, doors)
                return args[0]
            case "jura_brews":
                return sum(command.startswith("@TP:") for command in self.jura.commands)
            case "lamarzocco_consents":
                consents = self.lamarzocco.auth.policy_consents.get(POLICY_USERNAME)
                return list(consents) if consents is not None else None
            case "press_ok":
                return self.jura_new.press_ok()
            case "ge_code":
                codes = self.ge_mfa.auth.sent_codes
                return codes[-1] if codes else None
            case "ge_codes_sent":
                return len(self.ge_mfa.auth.sent_codes)
        raise ValueError(f"unknown command {name!r}")


async def _serve() -> None:
    simulators = Simulators()
    loop = asyncio.get_running_loop()
    print(json.dumps(await simulators.start()), flush=True)
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            try:
                answer = {"result": await simulators.command(line)}
            except Exception as err:  # the test reads what went wrong
                answer = {"error": repr(err)}
            print(json.dumps(answer), flush=True)
    finally:
        await simulators.stop()


if __name__ == "__main__":
    asyncio.run(_serve())
