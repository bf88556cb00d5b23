"""A GS/3 AV or Linea Mini on the raw TCP protocol of the oldest gateways (port 1774).

It behaves like the machine, not like our client: it holds one connection at a time and
drops any other at once, stays silent on what it cannot decrypt or check, pushes its
temperature report while it is on, answers writes with ``OK`` and keeps a memory map
that reads back what was written. Its crypto and message code are its own, so the
client's are checked against an independent implementation.

``python -m simulators.lamarzocco.direct_machine`` serves one machine until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
from collections.abc import Coroutine, Sequence
import contextlib
from dataclasses import dataclass
import string
from typing import Any, Final

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .. import secrets_ledger
from ..lifecycle import HOST, Simulator

DEFAULT_KEY: Final = "0123456789abcdef0123456789abcdef"  # the reference's dummy key
GS3_AV: Final = "GS3AV"
LINEA_MINI: Final = "LINEAMINI"
_SERIALS = {GS3_AV: "GS012345", LINEA_MINI: "LM012345"}
_HEX = frozenset(string.hexdigits.upper())

# Where the blocks live.
CONFIG_AT, DRINKS_AT, USAGE_AT, PREINFUSION_AT = 0x0000, 0x0020, 0x0050, 0x00E2
STEAM_BOILER_AT, SERIAL_AT, SCHEDULE_AT = 0x00E1, 0x0100, 0x0310
STATUS_AT, TEMPERATURES_AT, PANEL_AT, FLOW_AT = 0x4000, 0x401C, 0x60EF, 0x6000

# Degrees per second at time scale 1 (a GS/3 needs about ten minutes from cold).
COFFEE_RATE = 0.12
STEAM_RATE = 0.2
ROOM = 20.0
BACKFLUSH_SECONDS = 30.0


def _check(text: str) -> str:
    total = 0
    for char in text:
        total += ord(char)
    return format(total & 0xFF, "02X")


@dataclass
class _Link:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter


class DirectMachineSimulator(Simulator):
    """One machine on 127.0.0.1; ``port`` after ``start`` (0 picks a free one)."""

    def __init__(
        self,
        *,
        model: str = GS3_AV,
        key: str = DEFAULT_KEY,
        serial: str | None = None,
        module_serial: str = "Sn2307000123",
        time_scale: float = 1.0,
        push_interval: float = 1.0,
        port: int = 0,
    ) -> None:
        self.model = model
        self.serial = serial or _SERIALS.get(model, "GS012345")
        self.module_serial = module_serial
        self.time_scale = time_scale
        self.push_interval = push_interval
        self._wanted_port = port
        self._aes = algorithms.AES(key.encode("latin-1"))
        secrets_ledger.record("La Marzocco machine key", key)
        secrets_ledger.record("La Marzocco serial number", self.serial, module_serial)
        self.memory = bytearray(0x10000)
        self.coffee = ROOM
        self.steam = ROOM
        self.water_ok = True
        self.steam_enabled = True
        self.backflush_left = 0.0
        self.brewing_key = 0
        # Switches for tests.
        self.app_holds = False  # "the app" holds the machine: every connection is dropped
        self.silent = False  # the machine takes connections and never answers
        # What happened, for tests.
        self.writes: list[tuple[int, bytes]] = []
        self.accepted = 0
        self.dropped = 0
        self.ignored = 0  # messages it could not decrypt or check, or did not answer
        self.pushes = 0
        self._link: _Link | None = None
        self._free = asyncio.Event()
        self._free.set()
        self._held = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._factory_settings()

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port served (0 before start)."""
        if self._server is None:
            return 0
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def connected(self) -> bool:
        """Whether a client holds the machine's one connection."""
        return self._link is not None

    async def wait_released(self, timeout: float = 1.0) -> None:
        """Wait until no client holds the machine (TimeoutError after ``timeout``)."""
        async with asyncio.timeout(timeout):
            await self._free.wait()

    async def wait_connected(self, timeout: float = 2.0) -> None:
        """Wait until a client holds the machine (TimeoutError after ``timeout``)."""
        async with asyncio.timeout(timeout):
            await self._held.wait()

    async def start(self) -> None:
        """Listen on 127.0.0.1 and start the machine's clock."""
        self._server = await asyncio.start_server(self._accept, HOST, self._wanted_port)
        self._spawn(self._clock())

    async def stop(self) -> None:
        """Drop the connection, stop listening and stop the clock."""
        if self._server is not None:
            self._server.close()
        if self._link is not None:
            self._link.writer.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await self._server.wait_closed()
            self._server = None

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- memory ------------------------------------------------------------------------------

    def _factory_settings(self) -> None:
        mem = self.memory
        mem[CONFIG_AT] = 0  # standby
        mem[0x07:0x09] = (935).to_bytes(2)
        mem[0x09:0x0B] = (1240).to_bytes(2)
        mem[0x0B] = 1  # prebrew
        mem[0x0C:0x10] = bytes([20, 20, 15, 10])
        mem[0x10:0x14] = bytes([30, 30, 25, 20])
        for key, pulses in enumerate((60, 120, 80, 160, 999)):
            mem[0x14 + 2 * key : 0x16 + 2 * key] = pulses.to_bytes(2)
        mem[0x1E] = 8
        counters = (120, 80, 30, 10, 5, 245, 40, 0, 300, 40, 38)
        for index, value in enumerate(counters):
            mem[DRINKS_AT + 4 * index : DRINKS_AT + 4 * index + 4] = value.to_bytes(4)
        for index, value in enumerate((5400, 3100, 720000, 310, 9000, 1200)):
            mem[USAGE_AT + 4 * index : USAGE_AT + 4 * index + 4] = value.to_bytes(4)
        mem[PREINFUSION_AT : PREINFUSION_AT + 4] = bytes([40, 40, 30, 20])
        mem[SERIAL_AT : SERIAL_AT + 17] = self.serial.encode("ascii").ljust(17, b"\0")
        mem[SCHEDULE_AT] = 0b0011_1111  # on, Monday to Friday
        for day in range(7):
            mem[SCHEDULE_AT + 1 + 2 * day : SCHEDULE_AT + 3 + 2 * day] = bytes([6, 22])
            mem[SCHEDULE_AT + 15 + 2 * day : SCHEDULE_AT + 17 + 2 * day] = bytes([30, 15])

    @property
    def power(self) -> bool:
        """Whether the machine is on (not in standby)."""
        return self.memory[CONFIG_AT] != 0

    def target(self, offset: int) -> float:
        """A boiler target from the configuration block (7 coffee, 9 steam)."""
        return int.from_bytes(self.memory[offset : offset + 2]) / 10

    def config_byte(self, offset: int) -> int:
        """One byte of the configuration block."""
        return self.memory[CONFIG_AT + offset]

    def schedule_bytes(self) -> bytes:
        """The auto on/off block as the machine would answer it."""
        return bytes(self.memory[SCHEDULE_AT : SCHEDULE_AT + 0x1D])

    def _heaters(self) -> int:
        bits = 0
        if self.power and self.coffee < self.target(7) - 0.05:
            bits |= 0x20
        if self.power and self.steam_enabled and self.steam < self.target(9) - 0.05:
            bits |= 0x40
        if bits:
            bits |= 0x10
        if self.brewing_key or self.backflush_left > 0:
            bits |= 0x01 | 0x02
        return bits

    def _status(self) -> bytes:
        data = bytearray(0x23)
        data[1] = 120  # firmware 1.20
        data[3:15] = self.module_serial.encode("ascii")[:12].ljust(12, b"\0")
        data[17] = self.brewing_key
        data[24] = 1 if self.water_ok else 0
        data[27] = self._heaters()
        data[34] = 1 if self.steam_enabled else 0
        return bytes(data)

    def _temperatures(self) -> bytes:
        return round(self.coffee * 10).to_bytes(2) + round(self.steam * 10).to_bytes(2)

    def panel_text(self) -> str:
        """What the front panel shows."""
        if self.backflush_left > 0:
            return "BACKFLUSH"
        if not self.power:
            return "STANDBY"
        mark = "\xff" if self._heaters() & 0x20 else "\xdb"
        return f"{mark} {self.coffee:5.1f}\xdfC"

    def _read(self, address: int, length: int) -> bytes:
        if address == STATUS_AT:
            return self._status()[:length]
        if (address, length) == (TEMPERATURES_AT, 4):
            return self._temperatures()
        if address == PANEL_AT:
            return self.panel_text().encode("latin-1")[:length].ljust(length, b" ")
        return bytes(self.memory[address : address + length]).ljust(length, b"\0")

    def _write(self, address: int, data: bytes) -> None:
        self.writes.append((address, data))
        if address == STEAM_BOILER_AT and len(data) == 1:
            if data[0] == 0x82:
                self.backflush_left = BACKFLUSH_SECONDS
            else:
                self.steam_enabled = bool(data[0] & 0x80)
            return
        self.memory[address : address + len(data)] = data

    def change_key(self, key: str) -> None:
        """The machine gets a new key (as when it moved to another account)."""
        self._aes = algorithms.AES(key.encode("latin-1"))
        secrets_ledger.record("La Marzocco machine key", key)

    # --- the machine's clock -----------------------------------------------------------------

    async def _clock(self) -> None:
        while True:
            await asyncio.sleep(self.push_interval)
            self.tick(self.push_interval * self.time_scale)
            if self.power and self._link is not None:
                self._send(self._link, self._reply("R", TEMPERATURES_AT, 4, self._temperatures()))
                self.pushes += 1

    def tick(self, seconds: float) -> None:
        """Let ``seconds`` of machine time pass: boilers heat or cool, backflush runs."""
        coffee_goal = self.target(7) if self.power else ROOM
        steam_goal = self.target(9) if self.power and self.steam_enabled else ROOM
        self.coffee = _approach(self.coffee, coffee_goal, COFFEE_RATE * seconds)
        self.steam = _approach(self.steam, steam_goal, STEAM_RATE * seconds)
        self.backflush_left = max(self.backflush_left - seconds, 0.0)

    async def push_temperatures(self) -> None:
        """Push one temperature report now (as the clock does), if a client is connected."""
        if self._link is not None:
            self._send(self._link, self._reply("R", TEMPERATURES_AT, 4, self._temperatures()))
            await self._link.writer.drain()
            self.pushes += 1

    async def stream_shot(self, key: int, seconds: Sequence[float]) -> None:
        """Stream one ``Z`` flow report per elapsed time of a shot on ``key``, then count it."""
        for index, elapsed in enumerate(seconds):
            if self._link is None:
                break
            data = self.module_serial.encode("ascii")[:12].ljust(12, b"\0")
            data += bytes([key, 1]) + round(elapsed * 16).to_bytes(2)
            data += (10 * (index + 1)).to_bytes(2) + self._temperatures()
            self._send(self._link, self._reply("Z", FLOW_AT, len(data), data))
            await self._link.writer.drain()
        self.brew(key)

    def brew(self, key: int) -> None:
        """Count one coffee of ``key`` (1-4, 5 continuous) in the drink counters."""
        for index in (key - 1, 5, 8):
            at = DRINKS_AT + 4 * index
            count = int.from_bytes(self.memory[at : at + 4]) + 1
            self.memory[at : at + 4] = count.to_bytes(4)

    # --- the wire ----------------------------------------------------------------------------

    def _seal(self, text: str) -> bytes:
        plain = text.encode("ascii")
        plain += b"\0" * (-len(plain) % 16)
        encryptor = Cipher(self._aes, modes.CBC(b"\0" * 16)).encryptor()
        return b"@" + base64.b64encode(encryptor.update(plain) + encryptor.finalize()) + b"%"

    def _open(self, frame: bytes) -> str | None:
        try:
            sealed = base64.b64decode(frame[1:-1], validate=True)
        except binascii.Error, ValueError:
            return None
        if not sealed or len(sealed) % 16:
            return None
        decryptor = Cipher(self._aes, modes.CBC(b"\0" * 16)).decryptor()
        plain = (decryptor.update(sealed) + decryptor.finalize()).split(b"\0")[0]
        try:
            return plain.decode("ascii")
        except UnicodeDecodeError:
            return None

    def _reply(self, kind: str, address: int, length: int, data: bytes | str) -> str:
        payload = data if isinstance(data, str) else data.hex().upper()
        text = f"{kind}{address:04X}{length:04X}{payload}"
        return text + _check(text)

    def _send(self, link: _Link, text: str) -> None:
        if not link.writer.is_closing():
            link.writer.write(self._seal(text))

    def handle(self, text: str) -> str | None:
        """The machine's answer to one plaintext message; None: it stays silent."""
        if len(text) < 11 or text[0] not in "RW" or not set(text[1:]) <= _HEX:
            return None
        if _check(text[:-2]) != text[-2:]:
            return None
        address, length = int(text[1:5], 16), int(text[5:9], 16)
        payload = text[9:-2]
        if text[0] == "R":
            return (
                None if payload else self._reply("R", address, length, self._read(address, length))
            )
        if len(payload) != 2 * length or length == 0 or address + length > len(self.memory):
            return None
        self._write(address, bytes.fromhex(payload))
        return self._reply("W", address, length, "OK")

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.app_holds or self._link is not None:
            # One connection at a time: the machine hangs up on any other at once.
            self.dropped += 1
            writer.close()
            return
        self.accepted += 1
        link = _Link(reader, writer)
        self._link = link
        self._free.clear()
        self._held.set()
        try:
            await self._serve(link)
        finally:
            self._link = None
            self._held.clear()
            self._free.set()
            writer.close()

    async def _serve(self, link: _Link) -> None:
        buffer = b""
        with contextlib.suppress(OSError):
            while chunk := await link.reader.read(4096):
                buffer += chunk
                while (end := buffer.find(b"%")) >= 0:
                    start = buffer.rfind(b"@", 0, end)
                    frame, buffer = buffer[start : end + 1], buffer[end + 1 :]
                    text = self._open(frame) if start >= 0 else None
                    answer = None if text is None or self.silent else self.handle(text)
                    if answer is None:
                        self.ignored += 1
                    else:
                        self._send(link, answer)
                        await link.writer.drain()


