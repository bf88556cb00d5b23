"""One SmartHQ account: its websocket, fed by pushes only, and who listens to which ERD."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ..const import DOMAIN
from ..kitchenlib import AuthError, ConnectionFailedError, ProtocolError
from ..kitchenlib.ge.client import SmartHqClient
from ..kitchenlib.ge.tokens import TokenSet
from .entry_data import token_data

_LOGGER = logging.getLogger(__name__)

type ErdKey = tuple[str, int]


class GeCoordinator(DataUpdateCoordinator[None]):
    """Owns the account's websocket client and routes each pushed ERD to its entities.

    There is no polling: after the first full read, state changes only through
    ``publish#erd`` pushes (and the full read the client does after a reconnect).
    Entities listen to the ERDs they show, so one push writes only their state.
    """

    config_entry: ConfigEntry
    client: SmartHqClient

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"GE {entry.title}",
            update_interval=None,
            always_update=False,
        )
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

    async def _async_update_data(self) -> None:
        """The first connection and full read (setup fails or retries without it)."""
        try:
            await self.client.async_start()
        except AuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="ge_auth_failed"
            ) from err
        except (ConnectionFailedError, ProtocolError) as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="ge_cannot_connect",
                translation_placeholders={"name": self.config_entry.title},
            ) from err
        self._connected = True

    async def async_stop(self) -> None:
        """Close the websocket (quietly: unloading is no lost connection)."""
        self._stopping = True
        await self.client.async_close()

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
        appliance = self.client.appliances.get(mac)
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
        """Add or remove devices, then refresh availability."""
        self._initialised = {
            mac for mac, appliance in self.client.appliances.items() if appliance.initialised
        }
        for update in list(self._appliance_listeners):
            update()
        self.async_update_listeners()

    def connection_changed(self, connected: bool) -> None:
        """One info line when the account goes away and one when it is back."""
        if connected == self._connected or self._stopping:
            return
        self._connected = connected
        if connected:
            _LOGGER.info("GE Appliances account %s is connected again", self.config_entry.title)
        else:
            _LOGGER.info(
                "GE Appliances account %s lost its connection; retrying with back-off",
                self.config_entry.title,
            )
        self.async_update_listeners()

    def auth_failed(self, error: AuthError) -> None:
        """GE no longer accepts the stored sign-in: ask the user to sign in again."""
        _LOGGER.debug("SmartHQ sign-in refused: %s", error)
        self._connected = False
        self.async_update_listeners()
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
