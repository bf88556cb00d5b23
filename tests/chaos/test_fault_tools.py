"""The fault tools do what they say, seen from a client on the other side of them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib

import aiohttp
from aiohttp import web
from bleak.exc import BleakError, BleakGATTProtocolError
import pytest

from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from simulators.faults import (
    BluetoothFaultInjector,
    Fault,
    FaultKind,
    FaultProxy,
    FaultSchedule,
    Framing,
)
from simulators.faults.framing import websocket_frame, websocket_frame_size
from simulators.faults.schedule import SCHEDULED_FAULT_WAITS
from simulators.nespresso.backend import SimulatedAir
from simulators.nespresso.machine import SimulatedMachine

from ..conftest import NESPRESSO_EXPERT, NESPRESSO_KEY
from .clock import SimulatedClock


class LineServer:
    """An upstream that sends what it is told and records what it receives."""

    def __init__(self) -> None:
        self.writers: list[asyncio.StreamWriter] = []
        self.received = bytearray()
        self.connected = asyncio.Event()
        self.server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        self.connected.set()
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(1024):
                self.received += data

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    def send(self, data: bytes) -> None:
        self.writers[-1].write(data)

    async def stop(self) -> None:
        assert self.server is not None
        for writer in self.writers:
            writer.close()
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def line_proxy() -> AsyncIterator[tuple[LineServer, FaultProxy]]:
    """A line server behind a proxy that knows CRLF frames."""
    upstream = LineServer()
    proxy = FaultProxy(await upstream.start(), framing=Framing.LINES)
    await proxy.start()
    yield upstream, proxy
    await proxy.stop()
    await upstream.stop()


async def _connect(
    upstream: LineServer, proxy: FaultProxy
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    async with asyncio.timeout(2):
        await upstream.connected.wait()
    return reader, writer


async def _until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the client reads until the connection ends (or two seconds pass)."""
    received = b""
    async with asyncio.timeout(2):
        while chunk := await reader.read(1024):
            received += chunk
    return received


async def _read_all(reader: asyncio.StreamReader, until: bytes) -> bytes:
    data = b""
    async with asyncio.timeout(2):
        while until not in data:
            chunk = await reader.read(1024)
            if not chunk:
                break
            data += chunk
    return data


async def test_reset_and_clean_cuts(line_proxy: tuple[LineServer, FaultProxy]) -> None:
    """A reset cut fails the client's read; a clean one ends it with EOF."""
    upstream, proxy = line_proxy
    reader, writer = await _connect(upstream, proxy)
    assert proxy.cut(reset=True) == 1
    with pytest.raises(ConnectionResetError):
        await _until_closed(reader)
    writer.close()
    upstream.connected.clear()
    reader, writer = await _connect(upstream, proxy)
    await asyncio.sleep(0.05)
    assert proxy.cut(reset=False) == 1
    async with asyncio.timeout(2):
        assert await reader.read(1024) == b""
    writer.close()
    assert proxy.stats.cuts == 2


async def test_cut_mid_frame_delivers_half(line_proxy: tuple[LineServer, FaultProxy]) -> None:
    """The client gets the first half of a line, then a reset."""
    upstream, proxy = line_proxy
    reader, writer = await _connect(upstream, proxy)
    proxy.cut_mid_frame()
    upstream.send(b"@TF:0123456789\r\n")
    assert await reader.readexactly(8) == b"@TF:0123"
    with pytest.raises(ConnectionResetError):
        await _until_closed(reader)
    writer.close()


async def test_stall_holds_frames_until_resumed(
    line_proxy: tuple[LineServer, FaultProxy],
) -> None:
    """Nothing passes while stalled and the connection stays open; then all of it passes."""
    upstream, proxy = line_proxy
    reader, writer = await _connect(upstream, proxy)
    proxy.stall()
    upstream.send(b"one\r\n")
    writer.write(b"up\r\n")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await reader.read(1024)
    assert upstream.received == b""
    proxy.resume()
    assert await _read_all(reader, b"one\r\n") == b"one\r\n"
    await asyncio.sleep(0.05)
    assert upstream.received == b"up\r\n"
    writer.close()


async def test_split_join_and_delay(line_proxy: tuple[LineServer, FaultProxy]) -> None:
    """Split frames come in pieces, joined ones in one read, delayed ones late."""
    upstream, proxy = line_proxy
    reader, _writer = await _connect(upstream, proxy)
    proxy.split(2)
    upstream.send(b"abcdefgh\r\n")
    pieces: list[bytes] = []
    async with asyncio.timeout(2):
        while b"".join(pieces) != b"abcdefgh\r\n":
            pieces.append(await reader.read(1024))
    assert len(pieces) >= 3  # ten bytes in five writes; a read may catch two of them
    proxy.split(0)
    proxy.join(0.1)
    upstream.send(b"first\r\n")
    await asyncio.sleep(0.02)
    upstream.send(b"second\r\n")
    async with asyncio.timeout(2):
        assert await reader.read(1024) == b"first\r\nsecond\r\n"
    proxy.join(0)
    proxy.delay(0.2)
    loop = asyncio.get_running_loop()
    sent = loop.time()
    upstream.send(b"late\r\n")
    assert await _read_all(reader, b"late\r\n") == b"late\r\n"
    assert loop.time() - sent >= 0.2


