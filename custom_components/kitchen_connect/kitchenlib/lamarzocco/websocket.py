"""The cloud's STOMP websocket: every machine's dashboard and scheduling pushes on one connection.

The stream signs the upgrade, sends CONNECT with the bearer, subscribes to each machine's
dashboard destination (and the scheduling destination of the coffee machines it is given),
beats as negotiated and hands parsed pushes to its listener. Command results in a push go
to the cloud client, which is waiting for them. On any error it reconnects after an
exponentially growing, randomised delay, with a token that is refreshed first; after each
connect it reads every dashboard and scheduling once, so state missed while it was away is
complete again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
import contextlib
import logging
import random
from typing import Final, Protocol
import uuid

import aiohttp

from ..backoff import backoff_delay
from ..errors import CommandRefusedError, ConnectionFailedError, KitchenError, ProtocolError
from .cloud import LaMarzoccoCloud, checked_seconds
from .dashboard import Dashboard, DashboardPush, parse_command_updates, parse_dashboard_push
from .reader import Reader
from .scheduling import Scheduling, parse_scheduling
from .stomp import (
    connect_frame,
    dashboard_destination,
    decode_frame,
    encode_frame,
    is_heart_beat,
    message_json,
    negotiated_heart_beat,
    parse_heart_beat,
    scheduling_destination,
    subscribe_frame,
    unsubscribe_frame,
)
from .tokens import RequestBlockedError

_LOGGER = logging.getLogger(__name__)

# Beats we offer (ms): we send every 20 s and want one from the cloud at least every 20 s.
DEFAULT_HEART_BEAT_MS: Final = 20_000
# A silent link counts as dead after this many missed beats.
_MISSED_BEATS: Final = 3
DEFAULT_CONNECT_TIMEOUT: Final = 15.0
DEFAULT_BACKOFF: Final = (1.0, 300.0)
_MAX_SECONDS: Final = 3600.0
_ERRORS: Final = (KitchenError, aiohttp.ClientError, TimeoutError, OSError)


class StreamListener(Protocol):
    """Who gets the stream's news (all called on the event loop)."""

    def dashboard_pushed(self, serial_number: str, push: DashboardPush) -> None:
        """A push changed some of a machine's widgets."""

    def dashboard_read(self, serial_number: str, dashboard: Dashboard) -> None:
        """The whole dashboard, read after a (re)connect."""

    def schedule_pushed(self, serial_number: str, scheduling: Scheduling) -> None:
        """A machine's scheduling, pushed or read after a (re)connect."""

    def connection_changed(self, connected: bool) -> None:
        """The stream connected or lost its connection."""


