"""A simulated day of faults between Home Assistant's Bluetooth and a Nespresso machine.

The Expert&Milk advertises through a simulated proxy inside Home Assistant's own
Bluetooth stack; links drop, reads go unanswered, writes are refused and the machine goes
out of range for minutes at a time. Its capsule count (adverts) and water hardness (read
over a connection) change between faults and, now and then, a lungo is asked for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
import random
import re

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.errors import KitchenError
from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.nespresso.const import DETAILS_INTERVAL
from simulators.faults import BluetoothFaultInjector, Fault, FaultKind
from simulators.ha_bluetooth import SimulatedScanner
from simulators.nespresso.backend import SimulatedPeripheral

from ..conftest import nespresso_entry
from .checks import follow
from .clock import SimulatedClock
from .conftest import ADVERT_INTERVAL, NespressoOnAir
from .driver import BrandChaos, ChaosRun, day_of_faults, schedule_for, set_up, tear_down

BLUETOOTH_WEIGHTS: dict[FaultKind, int] = {
    FaultKind.DROP_LINK: 4,
    FaultKind.READ_TIMEOUT: 3,
    FaultKind.WRITE_REFUSED: 3,
    FaultKind.OUT_OF_RANGE: 1,
}
PREFIX = "nespresso_expert_milk"
WATCHED = f"sensor.{PREFIX}_state"
CAPSULES = f"number.{PREFIX}_capsules_left"
HARDNESS = f"number.{PREFIX}_water_hardness"
BREW_FRAME = bytes.fromhex("0305")


@dataclass
class NespressoRig:
    """The machine, the scanner it advertises through, its faults and its entry."""

    peripheral: SimulatedPeripheral
    scanner: SimulatedScanner
    faults: BluetoothFaultInjector
    entry: ConfigEntry


@pytest.fixture
async def nespresso_rig(
    hass: HomeAssistant, nespresso_on_air: NespressoOnAir, clock: SimulatedClock
) -> AsyncIterator[NespressoRig]:
    """The Expert&Milk's links behind the fault layer, set up in Home Assistant."""
    peripheral, scanner = nespresso_on_air.peripheral, nespresso_on_air.scanner
    entry = nespresso_entry(peripheral)
    with BluetoothFaultInjector(peripheral.address, scanner) as faults:
        await set_up(hass, entry)
        await clock.advance(5)
        yield NespressoRig(peripheral, scanner, faults, entry)
        faults.clear()
        await tear_down(hass, entry)


def nespresso_chaos(hass: HomeAssistant, rig: NespressoRig) -> BrandChaos:
    """Nespresso's part of a chaos run."""
    machine = rig.peripheral.machine
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(rig.entry.unique_id)), rig.entry.entry_id
    )
    assert device is not None

    async def inflict(fault: Fault) -> None:
        rig.faults.apply(fault)

    def change(rng: random.Random) -> None:
        if rng.random() < 0.5:
            machine.capsules = rng.randint(0, 40)
        else:
            settings = bytearray(machine.settings)
            settings[2] = rng.randint(1, 4)
            machine.settings = bytes(settings)

    def truth() -> dict[str, str]:
        return {CAPSULES: f"{machine.capsules:.1f}", HARDNESS: f"{machine.settings[2]:.1f}"}

    async def brew() -> None:
        # Someone put a capsule in: the machine takes a brew once its lid has moved.
        machine.open_lid()
        machine.close_lid()
        await hass.services.async_call(
            DOMAIN,
            "brew",
            {"device_id": device.id, "confirm": True, "product": "lungo"},
            blocking=True,
        )

    title = re.escape(rig.entry.title)
    return BrandChaos(
        watched=WATCHED,
        down_line=re.compile(rf"^{title} stopped advertising"),
        up_line=re.compile(rf"^{title} is advertising again"),
        library_errors=(KitchenError,),
        inflict=inflict,
        heal=rig.faults.clear,
        change=change,
        truth=truth,
        destructive=brew,
    )


def is_brew(write: tuple[str, bytes]) -> bool:
    """A brew command as the machine receives it."""
    uuid, data = write
    return uuid == gatt.COMMAND_REQUEST and data.startswith(BREW_FRAME)


async def test_a_day_of_faults(
    hass: HomeAssistant,
    nespresso_rig: NespressoRig,
    clock: SimulatedClock,
    caplog: pytest.LogCaptureFixture,
    chaos_faults: int,
    chaos_seed: int,
) -> None:
    """After a day of drops, silent reads, refused writes and walks out of range.

    Home Assistant shows the machine's capsules and water hardness, no exception got
    away, each time the machine went away and came back was logged once, and no lungo
    was brewed twice.
    """
    brand = nespresso_chaos(hass, nespresso_rig)
    run = ChaosRun(hass, clock, caplog, brand, schedule_for(chaos_seed, BLUETOOTH_WEIGHTS))
    result = await day_of_faults(
        "Nespresso",
        run,
        chaos_faults,
        lambda ledger: follow(nespresso_rig.peripheral, "writes", ledger, is_brew),
    )
    print(f"  link faults: {dict(nespresso_rig.faults.stats)}")
    assert result.problems == []
    assert result.outages > 0
    assert result.arrived > 0


async def test_a_quiet_machine_is_still_read(
    hass: HomeAssistant, nespresso_rig: NespressoRig, clock: SimulatedClock
) -> None:
    """A setting changed on an idle machine (whose adverts never change) shows within 15 min."""
    machine = nespresso_rig.peripheral.machine
    settings = bytearray(machine.settings)
    settings[2] = 1
    machine.settings = bytes(settings)
    await clock.advance(DETAILS_INTERVAL.total_seconds() + ADVERT_INTERVAL.total_seconds() * 4)
    state = hass.states.get(HARDNESS)
    assert state is not None
    assert state.state == "1.0"
