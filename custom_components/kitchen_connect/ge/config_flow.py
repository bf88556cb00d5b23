"""Config, reauth and reconfigure steps for GE Appliances (SmartHQ) accounts."""

from __future__ import annotations

from collections.abc import Mapping
import hashlib
import logging
from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlowResult,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from ..const import CONF_BRAND, DOMAIN
from ..development_server import (
    CONF_ADVANCED,
    is_valid_server,
    server_from_input,
    server_section,
    wants_server_field,
)
from ..kitchenlib.errors import AuthError, ConnectionFailedError, ProtocolError
from ..kitchenlib.ge.account import async_fetch_websocket_endpoint
from ..kitchenlib.ge.login import (
    InvalidCredentialsError,
    LoginSucceeded,
    MfaRequired,
    MfaSetupRequiredError,
    SmartHqLogin,
    TermsRequiredError,
    UnknownPageError,
    WrongCodeError,
)
from ..spec import BrandFlow
from .const import (
    BRAND_KEY,
    CONF_ACCESS_TOKEN,
    CONF_CODE,
    CONF_REGION,
    CONF_RESEND,
    CONF_SERVER,
    CONF_USER_ID,
    DEFAULT_REGION,
    ENTRY_TITLE,
    ISSUE_MFA_SETUP,
    ISSUE_TERMS,
    REGIONS,
)
from .entry_data import endpoints_from_data, token_data

_LOGGER = logging.getLogger(__name__)

_PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_REGION_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=list(REGIONS),
        mode=SelectSelectorMode.LIST,
        translation_key="ge_region",
    )
)
_MFA_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_CODE): TextSelector(),
        vol.Optional(CONF_RESEND, default=False): BooleanSelector(),
    }
)


def _account_issue_id(prefix: str, username: str) -> str:
    # The issue id must not show the e-mail address itself.
    digest = hashlib.sha256(username.encode()).hexdigest()[:12]
    return f"{prefix}_{digest}"


def async_raise_account_issue(hass: HomeAssistant, prefix: str, username: str) -> None:
    """Ask the user to finish something only GE's app or website can do."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _account_issue_id(prefix, username),
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=prefix,
        learn_more_url="https://accounts.brillion.geappliances.com",
    )


def async_clear_account_issues(hass: HomeAssistant, username: str) -> None:
    """The account signed in, so nothing is left to do on GE's side."""
    for prefix in (ISSUE_TERMS, ISSUE_MFA_SETUP):
        ir.async_delete_issue(hass, DOMAIN, _account_issue_id(prefix, username))


