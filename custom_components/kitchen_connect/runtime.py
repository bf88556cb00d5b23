"""What every brand's runtime object offers the shared Home Assistant parts."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
import probatio as vol


@dataclass(frozen=True, kw_only=True)
class ConfirmedAction:
    """A service that only runs when the caller passes ``confirm: true``."""

    name: str
    fields: Mapping[vol.Marker, Any] = field(default_factory=dict)
    # Translation key of the refusal that says what the action would do.
    refusal_key_fn: Callable[[Mapping[str, Any]], str]


class BrandRuntime(ABC):
    """The live side of one config entry: a machine, or an account with many.

    Platforms, diagnostics and the confirm-gated actions talk to this interface
    only, so a cloud account with many appliances or a Bluetooth device without
    an address fits without touching the shared modules.
    """

    platforms: tuple[Platform, ...] = ()

    @abstractmethod
    def async_setup_platform(
        self, platform: Platform, async_add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        """Add this brand's entities for ``platform`` (and later ones, if devices appear)."""

    @abstractmethod
    async def async_shutdown(self) -> None:
        """Release sockets, tasks and listeners."""

    @abstractmethod
    def diagnostics(self) -> dict[str, Any]:
        """Brand data for the diagnostics download (redacted by the caller)."""

    @abstractmethod
    async def async_run_action(
        self, action: str, device_identifier: str, data: Mapping[str, Any]
    ) -> None:
        """Carry out a confirmed action on one device.

        Raises ServiceValidationError for input the device cannot accept (before
        anything is sent) and HomeAssistantError when the device fails.
        """


type KitchenConnectConfigEntry = ConfigEntry[BrandRuntime]


type PlatformSetup = Callable[
    [HomeAssistant, KitchenConnectConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]


def platform_setup(platform: Platform) -> PlatformSetup:
    """The ``async_setup_entry`` of a platform module: delegate to the entry's brand."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: KitchenConnectConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        entry.runtime_data.async_setup_platform(platform, async_add_entities)

    return async_setup_entry
