"""A loopback Jura machine that speaks the real dongle protocol, for tests and demos.

Run it with ``python -m simulators.jura.simulator``.
It only ever listens on a loopback address.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Coroutine, Sequence
import contextlib
from datetime import date
import ipaddress
import secrets
import socket
import struct
from typing import Any

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError, ProtocolError
from custom_components.kitchen_connect.kitchenlib.jura.discovery import (
    DISCOVERY_PORT,
    FLAG_IDLE,
    FLAG_READY,
    FLAG_STANDBY,
    build_discovery_reply,
    parse_request,
)
from custom_components.kitchen_connect.kitchenlib.jura.framing import (
    FrameSplitter,
    decode_frame,
    encode_frame,
)
from custom_components.kitchen_connect.kitchenlib.jura.messages import (
    CANCEL,
    ENJOY_STATE,
    HANGUP,
    MAINTENANCE_COUNTERS,
    MAINTENANCE_PERCENT,
    REFUSAL,
    TOKEN_LENGTH,
    encode_progress,
)
from custom_components.kitchen_connect.kitchenlib.jura.models import (
    MachineProfile,
    Process,
    ProductDef,
)

from .. import secrets_ledger
from ..lifecycle import Simulator
from .sim_machine import ENERGY_SAFE_BIT, READY_BIT, SimulatedMachine

GRINDING_STATE = 0x39
WATER_STATE = 0x3C
ENJOY_REPEATS = 5
WATER_PERCENTS = (25, 50, 75, 100)
# Maintenance progress was never captured on hardware (jura.md §7); this running
# state is the simulator's own placeholder. The terminal states are documented.
PROCESS_RUNNING_STATE = 0x70
PROCESS_PERCENTS = (0, 50, 100)
PROCESS_DONE_STATES: dict[Process, int] = {
    Process.CAPPU_RINSE: 0x0B,
    Process.DESCALE: 0x56,
    Process.FILTER_CHANGE: 0x65,
    Process.CLEANING: 0x76,
    Process.CAPPU_CLEAN: 0x95,
}
PROCESS_VERBS: dict[str, Process] = {
    "@TG:24": Process.CLEANING,
    "@TG:25": Process.DESCALE,
    "@TG:26": Process.FILTER_CHANGE,
    "@TG:21": Process.CAPPU_CLEAN,
    "@TG:23": Process.CAPPU_RINSE,
    "@TG:22": Process.COFFEE_RINSE,
}
# The reads behind the counter sensors; ``refuse_counter_reads`` makes the machine refuse them.
COUNTER_READS = frozenset({MAINTENANCE_COUNTERS, MAINTENANCE_PERCENT})
DONGLE_FIRMWARE = "TT237W V08.27"  # the generation that answers UDP
PRODUCTION_DATE = date(2021, 3, 15)
_READ_CHUNK = 4096


def _require_loopback(host: str) -> None:
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InvalidValueError(f"the simulator only listens on loopback, not {host!r}")


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close a connection with a TCP reset, as the dongle does to a second client."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class _Session:
    """One client connection."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.hello = False  # an @HP request arrived, so status pushes may flow
        self.authenticated = False
        self.pairing: asyncio.Future[None] | None = None
        self.push_wakeup = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()

    def send(self, text: str) -> None:
        if not self.writer.is_closing():
            self.writer.write(encode_frame(text))

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


class _DiscoveryResponder(asyncio.DatagramProtocol):
    def __init__(self, simulator: JuraSimulator) -> None:
        self._simulator = simulator
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self._transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        try:
            parse_request(data)
        except ProtocolError:
            return
        if self._transport is not None:
            self._transport.sendto(self._simulator.discovery_reply(), addr)


