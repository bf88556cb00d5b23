"""The Jura session, its slow reads, and what a loaded entry keeps of them.

The session coordinator holds the one TCP session: the machine pushes its status
through it and every command goes through it. Counters and settings change slowly;
polling coordinators of their own read them, so a read the machine refuses never
touches what the pushes feed.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
import logging
from typing import Any, ClassVar

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ..const import DOMAIN
from ..kitchenlib import AuthError, CommandRefusedError, ConnectionFailedError, ProtocolError
from ..kitchenlib.jura.connection import ReplyTimeoutError
from ..kitchenlib.jura.machine import JuraMachine, SessionRefusedError
from ..kitchenlib.jura.models import (
    DiscoveredMachine,
    MachineProfile,
    MachineState,
    SettingValue,
)
from ..kitchenlib.jura.status import active_alert_keys, machine_status
from ..pacing import OwnStepTrigger
from .const import (
    CONF_PANEL_LOCK,
    DEFAULT_COUNTER_INTERVAL,
    DEFAULT_PRODUCT_COUNTER_INTERVAL,
    FIRST_STATUS_TIMEOUT,
    MAX_BACKOFF_SECONDS,
    OPTION_COUNTER_INTERVAL,
    OPTION_PRODUCT_COUNTER_INTERVAL,
    REFUSALS_BEFORE_REPAIR,
)

_LOGGER = logging.getLogger(__name__)

type JuraConfigEntry = ConfigEntry[JuraRuntimeData]


class JuraSessionCoordinator(DataUpdateCoordinator[MachineState]):
    """The open session: pushed state, and a supervisor that reconnects.

    Nothing is polled: the session opens in ``_async_setup`` and every push arrives
    through ``async_set_updated_data``. Availability is the supervisor's rather than the
    base class's, so that a machine switched off at the wall gives exactly one info
    line, not an error per retry.
    """

    config_entry: JuraConfigEntry

    def __init__(self, hass: HomeAssistant, entry: JuraConfigEntry, machine: JuraMachine) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"Jura {entry.title}",
            update_interval=None,
            always_update=False,
        )
        self.machine = machine
        self._session_lost = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._refusals = 0
        self._push_delivery = OwnStepTrigger(
            hass, entry, f"{DOMAIN} jura push {machine.host}", self._deliver_push
        )
        machine.on_update = self._handle_machine_update
        machine.on_disconnect = self._handle_disconnect

    async def _async_setup(self) -> None:
        """Open the session: setup retries while unreachable and asks to pair again if rejected."""
        try:
            await self._open_session()
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
        self._supervisor = self.config_entry.async_create_background_task(
            self.hass, self._supervise(), f"{DOMAIN} jura session {self.machine.host}"
        )

    async def _async_update_data(self) -> MachineState:
        """The state the pushes keep current; asking for it sends nothing to the machine."""
        if not (self.machine.connected and self.last_update_success):
            # Quiet, as the entities are unavailable already: the supervisor said so once.
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="jura_not_connected",
                translation_placeholders={"name": self.config_entry.title},
            )
        return self.machine.state

    async def _open_session(self) -> None:
        await self.machine.connect()
        try:
            await self.machine.wait_for_status(FIRST_STATUS_TIMEOUT)
            if not self.machine.connected:
                raise ConnectionFailedError("the machine hung up right after the handshake")
        except BaseException:
            # Failed or cancelled: the machine allows one session, so never leave it open.
            await self.machine.disconnect()
            raise

    async def async_shutdown(self) -> None:
        """Stop the supervisor and hang up, so the machine is free for the phone app."""
        await super().async_shutdown()
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        ir.async_delete_issue(self.hass, DOMAIN, self.refusal_issue_id)
        await self.machine.disconnect()

    async def _supervise(self) -> None:
        while True:
            await self._session_lost.wait()
            self._session_lost.clear()
            backoff = max(self.machine.reconnect_gap, 1.0)
            while not self.machine.connected:
                try:
                    await self._open_session()
                except AuthError:
                    self._mark_unavailable("the machine no longer accepts the pairing")
                    self.config_entry.async_start_reauth(self.hass)
                    return
                except (ConnectionFailedError, ProtocolError, CommandRefusedError) as err:
                    self._mark_unavailable(str(err))
                    self._count_refusal(err)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            self._clear_refusals()
            self._mark_available()

    async def async_set_panel_lock(self, locked: bool) -> None:
        """Lock or unlock the panel, and remember the choice across reloads and restarts.

        Without it, the next session would take the user's lock for one left behind by a
        dead session and release it.
        """
        try:
            await self.machine.set_panel_lock(locked)
        finally:
            wanted = self.machine.lock_wanted
            entry = self.config_entry
            if entry.data.get(CONF_PANEL_LOCK, False) != wanted:
                self.hass.config_entries.async_update_entry(
                    entry, data={**entry.data, CONF_PANEL_LOCK: wanted}
                )

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
    def _handle_machine_update(self, _state: MachineState) -> None:
        # Machines that push together take turns (pacing.py); the newest state goes out.
        self._push_delivery.trigger()

    @callback
    def _deliver_push(self) -> None:
        # While reconnecting, the supervisor announces the session once it is whole.
        if self.last_update_success:
            self.async_set_updated_data(self.machine.state)

    @callback
    def _handle_disconnect(self, error: Exception | None) -> None:
        self._session_lost.set()
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


class JuraReadCoordinator(DataUpdateCoordinator[MachineState]):
    """Values the machine only gives when asked, read on an interval of their own.

    Also read right after a product or care program ends and when the session is back.
    The data is the machine's state as the read left it; the entities it feeds show only
    what it read. While the session is down the read is skipped and the last data kept:
    those entities are unavailable with the session anyway, and a machine switched off
    at the wall is no error.
    """

    config_entry: JuraConfigEntry
    subject: ClassVar[str]  # what is read, as the logs name it
    interval_option: ClassVar[str]
    default_minutes: ClassVar[int]

    def __init__(
        self, hass: HomeAssistant, entry: JuraConfigEntry, session: JuraSessionCoordinator
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"Jura {entry.title} {self.subject}",
            update_interval=timedelta(
                minutes=entry.options.get(self.interval_option, self.default_minutes)
            ),
            always_update=False,
        )
        self.session = session
        self.machine = session.machine
        self._session_up = True
        self._brewing = False
        entry.async_on_unload(session.async_add_listener(self._handle_session_update))

    async def _async_read(self) -> None:
        """Ask the machine; the answers land in ``machine.state``."""
        raise NotImplementedError

    async def _async_update_data(self) -> MachineState:
        if self.machine.connected:
            try:
                await self._async_read()
            except CommandRefusedError as err:
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="jura_command_refused",
                    translation_placeholders={"name": self.config_entry.title, "detail": str(err)},
                ) from err
            except (ConnectionFailedError, ProtocolError) as err:
                # A session lost mid-read, or gone silent, is the supervisor's to report (once,
                # when it drops the session), not ours: the last reading stands until then.
                silent = isinstance(err, ReplyTimeoutError) and self.data is not None
                if silent:
                    _LOGGER.debug("%s: no reply to a read; keeping the last one", self.name)
                elif self.machine.connected:
                    raise UpdateFailed(
                        translation_domain=DOMAIN,
                        translation_key="jura_read_failed",
                        translation_placeholders={
                            "name": self.config_entry.title,
                            "detail": str(err),
                        },
                    ) from err
            else:
                return self.machine.state
        if self.data is None or not self.last_update_success:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="jura_not_connected",
                translation_placeholders={"name": self.config_entry.title},
            )
        return self.data

    @callback
    def _handle_session_update(self) -> None:
        session_up = self.session.last_update_success
        brewing = session_up and self.session.data.brewing
        if session_up and (not self._session_up or (self._brewing and not brewing)):
            # Back after an outage, or a finished product or care program moved the counters.
            self.config_entry.async_create_background_task(
                self.hass, self.async_refresh(), f"{self.name} read"
            )
        self._session_up, self._brewing = session_up, brewing


class JuraCounterCoordinator(JuraReadCoordinator):
    """Maintenance counters, and how due each care program is."""

    subject = "counters"
    interval_option = OPTION_COUNTER_INTERVAL
    default_minutes = DEFAULT_COUNTER_INTERVAL

    async def _async_read(self) -> None:
        await self.machine.refresh_maintenance()


class JuraProductCounterCoordinator(JuraReadCoordinator):
    """Product counters and the machine's settings, which share the slower interval."""

    subject = "product counters and settings"
    interval_option = OPTION_PRODUCT_COUNTER_INTERVAL
    default_minutes = DEFAULT_PRODUCT_COUNTER_INTERVAL

    async def _async_read(self) -> None:
        await self.machine.refresh_product_counters()
        await self.machine.refresh_settings()

    async def async_write_setting(self, argument: int, value: SettingValue) -> None:
        """Write one setting through the session and show the value read back at once."""
        await self.machine.write_setting(argument, value)
        self.async_set_updated_data(self.machine.state)


