"""Config, discovery, reauth, reconfigure and options steps for La Marzocco machines.

One entry per machine (unique id: its serial). The flow signs in with a new installation
key, or with the key of an entry of the same account, so every entry of an account signs
its requests with one key and shares one client.
"""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.bluetooth import BluetoothServiceInfo
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import probatio as vol

from ..const import CONF_BRAND, DOMAIN
from ..development_server import (
    CONF_ADVANCED,
    is_valid_server,
    server_from_input,
    server_section,
    wants_server_field,
)
from ..kitchenlib import AuthError, ConnectionFailedError, ProtocolError
from ..kitchenlib.lamarzocco.cloud import LaMarzoccoCloud
from ..kitchenlib.lamarzocco.installation import InstallationKey
from ..kitchenlib.lamarzocco.models import Thing, ThingType
from ..kitchenlib.lamarzocco.tokens import PrivacyPolicyError, RequestBlockedError
from .const import (
    BRAND_KEY,
    CONF_BLUETOOTH_ADDRESS,
    CONF_INSTALLATION_KEY,
    CONF_MODEL,
    CONF_NETWORK_MAC,
    CONF_SERIAL,
    CONF_SERVER,
    DHCP_HOSTNAME,
    OPTION_OFFLINE_MODE,
    OPTION_USE_BLUETOOTH,
)
from .entity import model_name
from .entry_data import account_id, endpoints_from_data
from .legacy.flow import LocalConnectionFlow, default_local_options, local_options_schema
from .legacy.setup import is_local_entry
from .nearby import machines_in_range, serial_from_bluetooth_name

_LOGGER = logging.getLogger(__name__)

CONF_MACHINE = "machine"
CONF_PROFILE_DATA = "profile_data"
CONF_COMMERCIAL = "commercial"
NO_BLUETOOTH = "none"

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_EMAIL = TextSelector(TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username"))
_POLICY_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_PROFILE_DATA, default=False): BooleanSelector(),
        vol.Optional(CONF_COMMERCIAL, default=False): BooleanSelector(),
    }
)


def is_lamarzocco_advert(info: BluetoothServiceInfo) -> bool:
    """Whether an advert is a La Marzocco machine's."""
    return serial_from_bluetooth_name(info.name) is not None


def is_lamarzocco_host(info: DhcpServiceInfo) -> bool:
    """Whether a DHCP host name is a La Marzocco gateway's (``gs``/``lm``/``mr`` + 6 digits)."""
    return DHCP_HOSTNAME.fullmatch(info.hostname or "") is not None


def _auth_error(err: AuthError) -> str:
    """The form error of a refused sign-in: the policy to accept, or the credentials."""
    if isinstance(err, PrivacyPolicyError):
        return "lamarzocco_privacy_policy"
    return "lamarzocco_invalid_auth"


def _label(thing: Thing) -> str:
    return f"{thing.name} ({model_name(thing)}, {thing.serial_number})"


