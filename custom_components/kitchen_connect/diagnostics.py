"""Diagnostics download, with every secret and identifying value redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_PIN, CONF_TOKEN, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .ge.const import CONF_ACCESS_TOKEN, CONF_REFRESH_TOKEN, CONF_USER_ID
from .jura.const import CONF_CONN_ID, CONF_MACHINE_ID
from .runtime import KitchenConnectConfigEntry

TO_REDACT = {
    CONF_TOKEN,
    CONF_PIN,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_CONN_ID,
    CONF_MACHINE_ID,
    CONF_ACCESS_TOKEN,
    CONF_REFRESH_TOKEN,
    CONF_USER_ID,
    "title",
    "unique_id",
    "serial_number",
    "machine_number",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: KitchenConnectConfigEntry
) -> dict[str, Any]:
    """Entry settings and the brand's live data, redacted."""
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "runtime": entry.runtime_data.diagnostics(),
        },
        TO_REDACT,
    )