def _approach(value: float, goal: float, step: float) -> float:
    if value < goal:
        return min(value + step, goal)
    return max(value - step, goal)


async def _serve_forever(args: argparse.Namespace) -> None:
    machine = DirectMachineSimulator(
        model=args.model, key=args.key, time_scale=args.time_scale, port=args.port
    )
    async with machine:
        print(f"{machine.model} on {HOST}:{machine.port}", flush=True)
        await asyncio.Event().wait()


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m simulators.lamarzocco.direct_machine``."""
    parser = argparse.ArgumentParser(
        prog="python -m simulators.lamarzocco.direct_machine",
        description="A GS/3 AV or Linea Mini on the raw TCP protocol, on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=1774, help="TCP port (0: any)")
    parser.add_argument("--model", choices=(GS3_AV, LINEA_MINI), default=GS3_AV)
    parser.add_argument("--key", default=DEFAULT_KEY, help="the machine's key (16/24/32 chars)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="heat this much faster")
    return parser


async def serve(argv: Sequence[str] | None = None) -> None:
    """Serve one machine until cancelled."""
    await _serve_forever(build_parser().parse_args(argv))


def main(argv: Sequence[str] | None = None) -> None:
    """Serve one machine until interrupted."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(argv))


if __name__ == "__main__":
    main()
