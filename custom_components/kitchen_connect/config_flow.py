"""The config flow: pick a brand, then that brand's steps take over."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult, OptionsFlow
from homeassistant.core import callback

from .const import CONF_BRAND, DOMAIN, Brand
from .ge.config_flow import GeConfigFlowMixin
from .jura.config_flow import JuraConfigFlowMixin, JuraOptionsFlow

_OPTIONS_FLOWS: dict[Brand, type[OptionsFlow]] = {Brand.JURA: JuraOptionsFlow}


class KitchenConnectConfigFlow(JuraConfigFlowMixin, GeConfigFlowMixin, domain=DOMAIN):
    """One flow for every brand; each brand's steps live in its own mixin."""

    VERSION = 1
    MINOR_VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which kind of appliance to add."""
        return self.async_show_menu(step_id="user", menu_options=[Brand.JURA.value, Brand.GE.value])

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Hand the reauthentication to the entry's brand."""
        match Brand(entry_data[CONF_BRAND]):
            case Brand.JURA:
                return await self.async_step_jura_reauth(entry_data)
            case Brand.GE:
                return await self.async_step_ge_reauth(entry_data)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Hand the reconfiguration to the entry's brand."""
        match Brand(self._get_reconfigure_entry().data[CONF_BRAND]):
            case Brand.JURA:
                return await self.async_step_jura_reconfigure(user_input)
            case Brand.GE:
                return await self.async_step_ge_reconfigure(user_input)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """The options flow of the entry's brand."""
        return _OPTIONS_FLOWS[Brand(config_entry.data[CONF_BRAND])]()

    @classmethod
    @callback
    def async_supports_options_flow(cls, config_entry: ConfigEntry) -> bool:
        """Only brands with settings of their own have an options flow."""
        return Brand(config_entry.data[CONF_BRAND]) in _OPTIONS_FLOWS
