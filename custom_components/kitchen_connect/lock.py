"""Lock entities of every brand."""

from __future__ import annotations

from homeassistant.const import Platform

from .brands import platform_setup

PARALLEL_UPDATES = 1  # one command at a time: the machines take one request at a time

async_setup_entry = platform_setup(Platform.LOCK)
