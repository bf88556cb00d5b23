"""LaMarzoccoBluetooth: reads and commands over one Bluetooth link at a time.

Reads and commands borrow the link the shot follower holds open, or open a short one of
their own; either way only one link to the machine exists and every write-then-read pair
runs alone on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
import logging
import random
import time
from typing import Any

from bleak.backends.device import BLEDevice

from ...backoff import backoff_delay
from ...bluetooth_link import Connector
from ...errors import CommandRefusedError, ConnectionFailedError, KitchenError, ProtocolError
from ..commands import (
    COFFEE_TEMPERATURE,
    STEAM_TEMPERATURE,
    MachineMode,
    Range,
    StandByAfter,
    SteamLevel,
)
from . import gatt, payloads
from .errors import MissingCharacteristicError, TokenRejectedError
from .link import Link, Timeouts, bleak_connector
from .payloads import Boilers, Capabilities, CommandResult, Setting, SmartStandby
from .telemetry import ShotStatus, ShotTracker, decode_telemetry

_LOGGER = logging.getLogger(__name__)

type ShotListener = Callable[[ShotStatus], None]
type ConnectionListener = Callable[[bool], None]

RECONNECT_INITIAL = 1.0
RECONNECT_MAX = 60.0


class LaMarzoccoBluetooth:
    """One machine over Bluetooth, authenticated with its ``bleAuthToken``."""

    def __init__(
        self,
        device: BLEDevice | Callable[[], BLEDevice | None],
        token: str,
        *,
        timeouts: Timeouts | None = None,
        max_attempts: int = 2,
        reconnect_initial: float = RECONNECT_INITIAL,
        reconnect_max: float = RECONNECT_MAX,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        **client_kwargs: Any,
    ) -> None:
        """``device`` is a BLEDevice or a lookup asked before every connection.

        ``client_kwargs`` go to bleak-retry-connector (a test passes its ``backend``).
        """
        lookup = device if callable(device) else lambda: device
        self._connector: Connector = bleak_connector(
            lookup, max_attempts=max_attempts, **client_kwargs
        )
        self._token = token
        self._timeouts = timeouts or Timeouts()
        self._reconnect = (reconnect_initial, reconnect_max)
        self._clock = clock
        self._rng = rng or random.Random()
        self._lock = asyncio.Lock()
        self._held: Link | None = None  # the shot follower's link
        self.authentication_failed = False

    @classmethod
    def for_address(
        cls,
        address: str,
        lookup: Callable[[str], BLEDevice | None],
        token: str,
        **kwargs: Any,
    ) -> LaMarzoccoBluetooth:
        """A client that asks ``lookup(address)`` (Home Assistant's device lookup) each time."""
        return cls(lambda: lookup(address), token, **kwargs)

    def __repr__(self) -> str:
        return f"LaMarzoccoBluetooth(connected={self.connected})"

    @property
    def connected(self) -> bool:
        """Whether the shot follower holds a live link."""
        return self._held is not None and not self._held.lost

    # -- links -----------------------------------------------------------------------------

    async def _open(self) -> Link:
        """A connected, authenticated link (the caller holds the lock)."""
        link = Link(self._timeouts)
        try:
            await link.open(self._connector)
            await link.authenticate(self._token)
        except BaseException as err:
            # Only a refusal says anything about the token; a lost link says nothing.
            if isinstance(err, TokenRejectedError):
                self.authentication_failed = True
            await link.close()
            raise
        self.authentication_failed = False
        return link

    @asynccontextmanager
    async def _link(self) -> AsyncIterator[Link]:
        """The held link, or a fresh one closed afterwards; one at a time."""
        async with self._lock:
            held = self._held
            if held is not None and not held.lost:
                yield held
                return
            link = await self._open()
            try:
                yield link
            finally:
                await link.close()

    async def _run[T](self, operation: Callable[[Link], Awaitable[T]]) -> T:
        """Run ``operation`` within the operation deadline, waiting for the lock included."""
        seconds = self._timeouts.operation
        try:
            async with asyncio.timeout(seconds):
                return await self._run_once_more(operation)
        except TimeoutError as err:
            raise ConnectionFailedError(f"no answer within {seconds:g} s") from err

    async def _run_once_more[T](self, operation: Callable[[Link], Awaitable[T]]) -> T:
        """Run ``operation``; a missing characteristic clears the services cache once."""
        try:
            async with self._link() as link:
                try:
                    return await operation(link)
                except MissingCharacteristicError:
                    await link.clear_cache()
                    await link.close()
                    raise
        except MissingCharacteristicError:
            _LOGGER.debug("A characteristic was missing; services cache cleared, retrying")
        async with self._link() as link:
            return await operation(link)

    # -- reads -----------------------------------------------------------------------------

    async def _read_setting(self, setting: Setting) -> bytes:
        async def read(link: Link) -> bytes:
            await link.write(gatt.READ, payloads.read_request(setting))
            return await link.read(gatt.READ)

        return await self._run(read)

    async def async_capabilities(self) -> Capabilities:
        """Family, boilers, groups and modes."""
        return payloads.decode_capabilities(await self._read_setting(Setting.CAPABILITIES))

    async def async_machine_mode(self) -> MachineMode:
        """Brewing mode or standby."""
        return payloads.decode_machine_mode(await self._read_setting(Setting.MACHINE_MODE))

    async def async_tank_ok(self) -> bool:
        """True when the water tank has water."""
        return payloads.decode_tank_ok(await self._read_setting(Setting.TANK_STATUS))

    async def async_plumbed_in(self) -> bool | None:
        """Whether the machine is plumbed in; None on firmware that does not know."""
        return payloads.decode_plumbed_in(await self._read_setting(Setting.PLUMBED_IN))

    async def async_boilers(self) -> Boilers:
        """Current and target temperatures and whether each boiler is on."""
        return payloads.decode_boilers(await self._read_setting(Setting.BOILERS))

    async def async_smart_standby(self) -> SmartStandby:
        """The smart standby setting."""
        return payloads.decode_smart_standby(await self._read_setting(Setting.SMART_STANDBY))

    # -- commands --------------------------------------------------------------------------

    async def _command(self, command: bytes) -> CommandResult:
        async def send(link: Link) -> CommandResult:
            await link.write(gatt.WRITE, command)
            return payloads.decode_command_result(await link.read(gatt.WRITE))

        result = await self._run(send)
        if not result.succeeded:
            raise CommandRefusedError(
                f"the machine refused the command ({result.status}: {result.message or '-'})"
            )
        return result

    async def async_set_power(self, on: bool) -> CommandResult:
        """Brewing mode (on) or standby (off)."""
        return await self._command(payloads.power(on))

    async def async_set_steam(self, enabled: bool) -> CommandResult:
        """Steam boiler on or off."""
        return await self._command(payloads.steam_enabled(enabled))

    async def async_set_steam_level(self, level: SteamLevel | str) -> CommandResult:
        """Steam level 1-3 (Micra, Mini R)."""
        return await self._command(payloads.steam_level(level))

    async def async_set_steam_temperature(
        self, value: float, limits: Range = STEAM_TEMPERATURE
    ) -> CommandResult:
        """Steam boiler target (GS3 AV, GS3 MP)."""
        return await self._command(payloads.steam_temperature(value, limits))

    async def async_set_coffee_temperature(
        self, value: float, limits: Range = COFFEE_TEMPERATURE
    ) -> CommandResult:
        """Coffee boiler target; ``limits`` from the machine's widget when known."""
        return await self._command(payloads.coffee_temperature(value, limits))

    async def async_set_smart_standby(
        self,
        enabled: bool,
        minutes: int,
        after: StandByAfter | str = StandByAfter.POWER_ON,
        limits: Range = payloads.SMART_STANDBY_MINUTES,
    ) -> CommandResult:
        """Smart standby on or off, after ``minutes`` from power-on or the last shot."""
        return await self._command(payloads.smart_standby(enabled, minutes, after, limits))

    # -- shot counter ----------------------------------------------------------------------

    def follow_shots(
        self,
        listener: ShotListener,
        on_connection: ConnectionListener | None = None,
    ) -> ShotFollower:
        """Start following the shot counter; stop it with ``await follower.async_stop()``."""
        follower = ShotFollower(self, listener, on_connection)
        follower.start()
        return follower

    async def _hold(self, tracker: ShotTracker, handler: Callable[[bytes], None]) -> Link:
        """Open the link the follower keeps and subscribe to the shot counter on it."""
        async with self._lock:
            link = await self._open()
            try:
                tracker.subscribed()
                await link.subscribe(gatt.SHOT_COUNTER, handler)
            except MissingCharacteristicError:
                await link.clear_cache()
                await link.close()
                raise
            except BaseException:
                await link.close()
                raise
            self._held = link
            return link

    async def _release(self, link: Link) -> None:
        async with self._lock:
            if self._held is link:
                self._held = None
            await link.close()

    def reconnect_delay(self, attempt: int) -> float:
        """Seconds before reconnect ``attempt`` (0-based) of the shot follower."""
        return backoff_delay(attempt, *self._reconnect, self._rng)


class ShotFollower:
    """Keeps a link open for shot-counter notifications and reconnects with backoff."""

    def __init__(
        self,
        client: LaMarzoccoBluetooth,
        listener: ShotListener,
        on_connection: ConnectionListener | None,
    ) -> None:
        """Follow ``client``'s machine; ``listener`` gets every new status."""
        self._client = client
        self._listener = listener
        self._on_connection = on_connection
        self.tracker = ShotTracker(clock=client._clock)
        self._task: asyncio.Task[None] | None = None
        self.connections = 0

    @property
    def status(self) -> ShotStatus:
        """The current shot status (empty once stale)."""
        return self.tracker.status

    def start(self) -> None:
        """Start the follower's task."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="La Marzocco shot counter"
            )

    async def async_stop(self) -> None:
        """Stop following and close the link."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    def _on_notification(self, data: bytes) -> None:
        try:
            telemetry = decode_telemetry(data)
        except ProtocolError as err:
            _LOGGER.debug("Ignoring a shot-counter notification: %s", err)
            return
        status = self.tracker.feed(telemetry)
        if status is not None:
            self._listener(status)

    def _connection(self, connected: bool) -> None:
        if self._on_connection is not None:
            self._on_connection(connected)

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                link = await self._client._hold(self.tracker, self._on_notification)
            except TokenRejectedError:
                _LOGGER.debug("Shot counter stopped: the Bluetooth token is wrong")
                return
            except KitchenError as err:
                _LOGGER.debug("Shot counter link failed: %s", err)
            else:
                attempt = 0
                self.connections += 1
                self._connection(True)
                try:
                    await link.closed.wait()
                finally:
                    await self._client._release(link)
                self._connection(False)
            await asyncio.sleep(self._client.reconnect_delay(attempt))
            attempt += 1
