"""Jura machines with the Smart Connect WiFi dongle."""

from __future__ import annotations

from homeassistant.const import Platform

from ..spec import BrandSpec
from . import binary_sensor, button, lock, number, select, sensor
from .actions import JURA_ACTIONS
from .config_flow import JuraFlow, JuraOptionsFlow
from .const import BRAND_KEY, CONF_CONN_ID, CONF_MACHINE_ID
from .setup import async_setup_jura_entry

JURA_BRAND = BrandSpec(
    key=BRAND_KEY,
    translation_prefix=BRAND_KEY,
    async_setup=async_setup_jura_entry,
    platforms={
        Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
        Platform.BUTTON: button.async_setup_entry,
        Platform.LOCK: lock.async_setup_entry,
        Platform.NUMBER: number.async_setup_entry,
        Platform.SELECT: select.async_setup_entry,
        Platform.SENSOR: sensor.async_setup_entry,
    },
    flow=JuraFlow,
    options_flow=JuraOptionsFlow,
    actions=JURA_ACTIONS,
    redact=frozenset({CONF_CONN_ID, CONF_MACHINE_ID, "machine_number"}),
)
