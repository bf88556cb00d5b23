"""Which GE entry shows an appliance that two SmartHQ accounts share.

A household with two accounts sees the same appliance on both. Its entities' unique ids
are the appliance's, so only one entry may show it: the first loaded entry that claims
it. While an entry that already has the appliance's device is being set up or loaded,
an entry without one waits for it, so a restart does not move the appliance between
entries (of two entries that both have a device, the older one wins). The others leave
it out until the owner lets go (unloaded, or the appliance left its account).
"""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN

_ACTIVE = frozenset({ConfigEntryState.LOADED, ConfigEntryState.SETUP_IN_PROGRESS})


class ApplianceOwners:
    """The claims of every GE entry on the appliances it shows."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._hass = hass
        self._owners: dict[str, str] = {}
        self._entries: dict[str, CALLBACK_TYPE] = {}

    @callback
    def async_join(self, entry_id: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Take part; ``update`` runs when another entry lets an appliance go.

        The returned callback leaves: it gives up every claim of the entry.
        """
        self._entries[entry_id] = update

        @callback
        def _leave() -> None:
            self._entries.pop(entry_id, None)
            for mac in [mac for mac, owner in self._owners.items() if owner == entry_id]:
                del self._owners[mac]
            # Even without a claim: others may have waited for this entry's devices.
            self.async_devices_changed(entry_id)

        return _leave

    @callback
    def async_claim(self, mac: str, entry_id: str) -> bool:
        """Whether ``entry_id`` shows ``mac``: it does if no other entry got there first."""
        owner = self._owners.get(mac)
        if owner is None and not self._held_by_another(mac, entry_id):
            self._owners[mac] = owner = entry_id
        return owner == entry_id

    def owner(self, mac: str) -> str | None:
        """The entry that shows ``mac``, if one does (else it may be waited for)."""
        return self._owners.get(mac)

    @callback
    def async_release(self, entry_id: str, macs: Iterable[str]) -> bool:
        """``entry_id`` no longer shows ``macs`` (nor has their devices): others may.

        True if it had claimed any of them; the caller then tells the other entries.
        """
        freed = [mac for mac in macs if self._owners.get(mac) == entry_id]
        for mac in freed:
            del self._owners[mac]
        return bool(freed)

    @callback
    def async_devices_changed(self, entry_id: str) -> None:
        """``entry_id`` let go of appliances or removed devices: the others look again."""
        for other in self._entries:
            if other != entry_id:
                # Later, not now: the caller is in the middle of its own update.
                self._hass.loop.call_soon(self._update, other)

    def _update(self, entry_id: str) -> None:
        if (update := self._entries.get(entry_id)) is not None:
            update()

    def _held_by_another(self, mac: str, entry_id: str) -> bool:
        """Another active GE entry has the appliance's device and comes first: it is its."""
        registry = dr.async_get(self._hass)
        mine = registry.async_get_device_by_identifier((DOMAIN, mac), entry_id) is not None
        for entry in self._hass.config_entries.async_entries(DOMAIN):
            if entry.entry_id == entry_id:
                # Older entries were checked; a younger one only wins against no device.
                if mine:
                    return False
                continue
            if entry.entry_id not in self._entries or entry.state not in _ACTIVE:
                continue
            if registry.async_get_device_by_identifier((DOMAIN, mac), entry.entry_id):
                return True
        return False


_OWNERS: HassKey[ApplianceOwners] = HassKey(f"{DOMAIN}_ge_appliance_owners")


@callback
def async_owners(hass: HomeAssistant) -> ApplianceOwners:
    """The one claims registry of this Home Assistant instance."""
    if (owners := hass.data.get(_OWNERS)) is None:
        owners = hass.data[_OWNERS] = ApplianceOwners(hass)
    return owners
