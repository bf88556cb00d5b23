"""The simulated Nespresso machines of ``scripts/develop``: two set up, one waiting to be paired.

Their keys come from fixed, made-up seeds, so ``scripts/develop_setup.py`` can store entries
that match what the machines hold; nothing here is a real machine's key.
"""

from __future__ import annotations

from dataclasses import dataclass

from custom_components.kitchen_connect.kitchenlib.nespresso.auth import derive_key
from custom_components.kitchen_connect.kitchenlib.nespresso.models import Family

from .. import secrets_ledger
from .backend import SimulatedAir
from .machine import SimulatedMachine

VERTUO_INFO = bytes.fromhex("006500c801f4000a3039aabbccddeeff")


@dataclass(frozen=True, slots=True)
class DevMachine:
    """One simulated machine and what its config entry stores."""

    address: str
    name: str
    model: str
    family: Family
    seed: str | None  # None: factory state, left for the developer to pair


DEV_MACHINES: tuple[DevMachine, ...] = (
    DevMachine(
        "D1:E1:03:7C:4A:9D",
        "Expert&Milk_D1E1037C4A9D",
        "Expert&Milk",
        Family.ORIGINAL,
        "5151dead5151beef5151dead5151beef",
    ),
    DevMachine(
        "0C:B8:15:68:65:AE",
        "DV2_0CB8156865AE",
        "Vertuo Pop",
        Family.VERTUO,
        "7e57c0ffee7e57c0ffee7e57c0ffee00",
    ),
    DevMachine("D2:A7:4C:76:F3:E0", "Expert_D2A74C76F3E0", "Expert", Family.ORIGINAL, None),
)


def build_air() -> SimulatedAir:
    """Every dev machine on one air, each holding the key of its seed (if any)."""
    air = SimulatedAir()
    for dev in DEV_MACHINES:
        secrets_ledger.record("Nespresso key seed", dev.seed)
        key = None if dev.seed is None else derive_key(dev.seed)
        if dev.family is Family.VERTUO:
            machine = SimulatedMachine(Family.VERTUO, key=key, machine_info=VERTUO_INFO)
            machine.settings = bytes.fromhex("2c010309")
        else:
            machine = SimulatedMachine(key=key)
        air.add(dev.address, machine, name=dev.name)
    return air
