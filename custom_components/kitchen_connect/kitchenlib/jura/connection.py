"""One TCP session with a Smart Connect dongle: framing, pushes and request/reply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import logging

from ..errors import ConnectionFailedError, ProtocolError
from .framing import FrameSplitter, decode_frame, encode_frame
from .messages import is_push

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT = 51515
READ_SIZE = 1024

type ReplyMatcher = Callable[[str], bool]


class ReplyTimeoutError(ConnectionFailedError):
    """The session is up but no matching reply came in time."""


class JuraConnection:
    """A framed session; pushes go to ``on_push``, replies to the pending request.

    One request is in flight at a time: the dongle answers in order and a
    reply carries no request id, so serialising is the only safe matching.
    """

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        on_push: Callable[[str], None],
        on_closed: Callable[[Exception | None], None],
        idle_timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self._on_push = on_push
        self._on_closed = on_closed
        self._idle_timeout = idle_timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._request_lock = asyncio.Lock()
        self._pending: tuple[ReplyMatcher, asyncio.Future[str]] | None = None
        self._closing = False
        self.frames_received = 0

    @property
    def is_open(self) -> bool:
        """True while the socket is up."""
        return self._reader_task is not None and not self._reader_task.done()

    async def open(self, timeout: float) -> None:
        """Open the TCP connection and start reading."""
        try:
            async with asyncio.timeout(timeout):
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        # A host name no resolver can take (a NUL, an over-long label) is a ValueError.
        except (OSError, TimeoutError, ValueError) as err:
            raise ConnectionFailedError(f"cannot reach {self.host}:{self.port}: {err}") from err
        self._reader_task = asyncio.create_task(self._read_loop(), name=f"jura-read-{self.host}")

    async def send(self, command: str) -> None:
        """Send one command without waiting for an answer."""
        writer = self._writer
        if writer is None or not self.is_open:
            raise ConnectionFailedError("session is not open")
        try:
            writer.write(encode_frame(command))
            await writer.drain()
        except OSError as err:
            raise ConnectionFailedError(f"send failed: {err}") from err

    async def request(self, command: str, matcher: ReplyMatcher, timeout: float) -> str:
        """Send ``command`` and return the first reply that ``matcher`` accepts."""
        async with self._request_lock:
            future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._pending = (matcher, future)
            try:
                await self.send(command)
                async with asyncio.timeout(timeout):
                    return await future
            except TimeoutError as err:
                # Only the verb: a handshake carries the PIN and token.
                verb = command.split(":", 1)[0]
                raise ReplyTimeoutError(f"no reply to {verb} within {timeout} s") from err
            finally:
                self._pending = None

    async def close(self) -> None:
        """Hang up politely (an empty frame) and close the socket."""
        if self._closing:
            return
        self._closing = True
        if self._writer is not None:
            with contextlib.suppress(OSError, ConnectionFailedError):
                if self.is_open:
                    await self.send("")
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader_task

    async def _read_loop(self) -> None:
        assert self._reader is not None
        splitter = FrameSplitter()
        error: Exception | None = None
        try:
            while True:
                async with asyncio.timeout(self._idle_timeout):
                    data = await self._reader.read(READ_SIZE)
                if not data:
                    error = ConnectionFailedError("connection closed by the machine")
                    break
                for index, raw in enumerate(splitter.feed(data)):
                    if index:
                        # A push updates every entity of the machine: a read full of
                        # them would hold the event loop for as many updates in one step.
                        await asyncio.sleep(0)
                    if not self._dispatch(raw):
                        error = ConnectionFailedError("the machine hung up")
                        return
        except TimeoutError:
            # Brews pause @TF but still send @TV, so total silence means the link is dead.
            error = ConnectionFailedError(f"no frame for {self._idle_timeout} s")
        except OSError as err:
            error = ConnectionFailedError(f"connection lost: {err}")
        finally:
            if self._pending is not None and not self._pending[1].done():
                self._pending[1].set_exception(error or ConnectionFailedError("session closed"))
            if not self._closing:
                self._on_closed(error)

    def _dispatch(self, raw: bytes) -> bool:
        """Route one frame; False when the peer hung up."""
        try:
            text = decode_frame(raw)
        except ProtocolError as err:
            _LOGGER.debug("Ignoring undecodable frame from %s: %s", self.host, err)
            return True
        self.frames_received += 1
        if text == "":
            return False
        if is_push(text):
            self._on_push(text)
            return True
        pending = self._pending
        if pending is not None and not pending[1].done() and pending[0](text):
            pending[1].set_result(text)
        else:
            _LOGGER.debug("Ignoring unexpected reply %s from %s", text[:6], self.host)
        return True
