"""The registry: every brand Kitchen Connect supports, one line each.

Adding a brand means adding its package and one line to ``BRANDS``; the shared modules
find everything else through the brand's ``BrandSpec``.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_BRAND
from .ge import GE_BRAND
from .jura import JURA_BRAND
from .lamarzocco import LAMARZOCCO_BRAND
from .nespresso import NESPRESSO_BRAND
from .spec import BrandSpec, PlatformSetup

BRANDS: tuple[BrandSpec, ...] = (
    JURA_BRAND,
    GE_BRAND,
    LAMARZOCCO_BRAND,
    NESPRESSO_BRAND,
)


def registered_brands() -> tuple[BrandSpec, ...]:
    """Every registered brand, in the order the "add" menu shows them."""
    return BRANDS


def brand_spec(key: str) -> BrandSpec:
    """The brand stored as ``key`` in an entry (KeyError for an unknown one)."""
    for spec in BRANDS:
        if spec.key == key:
            return spec
    raise KeyError(key)


def spec_for_entry(entry: ConfigEntry) -> BrandSpec:
    """The brand an entry belongs to."""
    return brand_spec(entry.data[CONF_BRAND])


def platform_setup(platform: Platform) -> PlatformSetup[ConfigEntry]:
    """The ``async_setup_entry`` of a shared platform module: the entry's brand builds."""

    async def async_setup_entry(
        hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        await spec_for_entry(entry).platforms[platform](hass, entry, async_add_entities)

    return async_setup_entry
