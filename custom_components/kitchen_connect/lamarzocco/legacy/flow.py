"""Config-flow steps of a machine on an older gateway, reached on the local network.

The entry is one machine and needs no cloud account: the host, the machine's key and its
serial. The port tells the transport apart (8081: the gateway's local API; 1774: the GS/3
and Linea Mini raw TCP protocol); left empty, both are tried in that order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import logging
from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from ...const import CONF_BRAND
from ...kitchenlib import AuthError, ConnectionFailedError, ProtocolError
from ...kitchenlib.lamarzocco.direct.framing import key_bytes
from ...kitchenlib.lamarzocco.local.errors import KeyNotEnabledError
from ...kitchenlib.lamarzocco.models import model_from
from ...spec import BrandFlow
from ..const import (
    BRAND_KEY,
    CONF_BLUETOOTH_ADDRESS,
    CONF_MODEL,
    CONF_SERIAL,
    MANUFACTURER,
    MODEL_NAMES,
    OPTION_USE_BLUETOOTH,
)
from ..nearby import machines_in_range
from .const import (
    CONF_HOST,
    CONF_KEY,
    CONF_PORT,
    CONF_TRANSPORT,
    CONF_USERNAME,
    DIRECT_PORT,
    LOCAL_API_PORT,
    OPTION_SESSION_INTERVAL,
    TRANSPORT_DIRECT,
    TRANSPORT_LOCAL_API,
)
from .direct import async_probe_direct
from .direct.const import DEFAULT_SESSION_INTERVAL, SESSION_INTERVAL_RANGE
from .local_api import async_probe_local_api
from .probe import ProbeResult

_LOGGER = logging.getLogger(__name__)

NO_BLUETOOTH = "none"
_KEY = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_EMAIL = TextSelector(TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username"))
_PORT = NumberSelector(NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX))

type Probe = Callable[[Any, str, int, str], Awaitable[ProbeResult]]


def _probe_for(transport: str) -> Probe:

    return async_probe_local_api if transport == TRANSPORT_LOCAL_API else async_probe_direct


# Where each transport listens on a real gateway; tried in this order when no port is given.
WELL_KNOWN_PORTS: dict[str, int] = {
    TRANSPORT_LOCAL_API: LOCAL_API_PORT,
    TRANSPORT_DIRECT: DIRECT_PORT,
}
# A refused key outranks a stranger answering, which outranks nobody answering.
_ERROR_RANK = (
    "lamarzocco_local_cannot_connect",
    "lamarzocco_local_not_lamarzocco",
    "lamarzocco_local_invalid_key",
    "lamarzocco_local_key_not_enabled",
)


def _probe_error(err: Exception) -> str:
    """The form error of a failed probe."""
    if isinstance(err, KeyNotEnabledError):
        return "lamarzocco_local_key_not_enabled"
    if isinstance(err, AuthError):
        return "lamarzocco_local_invalid_key"
    if isinstance(err, ProtocolError):
        return "lamarzocco_local_not_lamarzocco"
    return "lamarzocco_local_cannot_connect"


def _fits_raw_tcp(key: str) -> bool:
    """Whether the key can be an AES key, as the raw TCP protocol needs."""
    try:
        key_bytes(key)
    except AuthError:
        return False
    return True


def _candidates(port: int | None, key: str) -> list[tuple[str, int]]:
    """The transports and ports to try for the port the user gave (or none)."""
    if port is None:
        found = list(WELL_KNOWN_PORTS.items())
    else:
        known = [transport for transport, known in WELL_KNOWN_PORTS.items() if known == port]
        found = [(transport, port) for transport in known or WELL_KNOWN_PORTS]
    # A key of another length cannot be the machine's on raw TCP; only say so if that is all.
    fitting = [c for c in found if c[0] != TRANSPORT_DIRECT or _fits_raw_tcp(key)]
    return fitting or found


def default_local_options(data: Mapping[str, Any]) -> dict[str, Any]:
    """The options a local entry starts with."""

    if data[CONF_TRANSPORT] == TRANSPORT_DIRECT:
        return {OPTION_SESSION_INTERVAL: DEFAULT_SESSION_INTERVAL}
    return {OPTION_USE_BLUETOOTH: True}


def local_options_schema(data: Mapping[str, Any]) -> vol.Schema:
    """Raw TCP: how often the machine is visited. Local API: whether writes use Bluetooth."""
    if data[CONF_TRANSPORT] == TRANSPORT_DIRECT:
        low, high = SESSION_INTERVAL_RANGE
        interval = NumberSelectorConfig(
            min=low, max=high, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="s"
        )
        return vol.Schema({vol.Required(OPTION_SESSION_INTERVAL): NumberSelector(interval)})
    return vol.Schema({vol.Required(OPTION_USE_BLUETOOTH): BooleanSelector()})


class LocalConnectionFlow(BrandFlow):
    """Add, reauthenticate and reconfigure a machine on an older gateway."""

    _local_data: dict[str, Any] | None = None
    _local_host: str | None = None  # from DHCP discovery

    def _local_schema(self, defaults: Mapping[str, Any], *, key_only: bool = False) -> vol.Schema:
        fields: dict[vol.Marker, Any] = {}
        if not key_only:
            fields[vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, ""))] = TextSelector()
            port = defaults.get(CONF_PORT)
            fields[
                vol.Optional(CONF_PORT, description={"suggested_value": port})
                if port
                else vol.Optional(CONF_PORT)
            ] = _PORT
        fields[vol.Required(CONF_KEY)] = _KEY
        if not key_only:
            serial = defaults.get(CONF_SERIAL, "")
            fields[vol.Required(CONF_SERIAL, default=serial)] = TextSelector()
        return vol.Schema(fields)

    async def _local_probe(
        self, host: str, port: int | None, key: str
    ) -> tuple[str, int, ProbeResult] | str:
        """The transport, port and machine behind the input; else the form error."""
        error = _ERROR_RANK[0]
        for transport, candidate in _candidates(port, key):
            try:
                found = await _probe_for(transport)(self.hass, host, candidate, key)
            except (AuthError, ConnectionFailedError, ProtocolError) as err:
                _LOGGER.debug("No La Marzocco %s on port %s: %s", transport, candidate, err)
                error = max(error, _probe_error(err), key=_ERROR_RANK.index)
                if isinstance(err, AuthError):
                    break  # a La Marzocco answered and refused the key
            else:
                return transport, candidate, found
        return error

    async def async_step_lamarzocco_local(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Host, port, the machine's key and its serial."""
        errors: dict[str, str] = {}
        defaults: dict[str, Any] = {CONF_HOST: self._local_host or ""}
        if user_input is not None:
            defaults = dict(user_input)
            host = str(user_input[CONF_HOST]).strip()
            serial = str(user_input[CONF_SERIAL]).strip().upper()
            port = user_input.get(CONF_PORT)
            port = int(port) if port else None
            if not host:
                errors[CONF_HOST] = "lamarzocco_local_invalid_host"
            elif not serial.isalnum():
                errors[CONF_SERIAL] = "lamarzocco_local_invalid_serial"
            else:
                await self.flow.async_set_unique_id(serial, raise_on_progress=False)
                self.flow._abort_if_unique_id_configured()
                probed = await self._local_probe(host, port, str(user_input[CONF_KEY]))
                if isinstance(probed, str):
                    errors["base"] = probed
                elif probed[2].serial and probed[2].serial.upper() != serial:
                    errors[CONF_SERIAL] = "lamarzocco_local_serial_mismatch"
                else:
                    transport, port, found = probed
                    self._local_data = {
                        CONF_BRAND: BRAND_KEY,
                        CONF_TRANSPORT: transport,
                        CONF_HOST: host,
                        CONF_PORT: port,
                        CONF_KEY: str(user_input[CONF_KEY]),
                        CONF_SERIAL: serial,
                        CONF_MODEL: None if found.model is None else found.model.value,
                    }
                    if transport == TRANSPORT_LOCAL_API and machines_in_range(self.hass):
                        return await self.async_step_lamarzocco_local_bluetooth()
                    return self._local_create()
        return self.flow.async_show_form(
            step_id="lamarzocco_local",
            data_schema=self._local_schema(defaults),
            errors=errors,
        )

    async def async_step_lamarzocco_local_bluetooth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The local API only reads: writes go over the machine's Bluetooth, if chosen here."""
        data = self._local_data
        assert data is not None
        nearby = machines_in_range(self.hass)
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = user_input[CONF_BLUETOOTH_ADDRESS]
            username = str(user_input.get(CONF_USERNAME) or "").strip().lower()
            if chosen == NO_BLUETOOTH:
                return self._local_create()
            if not username:
                errors[CONF_USERNAME] = "lamarzocco_local_username_required"
            else:
                data[CONF_BLUETOOTH_ADDRESS] = chosen
                data[CONF_USERNAME] = username
                return self._local_create()
        options = [SelectOptionDict(value=NO_BLUETOOTH, label=NO_BLUETOOTH)] + [
            SelectOptionDict(value=address, label=f"{name} ({address})")
            for address, name in nearby.items()
        ]
        schema = vol.Schema(
            {
                vol.Required(CONF_BLUETOOTH_ADDRESS, default=NO_BLUETOOTH): SelectSelector(
                    SelectSelectorConfig(
                        options=options,
                        mode=SelectSelectorMode.LIST,
                        translation_key="lamarzocco_bluetooth_device",
                    )
                ),
                vol.Optional(CONF_USERNAME): _EMAIL,
            }
        )
        return self.flow.async_show_form(
            step_id="lamarzocco_local_bluetooth", data_schema=schema, errors=errors
        )

    def _local_create(self) -> ConfigFlowResult:
        data = self._local_data
        assert data is not None
        model = model_from(data[CONF_MODEL])
        # Named like the cloud's machines are, never after the serial.
        return self.flow.async_create_entry(
            title=MODEL_NAMES.get(model, MANUFACTURER) if model else MANUFACTURER,
            data=data,
            options=default_local_options(data),
        )

    # --- reauth and reconfigure -------------------------------------------------------------

    async def async_step_lamarzocco_local_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The machine refused the stored key: ask for it again."""
        entry = self.flow._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            key = str(user_input[CONF_KEY])
            probed = await self._local_probe(entry.data[CONF_HOST], entry.data[CONF_PORT], key)
            if isinstance(probed, str):
                errors["base"] = probed
            else:
                return self.flow.async_update_reload_and_abort(
                    entry, data={**entry.data, CONF_KEY: key}
                )
        return self.flow.async_show_form(
            step_id="lamarzocco_local_reauth",
            data_schema=self._local_schema({}, key_only=True),
            errors=errors,
            description_placeholders={"name": entry.title},
        )

    async def async_step_lamarzocco_local_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The machine moved to another address (or port)."""
        entry = self.flow._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            host = str(user_input[CONF_HOST]).strip()
            port = user_input.get(CONF_PORT)
            probed = await self._local_probe(
                host, int(port) if port else None, entry.data[CONF_KEY]
            )
            if isinstance(probed, str):
                errors["base"] = probed
            elif probed[2].serial and probed[2].serial.upper() != entry.unique_id:
                return self.flow.async_abort(reason="lamarzocco_local_wrong_machine")
            else:
                transport, port, _found = probed
                return self.flow.async_update_reload_and_abort(
                    entry,
                    data={
                        **entry.data,
                        CONF_HOST: host,
                        CONF_PORT: port,
                        CONF_TRANSPORT: transport,
                    },
                )
        schema = vol.Schema(
            {
                vol.Required(CONF_HOST, default=entry.data[CONF_HOST]): TextSelector(),
                vol.Optional(
                    CONF_PORT, description={"suggested_value": entry.data[CONF_PORT]}
                ): _PORT,
            }
        )
        return self.flow.async_show_form(
            step_id="lamarzocco_local_reconfigure", data_schema=schema, errors=errors
        )
