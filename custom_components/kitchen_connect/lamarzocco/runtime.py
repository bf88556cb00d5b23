"""What a loaded La Marzocco entry keeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry

from ..kitchenlib.lamarzocco.bluetooth.telemetry import ShotStatus
from ..kitchenlib.lamarzocco.scheduling import Scheduling
from ..kitchenlib.lamarzocco.settings import Settings
from .account import LaMarzoccoAccount, async_release_account
from .ble import MachineBluetooth
from .coordinator import LaMarzoccoCoordinator, dashboard_diagnostics
from .side import SideCoordinator, StatisticsCoordinator

type LaMarzoccoConfigEntry = ConfigEntry[LaMarzoccoRuntimeData]


@dataclass
class LaMarzoccoRuntimeData:
    """The machine's coordinators and the account it shares."""

    coordinator: LaMarzoccoCoordinator
    account: LaMarzoccoAccount
    settings: SideCoordinator[Settings] | None
    schedule: SideCoordinator[Scheduling] | None = None
    statistics: StatisticsCoordinator | None = None
    bluetooth: MachineBluetooth | None = None
    telemetry: SideCoordinator[ShotStatus] | None = None

    async def async_shutdown(self) -> None:
        """Close the Bluetooth link and leave the account's websocket (the last one closes it)."""
        if self.bluetooth is not None:
            await self.bluetooth.async_stop()
        await async_release_account(
            self.coordinator.hass, self.coordinator.config_entry.data, self.coordinator.serial
        )

    def diagnostics(self) -> dict[str, Any]:
        """The parsed dashboard, schedules, statistics and the connection, no identifiers."""
        dashboard = self.coordinator.data
        return {
            "account": self.account.diagnostics(),
            "pushes": self.coordinator.pushes,
            "machine": None if dashboard is None else dashboard_diagnostics(dashboard),
            "schedule": None if self.schedule is None else repr(self.schedule.data),
            "statistics": None if self.statistics is None else repr(self.statistics.data),
            "settings": None if self.settings is None else repr(self.settings.data),
            "bluetooth": None
            if self.bluetooth is None
            else {"connected": self.bluetooth.connected, "status": repr(self.bluetooth.status())},
        }
