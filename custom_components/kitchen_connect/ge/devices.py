"""One device per appliance of a SmartHQ account, added and removed as the account changes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
import logging

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

from ..const import DOMAIN
from ..kitchenlib.ge.appliance import Appliance
from .appliance_types import DEVICE_MODELS, appliance_kind
from .const import MANUFACTURER_GE
from .ownership import async_owners

_LOGGER = logging.getLogger(__name__)

# ERD 0x0099 brand slugs as shown on the device page.
_BRANDS = {
    "gea_covers_all_gea_brands_ge_profile_cafe_monogram_hotpoint": MANUFACTURER_GE,
    "ge": MANUFACTURER_GE,
    "profile": "GE Profile",
    "cafe": "Café",
    "monogram": "Monogram",
    "hotpoint": "Hotpoint",
    "haier": "Haier",
    "haier_fpa": "Haier",
    "mabe": "Mabe",
    "fisher_paykel": "Fisher & Paykel",
    "adora": "Adora",
    "firstbuild": "FirstBuild",
}


def _manufacturer(appliance: Appliance) -> str:
    brand = appliance.erds.get(0x0099)
    slug = brand.value if brand is not None else None
    return _BRANDS.get(slug, MANUFACTURER_GE) if isinstance(slug, str) else MANUFACTURER_GE


def device_info(appliance: Appliance) -> DeviceInfo:
    """The registry entry of one appliance, identified by its MAC.

    The model is the appliance's kind (the action pickers filter on it); GE's model
    number is the model id.
    """
    return DeviceInfo(
        identifiers={(DOMAIN, appliance.mac)},
        manufacturer=_manufacturer(appliance),
        model=DEVICE_MODELS.get(appliance_kind(appliance)),
        model_id=appliance.model,
        serial_number=appliance.serial,
        sw_version=appliance.firmware,
        name=appliance.nickname or appliance.label or appliance.mac,
    )


class ApplianceDevices:
    """The account's devices, and the platforms that add entities as appliances appear.

    An appliance another GE entry already shows (a second account in the household) gets
    no device here; it is noted once in the log and in the diagnostics.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._hass = hass
        self._entry_id = entry_id
        self._owners = async_owners(hass)
        self._platforms: list[Callable[[str], None]] = []
        # Appliances with a device, in the order they got it (a dict keeps that order).
        self._listed: dict[str, None] = {}
        self._shown_elsewhere: set[str] = set()
        self._leave: CALLBACK_TYPE | None = None

    @property
    def shown_elsewhere(self) -> frozenset[str]:
        """Appliances of the account that another GE entry shows."""
        return frozenset(self._shown_elsewhere)

    @callback
    def async_start(self, appliances: Callable[[], Mapping[str, Appliance]]) -> None:
        """Take part in the household's claims; ``appliances`` is the account's current list."""
        self._leave = self._owners.async_join(
            self._entry_id, lambda: self.async_update(appliances())
        )

    @callback
    def async_stop(self) -> None:
        """Let go of every appliance, so another account's entry can show it."""
        if self._leave is not None:
            self._leave()
            self._leave = None

    @callback
    def registered(self) -> list[str]:
        """The appliances that have a device of this entry (from before a restart)."""
        registry = dr.async_get(self._hass)
        return [
            ident
            for device in dr.async_entries_for_config_entry(registry, self._entry_id)
            for domain, ident in device.identifiers
            if domain == DOMAIN
        ]

    @callback
    def async_for_each_appliance(self, add: Callable[[str], None]) -> None:
        """Call ``add`` with each appliance that has a device now, and with each one later."""
        self._platforms.append(add)
        for mac in list(self._listed):
            add(mac)

    @callback
    def async_update(self, appliances: Mapping[str, Appliance]) -> None:
        """A device for every appliance read in full; none for those that left the account."""
        registry = dr.async_get(self._hass)
        claimed = False
        for mac, appliance in appliances.items():
            if not appliance.initialised:
                continue
            if not self._owners.async_claim(mac, self._entry_id):
                # Waiting for an entry that has its device keeps ours (if any) as it is.
                if self._owners.owner(mac) is not None:
                    self._skip(mac, appliance)
                continue
            self._shown_elsewhere.discard(mac)
            # A device even for an appliance with nothing to show yet, so it is listed.
            registry.async_get_or_create(config_entry_id=self._entry_id, **device_info(appliance))
            if mac not in self._listed:
                claimed = True
                self._listed[mac] = None
                for add in self._platforms:
                    add(mac)
        left = [mac for mac in self._listed if mac not in appliances]
        for mac in left:
            del self._listed[mac]
        self._shown_elsewhere &= set(appliances)
        removed = False
        for device in dr.async_entries_for_config_entry(registry, self._entry_id):
            macs = [ident for domain, ident in device.identifiers if domain == DOMAIN]
            if macs and (macs[0] not in appliances or macs[0] in self._shown_elsewhere):
                _LOGGER.debug("An appliance left the account or is shown by another entry")
                registry.async_remove_device(device.id)
                removed = True
        freed = self._owners.async_release(self._entry_id, left)
        if removed or claimed or freed:
            # Entries waiting for these appliances can now skip them, or show them.
            self._owners.async_devices_changed(self._entry_id)

    def _skip(self, mac: str, appliance: Appliance) -> None:
        if mac in self._shown_elsewhere:
            return
        self._shown_elsewhere.add(mac)
        _LOGGER.info(
            "%s is also on another GE Appliances account, whose entry already shows it; "
            "this entry leaves it out",
            appliance.nickname or appliance.label or "An appliance",
        )
