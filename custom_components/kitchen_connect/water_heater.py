"""Water heater entities of every brand."""

from __future__ import annotations

from homeassistant.const import Platform

from .brands import platform_setup

PARALLEL_UPDATES = 1  # one write at a time per appliance

async_setup_entry = platform_setup(Platform.WATER_HEATER)
