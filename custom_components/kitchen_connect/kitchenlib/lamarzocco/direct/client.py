"""Short sessions with one machine: connect, read, listen for pushes, let go.

The machine takes one connection at a time and the official app needs it too, so nothing
stays connected: a read opens a session, reads the memory blocks, listens for the pushed
temperature reports for a bounded time and closes. A write rides the open session if
there is one, else opens a short one. Every step has a deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass
import logging

from ...errors import AuthError, CommandRefusedError, ConnectionFailedError, ProtocolError
from . import memory
from .framing import FrameCipher, FrameSplitter
from .memory import Block, Temperatures
from .messages import Kind, Message, encode_read, encode_write, parse_message
from .writes import Write

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
# The machine notices a hang-up a moment late and drops a connection that comes before:
# a new session waits this long after the last one closed.
RECONNECT_GAP = 0.3
_CHUNK = 4096


class MachineBusyError(ConnectionFailedError):
    """The machine refused or dropped the connection: most likely the app holds it."""


class SilentMachineError(AuthError):
    """The machine took the connection but never answered: it cannot read our key."""


@dataclass(frozen=True)
class Snapshot:
    """Everything one session reads."""

    serial: str
    status: memory.Status
    config: memory.Config
    schedule: memory.Schedule
    drinks: memory.DrinkStats
    usage: memory.Usage
    panel: memory.PanelText
    preinfusion: memory.Preinfusion


type TemperatureListener = Callable[[Temperatures], None]
type FlowListener = Callable[[memory.FlowReport], None]


class DirectSession:
    """One open connection; requests go one at a time."""

    def __init__(
        self,
        client: DirectClient,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self._client = client
        self._reader = reader
        self._writer = writer
        self._request_lock = asyncio.Lock()
        self._pending: tuple[Kind, Block, asyncio.Future[Message]] | None = None
        self._error: Exception | None = None
        self._ended = asyncio.Event()
        self._heard = False
        self._task = asyncio.get_running_loop().create_task(self._read_loop())

    @property
    def timeout(self) -> float:
        """Seconds each request may take."""
        return self._client.timeout

    async def _read_loop(self) -> None:
        splitter = FrameSplitter()
        try:
            while chunk := await self._reader.read(_CHUNK):
                for frame in splitter.feed(chunk):
                    self._dispatch(self._decode(frame))
            self._fail(self._closed_error())
        except (OSError, EOFError) as err:
            self._fail(self._closed_error(err))
        except (ProtocolError, AuthError) as err:
            self._fail(err)

    def _decode(self, frame: bytes) -> Message:
        # A frame that decrypts to no text raises WrongKeyError (an AuthError): the
        # machine's own frames always decrypt with its key, so ours is not (or no longer) it.
        message = parse_message(self._client.cipher.decode(frame))
        self._heard = True
        self._client.key_confirmed = True
        return message

    def _closed_error(self, cause: Exception | None = None) -> ConnectionFailedError:
        if not self._heard:
            return MachineBusyError(
                "the machine dropped the connection before answering; "
                "the La Marzocco app probably holds it"
            )
        return ConnectionFailedError(f"the machine closed the connection ({cause or 'EOF'})")

    def _dispatch(self, message: Message) -> None:
        pending = self._pending
        block = Block(message.address, message.length)
        if pending is not None and pending[0] == message.kind and pending[1] == block:
            if not pending[2].done():
                pending[2].set_result(message)
            return
        if message.kind is Kind.READ and block == memory.TEMPERATURES:
            report = memory.parse_temperatures(message.data)
            if self._client.on_temperatures is not None:
                self._client.on_temperatures(report)
        elif message.kind is Kind.STREAM and block == memory.FLOW:
            flow = memory.parse_flow(message.data)
            if self._client.on_flow is not None:
                self._client.on_flow(flow)
        else:
            _LOGGER.debug("Ignoring an unexpected %s message at %04X", message.kind, block.address)

    def _fail(self, error: Exception) -> None:
        if self._error is None:
            self._error = error
        if self._pending is not None and not self._pending[2].done():
            self._pending[2].set_exception(error)
        self._ended.set()

    async def _request(self, kind: Kind, block: Block, text: str) -> Message:
        async with self._request_lock:
            if self._error is not None:
                raise self._error
            future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
            self._pending = (kind, block, future)
            try:
                self._writer.write(self._client.cipher.encode(text))
                await self._writer.drain()
                async with asyncio.timeout(self.timeout):
                    return await future
            except TimeoutError:
                if not self._client.key_confirmed:
                    raise SilentMachineError(
                        "the machine took the connection but never answered; "
                        "check the machine's key"
                    ) from None
                raise ConnectionFailedError(
                    f"no reply from the machine within {self.timeout:g} s"
                ) from None
            except OSError as err:
                raise self._closed_error(err) from err
            finally:
                self._pending = None

    async def read(self, block: Block) -> bytes:
        """The bytes of one memory block."""
        reply = await self._request(Kind.READ, block, encode_read(block.address, block.length))
        return reply.data

    async def write(self, write: Write) -> None:
        """Poke bytes; CommandRefusedError unless the machine answers ``OK``."""
        block = Block(write.address, len(write.data))
        reply = await self._request(Kind.WRITE, block, encode_write(write.address, write.data))
        if not reply.ok:
            raise CommandRefusedError(
                f"the machine did not accept the write at {write.address:04X}"
            )

    async def read_snapshot(self) -> Snapshot:
        """Every block the integration shows."""
        return Snapshot(
            serial=memory.parse_machine_serial(await self.read(memory.MACHINE_SERIAL)),
            status=memory.parse_status(await self.read(memory.STATUS)),
            config=memory.parse_config(await self.read(memory.CONFIG)),
            schedule=memory.parse_schedule(await self.read(memory.SCHEDULE)),
            drinks=memory.parse_drink_stats(await self.read(memory.DRINK_STATS)),
            usage=memory.parse_usage(await self.read(memory.USAGE)),
            panel=memory.parse_panel_text(await self.read(memory.PANEL_TEXT)),
            preinfusion=memory.parse_preinfusion(await self.read(memory.PREINFUSION)),
        )

    async def listen(self, seconds: float) -> None:
        """Let pushes arrive for ``seconds`` (less if the machine hangs up)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._ended.wait()

    async def close(self) -> None:
        """Hang up so the app can connect (a request still waiting fails)."""
        self._fail(ConnectionFailedError("the session was closed"))
        self._task.cancel()
        self._writer.close()
        with contextlib.suppress(OSError, TimeoutError, asyncio.CancelledError):
            async with asyncio.timeout(self.timeout):
                await self._writer.wait_closed()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class DirectClient:
    """One machine on port 1774, reached in short sessions (one at a time)."""

    def __init__(
        self,
        host: str,
        port: int,
        key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        on_temperatures: TemperatureListener | None = None,
        on_flow: FlowListener | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.cipher = FrameCipher(key)
        self.timeout = timeout
        self.on_temperatures = on_temperatures
        self.on_flow = on_flow
        # Set once a message decrypted: silence after that is taken for a busy or hung
        # machine rather than a wrong key.
        self.key_confirmed = False
        self._lock = asyncio.Lock()
        self._active: DirectSession | None = None
        self._closed_at = -RECONNECT_GAP

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[DirectSession]:
        """An open connection, closed on leaving (the machine has only one)."""
        async with self._lock:
            loop = asyncio.get_running_loop()
            await asyncio.sleep(max(self._closed_at + RECONNECT_GAP - loop.time(), 0))
            try:
                async with asyncio.timeout(self.timeout):
                    reader, writer = await asyncio.open_connection(self.host, self.port)
            except TimeoutError as err:
                raise ConnectionFailedError(
                    "the machine did not take the connection in time"
                ) from err
            except (ConnectionRefusedError, ConnectionResetError) as err:
                raise MachineBusyError(
                    "the machine refused the connection; "
                    "the La Marzocco app may hold it, or it is off"
                ) from err
            except OSError as err:
                raise ConnectionFailedError("the machine is unreachable") from err
            session = DirectSession(self, reader, writer)
            self._active = session
            try:
                yield session
            finally:
                self._active = None
                await session.close()
                self._closed_at = loop.time()

    async def aclose(self) -> None:
        """Hang up the open session, if there is one."""
        if (session := self._active) is not None:
            await session.close()

    async def read(self, listen: float) -> Snapshot:
        """Read every block, listen ``listen`` seconds for pushed temperatures, hang up."""
        async with self.session() as session:
            snapshot = await session.read_snapshot()
            await session.listen(listen)
        return snapshot

    async def write(self, write: Write) -> Snapshot:
        """Poke ``write`` (in the open session if there is one) and read the blocks again."""
        if (session := self._active) is not None:
            await session.write(write)
            return await session.read_snapshot()
        async with self.session() as session:
            await session.write(write)
            return await session.read_snapshot()
