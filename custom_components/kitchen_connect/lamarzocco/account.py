"""One signed cloud client and one websocket per La Marzocco account.

Every machine of an account is its own config entry; the entries share the client (one
sign-in, one token) and the websocket (one connection subscribed to every machine). The
first entry to load creates the account, the last to unload closes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib
from datetime import datetime, timedelta
import logging
from typing import Any, Final, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from ..kitchenlib import KitchenError
from ..kitchenlib.lamarzocco.cloud import LaMarzoccoCloud
from ..kitchenlib.lamarzocco.dashboard import Dashboard, DashboardPush
from ..kitchenlib.lamarzocco.scheduling import Scheduling
from ..kitchenlib.lamarzocco.websocket import DashboardStream
from .const import STREAM_SETTLE_SECONDS
from .entry_data import AccountId, account_id, credentials, endpoints_from_data, installation_key

_LOGGER = logging.getLogger(__name__)

ACCOUNTS: HassKey[dict[AccountId, LaMarzoccoAccount]] = HassKey(f"{DOMAIN}_lamarzocco_accounts")
# Well inside the ten minutes before expiry in which the library refreshes a token.
TOKEN_CHECK_INTERVAL: Final = timedelta(minutes=5)


class MachineListener(Protocol):
    """What the account tells one machine's coordinator (on the event loop)."""

    def dashboard_pushed(self, push: DashboardPush) -> None:
        """Some widgets changed."""

    def dashboard_read(self, dashboard: Dashboard) -> None:
        """The whole dashboard, read after the websocket (re)connected."""

    def schedule_pushed(self, scheduling: Scheduling) -> None:
        """The machine's schedules, pushed or read after a (re)connect."""

    def connection_changed(self, connected: bool) -> None:
        """The account's websocket connected or dropped."""

    @property
    def has_scheduling(self) -> bool:
        """Whether the machine has schedules to follow (grinders have none)."""


