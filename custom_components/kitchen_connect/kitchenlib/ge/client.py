"""The SmartHQ account websocket: one push connection for every appliance of an account.

The client keeps the connection alive on its own: it pings, re-lists the appliances now and
then, reconnects before the service's one-hour cut-off, and after any loss reconnects with
exponential backoff, re-reading every appliance once (and again whenever one comes back to
the list). State only ever changes from what the service sends; writes are confirmed by the
push that follows them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from enum import Enum, auto
import itertools
import logging
import random
import string
from types import MappingProxyType
from typing import Any, Final, Protocol

import aiohttp

from ..backoff import backoff_delay
from ..errors import (
    AuthError,
    CommandRefusedError,
    ConnectionFailedError,
    InvalidValueError,
    ProtocolError,
)
from .account import TokenRejectedError, WebsocketEndpoint, async_fetch_websocket_endpoint
from .appliance import Appliance
from .endpoints import Endpoints
from .erd import format_erd_code
from .messages import (
    EXPIRED_SESSION_REASON,
    ApiReply,
    ApplianceList,
    OtherFrame,
    Pong,
    ServerFrame,
    all_erd_request,
    frame_summary,
    list_request,
    parse_appliance_list,
    parse_erd_list,
    parse_frame,
    parse_write_status,
    ping_frame,
    set_erd_request,
    subscribe_frame,
)
from .redact import mask_identifiers

_LOGGER = logging.getLogger(__name__)

KIND_LIST: Final = "list"
KIND_ALL_ERD: Final = "allErd"
KIND_SET_ERD: Final = "setErd"
KIND_PING: Final = "ping"
REQUEST_KINDS: Final = (KIND_LIST, KIND_ALL_ERD, KIND_SET_ERD, KIND_PING)

_HEX_DIGITS: Final = frozenset(string.hexdigits)
_CLOSE_TIMEOUT: Final = 2.0
# GE's front end now and then refuses a token it has just issued; only this many refusals in
# a row, each after a refresh, mean the sign-in itself is gone.
TOKEN_REFUSALS_BEFORE_GIVING_UP: Final = 3


class TokenProvider(Protocol):
    """Where the client gets bearer tokens (the account's TokenManager)."""

    async def async_access_token(self) -> str:
        """A valid access token, refreshed ahead of its expiry."""
        ...

    async def async_refresh(self) -> object:
        """Refresh now; AuthError if the refresh token was refused."""
        ...


class ClientListener(Protocol):
    """Receives the client's news; every call is made from the event loop and must not block."""

    def appliances_changed(self) -> None:
        """Appliances were added, removed, went on- or offline, or got their first full read."""

    def appliances_listed(self, macs: frozenset[str], complete: bool) -> None:
        """A list reply came, the one ``async_start`` asks for too: the appliances on it.

        ``complete`` is False for a refused or failed list (``macs`` then empty) and for one
        with entries that could not be read: neither says which appliances left. GE's list
        sometimes leaves an appliance out of a single reply, so one gap proves little.
        """

    def erds_changed(self, mac: str, codes: frozenset[int]) -> None:
        """These ERDs of this appliance have new raw values."""

    def connection_changed(self, connected: bool) -> None:
        """The connection was lost (False) or is back (True)."""

    def auth_failed(self, error: AuthError) -> None:
        """The account's sign-in is no longer accepted; the client stopped retrying."""


@dataclass
class _Stats:
    requests: Counter[str] = field(default_factory=Counter)  # sent, by kind
    reconnects: int = 0
    rate_limited: int = 0  # replies with code 429
    pushes: int = 0  # publish#erd frames received

    def snapshot(self) -> dict[str, int]:
        counters = {kind: self.requests[kind] for kind in REQUEST_KINDS}
        counters.update(
            reconnects=self.reconnects, rate_limited=self.rate_limited, pushes=self.pushes
        )
        return counters


class _End(Enum):
    """Why a connection ended."""

    LOST = auto()
    AUTH = auto()  # the service no longer accepts the session's token
    AGED = auto()  # time for the planned reconnect
    CLOSED = auto()  # we closed it


class _Connection:
    """One websocket session with its pending requests and its own background tasks."""

    def __init__(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        user_id: str,
        opened_at: float,
        send_timeout: float,
    ) -> None:
        self.ws = ws
        self.user_id = user_id
        self.opened_at = opened_at
        self.last_pong = opened_at
        self.pending: dict[str, asyncio.Future[ApiReply]] = {}
        self.reads: dict[str, asyncio.Task[None]] = {}
        self.listed = False  # the first appliance list of this session has been applied
        self.list_refresh: asyncio.Task[None] | None = None
        self.ended = asyncio.Event()
        self.end_reason = _End.LOST
        self._send_timeout = send_timeout
        self._send_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def end(self, reason: _End) -> None:
        """Mark the session over (the first reason wins) and fail its pending requests."""
        if self.ended.is_set():
            return
        self.end_reason = reason
        self.ended.set()
        for future in self.pending.values():
            if not future.done():
                future.set_exception(ConnectionFailedError("the SmartHQ connection closed"))
        self.pending.clear()

    async def send(self, text: str) -> None:
        if self.ended.is_set():
            raise ConnectionFailedError("the SmartHQ connection is closed")
        try:
            async with self._send_lock, asyncio.timeout(self._send_timeout):
                await self.ws.send_str(text)
        except (aiohttp.ClientError, ConnectionError, RuntimeError, TimeoutError) as err:
            self.end(_End.LOST)
            raise ConnectionFailedError(f"sending failed: {type(err).__name__}") from None
        if _LOGGER.isEnabledFor(logging.DEBUG):  # the summary parses the frame once more
            _LOGGER.debug("Sent %s", frame_summary(text))

    async def close(self) -> None:
        self.end(_End.CLOSED)
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        try:
            async with asyncio.timeout(_CLOSE_TIMEOUT):
                await self.ws.close()
        except aiohttp.ClientError, ConnectionError, TimeoutError:
            pass


class SmartHqClient:
    """Keeps one SmartHQ account's appliances in sync over the account websocket."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoints: Endpoints,
        tokens: TokenProvider,
        listener: ClientListener,
        *,
        ping_interval: float = 30.0,
        list_interval: float = 600.0,
        max_connection_age: float = 3300.0,
        connect_timeout: float = 10.0,
        write_timeout: float = 15.0,
        backoff_initial: float = 10.0,
        backoff_max: float = 1800.0,
        rng: random.Random | None = None,
    ) -> None:
        self._session = session
        self._endpoints = endpoints
        self._tokens = tokens
        self._listener = listener
        self._ping_interval = ping_interval
        self._list_interval = list_interval
        self._max_connection_age = max_connection_age
        self._connect_timeout = connect_timeout
        self._write_timeout = write_timeout
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._rng = rng if rng is not None else random.Random()
        self._appliances: dict[str, Appliance] = {}
        self._user_id: str | None = None
        self._conn: _Connection | None = None
        self._connected = False
        self._notify = False  # listener calls start once async_start has returned
        self._closed = False  # list reports start with the first list and end here
        self._supervisor: asyncio.Task[None] | None = None
        self._request_ids = itertools.count(1)
        self._rate_attempt = 0
        self._rate_limited_until = 0.0
        self._stats = _Stats()

    # --- public surface ----------------------------------------------------------------

    @property
    def appliances(self) -> Mapping[str, Appliance]:
        """Appliances of the account by upper-case MAC (read-only view)."""
        return MappingProxyType(self._appliances)

    @property
    def user_id(self) -> str | None:
        """The account's SmartHQ user id, known once connected."""
        return self._user_id

    @property
    def connected(self) -> bool:
        """True while a subscribed session is up."""
        return self._connected

    @property
    def stats(self) -> Mapping[str, int]:
        """Counters: requests sent by kind (list, allErd, setErd, ping), reconnects,
        rate_limited (429 replies) and pushes received."""
        return self._stats.snapshot()

    async def async_start(self) -> None:
        """Connect, list and read every appliance; then stay connected in the background.

        Raises AuthError when the account's tokens are refused and ConnectionFailedError when
        the service cannot be reached; nothing keeps running after either.
        """
        if self._supervisor is not None:
            raise RuntimeError("the client is already started")
        conn = await self._establish()
        self._conn = conn
        self._connected = True
        self._notify = True
        self._supervisor = asyncio.create_task(self._supervise(conn))

    async def async_close(self) -> None:
        """Stop reconnecting and close the connection."""
        self._notify = False
        self._closed = True
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            supervisor.cancel()
            await asyncio.gather(supervisor, return_exceptions=True)
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()
        self._connected = False

    async def async_write_erd(self, mac: str, code: int, raw: str) -> str:
        """Write one ERD; returns the service's ``status`` ("timeout" is a normal answer).

        The appliance's state is not changed here: the push that follows the write does it.
        Raises CommandRefusedError when the service refuses the write and
        ConnectionFailedError when there is no connection or no reply.
        """
        if not 0 <= code <= 0xFFFF:
            raise InvalidValueError(f"not an ERD code: {code}")
        if len(raw) % 2 or not raw or not set(raw) <= _HEX_DIGITS:
            raise InvalidValueError("an ERD value is a non-empty string of hex byte pairs")
        if not mac.isascii() or not mac.isalnum():
            raise InvalidValueError(f"not an appliance id: {mac[:20]!r}")
        conn = self._conn
        if conn is None or not self._connected or conn.ended.is_set():
            raise ConnectionFailedError("not connected to SmartHQ")
        wait = self._rate_limited_until - asyncio.get_running_loop().time()
        if wait > 0:
            raise CommandRefusedError(f"SmartHQ rate limit; try again in {wait:.0f} s")
        mac = mac.upper()
        # Request ids reach debug logs, so they name the ERD but never the appliance.
        request_id = self._next_request_id(f"{KIND_SET_ERD}-{format_erd_code(code)}")
        frame = set_erd_request(
            request_id,
            self._endpoints.api_host,
            user_id=conn.user_id,
            mac=mac,
            code=code,
            raw=raw,
        )
        reply = await self._request(conn, KIND_SET_ERD, request_id, frame, self._write_timeout)
        if reply.ok:
            self._rate_attempt = 0
            return parse_write_status(reply.body)
        if reply.rate_limited:
            self._note_rate_limited()
            raise CommandRefusedError(f"SmartHQ rate limit ({reply.error_text()})")
        if reply.token_rejected:
            raise ConnectionFailedError("the SmartHQ session expired; reconnecting")
        raise CommandRefusedError(
            f"SmartHQ refused the write of {format_erd_code(code)}: {reply.error_text()}"
        )

    # --- connecting ----------------------------------------------------------------------

    async def _fetch_endpoint(self) -> WebsocketEndpoint:
        token = await self._tokens.async_access_token()
        try:
            try:
                return await async_fetch_websocket_endpoint(self._session, self._endpoints, token)
            except TokenRejectedError:
                _LOGGER.debug("Websocket endpoint refused the access token; refreshing")
                await self._tokens.async_refresh()
                token = await self._tokens.async_access_token()
                # A second refusal right after a refresh is an AuthError for the caller.
                return await async_fetch_websocket_endpoint(self._session, self._endpoints, token)
        except ProtocolError as err:
            raise ConnectionFailedError(f"unusable websocket endpoint reply: {err}") from None

    async def _open(self) -> _Connection:
        endpoint = await self._fetch_endpoint()
        self._user_id = endpoint.user_id
        try:
            async with asyncio.timeout(self._connect_timeout):
                ws = await self._session.ws_connect(endpoint.url, autoping=True, heartbeat=None)
        except aiohttp.WSServerHandshakeError as err:
            # Never chain: aiohttp's message would carry the URL and its credential.
            raise ConnectionFailedError(f"websocket refused: {err.status}") from None
        except (aiohttp.ClientError, ConnectionError, TimeoutError) as err:
            raise ConnectionFailedError(f"websocket unreachable: {type(err).__name__}") from None
        loop = asyncio.get_running_loop()
        conn = _Connection(ws, endpoint.user_id, loop.time(), self._connect_timeout)
        conn.spawn(self._read_frames(conn))
        return conn

    async def _establish(self) -> _Connection:
        """Open a session, subscribe, list, and read every appliance once."""
        conn = await self._open()
        try:
            await conn.send(subscribe_frame())
            reply = await self._read_request(conn, KIND_LIST, self._list_frame)
            if not reply.ok:
                if reply.token_rejected:
                    await self._tokens.async_refresh()
                raise ConnectionFailedError(f"appliance list refused: {reply.error_text()}")
            self._apply_list(conn, parse_appliance_list(reply.body))
            conn.listed = True
            online_reads = [
                task for mac, task in conn.reads.items() if self._appliances[mac].online
            ]
            if online_reads:
                await asyncio.wait(online_reads, timeout=self._connect_timeout)
            if conn.ended.is_set():
                raise ConnectionFailedError("the connection closed while starting")
        except ProtocolError as err:
            await conn.close()
            raise ConnectionFailedError(f"unusable appliance list: {err}") from None
        except BaseException:
            await conn.close()
            raise
        conn.spawn(self._keep_alive(conn))
        conn.spawn(self._refresh_list_periodically(conn))
        return conn

    # --- staying connected ---------------------------------------------------------------

    async def _supervise(self, conn: _Connection) -> None:
        while True:
            reason = await self._wait_for_end(conn)
            if reason is _End.AGED:
                _LOGGER.debug("Planned reconnect before the service's cut-off")
                try:
                    fresh = await self._establish()
                except TokenRejectedError as err:
                    _LOGGER.debug("Planned reconnect refused: %s", self._redacted(err))
                    reason = _End.LOST
                except AuthError as err:
                    await self._give_up(conn, err)
                    return
                except ConnectionFailedError as err:
                    _LOGGER.debug("Planned reconnect failed: %s", self._redacted(err))
                    reason = _End.LOST
                else:
                    self._conn = fresh
                    self._stats.reconnects += 1
                    await conn.close()
                    conn = fresh
                    continue
            await conn.close()
            self._conn = None
            self._set_connected(False)
            if reason is _End.AUTH:
                try:
                    await self._tokens.async_refresh()
                except AuthError as err:
                    await self._give_up(None, err)
                    return
                except ConnectionFailedError as err:
                    _LOGGER.debug("Token refresh failed: %s", self._redacted(err))
            fresh_conn = await self._reconnect(wait_first=reason is not _End.AUTH)
            if fresh_conn is None:
                return
            conn = fresh_conn

    async def _wait_for_end(self, conn: _Connection) -> _End:
        age = asyncio.get_running_loop().time() - conn.opened_at
        try:
            async with asyncio.timeout(max(0.0, self._max_connection_age - age)):
                await conn.ended.wait()
        except TimeoutError:
            return _End.AGED
        return conn.end_reason

    async def _reconnect(self, *, wait_first: bool) -> _Connection | None:
        attempt = 0
        refusals = 0
        wait = wait_first
        while True:
            if wait:
                delay = backoff_delay(attempt, self._backoff_initial, self._backoff_max, self._rng)
                _LOGGER.debug("Reconnecting in %.1f s", delay)
                await asyncio.sleep(delay)
                attempt += 1
            wait = True
            try:
                conn = await self._establish()
            except TokenRejectedError as err:
                refusals += 1
                if refusals >= TOKEN_REFUSALS_BEFORE_GIVING_UP:
                    await self._give_up(None, err)
                    return None
                _LOGGER.debug("Reconnect refused (%d): %s", refusals, self._redacted(err))
                continue
            except AuthError as err:
                await self._give_up(None, err)
                return None
            except ConnectionFailedError as err:
                _LOGGER.debug("Reconnect failed: %s", self._redacted(err))
                continue
            self._conn = conn
            self._stats.reconnects += 1
            self._set_connected(True)
            return conn

    async def _give_up(self, conn: _Connection | None, error: AuthError) -> None:
        if conn is not None:
            await conn.close()
        self._conn = None
        self._set_connected(False)
        _LOGGER.debug("Stopped reconnecting: %s", self._redacted(error))
        if self._notify:
            self._listener.auth_failed(error)

    def _set_connected(self, connected: bool) -> None:
        if connected == self._connected:
            return
        self._connected = connected
        # Debug only: the owner (the coordinator) writes the one info line per loss and return.
        if connected:
            _LOGGER.debug("SmartHQ connection is back")
        else:
            _LOGGER.debug("SmartHQ connection lost; reconnecting in the background")
        if self._notify:
            self._listener.connection_changed(connected)

    async def _keep_alive(self, conn: _Connection) -> None:
        loop = asyncio.get_running_loop()
        while not conn.ended.is_set():
            await asyncio.sleep(self._ping_interval)
            if loop.time() - conn.last_pong > 2 * self._ping_interval:
                _LOGGER.debug("No pong for two ping intervals; reconnecting")
                conn.end(_End.LOST)
                return
            self._stats.requests[KIND_PING] += 1
            try:
                await conn.send(ping_frame())
            except ConnectionFailedError:
                return

    async def _refresh_list_periodically(self, conn: _Connection) -> None:
        while not conn.ended.is_set():
            await asyncio.sleep(self._list_interval)
            await self._refresh_list(conn)

    # --- requests and replies ------------------------------------------------------------

    def _redacted(self, text: object) -> str:
        """``text`` for a log line: no user id, appliance id or e-mail address in it."""
        return mask_identifiers(str(text), (self._user_id,) if self._user_id else ())

    def _next_request_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._request_ids)}"

    def _list_frame(self, request_id: str) -> str:
        return list_request(request_id, self._endpoints.api_host)

    async def _request(
        self, conn: _Connection, kind: str, request_id: str, frame: str, timeout: float
    ) -> ApiReply:
        future: asyncio.Future[ApiReply] = asyncio.get_running_loop().create_future()
        conn.pending[request_id] = future
        self._stats.requests[kind] += 1
        try:
            await conn.send(frame)
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise ConnectionFailedError(f"no reply to {kind} within {timeout:.0f} s") from None
        finally:
            conn.pending.pop(request_id, None)

    async def _read_request(
        self, conn: _Connection, kind: str, build: Callable[[str], str]
    ) -> ApiReply:
        """A read that waits out rate limiting: a 429 is retried after the backoff."""
        loop = asyncio.get_running_loop()
        while True:
            wait = self._rate_limited_until - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            request_id = self._next_request_id(kind)
            reply = await self._request(
                conn, kind, request_id, build(request_id), self._connect_timeout
            )
            if not reply.rate_limited:
                if reply.ok:
                    self._rate_attempt = 0
                return reply
            self._note_rate_limited()

    def _note_rate_limited(self) -> None:
        self._stats.rate_limited += 1
        now = asyncio.get_running_loop().time()
        if now < self._rate_limited_until:
            return  # another request already started this backoff
        delay = backoff_delay(
            self._rate_attempt, self._backoff_initial, self._backoff_max, self._rng
        )
        self._rate_attempt += 1
        self._rate_limited_until = now + delay
        _LOGGER.debug("SmartHQ rate limit hit; holding requests for %.1f s", delay)

    async def _read_frames(self, conn: _Connection) -> None:
        try:
            while True:
                message = await conn.ws.receive()
                if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    self._on_text(conn, message.data)
                    # receive() returns queued frames without suspending: a burst would
                    # otherwise hold the event loop until the last frame is handled.
                    await asyncio.sleep(0)
                elif message.type not in (aiohttp.WSMsgType.PING, aiohttp.WSMsgType.PONG):
                    break  # close, closing, closed or error
        except (aiohttp.ClientError, ConnectionError) as err:
            _LOGGER.debug("Websocket read failed: %s", type(err).__name__)
        finally:
            conn.end(_End.LOST)

    def _on_text(self, conn: _Connection, text: str | bytes) -> None:
        if _LOGGER.isEnabledFor(logging.DEBUG):  # the summary parses the frame once more
            _LOGGER.debug("Received %s", frame_summary(text))
        try:
            frame = parse_frame(text)
        except ProtocolError as err:
            _LOGGER.debug("Ignored a frame: %s", self._redacted(err))
            return
        try:
            self._dispatch(conn, frame)
        except Exception:
            # A failing listener must not take the account's connection down with it.
            _LOGGER.exception("Error while handling a SmartHQ frame")

    def _dispatch(self, conn: _Connection, frame: ServerFrame) -> None:
        match frame:
            case ApiReply():
                future = conn.pending.pop(frame.request_id, None)
                if future is not None and not future.done():
                    future.set_result(frame)
                if frame.rate_limited and future is None:
                    self._note_rate_limited()
                if frame.token_rejected:
                    conn.end(_End.AUTH)
            case (mac, code, raw):  # an ErdPublish, the only frame that is a tuple
                self._on_publish(conn, mac, code, raw)
            case Pong():
                conn.last_pong = asyncio.get_running_loop().time()
            case OtherFrame() if EXPIRED_SESSION_REASON in frame.reason.lower():
                conn.end(_End.AUTH)
            case _:
                pass

    # --- keeping the appliance model -----------------------------------------------------

    def _on_publish(self, conn: _Connection, mac: str, code: int, raw: str) -> None:
        self._stats.pushes += 1
        appliance = self._appliances.get(mac)
        if appliance is None:
            # A new appliance: one list refresh finds it and reads it, once.
            if conn.listed and (conn.list_refresh is None or conn.list_refresh.done()):
                conn.list_refresh = conn.spawn(self._refresh_list(conn))
            return
        changed = appliance.apply(code, raw)
        if not appliance.online:
            appliance.online = True  # it is talking, so it is online whatever the list said
            self._notify_appliances()
        if changed:
            self._notify_erds(appliance.mac, frozenset((code,)))

    async def _refresh_list(self, conn: _Connection) -> None:
        try:
            reply = await self._read_request(conn, KIND_LIST, self._list_frame)
            if not reply.ok:
                _LOGGER.debug("Appliance list refused: %s", self._redacted(reply.error_text()))
                self._notify_listed(frozenset(), complete=False)
                return
            self._apply_list(conn, parse_appliance_list(reply.body))
        except (ConnectionFailedError, ProtocolError) as err:
            _LOGGER.debug("Appliance list refresh failed: %s", self._redacted(err))
            self._notify_listed(frozenset(), complete=False)

    def _apply_list(self, conn: _Connection, listed: ApplianceList) -> None:
        """Take the list; drop the appliances a complete one leaves out.

        One that comes back in a later list is read in full again: pushes it sent meanwhile
        were dropped, as nobody knew it.
        """
        changed = False
        seen: set[str] = set()
        for item in listed.appliances:
            seen.add(item.mac)
            appliance = self._appliances.get(item.mac)
            if appliance is None:
                self._appliances[item.mac] = Appliance(
                    item.mac, nickname=item.nickname, label=item.label, online=item.online
                )
                changed = True
            elif (appliance.online, appliance.nickname, appliance.label) != (
                item.online,
                item.nickname,
                item.label,
            ):
                appliance.online = item.online
                appliance.nickname = item.nickname
                appliance.label = item.label
                changed = True
            if item.mac not in conn.reads:
                conn.reads[item.mac] = conn.spawn(self._read_appliance(conn, item.mac))
        gone = [mac for mac in self._appliances if mac not in seen] if listed.complete else []
        for mac in gone:
            del self._appliances[mac]
            conn.reads.pop(mac, None)
            changed = True
        if changed:
            self._notify_appliances()
        self._notify_listed(frozenset(seen), complete=listed.complete)

    async def _read_appliance(self, conn: _Connection, mac: str) -> None:
        try:
            reply = await self._read_request(
                conn, KIND_ALL_ERD, lambda rid: all_erd_request(rid, self._endpoints.api_host, mac)
            )
            if not reply.ok:
                raise ConnectionFailedError(f"read refused: {reply.error_text()}")
            entries = parse_erd_list(reply.body)
        except (ConnectionFailedError, ProtocolError) as err:
            appliance = self._appliances.get(mac)
            label = appliance.label if appliance is not None and appliance.label else "appliance"
            _LOGGER.debug("Full read of an appliance (%s) failed: %s", label, self._redacted(err))
            conn.reads.pop(mac, None)  # the next list refresh tries again
            return
        appliance = self._appliances.get(mac)
        if appliance is None:
            return
        changed = frozenset(code for code, raw in entries if appliance.apply(code, raw))
        if not appliance.initialised:
            appliance.initialised = True
            self._notify_appliances()
        if changed:
            self._notify_erds(mac, changed)

    def _notify_appliances(self) -> None:
        if self._notify:
            self._listener.appliances_changed()

    def _notify_listed(self, macs: frozenset[str], *, complete: bool) -> None:
        if not self._closed:
            self._listener.appliances_listed(macs, complete)

    def _notify_erds(self, mac: str, codes: frozenset[int]) -> None:
        if self._notify:
            self._listener.erds_changed(mac, codes)
