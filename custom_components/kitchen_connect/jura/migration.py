"""Registry entries left by older versions, moved to what replaced them."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback, split_entity_id
from homeassistant.helpers import entity_registry as er

from ..const import DOMAIN
from .coordinator import JuraConfigEntry
from .lock import PANEL_LOCK


@callback
def async_move_panel_lock_switch(
    hass: HomeAssistant, entry: JuraConfigEntry, machine_id: str
) -> None:
    """The panel lock was a switch before it became a lock: carry it over once.

    An entity cannot change its domain, so the switch's registry entry goes and a lock
    entry takes its unique id, its object id and what the user set on it (name, area,
    aliases, labels, hidden or disabled); otherwise the old switch would stay behind
    as an orphan.
    """
    registry = er.async_get(hass)
    unique_id = f"{machine_id}_{PANEL_LOCK.key}"
    old_entity_id = registry.async_get_entity_id(Platform.SWITCH, DOMAIN, unique_id)
    if old_entity_id is None or (old := registry.async_get(old_entity_id)) is None:
        return
    registry.async_remove(old_entity_id)
    if registry.async_get_entity_id(Platform.LOCK, DOMAIN, unique_id) is not None:
        return
    disabled_by = old.disabled_by
    new = registry.async_get_or_create(
        Platform.LOCK,
        DOMAIN,
        unique_id,
        suggested_object_id=split_entity_id(old_entity_id)[1],
        config_entry=entry,
        device_id=old.device_id,
        disabled_by=disabled_by if disabled_by is er.RegistryEntryDisabler.USER else None,
        hidden_by=old.hidden_by,
    )
    registry.async_update_entity(
        new.entity_id,
        aliases=old.aliases,
        area_id=old.area_id,
        icon=old.icon,
        labels=old.labels,
        name=old.name,
    )
