"""A simulated day of Bluetooth faults between Home Assistant and a La Marzocco Micra.

The Micra runs in offline mode: the cloud is blocked and everything is read and sent over
Bluetooth, through a simulated proxy inside Home Assistant's own Bluetooth stack. Links
drop, reads go unanswered, writes are refused and the machine goes out of range; between
faults someone at the machine changes its coffee temperature, steam boiler, power or
water tank, or switches the steam boiler from Home Assistant.

La Marzocco takes no destructive command over Bluetooth (a backflush goes only through
the cloud), so this run has no destructive call to follow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
import random
import re

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.errors import KitchenError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.link import Timeouts
from custom_components.kitchen_connect.lamarzocco import (
    account as lm_account,
    ble as lm_ble,
)
from custom_components.kitchen_connect.lamarzocco.const import FALLBACK_POLL
from simulators.faults import BluetoothFaultInjector, Fault, FaultKind
from simulators.ha_bluetooth import SimulatedScanner, async_start_scanner
from simulators.lamarzocco.auth import CloudAuth
from simulators.lamarzocco.household import SimMachine, default_household
from simulators.lamarzocco.peripheral import LaMarzoccoAir, SimulatedLaMarzocco
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator
from tests.components.lamarzocco_support import MICRA, entity_id, state
from tests.components.test_lamarzocco_bluetooth import add_offline

from .clock import SimulatedClock
from .conftest import ADVERT_INTERVAL
from .driver import (
    BrandChaos,
    ChaosRun,
    day_of_faults,
    running_tasks,
    schedule_for,
    tear_down,
)

BLUETOOTH_WEIGHTS: dict[FaultKind, int] = {
    FaultKind.DROP_LINK: 4,
    FaultKind.READ_TIMEOUT: 3,
    FaultKind.WRITE_REFUSED: 3,
    FaultKind.OUT_OF_RANGE: 1,
}
STEAM_LEVELS = ("Level1", "Level2", "Level3")
# One answer the radio loses: a write the machine refuses, or a read it leaves unanswered.
ONE_LOST_ANSWER = pytest.mark.parametrize(
    "glitch",
    [BluetoothFaultInjector.refuse_next_write, BluetoothFaultInjector.time_out_next_read],
    ids=["refused write", "silent read"],
)
# The deadlines of the kitchen, but a silent read ends within a second.
CHAOS_TIMEOUTS = Timeouts(connect=4.0, gatt=1.0, operation=6.0)


@dataclass
class MicraRig:
    """The cloud (blocked), the Micra on the air, its faults and its offline entry."""

    simulator: LaMarzoccoCloudSimulator
    micra: SimulatedLaMarzocco
    scanner: SimulatedScanner
    faults: BluetoothFaultInjector
    entry: ConfigEntry
    user_changes: Counter[str] = field(default_factory=Counter)

    @property
    def machine(self) -> SimMachine:
        """The machine's state, shared by the cloud and its Bluetooth."""
        return self.simulator.household.machines[MICRA]