class GeFlow(BrandFlow):
    """The GE steps: sign-in, the one-time code, reauth and reconfigure."""

    _ge_login: SmartHqLogin | None = None
    _ge_input: dict[str, Any] | None = None
    _ge_form: str = "ge"
    _ge_form_has_username: bool = True
    _ge_placeholders: dict[str, str]
    _ge_login_pending_code: bool = False
    _ge_tokens: dict[str, Any] | None = None

    def _ge_schema(self, defaults: Mapping[str, Any], *, username: bool = True) -> vol.Schema:
        fields: dict[vol.Marker, Any] = {}
        if username:
            fields[vol.Required(CONF_USERNAME, default=defaults.get(CONF_USERNAME, ""))] = (
                TextSelector(
                    TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
                )
            )
        fields[vol.Required(CONF_PASSWORD)] = _PASSWORD_SELECTOR
        region = str(defaults.get(CONF_REGION) or DEFAULT_REGION).lower()
        fields[vol.Required(CONF_REGION, default=region)] = _REGION_SELECTOR
        if wants_server_field(self.hass, self.flow.context):
            fields[vol.Required(CONF_ADVANCED)] = server_section(defaults.get(CONF_SERVER) or "")
        return vol.Schema(fields)

    async def async_step_ge(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Sign in to a SmartHQ account with its e-mail address and password."""
        return await self._ge_sign_in_step("ge", user_input, {})

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """GE refused the stored sign-in; ask for the password again."""
        return await self.async_step_ge_reauth_confirm()

    async def async_step_ge_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Sign in again as the same account."""
        data = self.flow._get_reauth_entry().data
        if user_input is not None:
            user_input = {**user_input, CONF_USERNAME: data[CONF_USERNAME]}
        return await self._ge_sign_in_step("ge_reauth_confirm", user_input, data, username=False)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Home Assistant's reconfigure entry point: the sign-in form."""
        return await self.async_step_ge_reconfigure(user_input)

    async def async_step_ge_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the region, server or credentials of the same account."""
        data = self.flow._get_reconfigure_entry().data
        return await self._ge_sign_in_step("ge_reconfigure", user_input, data)

    async def _ge_sign_in_step(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        defaults: Mapping[str, Any],
        *,
        username: bool = True,
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        self._ge_placeholders = {"page_title": "", "message": ""}
        if user_input is not None:
            server = server_from_input(user_input, defaults)
            user_input = {
                **user_input,
                CONF_USERNAME: str(user_input[CONF_USERNAME]).strip().lower(),
            }
            if server and not is_valid_server(server):
                errors[CONF_SERVER] = "ge_invalid_server"
            else:
                user_input[CONF_SERVER] = server
                self._ge_input = user_input
                self._ge_form = step_id
                self._ge_form_has_username = username
                errors = await self._ge_try_sign_in(user_input)
                if not errors:
                    if self._ge_login is not None and self._ge_login_pending_code:
                        return await self.async_step_ge_mfa()
                    return await self._ge_finish()
            defaults = {**defaults, **user_input}
        return self.flow.async_show_form(
            step_id=step_id,
            data_schema=self._ge_schema(defaults, username=username),
            errors=errors,
            description_placeholders=self._ge_placeholders,
        )

    async def _ge_try_sign_in(self, user_input: Mapping[str, Any]) -> dict[str, str]:
        session = async_get_clientsession(self.hass)
        login = SmartHqLogin(
            session, REGIONS[user_input[CONF_REGION]], endpoints_from_data(user_input)
        )
        self._ge_login = login
        self._ge_login_pending_code = False
        try:
            result = await login.async_sign_in(user_input[CONF_USERNAME], user_input[CONF_PASSWORD])
            if isinstance(result, MfaRequired):
                await login.async_send_code()
                self._ge_login_pending_code = True
                return {}
        except AuthError as err:
            return self._ge_auth_errors(err, user_input[CONF_USERNAME])
        except (ConnectionFailedError, ProtocolError) as err:
            _LOGGER.debug("SmartHQ sign-in failed: %s", err)
            return {"base": "ge_cannot_connect"}
        self._ge_tokens = token_data(result.tokens)
        return {}

    def _ge_auth_errors(self, err: AuthError, username: str) -> dict[str, str]:
        match err:
            case InvalidCredentialsError():
                self._ge_placeholders["message"] = err.alert_text
                return {"base": "ge_invalid_auth"}
            case WrongCodeError():
                return {CONF_CODE: "ge_wrong_code"}
            case TermsRequiredError():
                async_raise_account_issue(self.hass, ISSUE_TERMS, username)
                return {"base": "ge_terms_required"}
            case MfaSetupRequiredError():
                async_raise_account_issue(self.hass, ISSUE_MFA_SETUP, username)
                return {"base": "ge_mfa_setup_required"}
            case UnknownPageError():
                self._ge_placeholders["page_title"] = err.title
                return {"base": "ge_unknown_page"}
        return {"base": "ge_invalid_auth"}

    async def async_step_ge_mfa(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Enter the one-time code GE sent by e-mail or text message, or ask for a new one."""
        return await self._ge_code_step(user_input)

    async def async_step_ge_mfa_resent(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The code form again, saying that a new code is on its way."""
        return await self._ge_code_step(user_input)

    async def _ge_code_step(self, user_input: dict[str, Any] | None) -> ConfigFlowResult:
        step_id = "ge_mfa"
        errors: dict[str, str] = {}
        login = self._ge_login
        assert login is not None
        assert self._ge_input is not None
        self._ge_placeholders = {"page_title": "", "message": ""}
        if user_input is not None:
            code = str(user_input.get(CONF_CODE) or "").strip()
            try:
                if user_input.get(CONF_RESEND):
                    await login.async_send_code()
                    # News, not an error: the form's own text says a new code is coming.
                    step_id = "ge_mfa_resent"
                elif not code:
                    errors[CONF_CODE] = "ge_code_missing"
                else:
                    result = await login.async_submit_code(code)
                    assert isinstance(result, LoginSucceeded)
                    self._ge_tokens = token_data(result.tokens)
                    return await self._ge_finish()
            except AuthError as err:
                errors = self._ge_auth_errors(err, self._ge_input[CONF_USERNAME])
            except ConnectionFailedError, ProtocolError:
                errors["base"] = "ge_cannot_connect"
        return self.flow.async_show_form(
            step_id=step_id,
            data_schema=_MFA_SCHEMA,
            errors=errors,
            description_placeholders=self._ge_placeholders,
        )

    async def _ge_finish(self) -> ConfigFlowResult:
        user_input, tokens = self._ge_input, self._ge_tokens
        assert user_input is not None
        assert tokens is not None
        session = async_get_clientsession(self.hass)
        try:
            endpoint = await async_fetch_websocket_endpoint(
                session, endpoints_from_data(user_input), tokens[CONF_ACCESS_TOKEN]
            )
        except (AuthError, ConnectionFailedError, ProtocolError) as err:
            _LOGGER.debug("SmartHQ account lookup failed: %s", err)
            return self.flow.async_show_form(
                step_id=self._ge_form,
                data_schema=self._ge_schema(user_input, username=self._ge_form_has_username),
                errors={"base": "ge_cannot_connect"},
                description_placeholders={"page_title": "", "message": ""},
            )
        async_clear_account_issues(self.hass, user_input[CONF_USERNAME])
        data = {
            CONF_BRAND: BRAND_KEY,
            CONF_USERNAME: user_input[CONF_USERNAME],
            CONF_REGION: user_input[CONF_REGION],
            CONF_SERVER: user_input.get(CONF_SERVER) or "",
            **tokens,
            CONF_USER_ID: endpoint.user_id,
        }
        await self.flow.async_set_unique_id(endpoint.user_id)
        if self.flow.source == SOURCE_REAUTH:
            self.flow._abort_if_unique_id_mismatch(reason="ge_wrong_account")
            return self.flow.async_update_reload_and_abort(self.flow._get_reauth_entry(), data=data)
        if self.flow.source == SOURCE_RECONFIGURE:
            self.flow._abort_if_unique_id_mismatch(reason="ge_wrong_account")
            return self.flow.async_update_reload_and_abort(
                self.flow._get_reconfigure_entry(), data=data
            )
        self.flow._abort_if_unique_id_configured()
        return self.flow.async_create_entry(title=ENTRY_TITLE, data=data)
