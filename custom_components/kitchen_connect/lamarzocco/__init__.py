"""La Marzocco espresso machines and grinders in Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform

from ..spec import BrandSpec
from . import binary_sensor, calendar, number, select, sensor, switch, update
from .actions import LAMARZOCCO_ACTIONS
from .config_flow import (
    LaMarzoccoFlow,
    LaMarzoccoOptionsFlow,
    is_lamarzocco_advert,
    is_lamarzocco_host,
)
from .const import (
    BRAND_KEY,
    CONF_BLUETOOTH_ADDRESS,
    CONF_BLUETOOTH_TOKEN,
    CONF_INSTALLATION_KEY,
    CONF_NETWORK_MAC,
    CONF_SERIAL,
)
from .legacy.const import CONF_HOST, CONF_KEY
from .legacy.setup import with_local_platforms
from .setup import async_setup_lamarzocco_entry

LAMARZOCCO_BRAND = BrandSpec(
    key=BRAND_KEY,
    translation_prefix=BRAND_KEY,
    async_setup=async_setup_lamarzocco_entry,
    # Entries of machines on older gateways get their local transport's entities instead.
    platforms={
        platform: with_local_platforms(platform, cloud_setup)
        for platform, cloud_setup in (
            (Platform.BINARY_SENSOR, binary_sensor.async_setup_entry),
            (Platform.CALENDAR, calendar.async_setup_entry),
            (Platform.NUMBER, number.async_setup_entry),
            (Platform.SELECT, select.async_setup_entry),
            (Platform.SENSOR, sensor.async_setup_entry),
            (Platform.SWITCH, switch.async_setup_entry),
            (Platform.UPDATE, update.async_setup_entry),
        )
    },
    flow=LaMarzoccoFlow,
    options_flow=LaMarzoccoOptionsFlow,
    discovery={"bluetooth": is_lamarzocco_advert, "dhcp": is_lamarzocco_host},
    actions=LAMARZOCCO_ACTIONS,
    redact=frozenset(
        {
            CONF_INSTALLATION_KEY,
            CONF_SERIAL,
            CONF_BLUETOOTH_ADDRESS,
            CONF_BLUETOOTH_TOKEN,
            CONF_NETWORK_MAC,
            CONF_KEY,
            CONF_HOST,
        }
    ),
)
