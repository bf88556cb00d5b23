"""Confirm-gated actions: commands that start, heat or change an appliance.

One action per verb (``brew``, ``start_maintenance`` …), whichever brands offer it. A
call is checked in this order, and nothing reaches an appliance until every check passed:

1. the device exists and its entry is loaded;
2. the device's brand offers the action and the device can run it;
3. the fields are ones this brand accepts, with valid values, and this device can take
   them (the brand's ``check``);
4. ``confirm: true`` is given; without it the refusal says what would happen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import probatio as vol

from .brands import registered_brands, spec_for_entry
from .const import CONF_CONFIRM, DOMAIN
from .fields import FieldValueInvalid
from .spec import BrandAction

_CALL_KEYS = frozenset({ATTR_DEVICE_ID, CONF_CONFIRM})


def _refuse(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _resolve_target(hass: HomeAssistant, device_id: str) -> tuple[ConfigEntry, str, str]:
    """The device's entry, its identifier in our domain, and its name."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise _refuse("unknown_device")
    identifier = next((ident for domain, ident in device.identifiers if domain == DOMAIN), None)
    entry = hass.config_entries.async_get_entry(device.config_entry_id)
    if identifier is None or entry is None or entry.domain != DOMAIN:
        raise _refuse("unknown_device")
    if entry.state is not ConfigEntryState.LOADED:
        raise _refuse("entry_not_loaded", name=entry.title)
    return entry, identifier, device.name_by_user or device.name or entry.title


def _field_error(error: vol.Invalid, name: str) -> ServiceValidationError:
    field = ".".join(str(part) for part in error.path) or "?"
    if isinstance(error, FieldValueInvalid):
        return _refuse(error.refusal_key, field=field, **error.refusal_placeholders)
    if isinstance(error, vol.ExtraKeysInvalid):
        return _refuse("action_field_not_supported", field=field, name=name)
    return _refuse("action_field_invalid", field=field, detail=error.error_message)


def _brand_fields(action: BrandAction, data: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The call's fields, checked against what this brand accepts."""
    fields = {key: value for key, value in data.items() if key not in _CALL_KEYS}
    try:
        checked: dict[str, Any] = vol.Schema(dict(action.fields))(fields)
    except vol.MultipleInvalid as err:
        raise _field_error(err.errors[0], name) from err
    except vol.Invalid as err:
        raise _field_error(err, name) from err
    return checked


def _make_handler(name: str) -> Callable[[ServiceCall], Any]:
    async def _handle(call: ServiceCall) -> None:
        hass = call.hass
        entry, identifier, device_name = _resolve_target(hass, call.data[ATTR_DEVICE_ID])
        action = spec_for_entry(entry).action(name)
        if action is None or not action.can_run(entry, identifier):
            raise _refuse("action_not_supported", action=name, name=device_name)
        data = _brand_fields(action, call.data, device_name)
        if action.check is not None:
            action.check(entry, identifier, data)
        if not call.data[CONF_CONFIRM]:
            raise _refuse(action.refusal_key_fn(data), name=device_name)
        await action.run(hass, entry, identifier, data)

    return _handle


def _service_fields(actions: list[BrandAction]) -> dict[vol.Marker, Any]:
    """Every field any brand accepts for one action; each brand checks its own."""
    names = {str(marker) for action in actions for marker in action.fields}
    return {vol.Optional(field_name): object for field_name in sorted(names)}


@callback
def async_setup_actions(hass: HomeAssistant) -> None:
    """Register each action once, for every brand that offers it."""
    offers: defaultdict[str, list[BrandAction]] = defaultdict(list)
    for spec in registered_brands():
        for action in spec.actions:
            offers[action.name].append(action)
    for name, actions in offers.items():
        schema = vol.Schema(
            {
                vol.Required(ATTR_DEVICE_ID): cv.string,
                vol.Optional(CONF_CONFIRM, default=False): cv.boolean,
                **_service_fields(actions),
            }
        )
        hass.services.async_register(DOMAIN, name, _make_handler(name), schema=schema)
