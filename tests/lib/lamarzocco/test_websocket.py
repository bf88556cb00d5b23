"""The STOMP dashboard stream and command completion against the simulated cloud."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import logging
import random

import aiohttp
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import CommandRefusedError
from custom_components.kitchen_connect.kitchenlib.lamarzocco import commands
from custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud import LaMarzoccoCloud
from custom_components.kitchen_connect.kitchenlib.lamarzocco.dashboard import (
    CoffeeBoiler,
    Dashboard,
    DashboardPush,
    MachineStatus,
    Widget,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.stomp import dashboard_destination
from custom_components.kitchen_connect.kitchenlib.lamarzocco.websocket import (
    DashboardStream,
    backoff_delay,
)
from simulators.lamarzocco.server import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    LaMarzoccoCloudSimulator,
)

from .conftest import Clock, Recorder

MICRA, MINI, GS3, PICO = "MR000001", "LM000002", "GS000003", "PG000004"
SERIALS = (MICRA, MINI, GS3, PICO)


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polls what the listener recorded
            await asyncio.sleep(0.005)


def _status(widgets: tuple[Widget, ...] | list[Widget]) -> str | None:
    for widget in widgets:
        if isinstance(widget.output, MachineStatus):
            return widget.output.status
    return None


def _coffee_target(dashboard: Dashboard) -> float | None:
    widget = dashboard.widget("CMCoffeeBoiler")
    return (
        widget.output.target_temperature
        if widget and isinstance(widget.output, CoffeeBoiler)
        else None
    )


@pytest.fixture
def recorder() -> Recorder:
    """What the stream reported."""
    return Recorder()


@pytest.fixture
async def stream(
    http: aiohttp.ClientSession, cloud: LaMarzoccoCloud, recorder: Recorder
) -> AsyncIterator[DashboardStream]:
    """A running stream for every machine, with test-sized beats and backoff."""
    dashboard_stream = DashboardStream(
        http,
        cloud,
        SERIALS,
        recorder,
        heart_beat_ms=50,
        backoff=(0.01, 0.05),
        rng=random.Random(1),
    )
    dashboard_stream.start()
    await _until(lambda: len(recorder.reads) == len(SERIALS))
    yield dashboard_stream
    await dashboard_stream.stop()


async def test_connect_reads_every_dashboard_once(
    stream: DashboardStream, recorder: Recorder, sim: LaMarzoccoCloudSimulator
) -> None:
    assert recorder.connection == [True]
    assert sorted(serial for serial, _ in recorder.reads) == sorted(SERIALS)
    assert sim.open_sockets == 1


async def test_pushes_reach_the_listener(
    stream: DashboardStream, recorder: Recorder, sim: LaMarzoccoCloudSimulator
) -> None:
    sim.household.start_brewing(MINI)
    await _until(lambda: bool(recorder.pushes))
    serial, push = recorder.pushes[-1]
    assert serial == MINI
    assert _status(push.widgets) == "Brewing"
    sim.household.stop_brewing(MINI)
    await _until(lambda: len(recorder.pushes) == 2)
    assert _status(recorder.pushes[-1][1].widgets) == "PoweredOn"


async def test_command_completes_and_changes_the_machine(
    stream: DashboardStream, recorder: Recorder, cloud: LaMarzoccoCloud
) -> None:
    await cloud.async_send_command(MICRA, commands.coffee_temperature(95.5))
    serial, push = recorder.pushes[-1]
    assert serial == MICRA
    assert push.commands[0].status == "Success"
    assert _coffee_target(await cloud.async_dashboard(MICRA)) == 95.5


async def test_command_error_is_refused(
    stream: DashboardStream, sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud
) -> None:
    sim.command_result = "Error"
    with pytest.raises(CommandRefusedError, match="MachineBusy"):
        await cloud.async_send_command(GS3, commands.change_mode("BrewingMode"))
    assert sim.household.machines[GS3].mode == "StandBy"


async def test_command_that_never_completes_times_out(
    stream: DashboardStream,
    sim: LaMarzoccoCloudSimulator,
    http: aiohttp.ClientSession,
    cloud: LaMarzoccoCloud,
) -> None:
    sim.command_result = "none"
    client = cloud
    short = LaMarzoccoCloud(
        http,
        client.key,
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        endpoints=client.endpoints,
        command_timeout=0.2,
    )
    with pytest.raises(CommandRefusedError, match="in time"):
        await short.async_send_command(PICO, commands.barista_light(True))


async def test_result_before_reply_is_kept(cloud: LaMarzoccoCloud) -> None:
    from custom_components.kitchen_connect.kitchenlib.lamarzocco.dashboard import (
        CommandUpdate,
    )

    cloud.command_updates([CommandUpdate(f"id-{n}", "Success", None) for n in range(100)])
    assert len(cloud._early) == 64


async def test_reconnect_after_drop_makes_state_complete(
    stream: DashboardStream, recorder: Recorder, sim: LaMarzoccoCloudSimulator
) -> None:
    # Changed while the socket is down: no push can tell, the re-read must.
    await sim.drop_sockets()
    sim.household.machines[GS3].mode = "BrewingMode"
    await _until(lambda: len(recorder.reads) == 2 * len(SERIALS))
    assert recorder.connection == [True, False, True]
    gs3 = [dashboard for serial, dashboard in recorder.reads if serial == GS3]
    assert _status(gs3[-1].widgets) == "PoweredOn"
    sim.household.start_brewing(GS3)
    await _until(lambda: bool(recorder.pushes))
    assert stream.connects == 2


async def test_token_is_refreshed_before_reconnecting(
    stream: DashboardStream, recorder: Recorder, sim: LaMarzoccoCloudSimulator, clock: Clock
) -> None:
    clock.offset = 3600 - 100
    await sim.drop_sockets()
    await _until(lambda: recorder.connection[-1:] == [True] and len(recorder.connection) == 3)
    assert sim.count("/auth/refreshtoken") == 1


async def test_refused_connect_is_retried(
    stream: DashboardStream, recorder: Recorder, sim: LaMarzoccoCloudSimulator
) -> None:
    sim.auth.expire_access_tokens()
    await sim.drop_sockets()
    # CONNECT with the revoked token gets an ERROR; the stream backs off and tries again
    # (and keeps failing until a request makes the client sign in again).
    await asyncio.sleep(0.2)
    assert recorder.connection == [True, False]
    assert sim.count("/ws/connect") >= 2


async def test_heart_beats_both_ways(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession, cloud: LaMarzoccoCloud
) -> None:
    sim.heart_beat_ms = 30
    recorder = Recorder()
    stream = DashboardStream(http, cloud, [MICRA], recorder, heart_beat_ms=30)
    stream.start()
    try:
        await _until(lambda: sim.heart_beats_received >= 3)
        assert recorder.connection == [True]
    finally:
        await stream.stop()


async def test_silent_link_is_dropped(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession, cloud: LaMarzoccoCloud
) -> None:
    sim.heart_beat_ms = 20
    sim.send_heart_beats = False
    recorder = Recorder()
    stream = DashboardStream(http, cloud, [MICRA], recorder, heart_beat_ms=20, backoff=(0.01, 0.02))
    stream.start()
    try:
        await _until(lambda: stream.connects >= 2)
        assert False in recorder.connection
    finally:
        await stream.stop()


def test_backoff_grows_with_jitter() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(attempt, 1.0, 60.0, rng) for attempt in range(12)]
    assert all(1.0 <= delay <= 60.0 for delay in delays)
    assert backoff_delay(0, 1.0, 60.0, rng) <= 2.0
    assert len(set(delays)) == len(delays)


async def test_settings_are_range_checked(
    http: aiohttp.ClientSession, cloud: LaMarzoccoCloud
) -> None:
    with pytest.raises(ValueError, match="heart-beat"):
        DashboardStream(http, cloud, [MICRA], Recorder(), heart_beat_ms=-1)
    with pytest.raises(ValueError, match="backoff"):
        DashboardStream(http, cloud, [MICRA], Recorder(), backoff=(0, 1))


async def test_no_secret_in_debug_logs(
    caplog: pytest.LogCaptureFixture,
    sim: LaMarzoccoCloudSimulator,
    http: aiohttp.ClientSession,
    cloud: LaMarzoccoCloud,
    clock: Clock,
) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder()
    stream = DashboardStream(http, cloud, SERIALS, recorder, backoff=(0.01, 0.02))
    stream.start()
    await _until(lambda: len(recorder.reads) == len(SERIALS))
    first = cloud.tokens
    await cloud.async_send_command(MICRA, commands.steam_level("Level1"))
    sim.command_result = "Error"
    with pytest.raises(CommandRefusedError):
        await cloud.async_send_command(MINI, commands.brew_by_weight_mode("Dose2"))
    clock.offset = 3600 - 100
    await sim.drop_sockets()
    await _until(lambda: len(recorder.reads) == 2 * len(SERIALS))
    await stream.stop()
    second = cloud.tokens
    assert first is not None
    assert second is not None
    assert first != second
    secrets = [
        first.access_token,
        first.refresh_token,
        second.access_token,
        second.refresh_token,
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        cloud.key.installation_id,
        cloud.key.to_dict()["private_key"],
        *SERIALS,
        "simulated-ble-token-micra",
    ]
    text = caplog.text + "".join(repr(record.args) for record in caplog.records)
    assert "La Marzocco" in text
    for secret in secrets:
        assert secret not in text


async def test_result_that_overtakes_the_reply(
    stream: DashboardStream, sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud
) -> None:
    sim.reply_delay = 0.1
    await cloud.async_send_command(MICRA, commands.steam_boiler_enabled(False))
    assert sim.household.machines[MICRA].steam_enabled is False


async def test_frames_the_stream_skips_or_ends_on(
    stream: DashboardStream, recorder: Recorder, sim: LaMarzoccoCloudSimulator
) -> None:
    other = "MESSAGE\ndestination:/ws/sn/XX000000/dashboard\nsubscription:x\n\n{}"
    await sim.send_raw("RECEIPT\nreceipt-id:1\n\n\0")
    await sim.send_raw(other)
    await sim.send_raw(f"MESSAGE\ndestination:{dashboard_destination(MICRA)}\n\n[1]")
    sim.household.start_brewing(MICRA)
    await _until(lambda: bool(recorder.pushes))
    assert [serial for serial, _ in recorder.pushes] == [MICRA]
    await sim.send_raw("ERROR\nmessage:going away\n\n\0")
    await _until(lambda: recorder.connection == [True, False, True])


async def test_socket_closed_before_connected_is_retried(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession, cloud: LaMarzoccoCloud
) -> None:
    sim.close_on_connect = True
    recorder = Recorder()
    stream = DashboardStream(http, cloud, [MICRA], recorder, backoff=(0.01, 0.02))
    stream.start()
    try:
        await _until(lambda: sim.count("/ws/connect") >= 3)
        sim.close_on_connect = False
        await _until(lambda: recorder.connection == [True])
    finally:
        await stream.stop()


async def test_hundred_changes_are_hundred_pushes_and_no_rest(
    stream: DashboardStream, recorder: Recorder, sim: LaMarzoccoCloudSimulator
) -> None:
    requests = len(sim.requests)
    for _ in range(50):
        sim.household.start_brewing(MICRA)
        sim.household.stop_brewing(MICRA)
    await _until(lambda: len(recorder.pushes) == 100)
    await asyncio.sleep(0.05)
    assert len(recorder.pushes) == 100
    assert len(sim.requests) == requests


class _BrokenListener(Recorder):
    """A listener whose first push handling raises."""

    def dashboard_pushed(self, serial_number: str, push: DashboardPush) -> None:
        super().dashboard_pushed(serial_number, push)
        if len(self.pushes) == 1:
            raise RuntimeError(serial_number)


async def test_listener_error_does_not_end_the_stream(
    sim: LaMarzoccoCloudSimulator,
    http: aiohttp.ClientSession,
    cloud: LaMarzoccoCloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = _BrokenListener()
    stream = DashboardStream(http, cloud, [MICRA], recorder, backoff=(0.01, 0.02))
    stream.start()
    try:
        await _until(lambda: len(recorder.reads) == 1)
        sim.household.start_brewing(MICRA)
        await _until(lambda: len(recorder.reads) == 2)
        assert recorder.connection == [True, False, True]
        assert MICRA not in caplog.text
        assert "RuntimeError" in caplog.text
    finally:
        await stream.stop()


async def test_machines_join_and_leave_on_the_live_connection(
    sim: LaMarzoccoCloudSimulator,
    http: aiohttp.ClientSession,
    cloud: LaMarzoccoCloud,
    recorder: Recorder,
) -> None:
    """Adding a machine subscribes it on the same socket and reads it; leaving unsubscribes."""
    stream = DashboardStream(http, cloud, [MICRA], recorder, rng=random.Random(1))
    stream.start()
    try:
        await _until(lambda: len(recorder.reads) == 1)
        await stream.async_follow([MICRA, GS3], [GS3])
        assert [serial for serial, _ in recorder.reads] == [MICRA, GS3]
        assert [serial for serial, _ in recorder.schedules] == [GS3]
        sim.household.start_brewing(GS3)
        await _until(lambda: any(serial == GS3 for serial, _ in recorder.pushes))
        await stream.async_follow([GS3])
        pushes = len(recorder.pushes)
        sim.household.start_brewing(MICRA)
        sim.household.stop_brewing(GS3)
        await _until(lambda: len(recorder.pushes) > pushes)
        assert {serial for serial, _ in recorder.pushes[pushes:]} == {GS3}
        assert stream.connects == 1  # never reconnected for it
        assert sim.open_sockets == 1
    finally:
        await stream.stop()
