"""The simulators for the browser tests, in their own process, steered over stdin/stdout.

Started by the browser tests' fixture: it prints one JSON line with the ports, then
answers one JSON line per command line (``press_ok``, ``wait_pairing``, ``ge_code``).
Closing stdin stops everything.
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
from simulators.ge.household import Household, default_household
from simulators.jura.simulator import JuraSimulator

MFA_ACCOUNT = SimAccount("baker@example.com", "another-password", "simuser0002")
# The second household's appliances: two of the default kinds under their own ids.
MFA_HOUSEHOLD = {
    "D828C9A11A06": ("D828C9B11A16", "Bakery Coffee"),
    "D828C9A10302": (
        "D828C9B10312",
        "Bakery Fridge",
    ),
}


def _mfa_household() -> Household:
    appliances = default_household().appliances
    return Household(
        dataclasses.replace(appliances[mac], mac=new_mac, nickname=nickname)
        for mac, (new_mac, nickname) in MFA_HOUSEHOLD.items()
    )


class Simulators:
    """Three Jura machines and two SmartHQ clouds.

    ``jura`` and ``ge`` are what scripts/develop's setup pairs and signs in to; the others
    are added from the UI: one machine waits for OK, one confirms at once, and the second
    cloud asks for a one-time code.
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
        self.ge = SmartHqSimulator(accounts=(DEFAULT_ACCOUNT,), tick_interval=1.0)
        self.ge_mfa = SmartHqSimulator(
            household=_mfa_household(),
            accounts=(MFA_ACCOUNT,),
            scenario=AuthScenario(mfa=True, mfa_methods=("email",)),
            tick_interval=0,
        )

    async def start(self) -> dict[str, int]:
        for simulator in self._all():
            await simulator.start()
        return {
            "jura": self.jura.port,
            "jura_new": self.jura_new.port,
            "jura_quick": self.jura_quick.port,
            "ge": self.ge.port,
            "ge_mfa": self.ge_mfa.port,
        }

    def _all(self) -> tuple[JuraSimulator | SmartHqSimulator, ...]:
        return (self.jura, self.jura_new, self.jura_quick, self.ge, self.ge_mfa)

    async def stop(self) -> None:
        for simulator in self._all():
            await simulator.stop()

    async def command(self, name: str) -> Any:
        match name:
            case "wait_pairing":
                await asyncio.wait_for(self.jura_new.pairing_requested.wait(), 30)
                return True
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
                answer = {"result": await simulators.command(line.strip())}
            except Exception as err:  # the test reads what went wrong
                answer = {"error": repr(err)}
            print(json.dumps(answer), flush=True)
    finally:
        await simulators.stop()


if __name__ == "__main__":
    asyncio.run(_serve())
