"""One SmartHQ account: its websocket, the appliances it keeps current, who listens to which ERD.

Also the entry's runtime data, so that every module of the brand can name it without
importing the setup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
import logging
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ..const import DOMAIN
from ..kitchenlib import AuthError, ConnectionFailedError, ProtocolError
from ..kitchenlib.ge.appliance import Appliance
from ..kitchenlib.ge.client import SmartHqClient
from ..kitchenlib.ge.erd import encode_erd, format_erd_code
from ..kitchenlib.ge.tokens import TokenSet
from .appliance_types import appliance_kind
from .devices import ApplianceDevices
from .entry_data import token_data
from .errors import translate_ge_errors

_LOGGER = logging.getLogger(__name__)

type ErdKey = tuple[str, int]
type GeConfigEntry = ConfigEntry[GeRuntimeData]

# Complete lists in a row that must leave an appliance out before it counts as gone: GE's
# list sometimes leaves one out of a single reply.
LISTS_TO_LEAVE: Final = 2


class GeCoordinator(DataUpdateCoordinator[dict[str, Appliance]]):
    """Owns the account's websocket client and the appliances its entities read.

    ``data`` maps each appliance on the account (by MAC) to its state as last pushed.
    Nothing is polled: the websocket opens once at setup, and afterwards state changes
    only through ``publish#erd`` pushes (and the full read the client does after a
    reconnect), which the client applies to these same appliance objects.

    Pushes do not go through ``async_set_updated_data``: that would write the state of
    every entity of every appliance on the account for each ERD that changes. Entities
    listen to the ERDs they show instead, so one push writes only their state.
    """

    config_entry: GeConfigEntry
    client: SmartHqClient

    def __init__(
        self,
        hass: HomeAssistant,
        entry: GeConfigEntry,
        *,
        expected: Collection[str] = (),
    ) -> None:
        """``expected``: appliances with a device from before, kept like any listed one."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"GE {entry.title}",
            update_interval=None,
            always_update=False,
        )
        # Placeholders until the first list says whether they are still on the account.
        self.data = {mac: Appliance(mac) for mac in expected}
        # The last known state of appliances that left the account, so their entities
        # still read while they are being removed.
        self._departed: dict[str, Appliance] = {}
        # How many complete lists in a row left each appliance out (while connected).
        self._misses: dict[str, int] = {}
        self._erd_listeners: defaultdict[ErdKey, list[CALLBACK_TYPE]] = defaultdict(list)
        self._appliance_listeners: list[CALLBACK_TYPE] = []
        self._connected = False
        self._auth_failed = False
        self._stopping = False
        self._initialised: set[str] = set()

    def attach(self, client: SmartHqClient) -> None:
        """Use ``client``; it calls this coordinator back as its listener."""
        self.client = client

    @property
    def connected(self) -> bool:
        """Whether the account's websocket is open."""
        return self._connected

    def appliance(self, mac: str) -> Appliance:
        """The appliance ``mac`` as last pushed (as last seen, if it just left the account)."""
        appliance = self.data.get(mac)
        return appliance if appliance is not None else self._departed[mac]

    def online(self, mac: str) -> bool:
        """Whether ``mac`` is still on the account and the list shows it online."""
        appliance = self.data.get(mac)
        return appliance is not None and appliance.online

    async def _async_setup(self) -> None:
        """The first connection and full read (setup fails or retries without it)."""
        try:
            await self.client.async_start()
        except AuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="ge_auth_failed"
            ) from err
        except (ConnectionFailedError, ProtocolError) as err:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="ge_cannot_connect",
                translation_placeholders={"name": self.config_entry.title},
            ) from err
        self._connected = True
        self._take_appliances()

    async def _async_update_data(self) -> dict[str, Appliance]:
        """The appliances as the websocket keeps them; there is nothing to fetch.

        Reached at setup and when ``homeassistant.update_entity`` asks. While the account
        is disconnected the coordinator is already marked failed, so this fails quietly.
        """
        if not self._connected:
            raise self._lost()
        return self.data

    def _set_connected(self, connected: bool, error: Exception | None = None) -> None:
        """Mark the coordinator ok or failed with the connection, then refresh availability.

        Not through ``async_set_update_error``: it logs an error, and a lost connection
        gets one info line (``connection_changed``). Marked failed, a refresh asked for
        while disconnected (``homeassistant.update_entity``) fails without a log line.
        """
        self._connected = connected
        self.last_update_success = connected
        if error is not None:
            self.last_exception = error
        self.async_update_listeners()

    def _lost(self) -> UpdateFailed:
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="ge_cannot_connect",
            translation_placeholders={"name": self.config_entry.title},
        )

    def _take_appliances(self, gone: Collection[str] = ()) -> None:
        """Take the client's appliance list; those it left out stay until they are ``gone``.

        Those that left stay readable as last seen while their entities are removed.
        """
        current: dict[str, Appliance] = {}
        for mac, listed in self.client.appliances.items():
            previous = self.data.get(mac)
            # Back on the list: shown as last seen until the client's new full read is in.
            if previous is not None and previous.initialised and not listed.initialised:
                current[mac] = previous
            else:
                current[mac] = listed
        for mac, appliance in self.data.items():
            if mac not in current and mac not in gone:
                current[mac] = appliance
        self._departed = {
            mac: appliance
            for mac, appliance in {**self._departed, **self.data}.items()
            if mac not in current
        }
        self.data = current

    async def async_stop(self) -> None:
        """Close the websocket (quietly: unloading is no lost connection)."""
        self._stopping = True
        await self.client.async_close()

    async def async_write_erd(self, mac: str, code: int, value: Any) -> None:
        """Encode ``value`` and send it; the appliance's push brings the new state."""
        name = self.appliance(mac).nickname or mac
        async with translate_ge_errors(name):
            raw = encode_erd(code, value)
            status = await self.client.async_write_erd(mac, code, raw)
        if status == "timeout":
            _LOGGER.debug(
                "%s did not confirm %s in time; waiting for its push", name, format_erd_code(code)
            )

    @callback
    def async_add_erd_listener(
        self, mac: str, codes: Iterable[int], update: CALLBACK_TYPE
    ) -> CALLBACK_TYPE:
        """Call ``update`` whenever one of ``codes`` of appliance ``mac`` changes."""
        keys = [(mac, code) for code in set(codes)]
        for key in keys:
            self._erd_listeners[key].append(update)

        @callback
        def _remove() -> None:
            for key in keys:
                listeners = self._erd_listeners.get(key)
                if listeners is not None and update in listeners:
                    listeners.remove(update)
                    if not listeners:
                        del self._erd_listeners[key]

        return _remove

    @callback
    def async_add_appliances_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update`` when appliances appear, disappear or go on- or offline."""
        self._appliance_listeners.append(update)
        return lambda: self._appliance_listeners.remove(update)

    # The client's listener interface; the client calls these in the event loop.

    def erds_changed(self, mac: str, codes: frozenset[int]) -> None:
        """Write the state of every entity showing one of the changed ERDs, once each.

        An appliance's first full read makes it known: its device and entities follow.
        """
        appliance = self.data.get(mac)
        if appliance is not None and appliance.initialised and mac not in self._initialised:
            self.appliances_changed()
            return
        notified: set[Callable[[], None]] = set()
        for code in codes:
            for update in self._erd_listeners.get((mac, code), ()):
                if update not in notified:
                    notified.add(update)
                    update()

    def appliances_changed(self) -> None:
        """Take the new list, add or remove devices, then refresh availability."""
        self._changed()

    def appliances_listed(self, macs: frozenset[str], complete: bool) -> None:
        """Remove the appliances that enough complete lists in a row have left out.

        A failed or partial list counts neither way; a lost connection starts the count
        afresh (``connection_changed``).
        """
        if not complete:
            return
        self._misses = {mac: self._misses.get(mac, 0) + 1 for mac in self.data if mac not in macs}
        gone = [mac for mac, misses in self._misses.items() if misses >= LISTS_TO_LEAVE]
        if gone:
            # No need to forget their counts: the next complete list counts from data.
            _LOGGER.debug("%d appliance(s) left the account; removing them", len(gone))
            self._changed(gone)

    def _changed(self, gone: Collection[str] = ()) -> None:
        self._take_appliances(gone)
        self._initialised = {mac for mac, appliance in self.data.items() if appliance.initialised}
        for update in list(self._appliance_listeners):
            update()
        self.async_update_listeners()

    def connection_changed(self, connected: bool) -> None:
        """One info line when the account goes away and one when it is back."""
        if connected == self._connected or self._stopping:
            return
        if connected:
            _LOGGER.info("GE Appliances account %s is connected again", self.config_entry.title)
        else:
            # Lists only count in a row on a connection that stays up.
            self._misses.clear()
            _LOGGER.info(
                "GE Appliances account %s lost its connection; retrying with back-off",
                self.config_entry.title,
            )
        self._set_connected(connected, None if connected else self._lost())

    def auth_failed(self, error: AuthError) -> None:
        """GE no longer accepts the stored sign-in: ask the user to sign in again."""
        _LOGGER.debug("SmartHQ sign-in refused: %s", error)
        self._set_connected(
            False,
            ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="ge_auth_failed"),
        )
        if not self._auth_failed:
            self._auth_failed = True
            self.config_entry.async_start_reauth(self.hass)

    @callback
    def tokens_rotated(self, tokens: TokenSet) -> None:
        """Keep the newest tokens so a restart reconnects without a new sign-in."""
        entry = self.config_entry
        self.hass.config_entries.async_update_entry(
            entry, data={**entry.data, **token_data(tokens)}
        )


@dataclass(frozen=True, slots=True)
class GeRuntimeData:
    """What a loaded GE entry holds: the account's coordinator and its devices."""

    coordinator: GeCoordinator
    devices: ApplianceDevices

    async def async_shutdown(self) -> None:
        """Let go of the appliances (another account's entry may show them) and close."""
        self.devices.async_stop()
        await self.coordinator.async_stop()

    def diagnostics(self) -> dict[str, Any]:
        """Connection figures and every appliance's ERDs (identifiers redacted by index)."""
        coordinator = self.coordinator
        shown_elsewhere = self.devices.shown_elsewhere
        appliances = []
        for index, (mac, appliance) in enumerate(coordinator.data.items()):
            appliances.append(
                {
                    "appliance": f"appliance_{index + 1}",
                    "shown_by_another_entry": mac in shown_elsewhere,
                    "kind": appliance_kind(appliance).value,
                    "label": appliance.label,
                    "online": appliance.online,
                    "initialised": appliance.initialised,
                    "model": appliance.model,
                    "firmware": appliance.firmware,
                    "erds": {
                        format_erd_code(code): erd.raw
                        for code, erd in sorted(appliance.erds.items())
                        if code != 0x0002  # the serial number
                    },
                }
            )
        return {
            "connected": coordinator.connected,
            "stats": dict(coordinator.client.stats),
            "appliances": appliances,
            # Also on another account whose entry shows them; only their index is given.
            "shown_by_another_entry": [
                entry["appliance"] for entry in appliances if entry["shown_by_another_entry"]
            ],
        }
