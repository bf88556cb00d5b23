"""The session policy: visit the machine on the entry's cadence, then let it go.

Each refresh is one session: connect, read every block, listen a few seconds for the
temperature reports the machine pushes (each reaches the entities as it arrives), hang
up so the official app can connect. While the machine is unreachable (most often because
the app holds it) the entities are unavailable, with one info line when that starts and
one when the machine is back, never an error per session.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ....const import DOMAIN
from ....entity import translate_library_errors
from ....kitchenlib import AuthError, ConnectionFailedError, ProtocolError
from ....kitchenlib.lamarzocco.direct import DirectClient, Snapshot, Temperatures
from ....kitchenlib.lamarzocco.direct.writes import Write
from ..const import OPTION_SESSION_INTERVAL
from .const import DEFAULT_SESSION_INTERVAL, LISTEN_SECONDS
from .machine import Machine

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class DirectState:
    """What the last session read, and the newest pushed temperatures."""

    snapshot: Snapshot
    temperatures: Temperatures | None


class DirectCoordinator(DataUpdateCoordinator[DirectState]):
    """One machine on port 1774."""

    config_entry: ConfigEntry[Any]

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: DirectClient,
        machine: Machine,
        serial: str,
    ) -> None:
        interval = entry.options.get(OPTION_SESSION_INTERVAL, DEFAULT_SESSION_INTERVAL)
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"La Marzocco {entry.title}",
            update_interval=timedelta(seconds=interval),
            always_update=False,
        )
        self.client = client
        self.machine = machine
        self.serial = serial
        self.listen_seconds = LISTEN_SECONDS
        self.reachable = True
        self.sessions = 0
        self.pushes = 0
        self._temperatures: Temperatures | None = None
        client.on_temperatures = self._handle_temperatures

    @callback
    def _handle_temperatures(self, report: Temperatures) -> None:
        self.pushes += 1
        self._temperatures = report
        if self.data is not None and self.data.temperatures != report:
            self.data = replace(self.data, temperatures=report)
            self.async_update_listeners()

    async def _async_update_data(self) -> DirectState:
        self.sessions += 1
        try:
            snapshot = await self.client.read(self.listen_seconds)
        except AuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="lamarzocco_direct_key_refused",
                translation_placeholders={"name": self.config_entry.title},
            ) from err
        except (ConnectionFailedError, ProtocolError) as err:
            if self.data is None:
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="lamarzocco_direct_unreachable",
                    translation_placeholders={"name": self.config_entry.title},
                ) from err
            self._mark_unreachable(err)
            return self.data
        self._mark_reachable()
        return DirectState(snapshot, self._temperatures)

    def _mark_unreachable(self, err: Exception) -> None:
        if self.reachable:
            _LOGGER.info("%s is unavailable: %s", self.name, err)
            self.reachable = False
            self.async_update_listeners()

    def _mark_reachable(self) -> None:
        if not self.reachable:
            _LOGGER.info("%s is back", self.name)
            self.reachable = True
            self.async_update_listeners()

    async def async_write(self, write: Write) -> None:
        """Send a checked write (riding the session if one is open) and show what it read."""
        title = self.config_entry.title
        try:
            async with translate_library_errors(
                title,
                refused_key="lamarzocco_command_refused",
                not_connected_key="lamarzocco_direct_busy_command",
                own_messages=((ProtocolError, "lamarzocco_direct_busy_command"),),
            ):
                snapshot = await self.client.write(write)
        except AuthError as err:
            self.config_entry.async_start_reauth(self.hass)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="lamarzocco_direct_key_refused",
                translation_placeholders={"name": title},
            ) from err
        self._mark_reachable()
        self.async_set_updated_data(DirectState(snapshot, self._temperatures))

    def diagnostics(self) -> dict[str, Any]:
        """The blocks as read, without the machine's or the gateway module's serial."""
        state = self.data
        blocks: dict[str, Any] | None = None
        if state is not None:
            blocks = asdict(state.snapshot)
            blocks.pop("serial")
            blocks["status"].pop("module_serial")
        return {
            "reachable": self.reachable,
            "sessions": self.sessions,
            "pushes": self.pushes,
            "session_interval": None
            if self.update_interval is None
            else self.update_interval.total_seconds(),
            "model": self.machine.model,
            "blocks": blocks,
            "temperatures": None
            if state is None or state.temperatures is None
            else asdict(state.temperatures),
        }
