"""The one config flow: every step Home Assistant calls, handed to the brand it concerns.

Brands are composed, not inherited: each brand's steps live in its own ``BrandFlow``
object, created when the flow first reaches one of them, so two brands that both answer
``bluetooth`` or both have a ``reauth`` step never shadow each other. A brand's package is
imported (in the import executor) when the flow first reaches one of its steps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.core import callback
from homeassistant.helpers.service_info.bluetooth import BluetoothServiceInfo
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo

from .brands import (
    async_brand_spec,
    declared_brand,
    loaded_spec,
    registered_brands,
    spec_for_entry,
)
from .const import CONF_BRAND, DOMAIN, ENTRY_MINOR_VERSION, ENTRY_VERSION
from .spec import BrandFlow, BrandSpec

_STEP_PREFIX = "async_step_"


class KitchenConnectConfigFlow(ConfigFlow, domain=DOMAIN):
    """Pick a brand (or be found by discovery); that brand's steps take over."""

    VERSION = ENTRY_VERSION
    MINOR_VERSION = ENTRY_MINOR_VERSION

    _brand_flows: dict[str, BrandFlow] | None = None

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which kind of appliance to add."""
        return self.async_show_menu(
            step_id="user", menu_options=[spec.key for spec in registered_brands() if spec.in_menu]
        )

    async def async_step_bluetooth(self, discovery_info: BluetoothServiceInfo) -> ConfigFlowResult:
        """A Bluetooth advert matched the manifest: the brand whose matcher fired takes it."""
        return await self._async_discovered("bluetooth", discovery_info)

    async def async_step_dhcp(self, discovery_info: DhcpServiceInfo) -> ConfigFlowResult:
        """A DHCP request matched the manifest: the brand whose matcher fired takes it."""
        return await self._async_discovered("dhcp", discovery_info)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Hand the reauthentication to the entry's brand."""
        spec = await async_brand_spec(self.hass, entry_data[CONF_BRAND])
        return await self._brand_flow(spec).async_step_reauth(entry_data)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Hand the reconfiguration to the entry's brand."""
        entry = self._get_reconfigure_entry()
        spec = await async_brand_spec(self.hass, entry.data[CONF_BRAND])
        return await self._brand_flow(spec).async_step_reconfigure(user_input)

    async def _async_discovered(self, source: str, discovery_info: Any) -> ConfigFlowResult:
        for brand in registered_brands():
            if source not in brand.discovery:
                continue
            spec = await async_brand_spec(self.hass, brand.key)
            matcher = spec.discovery.get(source)
            if matcher is not None and matcher(discovery_info):
                step = getattr(self._brand_flow(spec), f"{_STEP_PREFIX}{source}")
                result: ConfigFlowResult = await step(discovery_info)
                return result
        return self.async_abort(reason="not_supported")

    @callback
    def async_remove(self) -> None:
        """Let every brand that took part stop what its steps left running."""
        for brand_flow in (self._brand_flows or {}).values():
            brand_flow.async_remove()

    def _brand_flow(self, spec: BrandSpec) -> BrandFlow:
        if self._brand_flows is None:
            self._brand_flows = {}
        if spec.key not in self._brand_flows:
            self._brand_flows[spec.key] = spec.flow(self)
        return self._brand_flows[spec.key]

    def __getattr__(self, name: str) -> Any:
        """``async_step_<id>`` of a brand's step is that brand's method of the same name."""
        if name.startswith(_STEP_PREFIX):
            step_id = name.removeprefix(_STEP_PREFIX)
            for brand in registered_brands():
                if not brand.owns_step(step_id):
                    continue
                if (spec := loaded_spec(brand.key)) is not None:
                    return getattr(self._brand_flow(spec), name)
                if step_id == brand.key:  # the menu's entry point: load the brand first
                    return self._loading_step(brand.key, name)
        raise AttributeError(name)

    def _loading_step(self, key: str, name: str) -> Callable[..., Awaitable[ConfigFlowResult]]:
        async def _step(*args: Any) -> ConfigFlowResult:
            spec = await async_brand_spec(self.hass, key)
            result: ConfigFlowResult = await getattr(self._brand_flow(spec), name)(*args)
            return result

        return _step

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """The options flow of the entry's brand."""
        options_flow = spec_for_entry(config_entry).options_flow
        assert options_flow is not None  # only offered when the brand has one
        return options_flow()

    @classmethod
    @callback
    def async_supports_options_flow(cls, config_entry: ConfigEntry) -> bool:
        """Only brands with settings of their own have an options flow."""
        return declared_brand(config_entry.data[CONF_BRAND]).has_options
