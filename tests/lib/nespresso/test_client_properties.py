"""Whatever happens on the link, in any order: library errors only, and never a second key."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib

from hypothesis import given, settings, strategies as st

from custom_components.kitchen_connect.kitchenlib.errors import KitchenError
from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.kitchenlib.nespresso.client import NespressoClient
from custom_components.kitchen_connect.kitchenlib.nespresso.commands import Product
from custom_components.kitchen_connect.kitchenlib.nespresso.link import Timeouts
from simulators.nespresso.backend import Dialect, SimulatedAir, SimulatedPeripheral
from simulators.nespresso.machine import SimulatedMachine

from .support import ADDRESS, KEY, OTHER_KEY, make_client

TINY = Timeouts(connect=0.2, bond=0.05, gatt=0.05, response=0.05, disconnect=0.05)

type Operation = Callable[[NespressoClient], Awaitable[object]]
type Fault = Callable[[SimulatedPeripheral], None]

OPERATIONS: list[Operation] = [
    lambda c: c.read_status(),
    lambda c: c.read_serial(),
    lambda c: c.read_settings(),
    lambda c: c.read_key_state(),
    lambda c: c.brew(Product.ESPRESSO),
    lambda c: c.brew_custom(coffee_ml=40, water_ml=None),
    lambda c: c.cancel(),
    lambda c: c.set_capsule_stock(20),
    lambda c: c.set_water_hardness(2),
]
UUIDS = [gatt.KEY_STATE, gatt.KEY, gatt.STATUS, gatt.COMMAND_REQUEST, gatt.USER_SETTINGS]


def _faults() -> st.SearchStrategy[Fault]:
    def silent(uuid: str) -> Fault:
        return lambda p: p.faults.silent_reads.add(uuid)

    def drop(uuid: str) -> Fault:
        return lambda p: p.faults.drop_on.add(uuid)

    def refuse(uuid: str, code: int) -> Fault:
        return lambda p: p.faults.refused_writes.__setitem__(uuid, code)

    def clear(p: SimulatedPeripheral) -> None:
        p.faults.silent_reads.clear()
        p.faults.drop_on.clear()
        p.faults.refused_writes.clear()
        p.faults.muted.clear()

    def mute(p: SimulatedPeripheral) -> None:
        p.faults.muted.add(gatt.COMMAND_RESPONSE)

    def after_brew(p: SimulatedPeripheral) -> None:
        p.faults.disconnect_after_brew = 0.0

    return st.one_of(
        st.sampled_from(UUIDS).map(silent),
        st.sampled_from(UUIDS).map(drop),
        st.builds(refuse, st.sampled_from(UUIDS), st.sampled_from([0x02, 0x05, 0x0E, 0x13])),
        st.sampled_from(
            [
                clear,
                mute,
                after_brew,
                lambda p: p.machine.forget_bond(),
                lambda p: p.machine.open_lid(),
                lambda p: p.machine.close_lid(),
                lambda p: p.machine.tick(),
                lambda p: p.machine.set_tank_empty(True),
                lambda p: p.machine.factory_reset(),
            ]
        ),
    )


async def _run(
    steps: list[tuple[int, Fault | None]], dialect: Dialect, key: bytes, onboarded: bool
) -> SimulatedPeripheral:
    air = SimulatedAir()
    peripheral = air.add(ADDRESS, SimulatedMachine(key=KEY if onboarded else None), dialect=dialect)
    client = make_client(air, peripheral, key, timeouts=TINY)
    for index, fault in steps:
        if fault is not None:
            fault(peripheral)
        with contextlib.suppress(KitchenError):
            await OPERATIONS[index](client)
        await asyncio.sleep(0)
        assert peripheral.active_links == 0
    return peripheral


@settings(max_examples=60)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, len(OPERATIONS) - 1), st.none() | _faults()), max_size=8
    ),
    dialect=st.sampled_from(list(Dialect)),
    key=st.sampled_from([KEY, OTHER_KEY]),
    onboarded=st.booleans(),
)
def test_never_a_second_key(
    steps: list[tuple[int, Fault | None]], dialect: Dialect, key: bytes, onboarded: bool
) -> None:
    """Drops, silences, refusals, resets and lost bonds never make the client store a key."""
    peripheral = asyncio.run(_run(steps, dialect, key, onboarded))
    assert peripheral.machine.keys_written == (1 if onboarded else 0)
    assert peripheral.peak_links <= 1
