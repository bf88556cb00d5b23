"""Keeps one push session with a Jura machine and reads counters on a slow cadence."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
import logging
import time

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ..const import DOMAIN
from ..kitchenlib import AuthError, CommandRefusedError, ConnectionFailedError, ProtocolError
from ..kitchenlib.jura.machine import JuraMachine, SessionRefusedError
from ..kitchenlib.jura.models import MachineState
from .const import (
    DEFAULT_COUNTER_INTERVAL,
    DEFAULT_PRODUCT_COUNTER_INTERVAL,
    FIRST_STATUS_TIMEOUT,
    MAX_BACKOFF_SECONDS,
    OPTION_COUNTER_INTERVAL,
    OPTION_PRODUCT_COUNTER_INTERVAL,
    REFUSALS_BEFORE_REPAIR,
)

_LOGGER = logging.getLogger(__name__)


class JuraCoordinator(DataUpdateCoordinator[MachineState]):
    """Pushed status from the open session; counters read every few minutes.

    Availability is handled here rather than by the base class so that a machine
    switched off at the wall gives exactly one info line, not an error per retry.
    """

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, machine: JuraMachine) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"Jura {entry.title}",
            update_interval=None,
            always_update=False,
        )
        self.machine = machine
        machine_options = entry.options
        self.counter_interval = timedelta(
            minutes=machine_options.get(OPTION_COUNTER_INTERVAL, DEFAULT_COUNTER_INTERVAL)
        )
        self.product_counter_interval = timedelta(
            minutes=machine_options.get(
                OPTION_PRODUCT_COUNTER_INTERVAL, DEFAULT_PRODUCT_COUNTER_INTERVAL
            )
        )
        self._wake = asyncio.Event()
        self._next_counters = 0.0
        self._next_product_counters = 0.0
        self._supervisor: asyncio.Task[None] | None = None
        self._refusals = 0
        machine.on_update = self._handle_machine_update
        machine.on_disconnect = self._handle_disconnect

    async def _async_update_data(self) -> MachineState:
        """First connection and full read, used by setup (fails setup if unreachable)."""
        try:
            await self._connect_and_read()
        except AuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="jura_pairing_rejected"
            ) from err
        except (ConnectionFailedError, ProtocolError, CommandRefusedError) as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="jura_cannot_connect",
                translation_placeholders={"host": self.machine.host},
            ) from err
        return self.machine.state

    async def _connect_and_read(self) -> None:
        self._wake.clear()
        await self.machine.connect()
        await self.machine.wait_for_status(FIRST_STATUS_TIMEOUT)
        await self._read_slow_data(force=True)

    async def _read_slow_data(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now >= self._next_counters:
            await self.machine.refresh_maintenance()
            self._next_counters = now + self.counter_interval.total_seconds()
        if force or now >= self._next_product_counters:
            await self.machine.refresh_product_counters()
            await self.machine.refresh_settings()
            self._next_product_counters = now + self.product_counter_interval.total_seconds()

    def start(self) -> None:
        """Start watching the session (after the first refresh succeeded)."""
        self._supervisor = self.config_entry.async_create_background_task(
            self.hass, self._supervise(), f"{DOMAIN} jura session {self.machine.host}"
        )

    async def async_stop(self) -> None:
        """Stop the supervisor and close the session."""
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        ir.async_delete_issue(self.hass, DOMAIN, self.refusal_issue_id)
        await self.machine.disconnect()

    async def _supervise(self) -> None:
        backoff = max(self.machine.reconnect_gap, 1.0)
        while True:
            if not self.machine.connected:
                try:
                    await self._connect_and_read()
                except AuthError:
                    self._mark_unavailable("the machine no longer accepts the pairing")
                    self.config_entry.async_start_reauth(self.hass)
                    return
                except (ConnectionFailedError, ProtocolError, CommandRefusedError) as err:
                    self._mark_unavailable(str(err))
                    self._count_refusal(err)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                    continue
                backoff = max(self.machine.reconnect_gap, 1.0)
                self._clear_refusals()
                self._mark_available()
            wait = min(self._next_counters, self._next_product_counters) - time.monotonic()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(wait, 0.0)):
                    await self._wake.wait()
            self._wake.clear()
            if self.machine.connected:
                try:
                    await self._read_slow_data()
                except (ConnectionFailedError, ProtocolError, CommandRefusedError) as err:
                    _LOGGER.debug("Counter read from %s failed: %s", self.machine.host, err)

    @property
    def refusal_issue_id(self) -> str:
        """The repair issue raised while the machine keeps refusing sessions."""
        return f"session_refused_{self.config_entry.entry_id}"

    def _count_refusal(self, error: Exception) -> None:
        if not isinstance(error, SessionRefusedError):
            return
        self._refusals += 1
        if self._refusals == REFUSALS_BEFORE_REPAIR:
            # Only the user can fix this: close the phone app or leave the menu.
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                self.refusal_issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="jura_session_refused",
                translation_placeholders={"name": self.config_entry.title},
            )

    def _clear_refusals(self) -> None:
        if self._refusals >= REFUSALS_BEFORE_REPAIR:
            ir.async_delete_issue(self.hass, DOMAIN, self.refusal_issue_id)
        self._refusals = 0

    @callback
    def _handle_machine_update(self, state: MachineState) -> None:
        if self.data is not None and self.data.brewing and not state.brewing:
            # A finished product or care process moved the counters: read them now.
            self._next_counters = self._next_product_counters = 0.0
            self._wake.set()
        if self.last_update_success:
            self.async_set_updated_data(state)

    @callback
    def _handle_disconnect(self, error: Exception | None) -> None:
        self._wake.set()
        self._mark_unavailable(str(error) if error else "session closed")

    def _mark_unavailable(self, reason: str) -> None:
        if self.last_update_success:
            _LOGGER.info("%s is unavailable: %s", self.name, reason)
            self.last_update_success = False
            self.async_update_listeners()

    def _mark_available(self) -> None:
        if not self.last_update_success:
            _LOGGER.info("%s is available again", self.name)
        self.async_set_updated_data(self.machine.state)
