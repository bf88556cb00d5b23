"""Shared pieces of the Bluetooth tests (no tests here): fast deadlines, the client, waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import time

from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.client import (
    LaMarzoccoBluetooth,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.link import Timeouts
from simulators.lamarzocco.peripheral import LaMarzoccoAir, SimulatedLaMarzocco

MICRA, MINI, GS3 = "MR000001", "LM000002", "GS000003"
# Short enough for fast tests, long enough for a loaded CI runner.
FAST = Timeouts(connect=1.0, gatt=0.3, disconnect=0.3, auth_poll=0.005, operation=5.0)


def make_client(
    air: LaMarzoccoAir,
    peripheral: SimulatedLaMarzocco,
    token: str | None = None,
    *,
    timeouts: Timeouts = FAST,
) -> LaMarzoccoBluetooth:
    """A client for ``peripheral`` through the real establish_connection."""
    return LaMarzoccoBluetooth(
        peripheral.ble_device,
        peripheral.token if token is None else token,
        timeouts=timeouts,
        max_attempts=1,
        reconnect_initial=0.01,
        reconnect_max=0.05,
        backend=air.backend(),
    )


async def wait_for(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    """Wait until ``condition`` holds; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)
