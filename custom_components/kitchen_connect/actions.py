"""Confirm-gated actions: destructive commands that need ``confirm: true``.

Every brand declares its actions as ``ConfirmedAction`` entries; this module
registers them once, resolves the targeted device to its config entry
and refuses, with a message saying what would happen, unless confirmed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import probatio as vol

from .const import CONF_CONFIRM, DOMAIN
from .ge.actions import GE_ACTIONS
from .jura.actions import JURA_ACTIONS
from .runtime import ConfirmedAction, KitchenConnectConfigEntry

ALL_ACTIONS: tuple[ConfirmedAction, ...] = (*JURA_ACTIONS, *GE_ACTIONS)


def _resolve_target(hass: HomeAssistant, device_id: str) -> tuple[KitchenConnectConfigEntry, str]:
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="unknown_device")
    identifier = next((ident for domain, ident in device.identifiers if domain == DOMAIN), None)
    entry = hass.config_entries.async_get_entry(device.config_entry_id)
    if identifier is None or entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="unknown_device")
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"name": entry.title},
        )
    return entry, identifier


def _make_handler(action: ConfirmedAction) -> Callable[[ServiceCall], Any]:
    async def _handle(call: ServiceCall) -> None:
        entry, identifier = _resolve_target(call.hass, call.data[ATTR_DEVICE_ID])
        if not call.data[CONF_CONFIRM]:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=action.refusal_key_fn(call.data),
                translation_placeholders={"name": entry.title},
            )
        await entry.runtime_data.async_run_action(action.name, identifier, call.data)

    return _handle


@callback
def async_setup_actions(hass: HomeAssistant) -> None:
    """Register every brand's confirm-gated actions."""
    for action in ALL_ACTIONS:
        schema = vol.Schema(
            {
                vol.Required(ATTR_DEVICE_ID): cv.string,
                vol.Optional(CONF_CONFIRM, default=False): cv.boolean,
                **action.fields,
            }
        )
        hass.services.async_register(DOMAIN, action.name, _make_handler(action), schema=schema)
