"""Nespresso machines over Bluetooth LE: the original line (brewing) and Vertuo (read-only)."""

from __future__ import annotations

from homeassistant.const import CONF_ADDRESS, Platform

from ..spec import BrandSpec
from . import binary_sensor, number, sensor
from .actions import NESPRESSO_ACTIONS
from .config_flow import NespressoFlow, is_nespresso_advert
from .const import BRAND_KEY, CONF_KEY, CONF_SEED
from .setup import async_setup_nespresso_entry

NESPRESSO_BRAND = BrandSpec(
    key=BRAND_KEY,
    translation_prefix=BRAND_KEY,
    async_setup=async_setup_nespresso_entry,
    platforms={
        Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
        Platform.NUMBER: number.async_setup_entry,
        Platform.SENSOR: sensor.async_setup_entry,
    },
    flow=NespressoFlow,
    discovery={"bluetooth": is_nespresso_advert},
    actions=NESPRESSO_ACTIONS,
    redact=frozenset({CONF_KEY, CONF_SEED, CONF_ADDRESS, "mac", "serial"}),
)
