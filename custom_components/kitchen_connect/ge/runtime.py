"""The live side of one GE Appliances (SmartHQ) account entry."""

from __future__ import annotations

from collections.abc import Callable
import logging
from typing import Any, TypedDict

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import DOMAIN
from ..kitchenlib.ge.appliance import Appliance
from ..kitchenlib.ge.client import SmartHqClient
from ..kitchenlib.ge.erd import encode_erd, format_erd_code
from ..kitchenlib.ge.tokens import TokenManager
from .appliance_types import appliance_kind
from .const import MANUFACTURER_GE
from .coordinator import GeCoordinator
from .entity import translate_ge_errors
from .entry_data import endpoints_from_data, tokens_from_data

_LOGGER = logging.getLogger(__name__)


# The websocket client's timing (seconds): GE's pace in production; tests shorten it.
class ClientTiming(TypedDict):
    """Seconds the websocket client waits between its own requests."""

    ping_interval: float
    list_interval: float
    max_connection_age: float
    backoff_initial: float
    backoff_max: float


CLIENT_TIMING: ClientTiming = {
    "ping_interval": 30.0,
    "list_interval": 600.0,  # new or removed appliances show up within ten minutes
    "max_connection_age": 3300.0,  # reconnect before GE's one-hour cut-off
    "backoff_initial": 10.0,
    "backoff_max": 1800.0,
}

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


type EntityBuilder = Callable[["GeRuntime", str], list[Entity]]


class GeRuntime:
    """A SmartHQ account: one coordinator, one device per appliance."""

    def __init__(self, hass: HomeAssistant, coordinator: GeCoordinator) -> None:
        self.hass = hass
        self.coordinator = coordinator
        self._adders: dict[Platform, tuple[EntityBuilder, AddConfigEntryEntitiesCallback]] = {}
        self._added: set[tuple[Platform, str]] = set()
        # The last known state of each appliance, so entities of a removed one still read.
        self._last_seen: dict[str, Appliance] = {}
        coordinator.async_add_appliances_listener(self._async_appliances_changed)

    @property
    def entry(self) -> ConfigEntry:
        """The account's config entry."""
        return self.coordinator.config_entry

    def appliance(self, mac: str) -> Appliance:
        """The appliance ``mac`` as last pushed."""
        appliance = self.coordinator.client.appliances.get(mac)
        if appliance is not None:
            self._last_seen[mac] = appliance
            return appliance
        return self._last_seen[mac]

    def device_info(self, mac: str) -> DeviceInfo:
        """The registry entry of one appliance, identified by its MAC."""
        appliance = self.appliance(mac)
        return DeviceInfo(
            identifiers={(DOMAIN, mac)},
            manufacturer=_manufacturer(appliance),
            model=appliance.model,
            serial_number=appliance.serial,
            sw_version=appliance.firmware,
            name=appliance.nickname or appliance.label or mac,
        )

    def async_setup_platform(
        self,
        platform: Platform,
        build: EntityBuilder,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Add the platform's entities now, and for appliances that show up later."""
        self._adders[platform] = (build, async_add_entities)
        for mac, appliance in self.coordinator.client.appliances.items():
            if appliance.initialised:
                self._add_entities(platform, mac)

    def _add_entities(self, platform: Platform, mac: str) -> None:
        if (platform, mac) in self._added:
            return
        self._added.add((platform, mac))
        build, async_add_entities = self._adders[platform]
        if entities := build(self, mac):
            async_add_entities(entities)

    @callback
    def _async_appliances_changed(self) -> None:
        appliances = self.coordinator.client.appliances
        registry = dr.async_get(self.hass)
        for mac, appliance in appliances.items():
            self._last_seen[mac] = appliance
            if appliance.initialised:
                # A device even for an appliance with nothing to show yet, so it is listed.
                registry.async_get_or_create(
                    config_entry_id=self.entry.entry_id, **self.device_info(mac)
                )
                for platform in self._adders:
                    self._add_entities(platform, mac)
        for device in dr.async_entries_for_config_entry(registry, self.entry.entry_id):
            macs = [ident for domain, ident in device.identifiers if domain == DOMAIN]
            if macs and macs[0] not in appliances:
                _LOGGER.debug("An appliance left the account; removing its device")
                registry.async_update_device(device.id, remove_config_entry_id=self.entry.entry_id)
                self._added = {key for key in self._added if key[1] != macs[0]}

    async def async_write_erd(self, mac: str, code: int, value: Any) -> None:
        """Encode ``value`` and send it; the appliance's push brings the new state."""
        appliance = self.appliance(mac)
        name = appliance.nickname or mac
        async with translate_ge_errors(name):
            raw = encode_erd(code, value)
            status = await self.coordinator.client.async_write_erd(mac, code, raw)
        if status == "timeout":
            _LOGGER.debug(
                "%s did not confirm %s in time; waiting for its push", name, format_erd_code(code)
            )

    async def async_shutdown(self) -> None:
        """Close the websocket."""
        await self.coordinator.async_stop()

    def diagnostics(self) -> dict[str, Any]:
        """Connection figures and every appliance's ERDs (identifiers redacted by index)."""
        client = self.coordinator.client
        appliances = []
        for index, appliance in enumerate(client.appliances.values()):
            appliances.append(
                {
                    "appliance": f"appliance_{index + 1}",
                    "kind": appliance_kind(appliance).value,
                    "label": appliance.label,
                    "online": appliance.online,
                    "initialised": appliance.initialised,
                    "model": appliance.model,
                    "firmware": appliance.firmware,
                    "erds": {
                        format_erd_code(code): erd.raw
                        for code, erd in sorted(appliance.erds.items())
                        if code != 0x0002  # the serial number
                    },
                }
            )
        return {
            "connected": self.coordinator.connected,
            "stats": dict(client.stats),
            "appliances": appliances,
        }


type GeConfigEntry = ConfigEntry[GeRuntime]


async def async_setup_ge_entry(hass: HomeAssistant, entry: GeConfigEntry) -> GeRuntime:
    """Connect the account's websocket (raising ConfigEntryNotReady/AuthFailed)."""
    session = async_get_clientsession(hass)
    coordinator = GeCoordinator(hass, entry)
    tokens = TokenManager(
        session,
        endpoints_from_data(entry.data),
        tokens_from_data(entry.data),
        on_rotated=coordinator.tokens_rotated,
    )
    coordinator.attach(
        SmartHqClient(
            session, endpoints_from_data(entry.data), tokens, coordinator, **CLIENT_TIMING
        )
    )
    runtime = GeRuntime(hass, coordinator)
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        await coordinator.async_stop()
        raise
    coordinator.appliances_changed()
    return runtime