@dataclass(kw_only=True)
class JuraRuntimeData:
    """What a loaded Jura entry keeps: its coordinators, its device and the UI's choices."""

    session: JuraSessionCoordinator
    counters: JuraCounterCoordinator
    product_counters: JuraProductCounterCoordinator
    machine_id: str
    device_info: DeviceInfo
    # The product and strength chosen in the UI, used when a brew call leaves them out.
    brew_choices: dict[str, str] = field(default_factory=dict)
    # The dongle's UDP status reply (firmware versions), once it answered.
    identity: DiscoveredMachine | None = None

    @property
    def machine(self) -> JuraMachine:
        """The machine client; every command goes through its session."""
        return self.session.machine

    @property
    def profile(self) -> MachineProfile:
        """The model description in use."""
        return self.session.machine.profile

    async def async_shutdown(self) -> None:
        """Stop the reads, then close the session."""
        await self.counters.async_shutdown()
        await self.product_counters.async_shutdown()
        await self.session.async_shutdown()

    def diagnostics(self) -> dict[str, Any]:
        """Model, connection, the slow reads' health and the last known machine state."""
        machine = self.machine
        profile = self.profile
        state = machine.state
        return {
            "model": profile.ef_code,
            "baseline_profile": profile.is_baseline,
            "connected": machine.connected,
            "last_reads_succeeded": {
                "counters": self.counters.last_update_success,
                "product_counters": self.product_counters.last_update_success,
            },
            "firmware": (
                {"dongle": self.identity.dongle_firmware, "machine": self.identity.machine_firmware}
                if self.identity
                else None
            ),
            "state": {
                "alerts": sorted(state.alerts),
                "active_alerts": sorted(active_alert_keys(profile, state)),
                "status": machine_status(profile, state),
                "brewing": state.brewing,
                "progress": (
                    {"state": state.progress.state, "code": state.progress.code}
                    | {"percent": state.progress.percent}
                    if state.progress
                    else None
                ),
                "maintenance_counters": dict(state.maintenance_counters),
                "maintenance_percent": dict(state.maintenance_percent),
                "product_counters": {
                    f"{code:02X}": n for code, n in state.product_counters.items()
                },
                "settings": {f"{arg:02X}": value for arg, value in state.settings.items()},
                "settings_unsupported": [
                    f"{arg:02X}" for arg in sorted(machine.unsupported_settings)
                ],
                "settings_unreadable": [
                    f"{arg:02X}" for arg in sorted(machine.unreadable_settings)
                ],
            },
        }