class LaMarzoccoAccount:
    """The shared client and websocket of one account."""

    def __init__(self, hass: HomeAssistant, cloud: LaMarzoccoCloud, password: str) -> None:
        """An account with no machine attached yet."""
        self.hass = hass
        self.cloud = cloud
        self.password = password
        self._machines: dict[str, MachineListener] = {}
        self._stream: DashboardStream | None = None
        self._pending: asyncio.TimerHandle | None = None
        self._updating: asyncio.Task[None] | None = None
        self._renew = False
        self._token_check: CALLBACK_TYPE | None = None
        self._token_task: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        """Whether the websocket is connected."""
        return self._stream is not None and self._stream.connected

    @property
    def websocket_connects(self) -> int:
        """How often the current websocket connected (for diagnostics)."""
        return 0 if self._stream is None else self._stream.connects

    def attach(self, serial: str, machine: MachineListener) -> None:
        """Start pushing ``serial``'s dashboard to ``machine``."""
        self._machines[serial] = machine
        self._schedule_update()
        if self._token_check is None:
            self._token_check = async_track_time_interval(
                self.hass, self._keep_token_fresh, TOKEN_CHECK_INTERVAL
            )

    async def async_detach(self, serial: str) -> bool:
        """Stop pushing to ``serial``; True when no machine is left (the account closed)."""
        self._machines.pop(serial, None)
        if self._machines:
            self._schedule_update()
            return False
        await self.async_close()
        return True

    async def async_close(self) -> None:
        """Stop the websocket."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._token_check is not None:
            self._token_check()
            self._token_check = None
        for task in (self._updating, self._token_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        stream, self._stream = self._stream, None
        if stream is not None:
            await stream.stop()

    def replace_cloud(self, cloud: LaMarzoccoCloud, password: str) -> None:
        """New credentials (after reauth): the websocket starts again with the new client."""
        self.cloud = cloud
        self.password = password
        self._renew = True
        self._schedule_update()

    def _schedule_update(self) -> None:
        # Entries set up together are followed in one go, after a short pause.
        if self._pending is not None:
            self._pending.cancel()
        self._pending = self.hass.loop.call_later(STREAM_SETTLE_SECONDS, self._start_update)

    def _start_update(self) -> None:
        self._pending = None
        self._updating = self.hass.async_create_background_task(
            self._async_update(), "lamarzocco websocket machines"
        )

    async def _async_update(self) -> None:
        serials = sorted(self._machines)
        scheduling = [serial for serial in serials if self._machines[serial].has_scheduling]
        if self._renew and self._stream is not None:
            await self._stream.stop()
            self._stream = None
        self._renew = False
        if self._stream is None:
            self._stream = DashboardStream(
                async_get_clientsession(self.hass),
                self.cloud,
                serials,
                self,
                scheduling_serials=scheduling,
            )
            self._stream.start()
        else:
            # The connection stays: new machines are subscribed on it.
            await self._stream.async_follow(serials, scheduling)

    @callback
    def _keep_token_fresh(self, _now: datetime) -> None:
        # A token is otherwise renewed only by a request, and with the websocket carrying
        # the news requests are rare: a token that lapsed between two of them costs a
        # password sign-in where a refresh would have done.
        if self._token_task is None or self._token_task.done():
            self._token_task = self.hass.async_create_background_task(
                self._async_keep_token_fresh(), "lamarzocco token"
            )

    async def _async_keep_token_fresh(self) -> None:
        try:
            await self.cloud.async_access_token()
        except KitchenError as err:
            # The next request meets the same trouble and reports it where it belongs.
            _LOGGER.debug("Could not renew the La Marzocco token ahead of time: %s", err)

    # --- the stream's listener ---------------------------------------------------------------

    def dashboard_pushed(self, serial_number: str, push: DashboardPush) -> None:
        """Hand a push to its machine."""
        if (machine := self._machines.get(serial_number)) is not None:
            machine.dashboard_pushed(push)

    def dashboard_read(self, serial_number: str, dashboard: Dashboard) -> None:
        """Hand a fresh dashboard to its machine."""
        if (machine := self._machines.get(serial_number)) is not None:
            machine.dashboard_read(dashboard)

    def schedule_pushed(self, serial_number: str, scheduling: Scheduling) -> None:
        """Hand new schedules to their machine."""
        if (machine := self._machines.get(serial_number)) is not None:
            machine.schedule_pushed(scheduling)

    def connection_changed(self, connected: bool) -> None:
        """Tell every machine."""
        for machine in list(self._machines.values()):
            machine.connection_changed(connected)

    def diagnostics(self) -> dict[str, Any]:
        """The account's connection, without identifiers."""
        return {
            "websocket_connected": self.connected,
            "websocket_connects": self.websocket_connects,
            "machines": len(self._machines),
        }


def async_get_account(hass: HomeAssistant, data: Mapping[str, Any]) -> LaMarzoccoAccount:
    """The account of an entry's data, created on first use."""
    accounts = hass.data.setdefault(ACCOUNTS, {})
    key = account_id(data)
    account = accounts.get(key)
    username, password = credentials(data)
    if account is not None and account.password == password:
        return account
    cloud = LaMarzoccoCloud(
        async_get_clientsession(hass),
        installation_key(data),
        username,
        password,
        endpoints=endpoints_from_data(data),
    )
    if account is None:
        account = accounts[key] = LaMarzoccoAccount(hass, cloud, password)
    else:
        account.replace_cloud(cloud, password)
    return account


async def async_release_account(hass: HomeAssistant, data: Mapping[str, Any], serial: str) -> None:
    """The entry of ``serial`` unloaded; the account closes with its last machine."""
    accounts = hass.data.get(ACCOUNTS, {})
    key = account_id(data)
    account = accounts.get(key)
    if account is not None and await account.async_detach(serial):
        accounts.pop(key, None)
