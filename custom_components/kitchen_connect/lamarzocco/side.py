"""What changes slowly beside the dashboard: schedules (pushed), statistics and settings (polled).

Each has a coordinator of its own, so a slow or refused read never touches what the
websocket feeds, and each polls at its own pace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..kitchenlib.lamarzocco.scheduling import Scheduling
from ..kitchenlib.lamarzocco.settings import Settings
from ..kitchenlib.lamarzocco.statistics import (
    CoffeeAndFlushCounter,
    CoffeeAndFlushTrend,
    LastCoffee,
)
from .coordinator import LaMarzoccoCoordinator, async_read

_LOGGER = logging.getLogger(__name__)

SETTINGS_INTERVAL = timedelta(hours=8)
STATISTICS_INTERVAL = timedelta(minutes=15)
LAST_COFFEE_DAYS = 7
TREND_DAYS = 7


class SideCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """One slow part of a machine, read by ``fetch``."""

    # The entry's runtime data holds this coordinator, so the entry is typed loosely here.
    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        machine: LaMarzoccoCoordinator,
        what: str,
        interval: timedelta | None,
        fetch: Callable[[], Awaitable[DataT]],
    ) -> None:
        """``interval`` None: read once, then only pushed."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=machine.config_entry,
            name=f"La Marzocco {machine.config_entry.title} {what}",
            update_interval=interval,
            always_update=False,
        )
        self.machine = machine
        self._fetch = fetch

    async def _async_update_data(self) -> DataT:
        return await async_read(self.hass, self._fetch())


@dataclass(frozen=True, slots=True)
class Statistics:
    """Totals, the last shots and coffees per day."""

    counter: CoffeeAndFlushCounter
    last_coffees: tuple[LastCoffee, ...]
    trend: CoffeeAndFlushTrend | None


def schedule_coordinator(
    hass: HomeAssistant, machine: LaMarzoccoCoordinator
) -> SideCoordinator[Scheduling]:
    """Schedules: read once, then pushed on the account's websocket."""
    cloud = machine.account.cloud
    return SideCoordinator(
        hass, machine, "schedules", None, lambda: cloud.async_scheduling(machine.serial)
    )


def settings_coordinator(
    hass: HomeAssistant, machine: LaMarzoccoCoordinator
) -> SideCoordinator[Settings]:
    """Firmware, plumb-in and the Bluetooth token, every eight hours."""
    cloud = machine.account.cloud
    return SideCoordinator(
        hass,
        machine,
        "settings",
        SETTINGS_INTERVAL,
        lambda: cloud.async_settings(machine.serial),
    )


class StatisticsCoordinator(SideCoordinator[Statistics]):
    """Counters every 15 minutes; the shot list and trend only when the counters moved."""

    def __init__(self, hass: HomeAssistant, machine: LaMarzoccoCoordinator) -> None:
        """Statistics of ``machine`` in Home Assistant's time zone."""
        super().__init__(hass, machine, "statistics", STATISTICS_INTERVAL, self._read)
        self._timezone = str(hass.config.time_zone or "UTC")

    async def _read(self) -> Statistics:
        cloud, serial = self.machine.account.cloud, self.machine.serial
        counter = await cloud.async_coffee_and_flush_counter(serial)
        if self.data is not None and self.data.counter == counter:
            return self.data
        last = await cloud.async_last_coffees(serial, LAST_COFFEE_DAYS)
        trend = await cloud.async_coffee_and_flush_trend(serial, TREND_DAYS, self._timezone)
        return Statistics(counter, last, trend)
