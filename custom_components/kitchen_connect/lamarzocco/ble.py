"""The machine over Bluetooth: commands first over the air, live telemetry, offline reads.

When the entry knows the machine's Bluetooth device and token (and Bluetooth is in use),
power, steam and temperature changes go over Bluetooth first and over the cloud only when
Bluetooth fails, after a short bounded wait. The shot counter keeps one link open and feeds
the boiler temperatures and the shot timer, which the cloud does not report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
import logging
from typing import Any, Final

from homeassistant.components.bluetooth import async_ble_device_from_address
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..kitchenlib import AuthError, ConnectionFailedError, KitchenError, ProtocolError
from ..kitchenlib.lamarzocco.bluetooth.client import LaMarzoccoBluetooth, ShotFollower
from ..kitchenlib.lamarzocco.bluetooth.link import Timeouts
from ..kitchenlib.lamarzocco.bluetooth.payloads import CommandResult
from ..kitchenlib.lamarzocco.bluetooth.telemetry import ShotStatus
from ..kitchenlib.lamarzocco.commands import (
    COFFEE_TEMPERATURE,
    STEAM_TEMPERATURE,
    Command,
    MachineMode,
    StandByAfter,
)

_LOGGER = logging.getLogger(__name__)

# Bluetooth gets this long before a change goes over the cloud instead (seconds).
FALLBACK_TIMEOUTS: Final = Timeouts(connect=4.0, gatt=2.0, operation=6.0)

type BluetoothCall = Callable[[LaMarzoccoBluetooth, Mapping[str, Any]], Awaitable[CommandResult]]

# Cloud commands the machine also takes over Bluetooth, as the Bluetooth call.
_OVER_THE_AIR: Final[Mapping[str, BluetoothCall]] = {
    "CoffeeMachineChangeMode": lambda ble, body: ble.async_set_power(
        body["mode"] == MachineMode.BREWING
    ),
    "CoffeeMachineSettingSteamBoilerEnabled": lambda ble, body: ble.async_set_steam(
        body["enabled"]
    ),
    "CoffeeMachineSettingSteamBoilerTargetLevel": lambda ble, body: ble.async_set_steam_level(
        body["targetLevel"]
    ),
    "CoffeeMachineSettingCoffeeBoilerTargetTemperature": lambda ble, body: (
        ble.async_set_coffee_temperature(body["targetTemperature"], COFFEE_TEMPERATURE)
    ),
    "CoffeeMachineSettingSteamBoilerTargetTemperature": lambda ble, body: (
        ble.async_set_steam_temperature(body["targetTemperature"], STEAM_TEMPERATURE)
    ),
    "CoffeeMachineSettingSmartStandBy": lambda ble, body: ble.async_set_smart_standby(
        body["enabled"], body["minutes"], StandByAfter(body["after"])
    ),
}


def goes_over_the_air(command: Command) -> bool:
    """Whether the machine takes this command over Bluetooth too."""
    return command.name in _OVER_THE_AIR


class MachineBluetooth:
    """The Bluetooth client of one machine and what its shot counter says."""

    def __init__(self, hass: HomeAssistant, address: str, token: str) -> None:
        """A client that finds the machine through Home Assistant's Bluetooth stack."""
        lookup = partial(async_ble_device_from_address, hass, connectable=True)
        self.client = LaMarzoccoBluetooth.for_address(
            address, lookup, token, timeouts=FALLBACK_TIMEOUTS
        )
        self.telemetry: DataUpdateCoordinator[ShotStatus] | None = None
        self._follower: ShotFollower | None = None
        self.connected = False

    def start(self, telemetry: DataUpdateCoordinator[ShotStatus]) -> None:
        """Keep the shot counter's link open and feed ``telemetry``."""
        self.telemetry = telemetry
        self._follower = self.client.follow_shots(self._shot, self._connection)

    async def async_stop(self) -> None:
        """Close the link."""
        if self._follower is not None:
            await self._follower.async_stop()
            self._follower = None

    def status(self) -> ShotStatus:
        """The latest telemetry (empty until the machine sent some)."""
        return ShotStatus() if self._follower is None else self._follower.status

    async def async_send(self, command: Command) -> None:
        """Send ``command`` over Bluetooth (errors raise; the caller may use the cloud)."""
        result = await _OVER_THE_AIR[command.name](self.client, command.body)
        if not result.succeeded:  # pragma: no cover - the client raises for a refusal
            raise ConnectionFailedError("the machine did not confirm the change")

    @callback
    def _shot(self, status: ShotStatus) -> None:
        if self.telemetry is not None:
            self.telemetry.async_set_updated_data(status)

    @callback
    def _connection(self, connected: bool) -> None:
        if connected != self.connected:
            _LOGGER.debug("La Marzocco Bluetooth link %s", "up" if connected else "down")
        self.connected = connected
        if self.telemetry is not None:
            self.telemetry.async_update_listeners()


async def async_once_more[T](call: Callable[[], Awaitable[T]]) -> T:
    """``call()``, and once more if the link failed or garbled an answer.

    Over the radio one answer gets lost now and then; a second try on the same or a new
    link nearly always gets through. Only for what is safe to repeat: reads and settings.
    """
    try:
        return await call()
    except (ConnectionFailedError, ProtocolError) as err:
        _LOGGER.debug("Bluetooth failed (%s); trying once more", err)
    return await call()


async def async_send_preferring_bluetooth(
    ble: MachineBluetooth | None,
    command: Command,
    cloud_send: Callable[[Command], Awaitable[None]] | None,
) -> None:
    """Bluetooth first where the machine takes the command; the cloud when that fails.

    ``cloud_send`` None is offline mode: Bluetooth gets a second try, and a second
    failure is the user's error.
    """
    if ble is not None and goes_over_the_air(command):
        try:
            if cloud_send is None:
                await async_once_more(partial(ble.async_send, command))
            else:
                await ble.async_send(command)
        except AuthError:
            raise
        except KitchenError as err:
            if cloud_send is None:
                raise
            _LOGGER.debug("Bluetooth failed (%s); sending %s over the cloud", err, command.name)
        else:
            return
    if cloud_send is None:
        raise ConnectionFailedError("offline mode sends only what Bluetooth can carry")
    await cloud_send(command)