class LaMarzoccoFlow(LocalConnectionFlow):
    """Sign in, accept the privacy policy when asked, pick the machine.

    Machines on older gateways can be added without the cloud instead (``LocalConnectionFlow``).
    """

    _lm_input: dict[str, Any] | None = None
    _lm_key: InstallationKey | None = None
    _lm_cloud: LaMarzoccoCloud | None = None
    _lm_things: dict[str, Thing] | None = None
    _lm_serial: str | None = None  # found by discovery: the machine to add
    _lm_bluetooth: str | None = None
    _lm_form: str = "lamarzocco_cloud"

    # --- sign-in ---------------------------------------------------------------------------------

    def _lm_schema(self, defaults: Mapping[str, Any], *, username: bool = True) -> vol.Schema:
        fields: dict[vol.Marker, Any] = {}
        if username:
            fields[vol.Required(CONF_USERNAME, default=defaults.get(CONF_USERNAME, ""))] = _EMAIL
        fields[vol.Required(CONF_PASSWORD)] = _PASSWORD
        if username and wants_server_field(self.hass, self.flow.context):
            fields[vol.Required(CONF_ADVANCED)] = server_section(defaults.get(CONF_SERVER) or "")
        return vol.Schema(fields)

    async def async_step_lamarzocco(
        self, _user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The account (today's machines) or the local network (older gateways)."""
        return self.flow.async_show_menu(
            step_id="lamarzocco", menu_options=["lamarzocco_cloud", "lamarzocco_local"]
        )

    async def async_step_lamarzocco_cloud(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Sign in with the e-mail address and password of the La Marzocco app."""
        return await self._lm_sign_in_step("lamarzocco_cloud", user_input, {})

    async def _lm_sign_in_step(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        defaults: Mapping[str, Any],
        *,
        username: bool = True,
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            server = server_from_input(user_input, defaults)
            user_input = {
                **user_input,
                CONF_USERNAME: str(user_input.get(CONF_USERNAME, defaults.get(CONF_USERNAME)))
                .strip()
                .lower(),
                CONF_SERVER: server,
            }
            if server and not is_valid_server(server):
                errors[CONF_SERVER] = "lamarzocco_invalid_server"
            else:
                self._lm_input = user_input
                self._lm_form = step_id
                errors = await self._lm_try_sign_in()
                if errors.get("base") == "lamarzocco_privacy_policy":
                    return await self.async_step_lamarzocco_policy()
                if not errors:
                    return await self._lm_after_sign_in()
            defaults = {**defaults, **user_input}
        return self.flow.async_show_form(
            step_id=step_id,
            data_schema=self._lm_schema(defaults, username=username),
            errors=errors,
        )

    def _lm_existing_key(self, data: Mapping[str, Any]) -> InstallationKey | None:
        """The key of an entry of the same account, so the account signs with one key."""
        wanted = account_id(data)
        for entry in self.hass.config_entries.async_entries(DOMAIN):
            if (
                entry.data.get(CONF_BRAND) == BRAND_KEY
                and not is_local_entry(entry.data)
                and account_id(entry.data) == wanted
            ):
                return InstallationKey.from_dict(entry.data[CONF_INSTALLATION_KEY])
        return None

    async def _lm_try_sign_in(self) -> dict[str, str]:
        data = self._lm_input
        assert data is not None
        key = self._lm_existing_key(data)
        fresh = key is None
        if key is None:
            key = await self.hass.async_add_executor_job(InstallationKey.generate)
        cloud = LaMarzoccoCloud(
            async_get_clientsession(self.hass),
            key,
            data[CONF_USERNAME],
            data[CONF_PASSWORD],
            endpoints=endpoints_from_data(data),
        )
        try:
            if fresh:
                await cloud.async_register()
            await cloud.async_sign_in()
        except AuthError as err:
            errors = {"base": _auth_error(err)}
        except RequestBlockedError:
            errors = {"base": "lamarzocco_blocked"}
        except (ConnectionFailedError, ProtocolError) as err:
            _LOGGER.debug("La Marzocco sign-in failed: %s", err)
            errors = {"base": "lamarzocco_cannot_connect"}
        else:
            errors = {}
        self._lm_key, self._lm_cloud = key, cloud
        return errors

    async def async_step_lamarzocco_policy(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """La Marzocco asks the account to accept its current privacy policy first."""
        errors: dict[str, str] = {}
        cloud = self._lm_cloud
        assert cloud is not None
        if user_input is not None:
            try:
                # Accepting signs in again, as the app does.
                await cloud.async_accept_privacy_policy(
                    profile_data=bool(user_input[CONF_PROFILE_DATA]),
                    commercial=bool(user_input[CONF_COMMERCIAL]),
                )
            except AuthError as err:
                errors["base"] = _auth_error(err)
            except ConnectionFailedError, ProtocolError:
                errors["base"] = "lamarzocco_cannot_connect"
            else:
                return await self._lm_after_sign_in()
        return self.flow.async_show_form(
            step_id="lamarzocco_policy", data_schema=_POLICY_SCHEMA, errors=errors
        )

    async def _lm_after_sign_in(self) -> ConfigFlowResult:
        cloud = self._lm_cloud
        assert cloud is not None
        try:
            things = await cloud.async_things()
        except (AuthError, ConnectionFailedError, ProtocolError) as err:
            _LOGGER.debug("La Marzocco things could not be read: %s", err)
            return self._lm_form_again({"base": "lamarzocco_cannot_connect"})
        self._lm_things = {thing.serial_number: thing for thing in things}
        if self.flow.source == SOURCE_REAUTH:
            entry = self.flow._get_reauth_entry()
            return self.flow.async_update_reload_and_abort(entry, data=self._lm_data(entry.data))
        if self.flow.source == SOURCE_RECONFIGURE:
            serial = self.flow._get_reconfigure_entry().data[CONF_SERIAL]
            if serial not in self._lm_things:
                return self._lm_form_again({"base": "lamarzocco_machine_not_found"})
            self._lm_serial = serial
            return await self.async_step_lamarzocco_bluetooth()
        if self._lm_serial is not None:
            if self._lm_serial not in self._lm_things:
                return self._lm_form_again({"base": "lamarzocco_machine_not_found"})
            return await self._lm_create(self._lm_things[self._lm_serial])
        return await self.async_step_lamarzocco_machine()

    def _lm_form_again(self, errors: dict[str, str]) -> ConfigFlowResult:
        username = self._lm_form != "lamarzocco_reauth_confirm"
        return self.flow.async_show_form(
            step_id=self._lm_form,
            data_schema=self._lm_schema(self._lm_input or {}, username=username),
            errors=errors,
        )

    # --- the machine -----------------------------------------------------------------------------

    async def async_step_lamarzocco_machine(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the machine or grinder to add; each gets an entry of its own."""
        things = self._lm_things or {}
        configured = self.flow._async_current_ids(include_ignore=False)
        choices = [thing for serial, thing in things.items() if serial not in configured]
        if not choices:
            return self.flow.async_abort(reason="lamarzocco_no_machines")
        if user_input is not None:
            return await self._lm_create(things[user_input[CONF_MACHINE]])
        options = [
            SelectOptionDict(value=thing.serial_number, label=_label(thing)) for thing in choices
        ]
        schema = vol.Schema(
            {
                vol.Required(CONF_MACHINE, default=choices[0].serial_number): SelectSelector(
                    SelectSelectorConfig(options=options, mode=SelectSelectorMode.LIST)
                )
            }
        )
        return self.flow.async_show_form(step_id="lamarzocco_machine", data_schema=schema)

    def _lm_data(self, base: Mapping[str, Any]) -> dict[str, Any]:
        data = self._lm_input
        key = self._lm_key
        assert data is not None
        assert key is not None
        return {
            **base,
            CONF_BRAND: BRAND_KEY,
            CONF_USERNAME: data[CONF_USERNAME],
            CONF_PASSWORD: data[CONF_PASSWORD],
            CONF_SERVER: data.get(CONF_SERVER) or base.get(CONF_SERVER) or "",
            CONF_INSTALLATION_KEY: key.to_dict(),
        }

    async def _lm_create(self, thing: Thing) -> ConfigFlowResult:
        await self.flow.async_set_unique_id(thing.serial_number, raise_on_progress=False)
        self.flow._abort_if_unique_id_configured()
        data = self._lm_data({})
        data[CONF_SERIAL] = thing.serial_number
        data[CONF_MODEL] = thing.model.value if thing.model else thing.model_name
        if self._lm_bluetooth:
            data[CONF_BLUETOOTH_ADDRESS] = self._lm_bluetooth
        options = {}
        if thing.thing_type is ThingType.COFFEE_MACHINE:
            options = {OPTION_USE_BLUETOOTH: True, OPTION_OFFLINE_MODE: False}
        return self.flow.async_create_entry(title=thing.name, data=data, options=options)

    # --- discovery -------------------------------------------------------------------------------

    async def async_step_bluetooth(self, discovery_info: BluetoothServiceInfo) -> ConfigFlowResult:
        """A machine advertises over Bluetooth: sign in to add it (its address is kept)."""
        serial = serial_from_bluetooth_name(discovery_info.name)
        assert serial is not None  # the brand's matcher checked it
        await self.flow.async_set_unique_id(serial)
        self.flow._abort_if_unique_id_configured(
            updates={CONF_BLUETOOTH_ADDRESS: discovery_info.address}
        )
        self._lm_serial = serial
        self._lm_bluetooth = discovery_info.address
        self.flow.context["title_placeholders"] = {"name": discovery_info.name}
        return await self.async_step_lamarzocco_cloud()

    async def async_step_dhcp(self, discovery_info: DhcpServiceInfo) -> ConfigFlowResult:
        """A machine's gateway joined the network: its host name is its serial."""
        serial = discovery_info.hostname.upper()
        await self.flow.async_set_unique_id(serial)
        self.flow._abort_if_unique_id_configured(
            updates={CONF_NETWORK_MAC: discovery_info.macaddress}
        )
        self._lm_serial = serial
        self.flow.context["title_placeholders"] = {"name": serial}
        return await self.async_step_lamarzocco_cloud()

    # --- reauth and reconfigure --------------------------------------------------------------

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The cloud refused the stored sign-in, or the machine its key: ask again."""
        if is_local_entry(entry_data):
            return await self.async_step_lamarzocco_local_reauth()
        return await self.async_step_lamarzocco_reauth_confirm()

    async def async_step_lamarzocco_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Sign in again as the same account."""
        data = self.flow._get_reauth_entry().data
        if user_input is not None:
            user_input = {**user_input, CONF_USERNAME: data[CONF_USERNAME]}
        return await self._lm_sign_in_step(
            "lamarzocco_reauth_confirm", user_input, data, username=False
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Home Assistant's reconfigure entry point: the sign-in form, or the machine's address."""
        if is_local_entry(self.flow._get_reconfigure_entry().data):
            return await self.async_step_lamarzocco_local_reconfigure(user_input)
        return await self.async_step_lamarzocco_reconfigure(user_input)

    async def async_step_lamarzocco_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the account's credentials, then the machine's Bluetooth device."""
        data = self.flow._get_reconfigure_entry().data
        return await self._lm_sign_in_step("lamarzocco_reconfigure", user_input, data)

    async def async_step_lamarzocco_bluetooth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Which Bluetooth device is this machine (when any machine is in range)."""
        entry = self.flow._get_reconfigure_entry()
        base = dict(entry.data)
        if user_input is not None:
            chosen = user_input[CONF_BLUETOOTH_ADDRESS]
            base.pop(CONF_BLUETOOTH_ADDRESS, None)
            if chosen != NO_BLUETOOTH:
                base[CONF_BLUETOOTH_ADDRESS] = chosen
            return self.flow.async_update_reload_and_abort(entry, data=self._lm_data(base))
        nearby = machines_in_range(self.hass)
        if not nearby:
            return self.flow.async_update_reload_and_abort(entry, data=self._lm_data(base))
        options = [SelectOptionDict(value=NO_BLUETOOTH, label=NO_BLUETOOTH)] + [
            SelectOptionDict(value=address, label=f"{name} ({address})")
            for address, name in nearby.items()
        ]
        current = base.get(CONF_BLUETOOTH_ADDRESS)
        default = current if current in nearby else NO_BLUETOOTH
        schema = vol.Schema(
            {
                vol.Required(CONF_BLUETOOTH_ADDRESS, default=default): SelectSelector(
                    SelectSelectorConfig(
                        options=options,
                        mode=SelectSelectorMode.LIST,
                        translation_key="lamarzocco_bluetooth_device",
                    )
                )
            }
        )
        return self.flow.async_show_form(step_id="lamarzocco_bluetooth", data_schema=schema)


class LaMarzoccoOptionsFlow(OptionsFlowWithReload):
    """Bluetooth use and offline mode."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Options steps carry the brand in their id, as the translations are shared."""
        if is_local_entry(self.config_entry.data):
            return await self.async_step_lamarzocco_local()
        return await self.async_step_lamarzocco()

    async def async_step_lamarzocco_local(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A machine on an older gateway: Bluetooth for writes, or how often it is visited."""
        if user_input is not None:
            return self.async_create_entry(data={**self.config_entry.options, **user_input})
        schema = local_options_schema(self.config_entry.data)
        return self.async_show_form(
            step_id="lamarzocco_local",
            data_schema=self.add_suggested_values_to_schema(
                schema,
                {**default_local_options(self.config_entry.data), **self.config_entry.options},
            ),
        )

    async def async_step_lamarzocco(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offline mode needs the machine's Bluetooth device and Bluetooth in use."""
        errors: dict[str, str] = {}
        if user_input is not None:
            offline = bool(user_input[OPTION_OFFLINE_MODE])
            bluetooth = bool(user_input[OPTION_USE_BLUETOOTH])
            has_device = bool(self.config_entry.data.get(CONF_BLUETOOTH_ADDRESS))
            if offline and not (bluetooth and has_device):
                errors["base"] = "lamarzocco_bluetooth_required_offline"
            else:
                return self.async_create_entry(
                    data={OPTION_USE_BLUETOOTH: bluetooth, OPTION_OFFLINE_MODE: offline}
                )
        schema = vol.Schema(
            {
                vol.Required(OPTION_USE_BLUETOOTH): BooleanSelector(),
                vol.Required(OPTION_OFFLINE_MODE): BooleanSelector(),
            }
        )
        defaults = {OPTION_USE_BLUETOOTH: True, OPTION_OFFLINE_MODE: False}
        return self.async_show_form(
            step_id="lamarzocco",
            data_schema=self.add_suggested_values_to_schema(
                schema, {**defaults, **self.config_entry.options, **(user_input or {})}
            ),
            errors=errors,
        )
