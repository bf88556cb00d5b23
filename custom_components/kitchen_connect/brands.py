"""The registry: every brand Kitchen Connect supports, declared in one line each.

The shared modules know a brand by its declaration: its key, where its ``BrandSpec``
lives, the discovery sources it answers and the actions it offers. The brand's package
(its protocol tables, entities and flow) is imported only when an entry of the brand is
set up or a flow reaches one of its steps, in Home Assistant's import executor: a Jura
owner never loads GE's ERD tables. Adding a brand means adding its package and one
``Brand`` line to ``DECLARED``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
import importlib
import importlib.util
import sys
from typing import Any, NoReturn

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.importlib import async_import_module
import probatio as vol

from .const import CONF_BRAND
from .spec import BrandAction, BrandSpec, PlatformSetup, owns_step


def _declared_only(*_args: Any) -> NoReturn:
    raise RuntimeError("a declared action runs as its brand's own, once the brand is loaded")


def _actions(offered: Mapping[str, tuple[str, ...]]) -> tuple[BrandAction, ...]:
    """The actions a brand offers as the service schemas see them: names and field names.

    Each call is handed to the loaded brand's own action, which checks the fields itself.
    """
    return tuple(
        BrandAction(
            name=name,
            fields={vol.Optional(field_name): object for field_name in fields},
            refusal_key_fn=_declared_only,
            run=_declared_only,
        )
        for name, fields in offered.items()
    )


@dataclass(frozen=True, kw_only=True)
class Brand:
    """What the shared modules know of a brand before its package is imported.

    ``spec`` is ``module:attribute`` of the brand's ``BrandSpec`` (a module starting with a
    dot is inside this integration). ``discovery`` lists the sources whose flows the
    brand may take; its spec's matchers decide.
    """

    key: str
    spec: str
    in_menu: bool = True
    has_options: bool = False
    discovery: frozenset[str] = frozenset()
    actions: tuple[BrandAction, ...] = ()

    @property
    def module(self) -> str:
        """The absolute name of the module holding the brand's spec."""
        return importlib.util.resolve_name(self.spec.partition(":")[0], __package__)

    def owns_step(self, step_id: str) -> bool:
        """Whether ``step_id`` is one of this brand's config-flow steps."""
        return owns_step(self.key, step_id)

    def spec_of(self, module: Any) -> BrandSpec:
        """The brand's spec in its imported ``module``."""
        spec = getattr(module, self.spec.partition(":")[2])
        assert isinstance(spec, BrandSpec)
        return spec


DECLARED: tuple[Brand, ...] = (
    Brand(
        key="jura",
        spec=".jura:JURA_BRAND",
        has_options=True,
        actions=_actions(
            {
                "brew": (
                    "product",
                    "strength",
                    "water",
                    "milk",
                    "milk_foam",
                    "bypass",
                    "milk_break",
                    "temperature",
                ),
                "start_maintenance": ("process",),
                "standby": (),
            }
        ),
    ),
    Brand(
        key="ge",
        spec=".ge:GE_BRAND",
        actions=_actions(
            {
                "start_cooking": ("cavity", "mode", "temperature", "cook_time"),
                "stop_cooking": ("cavity",),
                "start_cycle": (),
                "brew": ("strength", "brew_temperature", "cups"),
                "start_maintenance": ("process",),
            }
        ),
    ),
    Brand(
        key="lamarzocco",
        spec=".lamarzocco:LAMARZOCCO_BRAND",
        has_options=True,
        discovery=frozenset({"bluetooth", "dhcp"}),
        actions=_actions({"start_maintenance": ("process",)}),
    ),
    Brand(
        key="nespresso",
        spec=".nespresso:NESPRESSO_BRAND",
        discovery=frozenset({"bluetooth"}),
        actions=_actions({"brew": ("product", "temperature", "coffee", "water"), "cancel": ()}),
    ),
)


def registered_brands() -> tuple[Brand, ...]:
    """Every declared brand, in the order the "add" menu shows them."""
    return DECLARED


def declared_brand(key: str) -> Brand:
    """The declaration of the brand stored as ``key`` in an entry (KeyError if unknown)."""
    for brand in DECLARED:
        if brand.key == key:
            return brand
    raise KeyError(key)


def _replaced(key: str) -> BrandSpec | None:
    """A spec set in place of the brand's own (``BRANDS`` below), if any."""
    replaced: tuple[BrandSpec, ...] = globals().get("BRANDS", ())
    return next((spec for spec in replaced if spec.key == key), None)


def loaded_spec(key: str) -> BrandSpec | None:
    """The brand's spec if its package is imported already, else None (never imports)."""
    if (spec := _replaced(key)) is not None:
        return spec
    brand = declared_brand(key)
    module = sys.modules.get(brand.module)
    # Listed but without its spec yet: the import executor is still running it.
    if module is None or not hasattr(module, brand.spec.partition(":")[2]):
        return None
    return brand.spec_of(module)


def brand_spec(key: str) -> BrandSpec:
    """The spec of the brand ``key``, whose package is loaded (KeyError for an unknown one).

    Every brand with an entry is loaded by ``async_load_brands`` before its entries are
    set up, and a flow loads its brand before running its steps; anything else importing
    here would block the event loop, and it is a bug.
    """
    if (spec := loaded_spec(key)) is not None:
        return spec
    brand = declared_brand(key)
    return brand.spec_of(importlib.import_module(brand.module))


async def async_brand_spec(hass: HomeAssistant, key: str) -> BrandSpec:
    """The spec of the brand ``key``, importing its package in the import executor."""
    if (spec := loaded_spec(key)) is not None:
        return spec
    brand = declared_brand(key)
    return brand.spec_of(await async_import_module(hass, brand.module))


async def async_load_brands(hass: HomeAssistant, entries: Iterable[ConfigEntry]) -> None:
    """Import the packages of the brands of ``entries`` side by side (unknown ones skipped)."""
    keys = {entry.data.get(CONF_BRAND) for entry in entries}
    await asyncio.gather(*(async_brand_spec(hass, b.key) for b in DECLARED if b.key in keys))


async def async_spec_for_entry(hass: HomeAssistant, entry: ConfigEntry) -> BrandSpec:
    """The brand an entry belongs to, its package imported if it was not yet."""
    return await async_brand_spec(hass, entry.data[CONF_BRAND])


def spec_for_entry(entry: ConfigEntry) -> BrandSpec:
    """The brand an entry belongs to (loaded with the entry)."""
    return brand_spec(entry.data[CONF_BRAND])


def platform_setup(platform: Platform) -> PlatformSetup[ConfigEntry]:
    """The ``async_setup_entry`` of a shared platform module: the entry's brand builds."""

    async def async_setup_entry(
        hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        await spec_for_entry(entry).platforms[platform](hass, entry, async_add_entities)

    return async_setup_entry


def __getattr__(name: str) -> Any:
    """``BRANDS``: every brand's spec, each package imported (for tests and tools).

    A test may set ``BRANDS`` to specs of its own (one brand with fewer platforms, say):
    those are then used in place of the brands' own, by key.
    """
    if name == "BRANDS":
        return tuple(brand_spec(brand.key) for brand in DECLARED)
    raise AttributeError(name)
