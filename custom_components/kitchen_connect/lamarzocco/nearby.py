"""La Marzocco machines that Home Assistant's Bluetooth can see."""

from __future__ import annotations

from homeassistant.components.bluetooth import async_discovered_service_info
from homeassistant.core import HomeAssistant

from .const import BLUETOOTH_PREFIXES


def serial_from_bluetooth_name(name: str | None) -> str | None:
    """``MICRA_MR012345`` -> ``MR012345``; None for a name that is not a machine's."""
    prefix, sep, serial = (name or "").partition("_")
    return serial if sep and prefix.upper() in BLUETOOTH_PREFIXES and serial else None


def machines_in_range(hass: HomeAssistant) -> dict[str, str]:
    """Address -> Bluetooth name of every La Marzocco machine in range."""
    # Without an adapter Home Assistant's Bluetooth may not be set up at all.
    if "bluetooth" not in hass.config.components:  # pragma: no cover - no adapter
        return {}
    return {
        info.address: info.name
        for info in async_discovered_service_info(hass)
        if serial_from_bluetooth_name(info.name) is not None
    }
