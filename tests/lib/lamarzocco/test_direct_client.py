"""The port-1774 client against the simulated machine over 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import time

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib import (
    AuthError,
    ConnectionFailedError,
    InvalidValueError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct import (
    DirectClient,
    FlowReport,
    MachineBusyError,
    Temperatures,
    writes,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct.client import (
    SilentMachineError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct.framing import FrameCipher
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct.memory import PrebrewMode
from simulators.lamarzocco import direct_machine
from simulators.lamarzocco.direct_machine import (
    DEFAULT_KEY,
    LINEA_MINI,
    DirectMachineSimulator,
)

OTHER_KEY = "fedcba9876543210fedcba9876543210"


@pytest.fixture
async def machine() -> AsyncIterator[DirectMachineSimulator]:
    async with DirectMachineSimulator(push_interval=0.05, time_scale=50) as simulator:
        yield simulator


def _client(machine: DirectMachineSimulator, key: str = DEFAULT_KEY) -> DirectClient:
    return DirectClient("127.0.0.1", machine.port, key, timeout=1.0)


async def test_a_session_reads_the_machine_and_lets_go(machine: DirectMachineSimulator) -> None:
    snapshot = await _client(machine).read(listen=0)
    assert snapshot.serial == "GS012345"
    assert snapshot.status.firmware == "1.20"
    assert snapshot.config.coffee_target == 93.5
    assert snapshot.config.doses == (60, 120, 80, 160, 999)
    assert snapshot.schedule.days[0].on == (6, 30)
    assert snapshot.drinks.total_coffees == 245
    assert snapshot.panel.text == "STANDBY"
    assert snapshot.preinfusion.seconds == (4.0, 4.0, 3.0, 2.0)
    # Released: the app (another client) gets the machine right after.
    await machine.wait_released()
    await _client(machine).read(listen=0)
    assert machine.accepted == 2
    assert machine.dropped == 0


async def test_pushed_temperatures_arrive_while_listening(
    machine: DirectMachineSimulator,
) -> None:
    machine.memory[0] = 1  # on: the machine heats and reports
    reports: list[Temperatures] = []
    client = _client(machine)
    client.on_temperatures = reports.append
    started = time.monotonic()
    await client.read(listen=0.5)
    assert 0.5 <= time.monotonic() - started < 1.5  # the listening is bounded
    assert len(reports) >= 3
    assert reports[-1].coffee > reports[0].coffee  # heating up


async def test_a_shot_streams_flow_reports(machine: DirectMachineSimulator) -> None:
    flows: list[FlowReport] = []
    client = _client(machine)
    client.on_flow = flows.append
    async with client.session() as session:
        await session.read_snapshot()
        await machine.stream_shot(2, [0.5, 1.0, 1.5625])
        await session.listen(0.2)
    assert [(flow.key, flow.seconds, flow.pulses) for flow in flows] == [
        (2, 0.5, 10),
        (2, 1.0, 20),
        (2, 1.5625, 30),
    ]
    assert flows[0].coffee_temperature == 20.0


async def test_a_write_changes_the_machine_and_reads_it_back(
    machine: DirectMachineSimulator,
) -> None:
    snapshot = await _client(machine).write(writes.coffee_temperature(95.0))
    assert machine.target(7) == 95.0
    assert snapshot.config.coffee_target == 95.0
    await machine.wait_released()


async def test_auto_on_off_written_reads_back_where_the_read_map_has_it(
    machine: DirectMachineSimulator,
) -> None:
    """Our choice for the minutes address (0x031F + 2·day) reads back as that day's minutes."""
    client = _client(machine)
    async with client.session() as session:
        await session.write(writes.auto_on_off_hours(2, 7, 21))
        await session.write(writes.auto_on_off_minutes(2, 45, 10))
        await session.write(writes.auto_on_off_enabled(True, [2]))
        schedule = (await session.read_snapshot()).schedule
    wednesday = schedule.days[2]
    assert (wednesday.enabled, wednesday.on, wednesday.off) == (True, (7, 45), (21, 10))
    assert schedule.days[1].off == (22, 15)  # Tuesday untouched
    assert schedule.days[3].on == (6, 30)  # Thursday untouched
    assert not schedule.days[0].enabled


async def test_a_write_rides_the_open_session(machine: DirectMachineSimulator) -> None:
    client = _client(machine)
    async with client.session() as session:
        await session.read_snapshot()
        snapshot = await client.write(writes.prebrew_mode(PrebrewMode.PREINFUSION))
    assert snapshot.config.prebrew_mode is PrebrewMode.PREINFUSION
    assert machine.accepted == 1  # one connection for both


async def test_an_invalid_value_sends_nothing(machine: DirectMachineSimulator) -> None:
    with pytest.raises(InvalidValueError):
        await _client(machine).write(writes.dose(1, 5000))
    assert machine.writes == []
    assert machine.accepted == 0


