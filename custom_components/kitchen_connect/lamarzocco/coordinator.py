"""One La Marzocco machine's dashboard: read once, then pushed by the account's websocket.

Nothing is polled while the websocket is up. While it is down the dashboard is read once
a minute, so the state does not freeze; a machine the cloud reports offline makes the
entities unavailable with one info line, and one more when it is back. Offline mode reads
the machine over Bluetooth every minute instead, and a machine out of reach is told the
same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ..const import DOMAIN
from ..kitchenlib import AuthError, ConnectionFailedError, ProtocolError
from ..kitchenlib.lamarzocco.commands import Command
from ..kitchenlib.lamarzocco.dashboard import Dashboard, DashboardPush, Widget
from ..kitchenlib.lamarzocco.scheduling import Scheduling
from ..kitchenlib.lamarzocco.tokens import PrivacyPolicyError, RequestBlockedError
from .account import LaMarzoccoAccount
from .ble import MachineBluetooth, async_once_more, async_send_preferring_bluetooth
from .const import FALLBACK_POLL, ISSUE_BLOCKED, ISSUE_PRIVACY_POLICY

_LOGGER = logging.getLogger(__name__)


def merge_push(dashboard: Dashboard, push: DashboardPush) -> Dashboard:
    """The dashboard after a push: changed widgets replaced, removed ones gone."""
    widgets: dict[tuple[str, int], Widget] = {
        (widget.code, widget.index): widget for widget in dashboard.widgets
    }
    for code_index in push.removed:
        widgets.pop(code_index, None)
    for widget in push.widgets:
        widgets[(widget.code, widget.index)] = widget
    thing = dashboard.thing
    if push.connected is not None and push.connected != thing.connected:
        thing = replace(thing, connected=push.connected)
    return Dashboard(thing=thing, widgets=tuple(widgets.values()))


class LaMarzoccoCoordinator(DataUpdateCoordinator[Dashboard]):
    """The dashboard of one machine or grinder."""

    # The entry's runtime data holds this coordinator, so the entry is typed loosely here.
    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        account: LaMarzoccoAccount,
        serial: str,
        *,
        offline_read: Callable[[], Awaitable[Dashboard]] | None = None,
    ) -> None:
        """A coordinator that reads the dashboard once and then listens.

        ``offline_read`` (offline mode) reads the machine over Bluetooth instead, every
        minute, and the cloud is never asked.
        """
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"La Marzocco {entry.title}",
            update_interval=FALLBACK_POLL,
            always_update=False,
        )
        self.account = account
        self.serial = serial
        self._offline_read = offline_read
        # The machine's Bluetooth, when the entry uses it (set by the setup).
        self.ble: MachineBluetooth | None = None
        self.pushes = 0
        self._online: bool | None = None
        # The schedule coordinator, fed by the same websocket.
        self.schedule_listener: Callable[[Scheduling], None] | None = None

    @property
    def has_scheduling(self) -> bool:
        """Coffee machines have schedules; grinders and other things do not."""
        return self.data is not None and self.data.thing.is_coffee_machine

    @property
    def offline(self) -> bool:
        """Offline mode: Bluetooth only."""
        return self._offline_read is not None

    @property
    def websocket_connected(self) -> bool:
        """Whether the account's websocket is connected."""
        return not self.offline and self.account.connected

    @property
    def machine_online(self) -> bool:
        """Whether the cloud can reach the machine."""
        return self.data is not None and self.data.thing.connected

    async def _async_update_data(self) -> Dashboard:
        if self._offline_read is not None:
            return await self._async_read_offline(self._offline_read)
        dashboard = await async_read(self.hass, self.account.cloud.async_dashboard(self.serial))
        self._note_online(dashboard)
        return dashboard

    async def _async_read_offline(self, read: Callable[[], Awaitable[Dashboard]]) -> Dashboard:
        """The machine over Bluetooth; out of reach, the last read marked not connected.

        Marked rather than failed, so going away and coming back is told once each way
        at info, naming Bluetooth (the coordinator's own lines would blame the cloud).
        """
        try:
            dashboard = await async_once_more(read)
        except AuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="lamarzocco_auth_failed"
            ) from err
        except (ConnectionFailedError, ProtocolError) as err:
            if self.data is None:
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="lamarzocco_offline_unreachable",
                    translation_placeholders={"name": self.config_entry.title, "detail": str(err)},
                ) from err
            dashboard = replace(self.data, thing=replace(self.data.thing, connected=False))
            self._note_online(dashboard, str(err))
            return dashboard
        self._note_online(dashboard)
        return dashboard

    async def async_send(self, command: Command) -> None:
        """Send a command and wait for the machine's result (library errors pass through).

        Bluetooth first where the machine takes the command that way; offline mode reads
        the machine again afterwards, as nothing pushes.
        """
        cloud_send = None if self.offline else self._async_cloud_send
        await async_send_preferring_bluetooth(self.ble, command, cloud_send)
        if self.offline:
            await self.async_request_refresh()

    async def _async_cloud_send(self, command: Command) -> None:
        await self.account.cloud.async_send_command(self.serial, command)

    # --- from the account's websocket ----------------------------------------------------------

    @callback
    def dashboard_pushed(self, push: DashboardPush) -> None:
        """Widgets changed: the entities update, nothing is requested."""
        self.pushes += 1
        dashboard = merge_push(self.data, push)
        self._note_online(dashboard)
        self.async_set_updated_data(dashboard)

    @callback
    def dashboard_read(self, dashboard: Dashboard) -> None:
        """The websocket (re)connected and read the whole dashboard."""
        self._note_online(dashboard)
        self.async_set_updated_data(dashboard)

    @callback
    def schedule_pushed(self, scheduling: Scheduling) -> None:
        """New schedules, for the schedule coordinator."""
        if self.schedule_listener is not None:
            self.schedule_listener(scheduling)

    @callback
    def connection_changed(self, connected: bool) -> None:
        """Pushes replace polling while connected; polling covers the gaps."""
        self.update_interval = None if connected else FALLBACK_POLL
        if not connected and self.data is not None:
            self._schedule_refresh()
        self.async_update_listeners()

    def _note_online(self, dashboard: Dashboard, reason: str = "") -> None:
        online = dashboard.thing.connected
        if online == self._online:
            return
        title = self.config_entry.title
        if online and self._online is False:
            if self.offline:
                _LOGGER.info("%s can be reached over Bluetooth again", title)
            else:
                _LOGGER.info("%s is connected to La Marzocco's cloud again", title)
        elif not online:
            if self.offline:
                _LOGGER.info("%s cannot be reached over Bluetooth (%s)", title, reason)
            else:
                _LOGGER.info("%s is not connected to La Marzocco's cloud", title)
        self._online = online