class DashboardStream:
    """One websocket for the dashboards of ``serial_numbers``.

    ``scheduling_serials`` are the coffee machines whose scheduling is followed too
    (grinders have none); a machine whose scheduling cannot be read is left out.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        cloud: LaMarzoccoCloud,
        serial_numbers: Iterable[str],
        listener: StreamListener,
        *,
        heart_beat_ms: int = DEFAULT_HEART_BEAT_MS,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        backoff: tuple[float, float] = DEFAULT_BACKOFF,
        rng: random.Random | None = None,
        scheduling_serials: Iterable[str] = (),
    ) -> None:
        """A stream that is not running yet; ``start`` runs it until ``stop``."""
        self._session = session
        self._cloud = cloud
        self._destinations = {dashboard_destination(sn): sn for sn in serial_numbers}
        self._schedule_destinations = {scheduling_destination(sn): sn for sn in scheduling_serials}
        self._listener = listener
        if not 0 <= heart_beat_ms <= _MAX_SECONDS * 1000:
            raise ValueError("heart-beat must be between 0 and an hour")
        self._heart_beat_ms = heart_beat_ms
        self._connect_timeout = checked_seconds(connect_timeout, _MAX_SECONDS, "connect timeout")
        self._backoff = (
            checked_seconds(backoff[0], _MAX_SECONDS, "backoff"),
            checked_seconds(backoff[1], _MAX_SECONDS, "backoff"),
        )
        self._rng = rng if rng is not None else random.Random()
        self._task: asyncio.Task[None] | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._subscriptions: dict[str, str] = {}  # subscription id -> destination, while up
        self._was_up = False
        self.connected = False
        self.connects = 0

    def start(self) -> None:
        """Run the stream in the background."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="lamarzocco websocket")

    async def async_follow(
        self, serial_numbers: Iterable[str], scheduling_serials: Iterable[str] = ()
    ) -> None:
        """Follow these machines from now on, on the connection that is up.

        New machines are subscribed and read once; machines left out are unsubscribed.
        Without a connection the next connect uses the new set.
        """
        dashboards = {dashboard_destination(sn): sn for sn in serial_numbers}
        schedules = {scheduling_destination(sn): sn for sn in scheduling_serials}
        added = [d for d in (*dashboards, *schedules) if d not in self._all_destinations()]
        removed = [d for d in self._all_destinations() if d not in dashboards | schedules]
        self._destinations, self._schedule_destinations = dashboards, schedules
        ws = self._ws
        if ws is None:
            return
        try:
            for subscription, destination in list(self._subscriptions.items()):
                if destination in removed:
                    del self._subscriptions[subscription]
                    await ws.send_str(encode_frame(unsubscribe_frame(subscription)))
            for destination in added:
                await self._subscribe(ws, destination)
            for destination in added:
                if (serial := dashboards.get(destination)) is not None:
                    self._listener.dashboard_read(serial, await self._cloud.async_dashboard(serial))
                elif (serial := schedules.get(destination)) is not None:
                    await self._read_scheduling(serial)
        except _ERRORS as err:
            # The stream's own loop notices the broken link and reconnects with the new set.
            _LOGGER.debug("La Marzocco websocket could not follow new machines: %s", err)

    def _all_destinations(self) -> set[str]:
        return {*self._destinations, *self._schedule_destinations}

    async def _subscribe(self, ws: aiohttp.ClientWebSocketResponse, destination: str) -> None:
        subscription = str(uuid.uuid4())
        self._subscriptions[subscription] = destination
        await ws.send_str(encode_frame(subscribe_frame(destination, subscription)))

    async def stop(self) -> None:
        """Close the connection and end the stream."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                await self._connect_and_listen()
            except _ERRORS as err:
                _LOGGER.debug("La Marzocco websocket ended: %s", type(err).__name__)
            except Exception as err:
                # A listener's bug must not end the stream. Only the type is logged: a
                # message could carry a serial or a token.
                _LOGGER.warning("La Marzocco websocket failed: %s", type(err).__name__)
            finally:
                self._set_connected(False)
            if self._was_up:
                attempt = 0
            delay = backoff_delay(attempt, *self._backoff, self._rng)
            attempt += 1
            _LOGGER.debug("La Marzocco websocket reconnects in %.1f s", delay)
            await asyncio.sleep(delay)

    async def _connect_and_listen(self) -> None:
        self._was_up = False
        # Refreshed (or signed in) before connecting, so CONNECT carries a valid token.
        token = await self._cloud.async_access_token()
        async with self._session.ws_connect(
            self._cloud.endpoints.websocket,
            headers=self._cloud.signed_headers(),
            timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=self._connect_timeout),
            autoping=True,
        ) as ws:
            ours = (self._heart_beat_ms, self._heart_beat_ms)
            await ws.send_str(encode_frame(connect_frame(token, heart_beat=ours)))
            reply = await ws.receive(timeout=self._connect_timeout)
            if reply.type is not aiohttp.WSMsgType.TEXT:
                raise ConnectionFailedError("La Marzocco websocket closed before CONNECTED")
            frame = decode_frame(reply.data)
            if frame.command != "CONNECTED":
                raise ConnectionFailedError(f"La Marzocco websocket answered {frame.command}")
            heart_beat = frame.header("heart-beat")
            theirs = parse_heart_beat("0,0" if heart_beat is None else heart_beat)
            send_ms, receive_ms = negotiated_heart_beat(ours, theirs)
            self._subscriptions = {}
            for destination in (*self._destinations, *self._schedule_destinations):
                await self._subscribe(ws, destination)
            self._ws = ws
            self.connects += 1
            self._was_up = True
            self._set_connected(True)
            beats = asyncio.create_task(self._beat(ws, send_ms / 1000)) if send_ms else None
            try:
                for serial in list(self._destinations.values()):
                    self._listener.dashboard_read(serial, await self._cloud.async_dashboard(serial))
                for serial in list(self._schedule_destinations.values()):
                    await self._read_scheduling(serial)
                await self._listen(ws, receive_ms / 1000 * _MISSED_BEATS or None)
            finally:
                self._ws = None
                if beats is not None:
                    beats.cancel()

    async def _read_scheduling(self, serial: str) -> None:
        try:
            scheduling = await self._cloud.async_scheduling(serial)
        except (ProtocolError, CommandRefusedError, RequestBlockedError) as err:
            # A thing without scheduling (403, 404, a null schedule) must not end the stream.
            _LOGGER.debug("La Marzocco scheduling not read: %s", type(err).__name__)
            return
        self._listener.schedule_pushed(serial, scheduling)

    async def _beat(self, ws: aiohttp.ClientWebSocketResponse, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await ws.send_str("\n")

    async def _listen(self, ws: aiohttp.ClientWebSocketResponse, silence: float | None) -> None:
        while True:
            message = await ws.receive(timeout=silence)
            if message.type is not aiohttp.WSMsgType.TEXT:
                raise ConnectionFailedError("La Marzocco websocket closed")
            if is_heart_beat(message.data):
                continue
            frame = decode_frame(message.data)
            if frame.command == "ERROR":
                raise ConnectionFailedError("La Marzocco websocket sent an ERROR frame")
            if frame.command != "MESSAGE":
                continue
            destination, body = message_json(frame)
            destination = self._subscriptions.get(frame.header("subscription") or "") or destination
            try:
                self._dispatch(destination, body)
            except ProtocolError:
                _LOGGER.debug("Ignored a La Marzocco push that could not be read")
            # receive() returns queued frames without suspending: the pushes of every
            # machine of the account would otherwise be handled in one loop step.
            await asyncio.sleep(0)

    def _dispatch(self, destination: str, body: object) -> None:
        serial = self._destinations.get(destination)
        if serial is not None:
            push = parse_dashboard_push(body)
            self._cloud.command_updates(push.commands)
            self._listener.dashboard_pushed(serial, push)
            return
        serial = self._schedule_destinations.get(destination)
        if serial is None:
            return
        scheduling = parse_scheduling(body)
        commands = Reader(body, "scheduling push").items("commands", optional=True)
        self._cloud.command_updates(parse_command_updates(commands))
        self._listener.schedule_pushed(serial, scheduling)

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self._listener.connection_changed(connected)
