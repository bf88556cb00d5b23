"""A time-scaled soak: every cloud, local and Bluetooth simulator, hours of simulated time.

After a warm-up, memory (tracemalloc), open file descriptors and asyncio tasks are
sampled every simulated hour and their slope per hour printed; token refreshes and
planned reconnects are counted; the appliances change now and then, and at the end each
entity shows the last change its simulator made (no lost update).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
import os
import random
import time
import tracemalloc

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest

from custom_components.kitchen_connect.lamarzocco import account as lm_account
from custom_components.kitchen_connect.nespresso.const import DETAILS_INTERVAL
from simulators.ge import DEFAULT_ACCOUNT, SmartHqSimulator
from simulators.ha_bluetooth import SimulatedScanner, async_start_scanner
from simulators.jura.simulator import JuraSimulator
from simulators.lamarzocco.auth import CloudAuth
from simulators.lamarzocco.household import default_household
from simulators.lamarzocco.peripheral import LaMarzoccoAir, SimulatedLaMarzocco
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator
from tests.components.lamarzocco_support import MICRA, entity_id, runtime, websocket_up
from tests.components.test_lamarzocco_bluetooth import add_discovered
from tests.conftest import nespresso_entry
from tests.helpers import OTHER_GE_ACCOUNT, add_ge_entry, add_jura_entry, ge_runtime_data

from .checks import shown, truth_problems
from .clock import SimulatedClock
from .conftest import ADVERT_INTERVAL, NespressoOnAir

WARM_UP_HOURS = 2
WATER_HEATER = "D828C9A10008"
SETPOINT = 0x4024
JURA_ALERT = 33  # descale alert: blocks nothing
JURA_ALERT_ENTITY = "binary_sensor.kaffeebert_descaling_needed"
HOUR = 3600.0
MICRA_ADDRESS = "C4:DD:57:00:00:01"
NESPRESSO_CAPSULES = "number.nespresso_expert_milk_capsules_left"
NESPRESSO_HARDNESS = "number.nespresso_expert_milk_water_hardness"
OUR_CODE = "custom_components/kitchen_connect/"


@dataclass
class Samples:
    """One figure sampled each simulated hour after the warm-up."""

    name: str
    unit: str
    values: list[float] = field(default_factory=list)

    def slope(self) -> float:
        """Least-squares change per simulated hour."""
        count = len(self.values)
        if count < 2:
            return 0.0
        mean_x = (count - 1) / 2
        mean_y = sum(self.values) / count
        numerator = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(self.values))
        denominator = sum((x - mean_x) ** 2 for x in range(count))
        return numerator / denominator

    def line(self) -> str:
        """The figure for the run's output."""
        first, last = self.values[0], self.values[-1]
        return (
            f"{self.name}: {first:.0f} -> {last:.0f} {self.unit}, "
            f"slope {self.slope():+.1f} {self.unit}/h over {len(self.values)} samples"
        )


def integration_memory() -> int:
    """Bytes still allocated by lines of the integration's code."""
    return sum(
        stat.size
        for stat in tracemalloc.take_snapshot().statistics("filename")
        if OUR_CODE in stat.traceback[0].filename
    )


def open_fds() -> int:
    """File descriptors this process holds."""
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
async def lm_cloud(clock: SimulatedClock) -> AsyncIterator[LaMarzoccoCloudSimulator]:
    """La Marzocco's cloud on simulated time; its household moves on every 5 s."""
    simulator = LaMarzoccoCloudSimulator(
        household=default_household(clock=clock.wall),
        auth=CloudAuth(clock=clock.wall),
        tick_interval=5.0,
    )
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def micra_on_air(
    hass: HomeAssistant, nespresso_on_air: NespressoOnAir, lm_cloud: LaMarzoccoCloudSimulator
) -> AsyncIterator[SimulatedLaMarzocco]:
    """The cloud's Micra on the air too, through its own simulated proxy."""
    air = LaMarzoccoAir()
    micra = air.add(lm_cloud.household, MICRA, MICRA_ADDRESS)
    scanner = SimulatedScanner("simulated-lamarzocco-proxy", [micra])
    stop = async_start_scanner(hass, scanner, interval=ADVERT_INTERVAL)
    yield micra
    air.close()
    stop()