async def test_garbage_lines_and_refused_connections(
    line_proxy: tuple[LineServer, FaultProxy],
) -> None:
    """Garbage arrives as a line of its own; a refused connection is reset at once."""
    upstream, proxy = line_proxy
    reader, writer = await _connect(upstream, proxy)
    assert await proxy.inject_garbage(b"x\r\nyz") == 1
    upstream.send(b"real\r\n")
    assert await _read_all(reader, b"real\r\n") == b"xyz\r\nreal\r\n"
    writer.close()
    proxy.refuse_next()
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    with pytest.raises(ConnectionResetError):
        await _until_closed(reader)
    writer.close()
    assert proxy.stats.refused == 1


@pytest.fixture
async def web_proxy() -> AsyncIterator[FaultProxy]:
    """An HTTP and websocket server behind a proxy that knows HTTP and websocket frames."""

    async def hello(_request: web.Request) -> web.Response:
        return web.json_response({"hello": "world"})

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            await ws.send_str(f"echo {message.data}")
        return ws

    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_get("/ws", socket)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    proxy = FaultProxy(port, framing=Framing.HTTP)
    await proxy.start()
    yield proxy
    await proxy.stop()
    await runner.cleanup()


@pytest.mark.parametrize("status", [429, 401, 403, 500, 503])
async def test_http_answers(web_proxy: FaultProxy, status: int) -> None:
    """The chosen request gets the chosen status; the next one reaches the server."""
    web_proxy.answer_next(status, path="/hello")
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{web_proxy.base_url}/hello") as response:
            assert response.status == status
        async with session.get(f"{web_proxy.base_url}/hello") as response:
            assert response.status == 200
            assert await response.json() == {"hello": "world"}
    assert web_proxy.stats.answered[status] == 1


