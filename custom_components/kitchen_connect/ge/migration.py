"""Bringing GE entries stored by older versions up to date."""

from __future__ import annotations

from typing import Final

from homeassistant.const import CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import CONF_REGION, DEFAULT_REGION, ENTRY_TITLE, REGIONS
from .coordinator import GeConfigEntry

# Minor version 2 made these light entities: (platform, end of the unique id).
_REPLACED_BY_LIGHTS: Final = (("select", "_oven_light"), ("number", "_interior_light"))


async def async_migrate_ge_entry(hass: HomeAssistant, entry: GeConfigEntry) -> None:
    """Minor version 2: lower-case regions, lights as lights, no e-mail in the title.

    Region keys must be lower-case as translation keys are. The title the flow used to give
    named the account's e-mail address; a title the user chose stays.
    """
    if entry.minor_version < 2:
        region = str(entry.data.get(CONF_REGION) or DEFAULT_REGION).lower()
        flow_title = f"{ENTRY_TITLE} ({entry.data.get(CONF_USERNAME)})"
        title = ENTRY_TITLE if entry.title == flow_title else entry.title
        hass.config_entries.async_update_entry(
            entry,
            title=title,
            data={**entry.data, CONF_REGION: region if region in REGIONS else DEFAULT_REGION},
        )
        registry = er.async_get(hass)
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
            if any(
                entity.domain == platform and entity.unique_id.endswith(suffix)
                for platform, suffix in _REPLACED_BY_LIGHTS
            ):
                registry.async_remove(entity.entity_id)
