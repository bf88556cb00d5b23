"""GE Appliances (SmartHQ) accounts in Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform

from ..spec import BrandSpec
from . import (
    binary_sensor,
    button,
    climate,
    light,
    number,
    select,
    sensor,
    switch,
    water_heater,
)
from .actions import GE_ACTIONS
from .config_flow import GeFlow
from .const import BRAND_KEY, CONF_ACCESS_TOKEN, CONF_REFRESH_TOKEN, CONF_USER_ID
from .migration import async_migrate_ge_entry
from .setup import async_setup_ge_entry

GE_BRAND = BrandSpec(
    key=BRAND_KEY,
    translation_prefix=BRAND_KEY,
    async_setup=async_setup_ge_entry,
    platforms={
        Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
        Platform.BUTTON: button.async_setup_entry,
        Platform.CLIMATE: climate.async_setup_entry,
        Platform.LIGHT: light.async_setup_entry,
        Platform.NUMBER: number.async_setup_entry,
        Platform.SELECT: select.async_setup_entry,
        Platform.SENSOR: sensor.async_setup_entry,
        Platform.SWITCH: switch.async_setup_entry,
        Platform.WATER_HEATER: water_heater.async_setup_entry,
    },
    flow=GeFlow,
    actions=GE_ACTIONS,
    redact=frozenset({CONF_ACCESS_TOKEN, CONF_REFRESH_TOKEN, CONF_USER_ID}),
    async_migrate=async_migrate_ge_entry,
)