@pytest.fixture
async def micra_rig(
    hass: HomeAssistant,
    no_discovery_flows: None,
    enable_bluetooth: None,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[MicraRig]:
    """The Micra on the air behind the fault layer, in offline mode with the cloud blocked."""
    monkeypatch.setattr(lm_account, "STREAM_SETTLE_SECONDS", 0.01)
    monkeypatch.setattr(lm_ble, "FALLBACK_TIMEOUTS", CHAOS_TIMEOUTS)
    simulator = LaMarzoccoCloudSimulator(
        household=default_household(clock=clock.wall),
        auth=CloudAuth(clock=clock.wall),
        tick_interval=30.0,
    )
    await simulator.start()
    air = LaMarzoccoAir()
    micra = air.add(simulator.household, MICRA, "C4:DD:57:00:00:01")
    scanner = SimulatedScanner("simulated-lamarzocco-proxy", [micra])
    stop = async_start_scanner(hass, scanner, interval=ADVERT_INTERVAL)
    with BluetoothFaultInjector(micra.address, scanner) as faults:
        entry = await add_offline(hass, simulator, micra)
        await clock.advance(5)
        yield MicraRig(simulator, micra, scanner, faults, entry)
        faults.clear()
        await tear_down(hass, entry)
    air.close()
    stop()
    await simulator.stop()


def micra_chaos(hass: HomeAssistant, rig: MicraRig) -> BrandChaos:
    """The Micra's part of a chaos run."""
    machine = rig.machine
    household = rig.simulator.household
    coffee = entity_id(hass, "number", MICRA, "coffee_temperature")
    power = entity_id(hass, "switch", MICRA, "main")
    steam = entity_id(hass, "switch", MICRA, "steam_boiler")
    level = entity_id(hass, "select", MICRA, "steam_level")
    tank = entity_id(hass, "binary_sensor", MICRA, "water_tank")
    # Notified over the link the shot counter keeps open, not read by the poll.
    boiler = entity_id(hass, "sensor", MICRA, "coffee_boiler_temperature")

    async def inflict(fault: Fault) -> None:
        rig.faults.apply(fault)

    async def switch_steam(on: bool) -> None:
        rig.user_changes[f"steam {'on' if on else 'off'}"] += 1
        try:
            await hass.services.async_call(
                "switch", "turn_on" if on else "turn_off", {ATTR_ENTITY_ID: steam}, blocking=True
            )
        except HomeAssistantError as err:
            rig.user_changes[f"refused: {str(err)[:60]}"] += 1

    def change(rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.1:
            # From Home Assistant instead, over the faulty link like everything else.
            hass.async_create_task(switch_steam(not machine.steam_enabled))
            return
        if roll < 0.4:
            machine.coffee_target = round(rng.uniform(88.0, 96.0), 1)
        elif roll < 0.55:
            machine.steam_enabled = not machine.steam_enabled
        elif roll < 0.7:
            machine.steam_level = rng.choice(STEAM_LEVELS)
        elif roll < 0.85:
            machine.tank_ok = not machine.tank_ok
        else:
            machine.mode = "StandBy" if machine.mode == "BrewingMode" else "BrewingMode"
        household.changed(machine)

    def truth() -> dict[str, str]:
        return {
            coffee: f"{machine.coffee_target:.1f}",
            power: "on" if machine.mode == "BrewingMode" else "off",
            steam: "on" if machine.steam_enabled else "off",
            level: str(machine.steam_level).lower().replace("level", "level_"),
            tank: "off" if machine.tank_ok else "on",
            boiler: f"{rig.micra.machine.coffee_temperature():.1f}",
        }

    title = re.escape(rig.entry.title)
    return BrandChaos(
        watched=power,
        down_line=re.compile(rf"^{title} cannot be reached over Bluetooth \("),
        up_line=re.compile(rf"^{title} can be reached over Bluetooth again$"),
        library_errors=(KitchenError,),
        inflict=inflict,
        heal=rig.faults.clear,
        change=change,
        truth=truth,
        long_lived=running_tasks("La Marzocco shot counter"),
    )


async def test_a_day_of_faults(
    hass: HomeAssistant,
    micra_rig: MicraRig,
    clock: SimulatedClock,
    caplog: pytest.LogCaptureFixture,
    chaos_faults: int,
    chaos_seed: int,
) -> None:
    """After a day of drops, silent reads, refused writes and walks out of range.

    Home Assistant shows the Micra's coffee temperature, power, steam boiler, water tank
    and (from the shot counter's notifications) boiler temperature as the machine has
    them, no exception got away, the shot counter is still followed, each time the
    machine went away and came back was logged once, the cloud was never asked and no
    reauthentication was started.
    """
    brand = micra_chaos(hass, micra_rig)
    assert len(brand.long_lived()) == 1
    cloud_requests = len(micra_rig.simulator.requests)
    run = ChaosRun(hass, clock, caplog, brand, schedule_for(chaos_seed, BLUETOOTH_WEIGHTS))
    result = await day_of_faults("La Marzocco Bluetooth", run, chaos_faults, lambda _ledger: None)
    print(f"  link faults: {dict(micra_rig.faults.stats)}")
    print(f"  changes from Home Assistant: {micra_rig.user_changes.most_common(4)}")
    assert result.problems == []
    assert result.outages > 0
    assert micra_rig.simulator.requests[cloud_requests:] == []  # offline mode stayed offline
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []  # no reauth


@ONE_LOST_ANSWER
async def test_one_lost_answer_is_no_outage(
    hass: HomeAssistant,
    micra_rig: MicraRig,
    clock: SimulatedClock,
    glitch: Callable[[BluetoothFaultInjector], object],
) -> None:
    """One Bluetooth answer lost at a read leaves the machine available, its change shown."""
    power = entity_id(hass, "switch", MICRA, "main")
    coffee = entity_id(hass, "number", MICRA, "coffee_temperature")
    shown: list[str | None] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        shown.append(None if new is None else new.state)

    unsubscribe = async_track_state_change_event(hass, power, record)
    micra_rig.machine.coffee_target = 91.5
    micra_rig.simulator.household.changed(micra_rig.machine)
    glitch(micra_rig.faults)
    await clock.advance(FALLBACK_POLL.total_seconds() + 5)
    unsubscribe()
    assert STATE_UNAVAILABLE not in shown
    assert state(hass, coffee) == "91.5"


@ONE_LOST_ANSWER
async def test_one_lost_answer_does_not_fail_a_change(
    hass: HomeAssistant,
    micra_rig: MicraRig,
    clock: SimulatedClock,
    glitch: Callable[[BluetoothFaultInjector], object],
) -> None:
    """Turning the steam boiler off while one Bluetooth answer gets lost still turns it off."""
    steam = entity_id(hass, "switch", MICRA, "steam_boiler")
    glitch(micra_rig.faults)
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: steam}, blocking=True)
    assert not micra_rig.machine.steam_enabled
    await clock.advance(5)
    assert state(hass, steam) == "off"


async def test_a_refused_token_asks_to_sign_in_again(
    hass: HomeAssistant, micra_rig: MicraRig, clock: SimulatedClock
) -> None:
    """A machine that no longer takes the Bluetooth token sends the user to sign in again."""
    micra_rig.micra.faults.auth_read_back = b"\x00"
    micra_rig.micra.drop_link()
    await clock.advance(FALLBACK_POLL.total_seconds() * 2)
    assert any(micra_rig.entry.async_get_active_flows(hass, {"reauth"}))


async def test_a_change_out_of_reach_names_bluetooth(
    hass: HomeAssistant, micra_rig: MicraRig, clock: SimulatedClock
) -> None:
    """Offline mode never used the cloud, so a change the machine never got says Bluetooth."""
    steam = entity_id(hass, "switch", MICRA, "steam_boiler")
    micra_rig.faults.out_of_range(600)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: steam}, blocking=True)
    assert err.value.translation_key == "lamarzocco_local_bluetooth_unreachable"
    assert micra_rig.machine.steam_enabled
