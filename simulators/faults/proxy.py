"""A fault-injecting loopback proxy between a client and a simulator.

``FaultProxy`` listens on 127.0.0.1 and relays every connection to the simulator. A test
(or a ``FaultSchedule``) makes the way misbehave: cut with a reset or a clean close, cut
half way through a frame, stall silently, delay, split and join reads, inject garbage
frames between two real ones, refuse a connection, and answer an HTTP request itself with
429/401/403/5xx. Frames are found by the proxy's ``Framing``: CRLF lines for Jura, HTTP
requests and then websocket frames for the cloud brands.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import contextlib
from dataclasses import dataclass, field
import http
import socket
import struct
from typing import Any

from .framing import Framing, HttpRequest, RequestFramer, upstream_framer, websocket_frame
from .schedule import SCHEDULED_FAULT_WAITS, Fault, FaultKind

LOOPBACK = "127.0.0.1"
_READ_CHUNK = 65536


def _require_loopback(host: str) -> None:
    if host != LOOPBACK:
        raise ValueError(f"the fault proxy only relays on {LOOPBACK}, not {host!r}")


def _abort(writer: asyncio.StreamWriter, *, reset: bool) -> None:
    """End one side: a TCP reset (RST) or a clean close (FIN)."""
    if reset:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
    else:
        writer.close()


@dataclass(slots=True)
class _HttpAnswer:
    status: int
    remaining: int
    path: str


@dataclass(slots=True)
class ProxyStats:
    """What the proxy saw and did."""

    connections: int = 0
    refused: int = 0
    cuts: int = 0
    garbage: int = 0
    answered: Counter[int] = field(default_factory=Counter)
    answered_paths: list[tuple[int, str]] = field(default_factory=list)
    faults: Counter[FaultKind] = field(default_factory=Counter)


class _Link:
    """One client connection and its connection to the simulator."""

    def __init__(
        self,
        proxy: FaultProxy,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    ) -> None:
        self.proxy = proxy
        self.client_reader, self.client_writer = client
        self.upstream_reader, self.upstream_writer = upstream
        self.to_client: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.to_upstream: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.client_lock = asyncio.Lock()
        self.closed = False
        self.cut_reply = False
        self.ended = asyncio.Event()
        self.websocket = False

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self._read_upstream())
            group.create_task(self._read_client())
            group.create_task(self._write(self.to_client, self.client_writer, downstream=True))
            group.create_task(self._write(self.to_upstream, self.upstream_writer, downstream=False))

    def cut(self, *, reset: bool) -> None:
        if self.closed:
            return
        self.closed = True
        self.ended.set()
        _abort(self.client_writer, reset=reset)
        _abort(self.upstream_writer, reset=reset)
        # Wake the writers so the link's tasks end.
        self.to_client.put_nowait(None)
        self.to_upstream.put_nowait(None)

    async def _read_upstream(self) -> None:
        framer = upstream_framer(self.proxy.framing)
        try:
            while data := await self.upstream_reader.read(_READ_CHUNK):
                for frame in framer.feed(data):
                    self.to_client.put_nowait(frame)
        except OSError:
            # The simulator reset the connection: so does the proxy, towards the client.
            self.cut(reset=True)
        self.to_client.put_nowait(None)

    async def _read_client(self) -> None:
        requests = RequestFramer() if self.proxy.framing is Framing.HTTP else None
        try:
            while data := await self.client_reader.read(_READ_CHUNK):
                if requests is None:
                    self.to_upstream.put_nowait(data)
                    continue
                for item in requests.feed(data):
                    if isinstance(item, bytes):
                        self.to_upstream.put_nowait(item)
                        continue
                    if await self._answer_instead(item):
                        return
                    self.cut_reply = self.cut_reply or self.proxy.take_reply_cut(item.path)
                    self.websocket = self.websocket or item.upgrade
                    self.to_upstream.put_nowait(item.raw)
        except OSError:
            self.cut(reset=True)
        self.to_upstream.put_nowait(None)

    async def _answer_instead(self, request: HttpRequest) -> bool:
        status = self.proxy.take_http_answer(request.path)
        if status is None:
            return False
        body = b'{"error":"injected by the fault proxy"}'
        phrase = http.HTTPStatus(status).phrase
        extra = "Retry-After: 1\r\n" if status == 429 else ""
        head = (
            f"HTTP/1.1 {status} {phrase}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
        )
        async with self.client_lock:
            with contextlib.suppress(OSError):
                self.client_writer.write(head.encode() + body)
                await self.client_writer.drain()
        self.cut(reset=False)
        return True

    async def _write(
        self,
        queue: asyncio.Queue[bytes | None],
        writer: asyncio.StreamWriter,
        *,
        downstream: bool,
    ) -> None:
        proxy = self.proxy
        try:
            while (frame := await queue.get()) is not None:
                await self._flow()
                if proxy.delay_seconds:
                    await asyncio.sleep(proxy.delay_seconds)
                if proxy.join_seconds:
                    await asyncio.sleep(proxy.join_seconds)
                    frame, ended = _drain_queue(queue, frame)
                    if ended:
                        queue.put_nowait(None)
                if self.closed:
                    return
                if downstream and (self.cut_reply or proxy.take_mid_frame_cut(frame)):
                    writer.write(frame[: len(frame) // 2])
                    await writer.drain()
                    self.cut(reset=True)
                    return
                if downstream:
                    async with self.client_lock:
                        await _send(writer, frame, proxy.split_size)
                else:
                    await _send(writer, frame, proxy.split_size)
        except OSError:
            self.cut(reset=True)
            return
        if not self.closed:
            self.closed = True
            self.ended.set()
            writer.close()
            other = self.upstream_writer if downstream else self.client_writer
            other.close()

    async def _flow(self) -> None:
        """Wait while the proxy stalls (or until this link ends)."""
        if self.proxy.flowing.is_set():
            return
        waits = {
            asyncio.ensure_future(self.proxy.flowing.wait()),
            asyncio.ensure_future(self.ended.wait()),
        }
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def inject(self, payload: bytes) -> bool:
        """Write ``payload`` to the client between two frames."""
        if self.closed:
            return False
        async with self.client_lock:
            try:
                self.client_writer.write(payload)
                await self.client_writer.drain()
            except OSError:
                return False
        return True


def _drain_queue(queue: asyncio.Queue[bytes | None], first: bytes) -> tuple[bytes, bool]:
    """``first`` and every frame queued behind it, as one write."""
    parts = [first]
    while not queue.empty():
        item = queue.get_nowait()
        if item is None:
            return b"".join(parts), True
        parts.append(item)
    return b"".join(parts), False


async def _send(writer: asyncio.StreamWriter, data: bytes, split: int) -> None:
    if split <= 0:
        writer.write(data)
        await writer.drain()
        return
    for start in range(0, len(data), split):
        writer.write(data[start : start + split])
        await writer.drain()
        # Let the other side read each piece on its own.
        await asyncio.sleep(0)


class FaultProxy:
    """A loopback TCP proxy in front of one simulator port, with faults on demand."""

    def __init__(
        self,
        upstream_port: int,
        *,
        framing: Framing = Framing.RAW,
        upstream_host: str = LOOPBACK,
    ) -> None:
        _require_loopback(upstream_host)
        self.upstream = (upstream_host, upstream_port)
        self.framing = framing
        self.stats = ProxyStats()
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.delay_seconds = 0.0
        self.join_seconds = 0.0
        self.split_size = 0
        self._mid_frame_cut = False
        self._refuse = 0
        self._answers: list[_HttpAnswer] = []
        self._reply_cuts: list[str] = []
        self._links: set[_Link] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timers: dict[FaultKind, asyncio.TimerHandle] = {}
        self._server: asyncio.Server | None = None

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (``port`` 0 picks a free one)."""
        self._server = await asyncio.start_server(
            self._on_connect, LOOPBACK, port, family=socket.AF_INET
        )

    async def stop(self) -> None:
        """Stop listening and cut every connection."""
        self.clear()
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for link in list(self._links):
            link.cut(reset=False)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    @property
    def port(self) -> int:
        """The port clients connect to."""
        assert self._server is not None, "start the proxy first"
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, for the cloud brands."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def open_links(self) -> int:
        """Client connections relayed right now."""
        return sum(not link.closed for link in self._links)

    # --- scripted faults -----------------------------------------------------------------

    def cut(self, *, reset: bool = True) -> int:
        """End every open connection (a reset or a clean close); how many there were."""
        links = [link for link in self._links if not link.closed]
        for link in links:
            link.cut(reset=reset)
        self.stats.cuts += len(links)
        return len(links)

    def cut_mid_frame(self) -> None:
        """The next frame towards a client stops half way and its connection is reset."""
        self._mid_frame_cut = True

    def stall(self, seconds: float | None = None) -> None:
        """Nothing passes, silently, until ``resume`` (or for ``seconds``)."""
        self.flowing.clear()
        self._undo_later(FaultKind.STALL, seconds, self.resume)

    def resume(self) -> None:
        """End a stall: what was held back passes now."""
        self.flowing.set()

    def delay(self, seconds: float, *, lasting: float | None = None) -> None:
        """Every frame waits ``seconds`` (0 ends it)."""
        self.delay_seconds = seconds
        self._undo_later(FaultKind.DELAY, lasting, lambda: setattr(self, "delay_seconds", 0.0))

    def split(self, size: int, *, lasting: float | None = None) -> None:
        """Frames are written ``size`` bytes at a time (0 ends it)."""
        self.split_size = size
        self._undo_later(FaultKind.SPLIT, lasting, lambda: setattr(self, "split_size", 0))

    def join(self, seconds: float, *, lasting: float | None = None) -> None:
        """Frames are held ``seconds`` and written together with those behind them."""
        self.join_seconds = seconds
        self._undo_later(FaultKind.JOIN, lasting, lambda: setattr(self, "join_seconds", 0.0))

    async def inject_garbage(self, payload: bytes, *, binary: bool = False) -> int:
        """Garbage between two frames on every connection; how many took it.

        On a websocket it is a whole text (or binary) message; on a line protocol a
        line of its own; otherwise the bytes as they are.
        """
        if self.framing is Framing.LINES:
            payload = payload.replace(b"\r\n", b"") + b"\r\n"
        sent = 0
        for link in list(self._links):
            if self.framing is Framing.HTTP:
                if not link.websocket:
                    continue
                data = websocket_frame(payload, binary=binary)
            else:
                data = payload
            sent += await link.inject(data)
        self.stats.garbage += sent
        return sent

    def answer_next(self, status: int, *, count: int = 1, path: str = "") -> None:
        """The next ``count`` HTTP requests whose path holds ``path`` get ``status``."""
        self._answers.append(_HttpAnswer(status, count, path))

    def cut_reply_to(self, path: str) -> None:
        """The reply to the next HTTP request whose path holds ``path`` stops half way."""
        self._reply_cuts.append(path)

    @property
    def pending_answers(self) -> list[int]:
        """The statuses armed and not yet answered, in order."""
        return [answer.status for answer in self._answers for _ in range(answer.remaining)]

    def refuse_next(self, count: int = 1) -> None:
        """The next ``count`` connection attempts are reset at once."""
        self._refuse += count

    def clear(self) -> None:
        """Every fault off; held-back frames pass."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self.resume()
        self.delay_seconds = self.join_seconds = 0.0
        self.split_size = self._refuse = 0
        self._mid_frame_cut = False
        self._answers.clear()
        self._reply_cuts.clear()

    async def apply(self, fault: Fault) -> None:
        """Inflict one scheduled fault."""
        self.stats.faults[fault.kind] += 1
        match fault.kind:
            case FaultKind.CUT_RESET:
                self.cut(reset=True)
            case FaultKind.CUT_CLOSE:
                self.cut(reset=False)
            case FaultKind.CUT_MID_FRAME:
                self.cut_mid_frame()
            case FaultKind.STALL:
                self.stall(fault.seconds)
            case FaultKind.DELAY:
                self.delay(fault.seconds, lasting=10.0)
            case FaultKind.JOIN:
                self.join(fault.seconds, lasting=10.0)
            case FaultKind.SPLIT:
                self.split(fault.size, lasting=fault.seconds)
            case FaultKind.GARBAGE | FaultKind.GARBAGE_BINARY:
                await self.inject_garbage(
                    fault.payload, binary=fault.kind is FaultKind.GARBAGE_BINARY
                )
            case FaultKind.REFUSE:
                # Scheduled faults that wait for the next connection or request: one at a
                # time, and only for a while (``SCHEDULED_FAULT_WAITS``).
                if not self._refuse:
                    self.refuse_next()
                    self._undo_later(fault.kind, SCHEDULED_FAULT_WAITS, self._lapse_refusals)
            case FaultKind.HTTP_STATUS:
                if not self._answers:
                    answer = _HttpAnswer(fault.status, 1, "")
                    self._answers.append(answer)
                    self._undo_later(
                        fault.kind, SCHEDULED_FAULT_WAITS, lambda: self._lapse_answer(answer)
                    )
            case _:
                raise ValueError(f"{fault.kind} is no fault of a TCP connection")

    # --- internals -----------------------------------------------------------------------

    def _lapse_refusals(self) -> None:
        self._refuse = 0

    def _lapse_answer(self, answer: _HttpAnswer) -> None:
        self._answers = [armed for armed in self._answers if armed is not answer]

    def _undo_later(self, kind: FaultKind, seconds: float | None, undo: object) -> None:
        old = self._timers.pop(kind, None)
        if old is not None:
            old.cancel()
        if seconds is not None:
            assert callable(undo)
            self._timers[kind] = asyncio.get_running_loop().call_later(seconds, undo)

    def take_mid_frame_cut(self, frame: bytes) -> bool:
        """Whether this frame is the one to stop half way (it must have a half)."""
        if not self._mid_frame_cut or len(frame) < 2:
            return False
        self._mid_frame_cut = False
        self.stats.cuts += 1
        return True

    def take_reply_cut(self, path: str) -> bool:
        """Whether the reply to this request is to stop half way."""
        for armed in self._reply_cuts:
            if armed in path:
                self._reply_cuts.remove(armed)
                self.stats.cuts += 1
                return True
        return False

    def take_http_answer(self, path: str) -> int | None:
        """The status to answer a request for ``path`` with, if one is armed."""
        for answer in self._answers:
            if answer.path in path:
                answer.remaining -= 1
                if answer.remaining <= 0:
                    self._answers.remove(answer)
                self.stats.answered[answer.status] += 1
                self.stats.answered_paths.append((answer.status, path.partition("?")[0]))
                return answer.status
        return None

    async def _on_connect(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        self.stats.connections += 1
        if self._refuse > 0 or self._server is None:
            self._refuse = max(self._refuse - 1, 0)
            self.stats.refused += 1
            _abort(client_writer, reset=True)
            return
        try:
            upstream = await asyncio.open_connection(*self.upstream)
        except OSError:
            _abort(client_writer, reset=True)
            return
        link = _Link(self, (client_reader, client_writer), upstream)
        task = asyncio.current_task()
        assert task is not None
        self._links.add(link)
        self._tasks.add(task)
        try:
            await link.run()
        except* OSError:
            link.cut(reset=True)
        finally:
            self._links.discard(link)
            self._tasks.discard(task)
