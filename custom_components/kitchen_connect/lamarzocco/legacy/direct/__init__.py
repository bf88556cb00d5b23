"""GS/3 and Linea Mini machines on the raw TCP protocol of the oldest gateways (port 1774)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform

from ....spec import PlatformSetup
from . import binary_sensor, number, select, sensor, switch
from .const import DEFAULT_SESSION_INTERVAL, SESSION_INTERVAL_RANGE
from .setup import async_probe_direct, async_setup_direct_entry

DIRECT_PLATFORMS: Mapping[Platform, PlatformSetup[ConfigEntry[Any]]] = {
    Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
    Platform.NUMBER: number.async_setup_entry,
    Platform.SELECT: select.async_setup_entry,
    Platform.SENSOR: sensor.async_setup_entry,
    Platform.SWITCH: switch.async_setup_entry,
}

__all__ = [
    "DEFAULT_SESSION_INTERVAL",
    "DIRECT_PLATFORMS",
    "SESSION_INTERVAL_RANGE",
    "async_probe_direct",
    "async_setup_direct_entry",
]
