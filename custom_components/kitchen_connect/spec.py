"""What a brand declares to plug into the integration.

A brand is one package (``jura/``, ``ge/`` …) whose ``__init__.py`` holds one frozen
``BrandSpec``; ``brands.py`` declares each brand in one line and imports its package when
an entry or a flow needs it. The shared modules only ever see these types, never a
brand's own modules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
import probatio as vol


class BrandRuntimeData(Protocol):
    """What the shared parts need of a loaded entry's runtime data."""

    async def async_shutdown(self) -> None:
        """Release sockets, tasks and listeners when the entry unloads."""

    def diagnostics(self) -> dict[str, Any]:
        """The brand's live data for the diagnostics download (redacted by the caller)."""


type KitchenConnectConfigEntry = ConfigEntry[BrandRuntimeData]

# A platform's ``async_setup_entry`` for entries of type ``EntryT``.
type PlatformSetup[EntryT] = Callable[
    [HomeAssistant, EntryT, AddConfigEntryEntitiesCallback], Awaitable[None]
]


def _always(_entry: ConfigEntry[Any], _device: str) -> bool:
    return True


def owns_step(key: str, step_id: str) -> bool:
    """Whether ``step_id`` is a config-flow step of the brand ``key``."""
    return step_id == key or step_id.startswith(f"{key}_")


@dataclass(frozen=True, kw_only=True)
class BrandAction:
    """One confirm-gated action as one brand runs it.

    Several brands may offer an action of the same ``name`` (``brew``); each declares
    the fields it accepts and checks them itself. ``can_run`` tells whether a device
    (by its identifier in our domain) can do it at all, before the confirm check;
    ``check`` raises ``ServiceValidationError`` for fields this device cannot take (a
    product the model lacks), also before the confirm check, so a call that could never
    run is refused as such instead of being asked about; ``refusal_key_fn`` names the
    translated refusal that says what would happen.
    """

    name: str
    fields: Mapping[vol.Marker, Any] = field(default_factory=dict)
    can_run: Callable[[ConfigEntry[Any], str], bool] = _always
    check: Callable[[ConfigEntry[Any], str, Mapping[str, Any]], None] | None = None
    refusal_key_fn: Callable[[Mapping[str, Any]], str]
    run: Callable[[HomeAssistant, ConfigEntry[Any], str, Mapping[str, Any]], Awaitable[None]]


class BrandFlow:
    """The config-flow steps of one brand, run inside the integration's one flow.

    Home Assistant calls ``async_step_<id>`` on ``KitchenConnectConfigFlow``; a step
    whose id is the brand's key (the brand's first step, offered in the "add" menu)
    or starts with ``<key>_`` is this object's method of the same name. Reauth,
    reconfigure and discovery arrive through the generic methods below. Forms,
    unique ids and entries are the flow's: use ``self.flow``.
    """

    def __init__(self, flow: ConfigFlow) -> None:
        self.flow = flow

    @property
    def hass(self) -> HomeAssistant:
        """The Home Assistant instance of the flow."""
        return self.flow.hass

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Reauthenticate an entry of this brand (brands with credentials override this)."""
        return self.flow.async_abort(reason="not_supported")

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure an entry of this brand (brands with settings to change override this)."""
        return self.flow.async_abort(reason="not_supported")

    def async_remove(self) -> None:
        """The flow ended or was abandoned: stop what the brand's steps left running."""


@dataclass(frozen=True, kw_only=True)
class BrandSpec:
    """Everything the shared parts need to know of one brand.

    ``key`` is stored in every entry (``entry.data["brand"]``) and prefixes the brand's
    config-flow steps; ``translation_prefix`` prefixes its translation, exception and
    issue keys. ``discovery`` maps a discovery source (``bluetooth``, ``dhcp``) to a
    matcher that tells whether this brand's manifest matcher fired for it; the brand's
    flow then gets ``async_step_<source>``. ``async_migrate`` looks at the entry's
    ``minor_version`` to know what to change.
    """

    key: str
    translation_prefix: str
    async_setup: Callable[[HomeAssistant, Any], Awaitable[BrandRuntimeData]]
    platforms: Mapping[Platform, PlatformSetup[Any]]
    flow: type[BrandFlow]
    in_menu: bool = True
    discovery: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)
    options_flow: type[OptionsFlow] | None = None
    actions: tuple[BrandAction, ...] = ()
    redact: frozenset[str] = frozenset()
    # Brings an entry stored by an older minor version of the flow up to date (its data,
    # its entities); the shared migration then stores the new version. None: nothing to do.
    async_migrate: Callable[[HomeAssistant, Any], Awaitable[None]] | None = None

    def owns_step(self, step_id: str) -> bool:
        """Whether ``step_id`` is one of this brand's config-flow steps."""
        return owns_step(self.key, step_id)

    def action(self, name: str) -> BrandAction | None:
        """This brand's version of the action ``name``, if it has one."""
        return next((action for action in self.actions if action.name == name), None)
