"""A Jura machine over WiFi: session rules, pushed state and commands."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
import dataclasses
import logging

from ..errors import (
    AuthError,
    CommandRefusedError,
    ConnectionFailedError,
    InvalidValueError,
    ProtocolError,
)
from . import messages, session_gap
from .connection import DEFAULT_PORT, JuraConnection, ReplyTimeoutError
from .messages import HandshakeOutcome
from .models import MachineProfile, MachineState, Process, SettingDef, SettingValue

_LOGGER = logging.getLogger(__name__)

HANDSHAKE_TIMEOUT = 15.0
PAIRING_TIMEOUT = 60.0
REQUEST_TIMEOUT = 6.0
DEFAULT_RECONNECT_GAP = 10.0
# How long standby waits for an answer: some dongles take @AN:02 without one.
STANDBY_REPLY_WAIT = 2.0


class SessionRefusedError(ConnectionFailedError):
    """The machine answered but refused a session (menu open, another app connected)."""


def _is_reply_to(prefix: str) -> Callable[[str], bool]:
    lowered = prefix.lower()
    return lambda text: text.lower().startswith(lowered)


class JuraMachine:
    """Holds one session at a time and keeps :attr:`state` current from pushes.

    ``on_update`` is called with a new :class:`MachineState` whenever it changes;
    ``on_disconnect`` when an open session ends for any reason but :meth:`disconnect`.
    ``panel_lock`` is the lock the owner asked for earlier (e.g. before a restart): a
    locked panel is then left alone instead of being taken for a leaked lock.
    """

    def __init__(
        self,
        host: str,
        profile: MachineProfile,
        *,
        conn_id: str,
        token: str,
        pin: str = "",
        port: int = DEFAULT_PORT,
        reconnect_gap: float = DEFAULT_RECONNECT_GAP,
        idle_timeout: float = 30.0,
        request_timeout: float = REQUEST_TIMEOUT,
        panel_lock: bool = False,
        on_update: Callable[[MachineState], None] | None = None,
        on_disconnect: Callable[[Exception | None], None] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.profile = profile
        self._conn_id = conn_id
        self._token = token
        self._pin = pin
        self.reconnect_gap = reconnect_gap
        self._idle_timeout = idle_timeout
        self._request_timeout = request_timeout
        self.on_update = on_update
        self.on_disconnect = on_disconnect
        self._connection: JuraConnection | None = None
        self._status_seen = False
        self._status_or_closed = asyncio.Event()
        self._unsupported_settings: set[int] = set()
        self._unreadable_settings: set[int] = set()
        self._unlock_task: asyncio.Task[None] | None = None
        self._release_logged = False
        self.lock_wanted = panel_lock
        self.state = MachineState()

    @property
    def connected(self) -> bool:
        """True while an authenticated session is open."""
        return self._connection is not None and self._connection.is_open

    @property
    def unsupported_settings(self) -> frozenset[int]:
        """Settings of the profile that this machine's firmware does not implement."""
        return frozenset(self._unsupported_settings)

    @property
    def unreadable_settings(self) -> frozenset[int]:
        """Settings whose last read failed; they show no value until one succeeds."""
        return frozenset(self._unreadable_settings)

    async def connect(self) -> None:
        """Open and authenticate a session, honouring the reconnect gap.

        The gap runs from the last close of a session to this address by any client
        here, so a client made by a reload waits only what is left of it.

        Raises AuthError when the machine rejects the stored token or PIN (the user
        must pair again), ConnectionFailedError when it is unreachable or refuses.
        """
        if self.connected:
            return
        wait = session_gap.remaining_gap(self.host, self.port, self.reconnect_gap)
        if wait > 0:
            # Reconnecting too soon makes the dongle reset the socket mid-handshake.
            await asyncio.sleep(wait)
        self._status_seen = False
        self._status_or_closed.clear()
        connection = JuraConnection(
            self.host,
            self.port,
            on_push=self._handle_push,
            on_closed=self._handle_closed,
            idle_timeout=self._idle_timeout,
        )
        await connection.open(self._request_timeout)
        try:
            reply = await connection.request(
                messages.build_handshake(self._pin, self._conn_id, self._token),
                messages.is_handshake_reply,
                HANDSHAKE_TIMEOUT,
            )
            result = messages.parse_handshake_reply(reply)
        except (ConnectionFailedError, ProtocolError) as err:
            await self._abandon(connection)
            raise ConnectionFailedError(f"handshake failed: {err}") from err
        except BaseException:
            # Cancelled mid-handshake: a socket left open would hold the machine's only session.
            await self._abandon(connection)
            raise
        if result.outcome is not HandshakeOutcome.CORRECT:
            await self._abandon(connection)
            if result.outcome in (HandshakeOutcome.WRONG_HASH, HandshakeOutcome.WRONG_PIN):
                raise AuthError(f"machine rejected the pairing ({result.outcome})")
            # Refusals other than bad credentials are transient (menu open, app connected).
            raise SessionRefusedError(f"machine refused the session ({result.outcome})")
        self._connection = connection
        _LOGGER.debug("Session open with %s", self.host)

    async def disconnect(self) -> None:
        """Close the session politely, dropping a lock release still in flight."""
        await self._cancel_unlock()
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()
            session_gap.note_closed(self.host, self.port)

    async def _abandon(self, connection: JuraConnection) -> None:
        await connection.close()
        session_gap.note_closed(self.host, self.port)

    def _handle_closed(self, error: Exception | None) -> None:
        self._connection = None
        session_gap.note_closed(self.host, self.port)
        self._status_or_closed.set()
        self._set_state(progress=None, brewing=False)
        if self.on_disconnect is not None:
            self.on_disconnect(error)

    def _handle_push(self, text: str) -> None:
        verb, payload = messages.split_reply(text)
        try:
            if verb == "@TF":
                alerts = messages.decode_status_bits(payload)
                self._set_state(alerts=alerts, progress=None, brewing=False)
                self._status_seen = True
                self._status_or_closed.set()
                self._release_leaked_lock(alerts)
            elif verb == "@TV" and messages.is_progress_payload(payload):
                progress = messages.decode_progress(payload)
                self._set_state(progress=progress, brewing=True)
            elif verb == "@TB":
                self._set_state(brewing=True)
        except ProtocolError as err:
            _LOGGER.debug("Ignoring malformed push from %s: %s", self.host, err)

    def _release_leaked_lock(self, alerts: frozenset[int]) -> None:
        if messages.LOCKED_KEYS_BIT not in alerts:
            self._release_logged = False
            return
        if self.lock_wanted or not self.connected:
            return
        if self._unlock_task is not None and not self._unlock_task.done():
            return  # the machine pushes every two seconds; one release at a time
        # A session that died between @TS:01 and @TS:00 leaves the keys locked
        # until a power cycle; nobody asked for that, so undo it.
        if not self._release_logged:
            _LOGGER.info("Releasing a panel lock left behind on %s", self.host)
            self._release_logged = True
        self._unlock_task = asyncio.get_running_loop().create_task(
            self._send_unlock(), name=f"jura-unlock-{self.host}"
        )

    async def _send_unlock(self) -> None:
        try:
            await self._request(messages.UNLOCK, messages.is_lock_reply)
        except (ConnectionFailedError, CommandRefusedError) as err:
            _LOGGER.debug("Could not release the panel lock on %s: %s", self.host, err)

    async def _cancel_unlock(self) -> None:
        task, self._unlock_task = self._unlock_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _set_state(self, **changes: object) -> None:
        new_state = dataclasses.replace(self.state, **changes)  # type: ignore[arg-type]
        if new_state != self.state:
            self.state = new_state
            if self.on_update is not None:
                self.on_update(new_state)

    async def _request(
        self,
        command: str,
        matcher: Callable[[str], bool] | None = None,
        timeout: float | None = None,
    ) -> str:
        connection = self._connection
        if connection is None or not connection.is_open:
            raise ConnectionFailedError("not connected")
        messages.assert_sendable(command)
        expected = matcher or _is_reply_to(command.split(",", maxsplit=1)[0])
        reply = await connection.request(
            command,
            lambda text: expected(text) or messages.is_refusal(text),
            self._request_timeout if timeout is None else timeout,
        )
        if messages.is_refusal(reply):
            raise CommandRefusedError(f"machine refused {command.split(':', 1)[0]}")
        return reply

    async def wait_for_status(self, timeout: float) -> bool:
        """Wait for the first ``@TF`` of the session.

        False if none came in time, or at once if the session ended meanwhile.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._status_or_closed.wait()
        return self._status_seen and self.connected

    async def refresh_maintenance(self) -> None:
        """Read maintenance counters and percentages."""
        profile = self.profile
        reply = await self._request(messages.MAINTENANCE_COUNTERS)
        counters = messages.read_maintenance_counters(reply, profile.maintenance_counter_fields)
        reply = await self._request(messages.MAINTENANCE_PERCENT)
        percent = messages.parse_maintenance_percent(
            messages.strip_echo(reply, messages.MAINTENANCE_PERCENT),
            profile.maintenance_percent_fields,
        )
        self._set_state(maintenance_counters=counters, maintenance_percent=percent)

    async def refresh_product_counters(self) -> None:
        """Read every page of the product counter bank."""
        counts: dict[int, int] = {}
        for page in range(messages.PRODUCT_COUNTER_PAGES):
            command = messages.build_product_counter_read(page)
            reply = await self._request(command, _is_reply_to("@tr:"))
            page_counts = messages.parse_product_counter_page(reply, page)
            if page_counts is None:
                break
            counts.update(page_counts)
        self._set_state(product_counters=counts)

    async def refresh_settings(self) -> None:
        """Read every setting the model declares, one at a time.

        A setting the firmware does not implement is skipped from then on. One that
        cannot be read this time (odd reply, refusal, no answer) is left out until it
        reads again; the others are still read. Only a lost session stops the loop.
        """
        values = dict(self.state.settings)
        for setting in self.profile.settings:
            if setting.argument in self._unsupported_settings:
                continue
            try:
                wire = await self._read_setting(setting.argument)
            except messages.UnsupportedSettingError:
                _LOGGER.info(
                    "%s does not support the setting %s; it is left out", self.host, setting.key
                )
                self._unsupported_settings.add(setting.argument)
                values.pop(setting.argument, None)
                continue
            except (ProtocolError, CommandRefusedError, ReplyTimeoutError) as err:
                self._setting_unreadable(setting, err)
                values.pop(setting.argument, None)
                continue
            if setting.argument in self._unreadable_settings:
                self._unreadable_settings.discard(setting.argument)
                _LOGGER.info("The setting %s of %s can be read again", setting.key, self.host)
            self._store_setting(values, setting, wire)
        self._set_state(settings=values)

    async def _read_setting(self, argument: int) -> str:
        reply = await self._request(
            messages.build_setting_read(argument),
            lambda text: messages.is_setting_reply(text, argument),
        )
        return messages.parse_setting_reply(reply, argument)

    def _setting_unreadable(self, setting: SettingDef, error: Exception) -> None:
        if setting.argument in self._unreadable_settings:
            _LOGGER.debug(
                "The setting %s of %s still cannot be read: %s", setting.key, self.host, error
            )
            return
        # Once, not at every poll: the setting simply shows no value until it reads again.
        self._unreadable_settings.add(setting.argument)
        _LOGGER.info("Cannot read the setting %s of %s: %s", setting.key, self.host, error)

    async def write_setting(self, argument: int, value: int | str) -> None:
        """Validate, write and read back one setting, inside the required lock wrapper."""
        setting = self.profile.setting(argument)
        if setting is None or argument in self._unsupported_settings:
            raise InvalidValueError(f"setting {argument:02X} is not available on this model")
        wire = messages.encode_setting_value(setting, value)
        await self._request(messages.LOCK, messages.is_lock_reply)
        try:
            reply = await self._request(
                messages.build_setting_write(argument, wire),
                lambda text: messages.is_setting_reply(text, argument),
            )
            messages.parse_setting_write_reply(reply, argument)
        finally:
            # Always leave the panel as the user wants it, even after an error.
            if not self.lock_wanted:
                await self._request(messages.UNLOCK, messages.is_lock_reply)
        read_back = await self._read_setting(argument)
        self._unreadable_settings.discard(argument)
        values = dict(self.state.settings)
        self._store_setting(values, setting, read_back)
        self._set_state(settings=values)

    def _store_setting(
        self, values: dict[int, SettingValue], setting: SettingDef, wire: str
    ) -> None:
        """Decode ``wire`` into ``values``; a value the codec cannot read is left out."""
        try:
            value = messages.decode_setting_value(setting, wire)
        except ProtocolError as err:
            _LOGGER.debug("Cannot decode setting %s on %s: %s", setting.key, self.host, err)
            value = None
        else:
            if value is None:
                _LOGGER.debug(
                    "Setting %s on %s has an unknown value %s", setting.key, self.host, wire
                )
        if value is None:
            values.pop(setting.argument, None)
        else:
            values[setting.argument] = value

    async def set_panel_lock(self, locked: bool) -> None:
        """Lock or unlock the machine's front panel.

        :attr:`lock_wanted` follows the request; after a failure it is False, as a lock
        that was never confirmed should not be kept.
        """
        # Set first: a push showing the new lock may beat the reply, and no release may
        # start meanwhile; then the user's choice wins over a release in flight.
        self.lock_wanted = locked
        await self._cancel_unlock()
        try:
            await self._request(
                messages.LOCK if locked else messages.UNLOCK, messages.is_lock_reply
            )
        except BaseException:
            self.lock_wanted = False
            raise
        alerts = set(self.state.alerts)
        if locked:
            alerts.add(messages.LOCKED_KEYS_BIT)
        else:
            alerts.discard(messages.LOCKED_KEYS_BIT)
        self._set_state(alerts=frozenset(alerts))

    async def brew(self, product_key: str, values: Mapping[str, int | str] | None = None) -> None:
        """Start a product with the given recipe values (defaults from the profile)."""
        product = self.profile.product_by_key(product_key)
        if product is None:
            raise InvalidValueError(f"{product_key} is not a product of this model")
        command = messages.build_brew_command(messages.build_recipe(product, values))
        for _attempt in range(2):
            # A machine in energy-save mode may swallow the first request while it wakes.
            reply = await self._request(command, _is_reply_to("@tp"))
            if messages.parse_brew_reply(reply):
                self._set_state(brewing=True)
                return
        raise CommandRefusedError(f"machine did not start {product_key}")

    async def start_process(self, process: Process) -> None:
        """Start a care process (cleaning, descaling, ...) the model supports."""
        start = dict(self.profile.processes).get(process)
        if start is None:
            raise InvalidValueError(f"{process} is not available on this model")
        await self._request(start)
        self._set_state(brewing=True)

    async def cancel(self) -> None:
        """Cancel the running product or process step."""
        await self._request(messages.CANCEL)

    async def standby(self) -> None:
        """Ask the machine to switch to standby.

        The S8 EB's dongle takes the request without a word and leaves the machine on,
        so silence within a short wait counts as sent; ``@an:error`` is a refusal.
        """
        try:
            await self._request(
                messages.STANDBY, timeout=min(STANDBY_REPLY_WAIT, self._request_timeout)
            )
        except ReplyTimeoutError:
            _LOGGER.debug(
                "%s did not answer the standby request; some firmware ignores it", self.host
            )


async def async_pair(
    host: str,
    *,
    conn_id: str,
    pin: str = "",
    port: int = DEFAULT_PORT,
    timeout: float = PAIRING_TIMEOUT,
) -> str:
    """Ask the machine to pair; the user confirms on its display. Returns the token.

    Raises AuthError for a wrong PIN, CommandRefusedError when the machine refuses
    (a menu is open or the conn-id is taken), TimeoutError when nobody pressed OK,
    ConnectionFailedError when it cannot be reached.
    """
    connection = JuraConnection(host, port, on_push=lambda _text: None, on_closed=lambda _e: None)
    await connection.open(REQUEST_TIMEOUT)
    try:
        try:
            reply = await connection.request(
                messages.build_handshake(pin, conn_id, ""), messages.is_handshake_reply, timeout
            )
        except ReplyTimeoutError as err:
            raise TimeoutError("nobody confirmed the pairing on the machine") from err
        result = messages.parse_handshake_reply(reply)
    finally:
        await connection.close()
    match result.outcome:
        case HandshakeOutcome.CORRECT if result.token:
            return result.token
        case HandshakeOutcome.WRONG_PIN:
            raise AuthError("wrong PIN")
        case _:
            raise CommandRefusedError(f"pairing refused ({result.outcome})")
