"""One machine's live data: status from its adverts, slow values from short connections.

Home Assistant's ``ActiveBluetoothDataUpdateCoordinator`` fits this protocol: every advert
carries the status bytes (state, tank, tray, capsules), so most updates need no
connection at all; the coordinator connects (a "poll") only for what adverts lack, and
only while the machine advertises, so a machine out of range is never dialled. Its
availability is Home Assistant's: the machine is unavailable once its adverts stop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
import logging
from typing import Any

from bluetooth_data_tools import monotonic_time_coarse
from homeassistant.components.bluetooth import (
    BluetoothChange,
    BluetoothScanningMode,
    BluetoothServiceInfoBleak,
)
from homeassistant.components.bluetooth.active_update_coordinator import (
    ActiveBluetoothDataUpdateCoordinator,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_ADDRESS
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.event import async_track_time_interval

from ..const import DOMAIN
from ..kitchenlib import KitchenError, ProtocolError
from ..kitchenlib.nespresso.client import NespressoClient
from ..kitchenlib.nespresso.errors import KeyRejectedError, NotOnboardedError
from ..kitchenlib.nespresso.gatt import match_advertisement
from ..kitchenlib.nespresso.models import (
    Details,
    Family,
    OriginalStatus,
    VertuoStatus,
)
from ..kitchenlib.nespresso.status import decode_original_status, decode_vertuo_status
from .const import DETAILS_INTERVAL, RETRY_INTERVAL
from .models import Snapshot

_LOGGER = logging.getLogger(__name__)

type NespressoConfigEntry = ConfigEntry[NespressoRuntimeData]


def status_from_advert(
    family: Family, service_info: BluetoothServiceInfoBleak
) -> OriginalStatus | VertuoStatus | None:
    """The status bytes an advert carries, decoded for the family; None if it has none."""
    match = match_advertisement(service_info.service_uuids, service_info.manufacturer_data)
    if match is None or match.payload is None:
        return None
    try:
        if family is Family.VERTUO:
            return decode_vertuo_status(match.payload)
        return decode_original_status(match.payload)
    except ProtocolError as err:
        _LOGGER.debug("Ignoring an advert whose status does not decode: %s", err)
        return None


class NespressoCoordinator(ActiveBluetoothDataUpdateCoordinator[Snapshot]):
    """Adverts update the status; a connection now and then reads the rest."""

    def __init__(
        self, hass: HomeAssistant, entry: NespressoConfigEntry, client: NespressoClient
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            address=entry.data[CONF_ADDRESS],
            mode=BluetoothScanningMode.PASSIVE,
            needs_poll_method=self._needs_poll,
            connectable=True,
        )
        self.entry = entry
        self.client = client
        self.title = entry.title
        self._gone = False  # told the log the machine went away
        self._reauth = False

    def start(self, family: Family) -> CALLBACK_TYPE:
        """Listen to the machine's adverts (the last one is replayed at once)."""
        self.data = Snapshot(family=family)
        stop_adverts = self.async_start()
        # Home Assistant hands on an advert only when its content changed, and an idle
        # machine's never does: without this clock its settings would never be read again.
        stop_clock = async_track_time_interval(self.hass, self._poll_when_due, RETRY_INTERVAL)

        @callback
        def stop() -> None:
            stop_clock()
            stop_adverts()

        return stop

    @callback
    def _poll_when_due(self, _now: datetime) -> None:
        info = self._last_service_info
        if info is None or not self.available:
            return
        age = monotonic_time_coarse() - self._last_poll if self._last_poll else None
        if self._needs_poll(info, age):
            self._debounced_poll.async_schedule_call()

    # -- adverts ---------------------------------------------------------------------------

    @callback
    def _async_handle_bluetooth_event(
        self, service_info: BluetoothServiceInfoBleak, change: BluetoothChange
    ) -> None:
        status = status_from_advert(self.data.family, service_info)
        if status is not None:
            capsules = status.capsules if isinstance(status, OriginalStatus) else None
            self.data = replace(self.data, status=status, capsules=capsules)
        if self._gone:
            self._gone = False
            _LOGGER.info("%s is advertising again", self.title)
        super()._async_handle_bluetooth_event(service_info, change)

    @callback
    def _async_handle_unavailable(self, service_info: BluetoothServiceInfoBleak) -> None:
        if not self._gone:
            self._gone = True
            _LOGGER.info("%s stopped advertising: out of range or unplugged", self.title)
        super()._async_handle_unavailable(service_info)

    # -- connections -----------------------------------------------------------------------

    def _needs_poll(self, _service_info: BluetoothServiceInfoBleak, age: float | None) -> bool:
        if self._reauth:
            return False
        if age is None:
            return True
        interval = DETAILS_INTERVAL if self.last_poll_successful else RETRY_INTERVAL
        return age >= interval.total_seconds()

    async def _async_poll(self) -> None:
        """Read what adverts lack; never log the address, never re-pair on a failure."""
        try:
            details = await self.run(self.client.read_details)
        except KitchenError as err:
            if self.last_poll_successful:
                _LOGGER.info("Could not read %s over Bluetooth: %s", self.title, err)
            self.last_poll_successful = False
            return
        finally:
            self._last_poll = monotonic_time_coarse()
        if not self.last_poll_successful:
            _LOGGER.debug("Reading %s works again", self.title)
        self.last_poll_successful = True
        self._show_details(details)

    async def run[T](self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run one client operation; a key the machine refuses starts reauthentication."""
        try:
            return await operation()
        except KeyRejectedError, NotOnboardedError:
            if not self._reauth:
                self._reauth = True
                _LOGGER.warning("%s no longer accepts the stored key", self.title)
                self.entry.async_start_reauth(self.hass)
            raise

    @callback
    def _show_details(self, details: Details) -> None:
        capsules = self.data.capsules if details.capsule_stock is None else details.capsule_stock
        self.data = replace(self.data, details=details, capsules=capsules)
        registry = dr.async_get(self.hass)
        device = registry.async_get_device_by_identifier(
            (DOMAIN, self.device_key), self.entry.entry_id
        )
        if device is not None and (
            device.sw_version != details.info.firmware or device.hw_version != details.info.hardware
        ):
            registry.async_update_device(
                device.id, sw_version=details.info.firmware, hw_version=details.info.hardware
            )
        self.async_update_listeners()

    @property
    def device_key(self) -> str:
        """The device's identifier in our domain."""
        return str(self.entry.unique_id)

    @callback
    def show(self, **changes: Any) -> None:
        """Show values a write read back, at once."""
        self.data = replace(self.data, **changes)
        self.async_update_listeners()


@dataclass(kw_only=True)
class NespressoRuntimeData:
    """What a loaded Nespresso entry keeps."""

    coordinator: NespressoCoordinator
    device_info: DeviceInfo
    stop: CALLBACK_TYPE

    @property
    def client(self) -> NespressoClient:
        """The machine's client (one short connection per operation)."""
        return self.coordinator.client

    async def async_shutdown(self) -> None:
        """Stop listening to adverts; no connection outlives its operation."""
        self.stop()

    def diagnostics(self) -> dict[str, Any]:
        """Family, availability and the decoded values; the caller redacts identifiers."""
        data = self.coordinator.data
        details = data.details
        return {
            "family": data.family.value,
            "available": self.coordinator.available,
            "last_read_succeeded": self.coordinator.last_poll_successful,
            "status": _fields(data.status),
            "capsules": data.capsules,
            "details": None
            if details is None
            else {
                "info": {
                    "hardware": details.info.hardware,
                    "bootloader": details.info.bootloader,
                    "firmware": details.info.firmware,
                    "connectivity": details.info.connectivity,
                    "recipe_database": details.info.recipe_database,
                },
                "settings": _fields(details.settings),
                "capsule_stock": details.capsule_stock,
                "stock_threshold": details.stock_threshold,
            },
        }


def _fields(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        name: (item.name.lower() if hasattr(item, "name") else item)
        for name in value.__slots__
        if not name.startswith("_")
        for item in (getattr(value, name),)
    }
