"""Simulated Bluetooth peripherals inside a live Home Assistant, with no radio.

A ``SimulatedScanner`` is a remote scanner (like an ESPHome proxy) registered with Home
Assistant's Bluetooth manager. It advertises brand-neutral ``FakePeripheral`` objects and
routes every connection Home Assistant's bleak wrapper makes to one of them to that
peripheral's own fake bleak backend, so bleak-retry-connector, the connection slots and
the device expiry all run as they would with a proxy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any, Protocol

from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakDeviceNotFoundError
from bluetooth_data_tools import monotonic_time_coarse
from habluetooth import BaseHaRemoteScanner, HaBluetoothConnector
from homeassistant.components.bluetooth import async_register_scanner
from homeassistant.components.bluetooth.api import _get_manager
from homeassistant.components.bluetooth.match import IntegrationMatcher
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.loader import async_get_bluetooth

# Home Assistant forgets a connectable device 195 s after its last advert and the
# scanner watchdog fires after 90 s of silence; adverts every few seconds stay far inside.
ADVERT_INTERVAL = timedelta(seconds=5)
DEFAULT_RSSI = -60


class FakePeripheral(Protocol):
    """What the scanner needs of a simulated peripheral, whatever its brand."""

    @property
    def address(self) -> str:
        """The Bluetooth address it advertises from."""

    @property
    def name(self) -> str:
        """The local name (from the scan response)."""

    def service_uuids(self) -> list[str]:
        """Service UUIDs in the advert."""

    def manufacturer_data(self) -> dict[int, bytes]:
        """Manufacturer data in the advert, by company id."""

    def backend_class(self) -> type[BaseBleakClient]:
        """The fake bleak backend that serves a connection to it."""


class SimulatedScanner(BaseHaRemoteScanner):
    """A remote scanner that sees only the peripherals added to it."""

    def __init__(self, source: str, peripherals: Iterable[FakePeripheral] = ()) -> None:
        self._peripherals: dict[str, FakePeripheral] = {}
        connector = HaBluetoothConnector(
            client=_routing_backend(self._peripherals), source=source, can_connect=lambda: True
        )
        super().__init__(source, source, connector, True)
        for peripheral in peripherals:
            self.add(peripheral)

    @property
    def peripherals(self) -> Mapping[str, FakePeripheral]:
        """The peripherals on the air, by upper-case address."""
        return self._peripherals

    def add(self, peripheral: FakePeripheral) -> None:
        """Put a peripheral on the air (it is heard from the next advert on)."""
        self._peripherals[peripheral.address.upper()] = peripheral

    def remove(self, address: str, *, forget: bool = False) -> None:
        """Take a peripheral off the air: no more adverts, no more connections.

        Home Assistant notices once the scanner's last advert from it expires (195 s);
        ``forget`` expires it at once, for tests that do not want to wait.
        """
        peripheral = self._peripherals.pop(address.upper(), None)
        if forget and peripheral is not None:
            self._previous_service_info.pop(peripheral.address, None)

    @callback
    def advertise(self, address: str | None = None) -> None:
        """Send one advert from every peripheral, or from the one at ``address``."""
        now = monotonic_time_coarse()
        for peripheral in list(self._peripherals.values()):
            if address is not None and peripheral.address.upper() != address.upper():
                continue
            self._async_on_advertisement(
                peripheral.address,
                DEFAULT_RSSI,
                peripheral.name,
                peripheral.service_uuids(),
                {},
                peripheral.manufacturer_data(),
                None,
                {},
                now,
            )


def _routing_backend(peripherals: Mapping[str, FakePeripheral]) -> type[BaseBleakClient]:
    """A backend "class" that builds the backend of the peripheral being connected to."""

    class RoutingBackend(BaseBleakClient):
        """Never instantiated itself: construction returns the peripheral's backend."""

        def __new__(  # type: ignore[misc]
            cls, address_or_ble_device: BLEDevice | str, **kwargs: Any
        ) -> BaseBleakClient:
            address = (
                address_or_ble_device.address
                if isinstance(address_or_ble_device, BLEDevice)
                else address_or_ble_device
            )
            peripheral = peripherals.get(address.upper())
            if peripheral is None:
                raise BleakDeviceNotFoundError(address, "Device not found")
            return peripheral.backend_class()(address_or_ble_device, **kwargs)

    return RoutingBackend


@callback
def async_start_scanner(
    hass: HomeAssistant,
    scanner: SimulatedScanner,
    *,
    interval: timedelta | None = ADVERT_INTERVAL,
    connection_slots: int = 3,
    on_tick: Callable[[], None] | None = None,
) -> CALLBACK_TYPE:
    """Register ``scanner`` and advertise now and every ``interval`` (None: only when asked).

    ``on_tick`` runs before each periodic advert (a simulator advancing its machines).
    Returns the function that stops the adverts and unregisters the scanner.
    """
    unsubscribers = [
        scanner.async_setup(),
        async_register_scanner(hass, scanner, connection_slots=connection_slots),
    ]
    scanner.advertise()
    if interval is not None:

        @callback
        def _tick(_now: Any) -> None:
            if on_tick is not None:
                on_tick()
            scanner.advertise()

        unsubscribers.append(async_track_time_interval(hass, _tick, interval))

    @callback
    def _stop() -> None:
        while unsubscribers:
            unsubscribers.pop()()

    return _stop


async def async_drop_discovery(hass: HomeAssistant, domain: str) -> None:
    """Stop Bluetooth discovery flows of ``domain`` (set up Bluetooth first).

    Home Assistant's own ``lamarzocco`` integration matches the names the simulated La
    Marzocco machines advertise; without its library every advert would only log errors.
    """
    manager = _get_manager(hass)
    matcher = IntegrationMatcher(
        [m for m in await async_get_bluetooth(hass) if m["domain"] != domain]
    )
    matcher.async_setup()
    manager._integration_matcher = matcher
