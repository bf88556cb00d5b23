"""Sensor entities of every brand."""

from __future__ import annotations

from homeassistant.const import Platform

from .brands import platform_setup

PARALLEL_UPDATES = 0  # read-only, fed by the coordinator

async_setup_entry = platform_setup(Platform.SENSOR)