async def test_backflush_starts(machine: DirectMachineSimulator) -> None:
    await _client(machine).write(writes.start_backflush())
    assert machine.backflush_left > 0
    assert machine.steam_enabled  # the same address, but not the steam boiler


async def test_the_app_holding_the_machine_is_a_clear_busy_error(
    machine: DirectMachineSimulator,
) -> None:
    machine.app_holds = True
    with pytest.raises(MachineBusyError, match="app"):
        await _client(machine).read(listen=0)
    assert machine.dropped == 1


async def test_only_one_connection_at_a_time(machine: DirectMachineSimulator) -> None:
    async with _client(machine).session() as session:
        await session.read_snapshot()
        with pytest.raises(MachineBusyError):
            await _client(machine).read(listen=0)
    await machine.wait_released()
    await _client(machine).read(listen=0)


async def test_a_closed_port_is_busy_or_off() -> None:
    probe = DirectMachineSimulator()
    await probe.start()
    port = probe.port
    await probe.stop()
    with pytest.raises(MachineBusyError, match="refused"):
        await DirectClient("127.0.0.1", port, DEFAULT_KEY, timeout=1.0).read(listen=0)


async def test_a_wrong_key_is_told_by_the_machine_s_pushes(
    machine: DirectMachineSimulator,
) -> None:
    machine.memory[0] = 1  # on: it pushes reports sealed with its own key
    with pytest.raises(AuthError):
        await _client(machine, OTHER_KEY).read(listen=0)
    assert machine.ignored >= 1  # it could not read ours either


async def test_a_wrong_key_on_a_silent_machine_is_an_auth_error_in_time(
    machine: DirectMachineSimulator,
) -> None:
    started = time.monotonic()
    with pytest.raises(SilentMachineError, match="key"):
        await _client(machine, OTHER_KEY).read(listen=0)
    assert time.monotonic() - started < 2


async def test_silence_after_the_key_worked_is_a_connection_error(
    machine: DirectMachineSimulator,
) -> None:
    client = _client(machine)
    await client.read(listen=0)
    await machine.wait_released()
    machine.silent = True
    with pytest.raises(ConnectionFailedError) as caught:
        await client.read(listen=0)
    assert not isinstance(caught.value, AuthError)


async def test_a_linea_mini() -> None:
    async with DirectMachineSimulator(model=LINEA_MINI) as mini:
        snapshot = await _client(mini).read(listen=0)
    assert snapshot.serial.startswith("LM")


async def test_the_machine_hanging_up_mid_session(machine: DirectMachineSimulator) -> None:
    client = _client(machine)
    async with client.session() as session:
        await session.read_snapshot()
        await machine.stop()
        await asyncio.sleep(0.05)
        with pytest.raises(ConnectionFailedError):
            await session.write(writes.power(True))


@settings(max_examples=60)
@given(st.text(max_size=40))
def test_garbage_never_changes_the_simulated_machine(text: str) -> None:
    machine = DirectMachineSimulator()
    before = bytes(machine.memory)
    answer = machine.handle(text)
    if not (text.startswith("W") and answer is not None):
        assert bytes(machine.memory) == before


@pytest.mark.parametrize(
    "garbage",
    [
        b"@!!!not base64!!!%",
        b"@QUJD%",  # base64, not whole AES blocks
        FrameCipher(DEFAULT_KEY).encode("R401C000403BC04D8B7"),  # check byte off by one
        FrameCipher(DEFAULT_KEY).encode("R401C000403BC"),  # truncated message
        FrameCipher(DEFAULT_KEY).encode("R401C000403BC04D8B6")[:-6] + b"%",  # truncated frame
        b"@" + b"A" * 5000,  # never ends
    ],
)
async def test_garbage_from_the_wire_is_a_protocol_error(garbage: bytes) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(garbage)
        await writer.drain()
        await reader.read(100)
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = DirectClient("127.0.0.1", port, DEFAULT_KEY, timeout=1.0)
    try:
        with pytest.raises(ProtocolError):
            await client.read(listen=0)
    finally:
        server.close()
    assert not client.key_confirmed  # nothing it took for the machine's


async def test_the_command_line_serves_a_machine(capsys: pytest.CaptureFixture[str]) -> None:
    task = asyncio.create_task(direct_machine.serve(["--port", "0", "--model", LINEA_MINI]))
    async with asyncio.timeout(5):
        while "127.0.0.1:" not in (out := capsys.readouterr().out):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    port = int(out.strip().rsplit(":", 1)[1])
    snapshot = await DirectClient("127.0.0.1", port, DEFAULT_KEY, timeout=1.0).read(listen=0)
    assert snapshot.serial.startswith("LM")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