async def test_soak(
    hass: HomeAssistant,
    clock: SimulatedClock,
    jura_simulator: JuraSimulator,
    ge_simulator: SmartHqSimulator,
    lm_cloud: LaMarzoccoCloudSimulator,
    no_discovery_flows: None,
    nespresso_on_air: NespressoOnAir,
    micra_on_air: SimulatedLaMarzocco,
    all_entities_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
    soak_hours: float,
) -> None:
    """Memory, descriptors and tasks stay flat; refreshes and reconnects happen; no update lost."""
    monkeypatch.setattr(lm_account, "STREAM_SETTLE_SECONDS", 0.01)
    jura_simulator.push_interval = 10.0
    ge_simulator.connection_lifetime = HOUR
    await add_jura_entry(hass, jura_simulator)
    ge_entry = await add_ge_entry(hass, ge_simulator)
    # Added as Bluetooth discovery adds it: the cloud's websocket, and one Bluetooth link
    # kept open for the shot counter's boiler temperatures.
    lm_entry = await add_discovered(hass, lm_cloud, micra_on_air)
    await websocket_up(hass, lm_entry)
    nespresso = nespresso_on_air.peripheral
    nespresso_entry_ = nespresso_entry(nespresso)
    nespresso_entry_.add_to_hass(hass)
    await hass.config_entries.async_setup(nespresso_entry_.entry_id)
    await hass.async_block_till_done()
    lm_target = entity_id(hass, "number", MICRA, "coffee_temperature")
    lm_sign_ins_at_setup = lm_cloud.count("/auth/signin")
    lm_machine = lm_cloud.household.machines[MICRA]
    rng = random.Random(24)
    assert DEFAULT_ACCOUNT is not OTHER_GE_ACCOUNT

    def change() -> None:
        jura_simulator.set_alert(JURA_ALERT, JURA_ALERT not in jura_simulator.alerts)
        jura_simulator.push_now()
        ge_simulator.household.set_erd(WATER_HEATER, SETPOINT, f"{rng.randint(100, 140) * 10:04X}")
        lm_machine.coffee_target = round(rng.uniform(88.0, 96.0), 1)
        lm_cloud.household.changed(lm_machine)
        nespresso.machine.capsules = rng.randint(0, 40)  # in every advert

    def change_slowly() -> None:
        settings = bytearray(nespresso.machine.settings)
        settings[2] = rng.randint(1, 4)  # water hardness: read every 15 min
        nespresso.machine.settings = bytes(settings)

    def truth(*, slow: bool = True) -> dict[str, str]:
        raw = ge_simulator.household.appliances[WATER_HEATER].erds[SETPOINT]
        celsius = (int(raw, 16) / 10 - 32) * 5 / 9
        return {
            JURA_ALERT_ENTITY: "on" if JURA_ALERT in jura_simulator.alerts else "off",
            "water_heater.water_heater@temperature": f"{celsius:.1f}",
            lm_target: f"{lm_machine.coffee_target:.1f}",
            NESPRESSO_CAPSULES: f"{nespresso.machine.capsules:.1f}",
        } | ({NESPRESSO_HARDNESS: f"{nespresso.machine.settings[2]:.1f}"} if slow else {})

    memory = Samples("memory allocated by the integration's lines (tracemalloc)", "KiB")
    process = Samples("memory, whole process incl. simulators and logs (tracemalloc)", "KiB")
    descriptors = Samples("open file descriptors", "fds")
    tasks = Samples("asyncio tasks", "tasks")
    lost: list[str] = []
    started = time.perf_counter()
    tracemalloc.start()
    try:
        for hour in range(int(soak_hours)):
            # GE's tokens last an hour; the simulated cloud is told so on the wire.
            ge_simulator.auth.expire_access_tokens()
            change_slowly()
            for step in range(6):
                change()
                await clock.advance(HOUR / 6)
                lost += truth_problems(hass, truth(slow=step >= 2))
            if hour + 1 >= WARM_UP_HOURS:
                memory.values.append(integration_memory() / 1024)
                process.values.append(tracemalloc.get_traced_memory()[0] / 1024)
                descriptors.values.append(open_fds())
                tasks.values.append(len(asyncio.all_tasks()))
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - started
    change()
    change_slowly()
    await clock.advance(DETAILS_INTERVAL.total_seconds() + 120)
    final = truth_problems(hass, truth())
    ge_client = ge_runtime_data(ge_entry).coordinator.client
    ge_refreshes = [r for r in ge_simulator.records("http") if r.path.endswith("/oauth2/token")]
    lm_refreshes = lm_cloud.count("/auth/refreshtoken")
    lm_sign_ins = lm_cloud.count("/auth/signin") - lm_sign_ins_at_setup
    print(f"\nSoak: {soak_hours:.0f} simulated h in {seconds:.1f} s ({clock.jumps} timer jumps)")
    for samples in (memory, process, descriptors, tasks):
        print("  " + samples.line())
    print(
        f"  GE: {len(ge_refreshes) - 1} token refreshes, {ge_client.stats['reconnects']} planned "
        f"reconnects; La Marzocco: {lm_refreshes} token refreshes, {lm_sign_ins} sign-ins "
        f"after setup, {micra_on_air.connections} Bluetooth connections; Jura: "
        f"{jura_simulator.connections} TCP sessions; Nespresso: {nespresso.connections} "
        "Bluetooth connections"
    )
    print(f"  last values shown: {[shown(hass, key) for key in truth()]}")
    assert final == []
    assert lost == [], lost[:5]
    assert lm_entry.state is ConfigEntryState.LOADED
    lm_bluetooth = runtime(lm_entry).bluetooth
    assert lm_bluetooth is not None
    assert lm_bluetooth.connected
    assert nespresso_entry_.state is ConfigEntryState.LOADED
    hours = len(memory.values)
    if hours >= 4:
        # Flat after warm-up: well under the size of one appliance's state per hour.
        assert memory.slope() < 16, memory.line()
        assert descriptors.slope() < 0.5, descriptors.line()
        assert tasks.slope() < 0.5, tasks.line()
    assert ge_client.stats["reconnects"] >= int(soak_hours) - 1
    # Refreshed ahead of expiry every hour, never a password sign-in after setup's.
    assert lm_sign_ins == 0
    assert lm_refreshes >= int(soak_hours) - 1
    for entry in hass.config_entries.async_entries():
        await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
