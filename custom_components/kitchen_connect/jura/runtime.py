"""The live side of one Jura config entry."""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

from ..const import DOMAIN
from ..kitchenlib import ConnectionFailedError, ProtocolError
from ..kitchenlib.jura.discovery import async_poll_status
from ..kitchenlib.jura.models import DiscoveredMachine, MachineProfile
from ..kitchenlib.jura.status import active_alert_keys, machine_status
from .const import CONF_MACHINE_ID, MANUFACTURER_JURA
from .coordinator import JuraCoordinator
from .entry_data import machine_from_entry

_LOGGER = logging.getLogger(__name__)


class JuraRuntime:
    """One Jura machine: its coordinator, profile and device."""

    def __init__(self, coordinator: JuraCoordinator, machine_id: str) -> None:
        self.coordinator = coordinator
        self.machine_id = machine_id
        # The product and strength chosen in the UI, used when a brew call leaves them out.
        self.brew_choices: dict[str, str] = {}
        self.identity: DiscoveredMachine | None = None
        profile = coordinator.machine.profile
        self.device_info = DeviceInfo(
            identifiers={(DOMAIN, machine_id)},
            manufacturer=MANUFACTURER_JURA,
            model=profile.name,
            model_id=profile.ef_code,
            name=coordinator.config_entry.title,
        )

    @property
    def profile(self) -> MachineProfile:
        """The model description in use."""
        return self.coordinator.machine.profile

    async def async_read_identity(self, hass: HomeAssistant) -> None:
        """Fill in firmware versions from the dongle's UDP status reply, if it answers.

        Older dongle firmware never answers UDP; the device then simply shows no version.
        """
        machine = self.coordinator.machine
        try:
            reply = await async_poll_status(machine.host, port=machine.port, timeout=3.0)
        except (ConnectionFailedError, ProtocolError) as err:
            _LOGGER.debug("No UDP status from %s: %s", machine.host, err)
            return
        self.identity = reply
        registry = dr.async_get(hass)
        device = registry.async_get_device_by_identifier(
            (DOMAIN, self.machine_id), self.coordinator.config_entry.entry_id
        )
        if device is not None:
            registry.async_update_device(
                device.id, sw_version=reply.machine_firmware, hw_version=reply.dongle_firmware
            )

    async def async_shutdown(self) -> None:
        """Close the session."""
        await self.coordinator.async_stop()

    def diagnostics(self) -> dict[str, Any]:
        """Model, connection and the last known machine state."""
        machine = self.coordinator.machine
        state = machine.state
        return {
            "model": self.profile.ef_code,
            "baseline_profile": self.profile.is_baseline,
            "connected": machine.connected,
            "firmware": (
                {"dongle": self.identity.dongle_firmware, "machine": self.identity.machine_firmware}
                if self.identity
                else None
            ),
            "state": {
                "alerts": sorted(state.alerts),
                "active_alerts": sorted(active_alert_keys(self.profile, state)),
                "status": machine_status(self.profile, state),
                "brewing": state.brewing,
                "progress": (
                    {"state": state.progress.state, "code": state.progress.code}
                    | {"percent": state.progress.percent}
                    if state.progress
                    else None
                ),
                "maintenance_counters": dict(state.maintenance_counters),
                "maintenance_percent": dict(state.maintenance_percent),
                "product_counters": {
                    f"{code:02X}": n for code, n in state.product_counters.items()
                },
                "settings": {f"{arg:02X}": value for arg, value in state.settings.items()},
            },
        }


type JuraConfigEntry = ConfigEntry[JuraRuntime]


async def async_setup_jura_entry(hass: HomeAssistant, entry: JuraConfigEntry) -> JuraRuntime:
    """Connect to the machine (raising ConfigEntryNotReady/AuthFailed) and start pushing."""
    data = entry.data
    machine = machine_from_entry(data, entry.options)
    coordinator = JuraCoordinator(hass, entry, machine)
    await coordinator.async_config_entry_first_refresh()
    coordinator.start()
    runtime = JuraRuntime(
        coordinator, data.get(CONF_MACHINE_ID) or entry.unique_id or entry.entry_id
    )
    entry.async_create_background_task(
        hass, runtime.async_read_identity(hass), f"{DOMAIN} jura identity {machine.host}"
    )
    return runtime
