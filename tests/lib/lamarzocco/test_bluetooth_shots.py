"""The shot counter over a held link, and one machine state shared with the cloud."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
import logging

import aiohttp
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import ConnectionFailedError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth import gatt
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.telemetry import (
    ShotState,
    ShotStatus,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud import LaMarzoccoCloud
from custom_components.kitchen_connect.kitchenlib.lamarzocco.commands import (
    MachineMode,
    change_mode,
)
from simulators.lamarzocco.bluetooth_machine import STALE_REPLAY
from simulators.lamarzocco.peripheral import LaMarzoccoAir
from simulators.lamarzocco.server import API_PREFIX, LaMarzoccoCloudSimulator

from .test_bluetooth_support import MICRA, make_client, wait_for


@pytest.fixture
async def air(sim: LaMarzoccoCloudSimulator) -> AsyncIterator[LaMarzoccoAir]:
    """The cloud simulator's household on the air too."""
    simulated = LaMarzoccoAir.for_household(sim.household, tick=0.02)
    yield simulated
    simulated.close()


class Shots:
    """What the follower told its listeners."""

    def __init__(self) -> None:
        self.statuses: list[ShotStatus] = []
        self.connection: list[bool] = []

    def __call__(self, status: ShotStatus) -> None:
        self.statuses.append(status)

    def connected(self, connected: bool) -> None:
        self.connection.append(connected)

    def states(self) -> list[ShotState]:
        return [status.state for status in self.statuses]


async def test_the_stale_replay_is_dropped_and_telemetry_arrives(air: LaMarzoccoAir) -> None:
    micra = air.by_serial(MICRA)
    client = make_client(air, micra)
    shots = Shots()
    follower = client.follow_shots(shots, shots.connected)
    try:
        await wait_for(lambda: bool(shots.statuses))
        # The machine replayed an old shot of 31.5 s first; nobody may see it.
        assert micra.machine.notifications[0] == STALE_REPLAY
        first = shots.statuses[0]
        assert first.state is ShotState.IDLE
        assert first.last_shot_duration is None
        assert first.coffee_temperature == 93.0
        assert first.machine_mode == "BrewingMode"
        assert first.statistics == {"coffees": 1234, "flushes": 567}
        assert shots.connection == [True]
        assert client.connected
        # Reads and commands share the held link instead of opening a second one.
        assert await client.async_machine_mode() is MachineMode.BREWING
        await client.async_set_coffee_temperature(94)
        assert micra.connections == 1
        assert micra.peak_links == 1
        await wait_for(lambda: shots.statuses[-1].coffee_temperature == 94)
    finally:
        await follower.async_stop()
    assert micra.active_links == 0
    assert not client.connected


async def test_a_link_drop_during_a_shot_is_survived(air: LaMarzoccoAir) -> None:
    micra = air.by_serial(MICRA)
    micra.faults.drop_mid_shot = True
    client = make_client(air, micra)
    shots = Shots()
    follower = client.follow_shots(shots, shots.connected)
    try:
        await wait_for(lambda: bool(shots.statuses))
        micra.machine.start_shot()
        await wait_for(lambda: shots.connection == [True, False, True])
        await wait_for(lambda: (shots.statuses[-1].elapsed or 0) > 0.1)
        started = [s.started_at for s in shots.statuses if s.state is ShotState.BREWING]
        micra.machine.stop_shot()
        await wait_for(lambda: shots.statuses[-1].state is ShotState.STOPPED)
    finally:
        await follower.async_stop()
    stopped = shots.statuses[-1]
    assert follower.connections == 2
    assert ShotState.STOPPED not in shots.states()[:-1]  # the replays were dropped
    assert stopped.last_shot_duration is not None
    assert stopped.last_shot_duration > 0.1
    assert stopped.last_shot_duration != STALE_REPLAY["BrewingStoppedGroup1Time"]
    # The start is the earliest estimate, kept across the reconnect.
    assert stopped.started_at == min(s for s in started if s is not None)