class JuraSimulator(Simulator):
    """A simulated machine: one TCP session at a time, pairing, pushes, brews, care processes."""

    def __init__(
        self,
        profile: MachineProfile,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        pin: str = "",
        auto_confirm_pairing: bool = False,
        push_interval: float = 2.05,
        brew_step_interval: float = 2.0,
        reconnect_gap: float = 0.0,
        name: str = "Simulated Jura",
        article: int | None = None,
        serial_number: int = 4242,
        machine_number: int = 1,
        filter_installed: bool = False,
    ) -> None:
        _require_loopback(host)
        self.profile = profile
        self.machine = SimulatedMachine(profile, filter_installed=filter_installed)
        self.pin = pin
        self.auto_confirm_pairing = auto_confirm_pairing
        self.push_interval = push_interval
        self.brew_step_interval = brew_step_interval
        self.reconnect_gap = reconnect_gap
        self.name = name
        self.article = article if article is not None else next(iter(profile.articles), 0)
        self.serial_number = serial_number
        self.machine_number = machine_number
        secrets_ledger.record("Jura PIN", pin)
        secrets_ledger.record("Jura serial number", str(serial_number))
        self.display_asleep = False  # pairing requests are never answered
        self.settings_menu_open = False  # pairing requests are refused
        self.refuse_sessions = False  # even paired clients get ABORTED (e.g. the app holds it)
        self.refuse_counter_reads = False  # @TG:43 and @TG:C0 get the generic refusal
        # Prefixes of commands the machine receives but never answers nor acts on, the way
        # firmware treats verbs it does not implement; tests use it for a known command.
        self.ignored_commands: set[str] = set()
        # Prefix -> seconds the machine takes before it acts on and answers a command
        # (the session keeps pushing meanwhile; later commands wait their turn).
        self.reply_delays: dict[str, float] = {}
        # Command -> the exact text answered instead of the normal reply (odd firmware).
        self.reply_overrides: dict[str, str] = {}
        self.commands: list[str] = []
        self.connections = 0  # TCP connections the dongle saw, welcome or reset
        self.pairing_requested = asyncio.Event()  # set while the Connect prompt shows
        self._host = host
        self._requested_port = port
        self._tokens: dict[str, str] = {}  # conn-id hex -> token
        self._server: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._session: _Session | None = None
        self._handlers: set[asyncio.Task[Any]] = set()
        self._last_close: float | None = None
        self._activity: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._brewing_code: int | None = None
        self._progress: str | None = None

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen for TCP sessions."""
        self._server = await asyncio.start_server(
            self._on_connect, self._host, self._requested_port, family=socket.AF_INET
        )
        # A restarted simulator comes back where the machine was, like a real one.
        self._requested_port = self.port

    async def stop(self) -> None:
        """Stop listening, drop the session and any running product."""
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        await self._stop_activity()
        server, self._server = self._server, None
        if server is not None:
            server.close()
        self.drop_session()
        if self._handlers:
            await asyncio.gather(*self._handlers, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    @property
    def host(self) -> str:
        """The loopback address the simulator listens on."""
        return self._host

    @property
    def port(self) -> int:
        """The TCP port actually bound (useful with ``port=0``)."""
        if self._server is None or not self._server.sockets:
            return self._requested_port
        return int(self._server.sockets[0].getsockname()[1])

    async def async_start_discovery_responder(self, port: int = 0) -> int:
        """Answer UDP scan probes and status polls; return the bound UDP port."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _DiscoveryResponder(self), local_addr=(self._host, port), family=socket.AF_INET
        )
        self._udp = transport
        return int(transport.get_extra_info("sockname")[1])

    # --- test controls -----------------------------------------------------------------------

    @property
    def alerts(self) -> frozenset[int]:
        """The status bits currently set."""
        return frozenset(self.machine.alerts)

    def set_alert(self, bit: int, on: bool = True) -> None:
        """Raise or clear one status bit."""
        if on:
            self.machine.alerts.add(bit)
        else:
            self.machine.alerts.discard(bit)

    @property
    def ignores_standby(self) -> bool:
        """Whether ``@AN:02`` gets no answer and leaves the machine on (the S8 EB's way)."""
        return self.machine.ignores_standby

    @ignores_standby.setter
    def ignores_standby(self, ignores: bool) -> None:
        self.machine.ignores_standby = ignores

    @property
    def settings(self) -> dict[int, str]:
        """Current setting values (argument -> wire hex)."""
        return dict(self.machine.settings)

    def remove_setting(self, argument: int) -> None:
        """Firmware without this setting, although the model's profile declares it."""
        self.machine.settings.pop(argument, None)

    def set_setting(self, argument: int, value_hex: str) -> None:
        """Change a setting as if done on the machine's own display."""
        self.machine.settings[argument] = value_hex.upper()

    @property
    def product_counters(self) -> dict[int, int]:
        """Product counters by slot (0 = total)."""
        return dict(self.machine.product_counters)

    @property
    def maintenance_counters(self) -> dict[Process, int]:
        """How often each care process has run."""
        return dict(self.machine.maintenance_counters)

    def set_maintenance_percent(self, process: Process, value: int | None) -> None:
        """Set how due a care process is (None = not applicable)."""
        self.machine.maintenance_percent[process] = value

    @property
    def brewing(self) -> bool:
        """Whether a product is being made."""
        return self._brewing_code is not None

    @property
    def busy(self) -> bool:
        """Whether a product or care process is running."""
        return self._activity is not None

    async def wait_idle(self) -> None:
        """Return once no product or care process is running."""
        await self._idle.wait()

    @property
    def connected(self) -> bool:
        """Whether a client session is open."""
        return self._session is not None

    def forget_tokens(self) -> None:
        """The machine forgets every pairing."""
        self._tokens.clear()

    def press_ok(self) -> bool:
        """Confirm the Connect prompt; False when no prompt is showing."""
        session = self._session
        if session is None or session.pairing is None or session.pairing.done():
            return False
        session.pairing.set_result(None)
        return True

    def clear_commands(self) -> None:
        """Forget the recorded commands."""
        self.commands.clear()

    def drop_session(self) -> None:
        """Cut the current client connection abruptly (a panel lock survives this)."""
        session = self._session
        if session is not None:
            _reset(session.writer)
            self._detach(session)

    def brew_at_machine(self, product_key: str) -> None:
        """Start a product from the machine's own display (no session needed)."""
        product = self.profile.product_by_key(product_key)
        if product is None or self.busy:
            raise InvalidValueError(f"cannot start {product_key!r} now")
        self._push("@TB")
        self._brewing_code = product.code
        self._begin_activity(self._brew(product))

    def push_now(self) -> None:
        """Push a ``@TF`` status frame immediately."""
        if self._session is not None:
            self._push_status(self._session)

    def discovery_reply(self) -> bytes:
        """The UDP reply describing the machine right now."""
        alerts = self.machine.alerts
        flags = (
            (0 if self.busy else FLAG_IDLE)
            | (FLAG_READY if READY_BIT in alerts else 0)
            | (FLAG_STANDBY if ENERGY_SAFE_BIT in alerts else 0)
        )
        payload = self._progress if self.busy and self._progress else self.machine.status_hex()
        return build_discovery_reply(
            dongle_firmware=DONGLE_FIRMWARE,
            name=self.name,
            machine_firmware=f"{self.profile.ef_code} V01.00",
            article=self.article,
            machine_number=self.machine_number,
            serial_number=self.serial_number,
            production_date=PRODUCTION_DATE,
            flags=flags,
            status=bytes.fromhex(payload),
        )

    # --- connection handling -----------------------------------------------------------------

    def _too_soon(self) -> bool:
        if self.reconnect_gap <= 0 or self._last_close is None:
            return False
        return asyncio.get_running_loop().time() - self._last_close < self.reconnect_gap

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self._session is not None or self._too_soon() or self._server is None:
            _reset(writer)
            return
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        session = _Session(writer)
        self._session = session
        session.spawn(self._push_loop(session))
        try:
            await self._serve(session, reader)
        except ConnectionError:
            pass
        finally:
            self._detach(session)
            writer.close()
            self._handlers.discard(task)

    def _detach(self, session: _Session) -> None:
        """Forget a session at once, so that a new client is welcome right away."""
        for child in list(session.tasks):
            child.cancel()
        if self._session is session:
            self._session = None
            self.pairing_requested.clear()
            self._last_close = asyncio.get_running_loop().time()

    async def _serve(self, session: _Session, reader: asyncio.StreamReader) -> None:
        splitter = FrameSplitter()
        while data := await reader.read(_READ_CHUNK):
            for raw in splitter.feed(data):
                try:
                    text = decode_frame(raw)
                except ProtocolError:
                    continue
                self.commands.append(text)
                if text == HANGUP:
                    return
                if delay := self._reply_delay(text):
                    await asyncio.sleep(delay)
                keep_open = (
                    self._handle(session, text)
                    if session.authenticated
                    else self._handshake(session, text)
                )
                if not keep_open:
                    return

    async def _push_loop(self, session: _Session) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.push_interval):
                    await session.push_wakeup.wait()
            session.push_wakeup.clear()
            self._push_status(session)

    def _push_status(self, session: _Session) -> None:
        if session.hello and not self.busy:
            session.send("@TF:" + self.machine.status_hex())

    def _push(self, text: str) -> None:
        session = self._session
        if session is not None and session.authenticated:
            session.send(text)

    # --- pairing -----------------------------------------------------------------------------

    def _handshake(self, session: _Session, text: str) -> bool:
        """Answer ``@HP:<pin>,<conn-id>,<token>``; False closes the connection."""
        if not text.startswith("@HP:"):
            return True  # frames before the handshake are ignored
        parts = text[4:].split(",")
        if len(parts) != 3:
            return True
        session.hello = True
        pin, conn_id, token = parts[0], parts[1].upper(), parts[2].upper()
        if pin != self.pin:
            session.send("@hp5:00")
            return False
        if token:
            if self.refuse_sessions:
                session.send("@hp5:02")
                return False
            if self._tokens.get(conn_id) == token:
                session.send("@hp4")
                self._authenticated(session)
                return True
            session.send("@hp5:01")
            return False
        if conn_id in self._tokens or self.settings_menu_open:
            session.send("@hp5:02")
            return False
        if self.display_asleep or session.pairing is not None:
            return True
        if self.auto_confirm_pairing:
            self._complete_pairing(session, conn_id)
            return True
        session.pairing = asyncio.get_running_loop().create_future()
        self.pairing_requested.set()
        session.spawn(self._await_ok(session, session.pairing, conn_id))
        return True

    async def _await_ok(
        self, session: _Session, pressed: asyncio.Future[None], conn_id: str
    ) -> None:
        await pressed
        self.pairing_requested.clear()
        self._complete_pairing(session, conn_id)

    def _complete_pairing(self, session: _Session, conn_id: str) -> None:
        token = secrets.token_hex(TOKEN_LENGTH // 2).upper()
        secrets_ledger.record("Jura token", token)
        self._tokens[conn_id] = token
        session.send("@hp4:" + token)
        self._authenticated(session)

    def _authenticated(self, session: _Session) -> None:
        session.authenticated = True
        self._push_status(session)

    # --- commands ----------------------------------------------------------------------------

    def _reply_delay(self, text: str) -> float:
        return max(
            (delay for prefix, delay in self.reply_delays.items() if text.startswith(prefix)),
            default=0.0,
        )

    def _handle(self, session: _Session, text: str) -> bool:
        if any(text.startswith(prefix) for prefix in self.ignored_commands):
            return True
        if text in self.reply_overrides:
            session.send(self.reply_overrides[text])
        elif text.startswith("@TP:"):
            self._start_brew(session, text[4:])
        elif text in PROCESS_VERBS:
            self._start_process(session, text)
        elif text == CANCEL:
            self._cancel(session)
        elif (text in COUNTER_READS and self.refuse_counter_reads) or text.startswith("@HP:"):
            session.send(REFUSAL)
        else:
            reply = self.machine.reply(text)
            if reply is not None:
                session.send(reply)
        return True

    def _start_brew(self, session: _Session, blob_hex: str) -> None:
        if self.busy:
            session.send(REFUSAL)
            return
        product = self.machine.recipe_product(blob_hex)
        if product is None:
            session.send("@tp:00")
            return
        if self.machine.is_blocked(product):
            session.send(REFUSAL)
            return
        self.machine.alerts.discard(ENERGY_SAFE_BIT)  # a brew wakes the machine
        session.send("@tp")
        self._push("@TB")
        self._brewing_code = product.code
        self._begin_activity(self._brew(product))

    def _start_process(self, session: _Session, verb: str) -> None:
        process = PROCESS_VERBS[verb]
        declared = {item for item, _ in self.profile.processes}
        if process not in declared and process not in self.profile.maintenance_counter_fields:
            session.send(REFUSAL)
            return
        if self.busy:
            session.send(REFUSAL)
            return
        session.send(verb.replace("@TG", "@tg"))
        code = int(verb[4:], 16)
        self._begin_activity(self._run_process(process, code))

    def _cancel(self, session: _Session) -> None:
        activity = self._activity
        self._end_activity()
        if activity is not None:
            activity.cancel()
        session.send("@tg:FF")
        self._push_status(session)

    async def _stop_activity(self) -> None:
        activity = self._activity
        self._end_activity()
        if activity is not None:
            activity.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await activity

    def _begin_activity(self, steps: Coroutine[Any, Any, None]) -> None:
        self._idle.clear()
        self._activity = asyncio.create_task(steps)

    def _end_activity(self) -> None:
        self._idle.set()
        self._activity = None
        self._brewing_code = None
        self._progress = None

    def _push_progress(self, payload: str) -> None:
        self._progress = payload
        self._push("@TV:" + payload)

    async def _brew(self, product: ProductDef) -> None:
        code = product.code
        steps = [encode_progress(GRINDING_STATE, code, 0)]
        steps += [encode_progress(WATER_STATE, code, percent) for percent in WATER_PERCENTS]
        for payload in steps:
            self._push_progress(payload)
            await asyncio.sleep(self.brew_step_interval)
        self.machine.record_brew(code)
        for _ in range(ENJOY_REPEATS):
            self._push_progress(encode_progress(ENJOY_STATE, code))
            await asyncio.sleep(self.brew_step_interval)
        self._end_activity()
        self._push("@TS")  # seen on hardware right before @TF resumes; meaning unknown
        if self._session is not None:
            self._push_status(self._session)

    async def _run_process(self, process: Process, code: int) -> None:
        for percent in PROCESS_PERCENTS:
            self._push_progress(encode_progress(PROCESS_RUNNING_STATE, code, percent))
            await asyncio.sleep(self.brew_step_interval)
        self.machine.record_process(process)
        done_state = PROCESS_DONE_STATES.get(process)
        if done_state is not None:
            self._push_progress(encode_progress(done_state, code))
            await asyncio.sleep(self.brew_step_interval)
        self._end_activity()
        if self._session is not None:
            self._push_status(self._session)


# --- command line --------------------------------------------------------------------------


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Simulated Jura machine on a loopback address.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=DISCOVERY_PORT, help="TCP port")
    parser.add_argument("--discovery-port", type=int, default=DISCOVERY_PORT, help="UDP port")
    parser.add_argument("--model", default="EF1091", help="EF code of the simulated model")
    parser.add_argument("--auto-ok", action="store_true", help="confirm pairing at once")
    parser.add_argument("--pin", default="", help="setup PIN the machine expects")
    args = parser.parse_args(argv)
    try:
        _require_loopback(args.host)
    except InvalidValueError as err:
        parser.error(str(err))
    return args


async def _run_forever(args: argparse.Namespace) -> None:
    from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile

    profile = get_profile(args.model)
    if profile is None:
        raise SystemExit(f"unknown model {args.model!r}")
    simulator = JuraSimulator(
        profile,
        host=args.host,
        port=args.port,
        pin=args.pin,
        auto_confirm_pairing=args.auto_ok,
    )
    async with simulator:
        udp_port = await simulator.async_start_discovery_responder(args.discovery_port)
        print(
            f"Simulated Jura {profile.name} ({profile.ef_code}) listening on "
            f"tcp {simulator.host}:{simulator.port}, udp {simulator.host}:{udp_port}",
            flush=True,
        )
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the simulator until interrupted."""
    args = _parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_forever(args))


if __name__ == "__main__":
    main()