async def test_websocket_garbage_and_cuts(web_proxy: FaultProxy) -> None:
    """Garbage comes as whole messages between real ones; a mid-frame cut ends the socket."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{web_proxy.base_url}/ws") as ws,
    ):
        await ws.send_str("one")
        assert (await ws.receive(timeout=2)).data == "echo one"
        assert await web_proxy.inject_garbage(b"{not json") == 1
        assert await web_proxy.inject_garbage(b"\x00\xff", binary=True) == 1
        assert (await ws.receive(timeout=2)).data == "{not json"
        binary = await ws.receive(timeout=2)
        assert binary.type is aiohttp.WSMsgType.BINARY
        assert binary.data == b"\x00\xff"
        await ws.send_str("two")
        assert (await ws.receive(timeout=2)).data == "echo two"
        web_proxy.cut_mid_frame()
        await ws.send_str("three")
        message = await ws.receive(timeout=2)
        assert message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)


async def test_schedule_replays_from_its_seed() -> None:
    """The same seed gives the same faults and gaps; another seed does not."""
    weights = dict.fromkeys(FaultKind, 1)
    first = [FaultSchedule(7, weights).next() for _ in range(50)]
    again = [FaultSchedule(7, weights).next() for _ in range(50)]
    other = [FaultSchedule(8, weights).next() for _ in range(50)]
    assert first[:3] != other[:3]
    schedule_a, schedule_b = FaultSchedule(7, weights), FaultSchedule(7, weights)
    assert [schedule_a.next() for _ in range(50)] == [schedule_b.next() for _ in range(50)]
    assert len(first) == len(again)


async def test_proxy_refuses_bluetooth_faults(web_proxy: FaultProxy) -> None:
    """A fault the proxy cannot inflict is an error, not a silent no-op."""
    with pytest.raises(ValueError, match="drop_link"):
        await web_proxy.apply(Fault(FaultKind.DROP_LINK))


async def test_bluetooth_faults() -> None:
    """A read times out, a write is refused, and the link drops, each when asked."""
    air = SimulatedAir()
    peripheral = air.add(NESPRESSO_EXPERT, SimulatedMachine(key=NESPRESSO_KEY))
    dropped = asyncio.Event()
    backend = air.backend()(peripheral.address, disconnected_callback=dropped.set)
    with BluetoothFaultInjector(peripheral.address) as faults:
        await backend.connect(pair=False)
        assert backend.services is not None
        status = backend.services.get_characteristic(gatt.PROFILE_VERSION)
        assert status is not None
        assert await backend.read_gatt_char(status)
        faults.time_out_next_read()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await backend.read_gatt_char(status)
        assert await backend.read_gatt_char(status)
        faults.apply(Fault(FaultKind.WRITE_REFUSED))
        command = backend.services.get_characteristic(gatt.TX_LEVEL)
        assert command is not None
        with pytest.raises(BleakGATTProtocolError):
            await backend.write_gatt_char(command, b"\x00", response=True)
        await backend.write_gatt_char(command, b"\x00", response=True)
        assert faults.drop_link()
        async with asyncio.timeout(1):
            await dropped.wait()
        with pytest.raises(BleakError):
            await backend.read_gatt_char(status)
    assert faults.stats[FaultKind.READ_TIMEOUT] == 1
    assert faults.stats[FaultKind.WRITE_REFUSED] == 1
    assert faults.stats[FaultKind.DROP_LINK] == 1


async def test_bluetooth_faults_armed_before_the_link() -> None:
    """A drop asked for with no link up happens at the next GATT operation."""
    air = SimulatedAir()
    peripheral = air.add(NESPRESSO_EXPERT, SimulatedMachine(key=NESPRESSO_KEY))
    backend = air.backend()(peripheral.address)
    with BluetoothFaultInjector(peripheral.address) as faults:
        assert not faults.drop_link()
        await backend.connect(pair=False)
        assert backend.services is not None
        status = backend.services.get_characteristic(gatt.PROFILE_VERSION)
        assert status is not None
        with pytest.raises(BleakError):
            await backend.read_gatt_char(status)
        assert not backend.is_connected
        faults.apply(Fault(FaultKind.READ_TIMEOUT))
        faults.apply(Fault(FaultKind.DROP_LINK))
        faults.clear()
        with pytest.raises(ValueError, match="cut_reset"):
            faults.apply(Fault(FaultKind.CUT_RESET))
    assert peripheral.address.upper() not in type(backend).link_faults


def test_websocket_frames_of_every_length() -> None:
    """Short, medium and long frames are found whole, and not before."""
    for size in (5, 200, 70000):
        frame = websocket_frame(b"x" * size)
        assert websocket_frame_size(frame) == len(frame)
        assert websocket_frame_size(frame[:-1]) is None
        assert websocket_frame_size(frame[:3]) is None
    assert websocket_frame_size(b"\x81") is None


async def test_proxy_relays_only_loopback_and_resets_when_upstream_is_gone(
    closed_port: int,
) -> None:
    """No address but 127.0.0.1; a client is reset when the simulator is not there."""
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        FaultProxy(closed_port, upstream_host="192.0.2.1")
    proxy = FaultProxy(closed_port, framing=Framing.RAW)
    await proxy.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    with pytest.raises(ConnectionResetError):
        await _until_closed(reader)
    writer.close()
    await proxy.stop()


def test_schedule_is_endless() -> None:
    """A schedule can be iterated for as long as a run needs."""
    schedule = iter(FaultSchedule(3, {FaultKind.STALL: 1}))
    faults = [next(schedule) for _ in range(5)]
    assert all(item.fault.kind is FaultKind.STALL and item.fault.seconds > 0 for item in faults)


async def test_scheduled_faults_wait_one_at_a_time_and_lapse(
    web_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quiet client meets one waiting fault, not every fault of its quiet hours."""
    clock = SimulatedClock()
    clock.install(asyncio.get_running_loop(), monkeypatch, modules=())
    for status in (500, 503):
        await web_proxy.apply(Fault(FaultKind.HTTP_STATUS, status=status))
    assert web_proxy.pending_answers == [500]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{web_proxy.base_url}/hello") as response:
            assert response.status == 500
        async with session.get(f"{web_proxy.base_url}/hello") as response:
            assert response.status == 200
    for _ in range(2):
        await web_proxy.apply(Fault(FaultKind.HTTP_STATUS, status=502))
        await web_proxy.apply(Fault(FaultKind.REFUSE))
    await clock.advance(SCHEDULED_FAULT_WAITS + 1)
    assert web_proxy.pending_answers == []
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{web_proxy.base_url}/hello") as response:
            assert response.status == 200
    assert web_proxy.stats.refused == 0


async def test_scheduled_bluetooth_faults_wait_one_at_a_time_and_lapse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Faults scheduled while no link is up: one lands on the next link, later ones lapse."""
    clock = SimulatedClock()
    clock.install(asyncio.get_running_loop(), monkeypatch, modules=())
    air = SimulatedAir()
    peripheral = air.add(NESPRESSO_EXPERT, SimulatedMachine(key=NESPRESSO_KEY))
    backend = air.backend()(peripheral.address)
    with BluetoothFaultInjector(peripheral.address) as faults:
        for _ in range(3):
            faults.apply(Fault(FaultKind.WRITE_REFUSED))
        await backend.connect(pair=False)
        assert backend.services is not None
        level = backend.services.get_characteristic(gatt.TX_LEVEL)
        assert level is not None
        with pytest.raises(BleakGATTProtocolError):
            await backend.write_gatt_char(level, b"\x00", response=True)
        await backend.write_gatt_char(level, b"\x00", response=True)  # only one waited
        faults.apply(Fault(FaultKind.WRITE_REFUSED))
        await clock.advance(SCHEDULED_FAULT_WAITS + 1)
        await backend.write_gatt_char(level, b"\x00", response=True)  # it lapsed
        assert faults.stats[FaultKind.WRITE_REFUSED] == 1
        await backend.disconnect()
