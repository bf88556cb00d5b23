"""The simulated machines plug into Home Assistant's Bluetooth stack as a remote scanner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from homeassistant.components.bluetooth import (
    async_ble_device_from_address,
    async_discovered_service_info,
)
from homeassistant.core import HomeAssistant
import pytest

from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth import gatt
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.client import (
    LaMarzoccoBluetooth,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.telemetry import (
    ShotState,
    ShotStatus,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.commands import MachineMode
from simulators.ha_bluetooth import SimulatedScanner, async_start_scanner
from simulators.lamarzocco.household import default_household
from simulators.lamarzocco.peripheral import LaMarzoccoAir

from .test_bluetooth_support import FAST, MICRA, wait_for


@pytest.fixture
async def air(
    no_discovery_flows: None, hass: HomeAssistant, enable_bluetooth: None
) -> AsyncIterator[LaMarzoccoAir]:
    """The household's machines advertising through a simulated proxy."""
    simulated = LaMarzoccoAir.for_household(default_household(), tick=0.02)
    scanner = SimulatedScanner("simulated-lamarzocco-proxy", simulated.peripherals.values())
    stop = async_start_scanner(hass, scanner, interval=None)
    yield simulated
    simulated.close()
    stop()


async def test_discovered_and_served_through_home_assistant(
    hass: HomeAssistant, air: LaMarzoccoAir
) -> None:
    names = {info.name for info in async_discovered_service_info(hass, connectable=True)}
    assert {"MICRA_MR000001", "MINI_LM000002", "GS3AV_GS000003"} <= names
    assert all(gatt.is_machine_name(name) for name in names)

    micra = air.by_serial(MICRA)
    lookup = partial(async_ble_device_from_address, hass, connectable=True)
    client = LaMarzoccoBluetooth.for_address(
        micra.address, lookup, micra.token, timeouts=FAST, max_attempts=1
    )
    # A stale services list: the client has Home Assistant clear the cache, then retries.
    micra.faults.hidden_once = {gatt.READ}
    assert await client.async_machine_mode() is MachineMode.BREWING
    assert (micra.cache_clears, micra.connections) == (1, 2)

    statuses: list[ShotStatus] = []
    micra.faults.drop_mid_shot = True
    follower = client.follow_shots(statuses.append)
    try:
        await wait_for(lambda: client.connected)
        micra.machine.start_shot()
        await wait_for(lambda: follower.connections == 2)
        micra.machine.stop_shot()
        await wait_for(lambda: bool(statuses) and statuses[-1].state is ShotState.STOPPED)
    finally:
        await follower.async_stop()
    assert statuses[-1].last_shot_duration is not None