async def async_read[T](hass: HomeAssistant, request: Awaitable[T]) -> T:
    """A cloud read for a coordinator, its failures as Home Assistant expects them.

    A refused sign-in starts reauthentication; a blocked request or an unreachable
    cloud is an update failure, retried on the coordinator's pace.
    """
    try:
        result = await request
    except PrivacyPolicyError as err:
        async_raise_issue(hass, ISSUE_PRIVACY_POLICY)
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="lamarzocco_privacy_policy"
        ) from err
    except AuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="lamarzocco_auth_failed"
        ) from err
    except RequestBlockedError as err:
        async_raise_issue(hass, ISSUE_BLOCKED)
        raise UpdateFailed(translation_domain=DOMAIN, translation_key="lamarzocco_blocked") from err
    except (ConnectionFailedError, ProtocolError) as err:
        raise UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="lamarzocco_cloud_unreachable",
            translation_placeholders={"detail": str(err)},
        ) from err
    ir.async_delete_issue(hass, DOMAIN, ISSUE_BLOCKED)
    ir.async_delete_issue(hass, DOMAIN, ISSUE_PRIVACY_POLICY)
    return result


def async_raise_issue(hass: HomeAssistant, issue_id: str) -> None:
    """A repair the user can act on: the privacy policy, or requests blocked by the cloud."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=issue_id,
    )


def dashboard_diagnostics(dashboard: Dashboard) -> dict[str, Any]:
    """The thing without its serial, and each widget's parsed output."""
    thing = dashboard.thing
    return {
        "model": thing.model_name,
        "model_code": None if thing.model is None else thing.model.value,
        "type": thing.thing_type.value,
        "connected": thing.connected,
        "offline_mode": thing.offline_mode,
        "widgets": {
            f"{widget.code}/{widget.index}": repr(widget.output) for widget in dashboard.widgets
        },
    }
