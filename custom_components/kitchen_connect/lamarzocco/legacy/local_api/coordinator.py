"""One machine on port 8081: read once over REST, then pushed by the streaming websocket.

The websocket is the machine's only local connection. It is reopened with backoff when it
drops (the config is read again first, so nothing pushed in the gap is lost); while it is
down the entities are unavailable, with one info line when that starts and one when the
machine is back. A refused key stops the stream and asks the user for a new one.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
import logging
import random
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ....const import DOMAIN
from ....kitchenlib import AuthError, KitchenError
from ....kitchenlib.backoff import backoff_delay
from ....kitchenlib.lamarzocco.local.client import LocalApiClient
from ....kitchenlib.lamarzocco.local.errors import KeyNotEnabledError
from ....kitchenlib.lamarzocco.local.frames import Frame, LocalState

_LOGGER = logging.getLogger(__name__)

RECONNECT_INITIAL: Final = 1.0
RECONNECT_MAX: Final = 60.0


def auth_failed(err: AuthError) -> ConfigEntryAuthFailed:
    """The translated reauthentication error of a refused key."""
    refused = isinstance(err, KeyNotEnabledError)
    key = "lamarzocco_local_key_not_enabled" if refused else "lamarzocco_local_invalid_key"
    return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key=key)


class LocalApiCoordinator(DataUpdateCoordinator[LocalState]):
    """The state of one machine, as its gateway pushes it."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: LocalApiClient,
        serial: str,
    ) -> None:
        """Nothing is read until the first refresh; ``start`` opens the stream."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"La Marzocco {entry.title}",
            update_interval=None,
            always_update=False,
        )
        self.client = client
        self.serial = serial
        self.streaming = False
        self.pushes = 0
        self.connections = 0
        self._rng = random.Random()
        self._task: asyncio.Task[None] | None = None

    async def _async_update_data(self) -> LocalState:
        try:
            config = await self.client.async_get_config()
        except AuthError as err:
            raise auth_failed(err) from err
        except KitchenError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="lamarzocco_local_unreachable",
                translation_placeholders={"detail": str(err)},
            ) from err
        previous: LocalState | None = self.data
        if previous is None:
            return LocalState.from_config(config)
        return previous.apply(Frame(config=config))

    def start(self) -> None:
        """Open the stream and keep it open until ``async_stop``."""
        if self._task is None:
            self._task = self.config_entry.async_create_background_task(
                self.hass, self._run(), f"{self.name} stream"
            )

    async def async_stop(self) -> None:
        """Close the stream: the machine's local connection is free for the app again."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        await self.client.async_close()
        self.streaming = False

    async def _run(self) -> None:
        failures = 0
        resync = False
        while True:
            opened = self.connections
            try:
                if resync:
                    # Read what changed while no frame came; shown once the stream is open.
                    self.data = await self._async_update_data()
                await self.client.async_listen(self._on_frame, self._on_open)
            except ConfigEntryAuthFailed, AuthError:
                self._lost("the gateway refused the key")
                self.config_entry.async_start_reauth(self.hass)
                return
            except UpdateFailed as err:
                self._lost(str(err.__cause__ or err))
            except KitchenError as err:
                self._lost(str(err))
            resync = True
            failures = 0 if self.connections > opened else failures + 1
            delay = backoff_delay(failures, RECONNECT_INITIAL, RECONNECT_MAX, self._rng)
            await asyncio.sleep(delay)

    @callback
    def _on_open(self) -> None:
        self.connections += 1
        self.streaming = True
        if not self.last_update_success:
            _LOGGER.info("%s is back", self.config_entry.title)
            self.last_update_success = True
        self.async_update_listeners()

    @callback
    def _on_frame(self, frame: Frame) -> None:
        state = self.data.apply(frame)
        if state == self.data:
            return
        self.pushes += 1
        self.async_set_updated_data(state)

    def _lost(self, reason: str) -> None:
        self.streaming = False
        if self.last_update_success:
            _LOGGER.info("%s is unavailable: %s", self.config_entry.title, reason)
            self.last_update_success = False
            self.async_update_listeners()
