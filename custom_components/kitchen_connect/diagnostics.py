"""Diagnostics download, with every secret and identifying value redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_PIN, CONF_TOKEN, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .brands import spec_for_entry
from .spec import KitchenConnectConfigEntry

# Redacted for every brand; each brand adds the keys of its own secrets and identifiers.
SHARED_REDACT = frozenset(
    {
        CONF_TOKEN,
        CONF_PIN,
        CONF_PASSWORD,
        CONF_USERNAME,
        "title",
        "unique_id",
        "serial_number",
    }
)


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
        SHARED_REDACT | spec_for_entry(entry).redact,
    )