async def test_the_machine_takes_one_central_at_a_time(
    air: LaMarzoccoAir, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    micra = air.by_serial(MICRA)
    client = make_client(air, micra)
    shots = Shots()
    follower = client.follow_shots(shots, shots.connected)
    try:
        await wait_for(lambda: client.connected)
        # Another central (the app, a second integration) finds the machine taken.
        with pytest.raises(ConnectionFailedError):
            await make_client(air, micra).async_tank_ok()
        assert micra.refused_connections == 1
        assert await client.async_tank_ok() is True
    finally:
        await follower.async_stop()
    assert micra.token not in caplog.text


async def test_the_follower_survives_a_stale_services_cache_and_garbage(
    air: LaMarzoccoAir,
) -> None:
    micra = air.by_serial(MICRA)
    micra.faults.hidden_once = {gatt.SHOT_COUNTER}
    client = make_client(air, micra)
    shots = Shots()
    follower = client.follow_shots(shots, shots.connected)
    try:
        await wait_for(lambda: bool(shots.statuses))
        assert (micra.connections, follower.connections) == (2, 1)
        seen = len(shots.statuses)
        assert micra.link is not None
        micra.link.notify_raw(gatt.SHOT_COUNTER, b'{"BrewingUpdateGroup1Time":"soon"}\x00')
        micra.machine.start_shot()
        await wait_for(lambda: follower.status.state is ShotState.BREWING)
        assert len(shots.statuses) == seen + 1  # the garbled notification was skipped
    finally:
        await follower.async_stop()


async def test_a_wrong_token_stops_the_follower(air: LaMarzoccoAir) -> None:
    micra = air.by_serial(MICRA)
    client = make_client(air, micra, token="wrong")
    shots = Shots()
    follower = client.follow_shots(shots, shots.connected)
    await wait_for(lambda: client.authentication_failed)
    await follower.async_stop()
    assert shots.connection == []
    assert micra.active_links == 0


async def _dashboard(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession, cloud: LaMarzoccoCloud
) -> dict[str, dict[str, object]]:
    token = await cloud.async_access_token()
    headers = {**cloud.signed_headers(), "Authorization": f"Bearer {token}"}
    url = f"{sim.base_url}{API_PREFIX}/things/{MICRA}/dashboard"
    async with http.get(url, headers=headers) as reply:
        assert reply.status == 200
        body = json.loads(await reply.text())
    return {widget["code"]: widget["output"] for widget in body["widgets"]}


async def test_bluetooth_and_cloud_share_one_machine(
    air: LaMarzoccoAir,
    sim: LaMarzoccoCloudSimulator,
    http: aiohttp.ClientSession,
    cloud: LaMarzoccoCloud,
) -> None:
    client = make_client(air, air.by_serial(MICRA))
    await client.async_set_power(False)
    await client.async_set_steam_level("Level1")
    await client.async_set_coffee_temperature(91)
    widgets = await _dashboard(sim, http, cloud)
    # The cloud hands out the token the machine accepts, for every machine on the air.
    things = {thing.serial_number: thing for thing in await cloud.async_things()}
    assert all(things[p.machine.serial].ble_auth_token_present for p in air.peripherals.values())
    assert widgets["CMMachineStatus"]["mode"] == "StandBy"
    assert widgets["CMSteamBoilerLevel"]["targetLevel"] == "Level1"
    assert widgets["CMCoffeeBoiler"]["targetTemperature"] == 91

    # And back: a command through the cloud shows over Bluetooth.
    token = await cloud.async_access_token()
    headers = {**cloud.signed_headers(), "Authorization": f"Bearer {token}"}
    command = change_mode("BrewingMode")
    url = f"{sim.base_url}{API_PREFIX}{command.path(MICRA)}"
    async with http.post(url, json=dict(command.body), headers=headers) as reply:
        assert reply.status == 200
    await wait_for(lambda: sim.household.machines[MICRA].mode == "BrewingMode")
    assert await client.async_machine_mode() is MachineMode.BREWING
