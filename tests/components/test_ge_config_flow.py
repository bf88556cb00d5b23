"""The GE Appliances (SmartHQ) config flow against the loopback SmartHQ simulator."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant import config_entries
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, InvalidData
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.const import CONF_BRAND, DOMAIN
from custom_components.kitchen_connect.development_server import DEVELOPMENT_MARKER
from custom_components.kitchen_connect.ge import config_flow as ge_config_flow
from custom_components.kitchen_connect.ge.const import (
    CONF_ACCESS_TOKEN,
    CONF_CODE,
    CONF_REFRESH_TOKEN,
    CONF_REGION,
    CONF_RESEND,
    CONF_SERVER,
    CONF_USER_ID,
)
from custom_components.kitchen_connect.kitchenlib.errors import ConnectionFailedError
from custom_components.kitchen_connect.kitchenlib.ge.endpoints import Endpoints, Region
from custom_components.kitchen_connect.kitchenlib.ge.login import LoginSucceeded
from simulators.ge import (
    DEFAULT_ACCOUNT,
    SmartHqSimulator,
)
from simulators.ge.auth_pages import AuthScenario

from ..helpers import OTHER_GE_ACCOUNT, add_ge_entry


def _sign_in(simulator: SmartHqSimulator, **overrides: Any) -> dict[str, Any]:
    return {
        CONF_USERNAME: DEFAULT_ACCOUNT.username,
        CONF_PASSWORD: DEFAULT_ACCOUNT.password,
        CONF_REGION: "us",
        **{key: value for key, value in overrides.items() if key != CONF_SERVER},
        "advanced": {CONF_SERVER: overrides.get(CONF_SERVER, simulator.base_url)},
    }


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, *, advanced: bool = True
) -> FlowResult:
    return await hass.config_entries.flow.async_init(
        DOMAIN,
        context={
            "source": config_entries.SOURCE_RECONFIGURE,
            "entry_id": entry.entry_id,
            "show_advanced_options": advanced,
        },
    )


async def _start(hass: HomeAssistant, *, advanced: bool = True) -> FlowResult:
    """The GE sign-in form; in advanced mode (the default here) it shows the server."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": config_entries.SOURCE_USER, "show_advanced_options": advanced},
    )
    assert result["type"] is FlowResultType.MENU
    assert "ge" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "ge"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "ge"
    return result


async def test_sign_in_creates_the_account_entry(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """A plain sign-in stores tokens (never the password) under the account's user id."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator, **{CONF_USERNAME: "  Cook@Example.com "})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == DEFAULT_ACCOUNT.user_id
    assert entry.title == "GE Appliances"
    assert entry.data[CONF_BRAND] == "ge"
    assert entry.data[CONF_USER_ID] == DEFAULT_ACCOUNT.user_id
    assert entry.data[CONF_ACCESS_TOKEN]
    assert entry.data[CONF_REFRESH_TOKEN]
    assert CONF_PASSWORD not in entry.data
    assert DEFAULT_ACCOUNT.password not in str(entry.data)


async def test_server_field_only_in_advanced_mode(hass: HomeAssistant) -> None:
    """Ordinary users see e-mail, password and region; only advanced mode shows the server."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "ge"}
    )
    assert set(result["data_schema"].schema) == {CONF_USERNAME, CONF_PASSWORD, CONF_REGION}
    result = await _start(hass, advanced=False)
    assert set(result["data_schema"].schema) == {CONF_USERNAME, CONF_PASSWORD, CONF_REGION}
    result = await _start(hass)
    assert set(result["data_schema"].schema) == {
        CONF_USERNAME,
        CONF_PASSWORD,
        CONF_REGION,
        "advanced",
    }


async def test_server_field_on_a_development_home_assistant(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """The development helper's marker shows the field without advanced mode (as the UI starts)."""
    hass.data[DEVELOPMENT_MARKER] = True
    result = await _start(hass, advanced=False)
    assert "advanced" in result["data_schema"].schema
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_default_form_signs_in_to_ges_own_hosts(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the server field the sign-in goes to GE (stubbed here: nothing leaves)."""
    sent_to: list[Endpoints] = []

    class _NoNetworkLogin:
        def __init__(self, _session: object, _region: Region, endpoints: Endpoints) -> None:
            sent_to.append(endpoints)

        async def async_sign_in(self, _username: str, _password: str) -> LoginSucceeded:
            raise ConnectionFailedError("no network in tests")

    monkeypatch.setattr(ge_config_flow, "SmartHqLogin", _NoNetworkLogin)
    result = await _start(hass, advanced=False)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_USERNAME: DEFAULT_ACCOUNT.username,
            CONF_PASSWORD: DEFAULT_ACCOUNT.password,
            CONF_REGION: "us",
        },
    )
    assert result["errors"] == {"base": "ge_cannot_connect"}
    assert sent_to == [Endpoints()]
    # A server sent anyway is refused by the form itself.
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_USERNAME: DEFAULT_ACCOUNT.username,
                CONF_PASSWORD: DEFAULT_ACCOUNT.password,
                CONF_REGION: "us",
                "advanced": {CONF_SERVER: "http://127.0.0.1:9"},
            },
        )
    assert len(sent_to) == 1


async def test_bad_password_shows_ges_message_and_recovers(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """GE's own alert text is shown; the same form then accepts the right password."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator, **{CONF_PASSWORD: "wrong"})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "ge_invalid_auth"}
    assert result["description_placeholders"]["message"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_mfa_code_with_resend_and_wrong_code(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, ge_scenario: AuthScenario
) -> None:
    """The code step: a missing code, a resend, a wrong code, then the newest code works."""
    ge_scenario.mfa = True
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["step_id"] == "ge_mfa"
    assert len(ge_simulator.auth.sent_codes) == 1

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["errors"] == {CONF_CODE: "ge_code_missing"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_RESEND: True})
    assert result["step_id"] == "ge_mfa_resent"
    assert not result["errors"]
    assert len(ge_simulator.auth.sent_codes) == 2

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CODE: ge_simulator.auth.sent_codes[0]}
    )
    assert result["step_id"] == "ge_mfa"
    assert result["errors"] == {CONF_CODE: "ge_wrong_code"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CODE: f" {ge_simulator.auth.sent_codes[-1]} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == DEFAULT_ACCOUNT.user_id


async def test_mfa_step_when_the_service_goes_away(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, ge_scenario: AuthScenario
) -> None:
    """A network failure while submitting the code leaves the step open for a retry."""
    ge_scenario.mfa = True
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    code = ge_simulator.auth.sent_codes[-1]
    port = ge_simulator.port
    await ge_simulator.stop()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_CODE: code})
    assert result["step_id"] == "ge_mfa"
    assert result["errors"] == {"base": "ge_cannot_connect"}
    await ge_simulator.start(port)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_CODE: code})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("switches", "error", "issue"),
    [
        ({"terms": True, "terms_acceptable": False}, "ge_terms_required", "ge_terms_required"),
        (
            {"mfa_nudge": True, "mfa_nudge_skippable": False},
            "ge_mfa_setup_required",
            "ge_mfa_setup_required",
        ),
    ],
)
async def test_account_chores_raise_a_repair_until_done(
    hass: HomeAssistant,
    ge_simulator: SmartHqSimulator,
    ge_scenario: AuthScenario,
    switches: dict[str, bool],
    error: str,
    issue: str,
) -> None:
    """Terms to accept and MFA to set up: a form error plus a repair, both gone after."""
    for name, value in switches.items():
        setattr(ge_scenario, name, value)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["errors"] == {"base": error}
    issues = [i for (domain, i) in ir.async_get(hass).issues if domain == DOMAIN]
    assert len(issues) == 1
    assert issues[0].startswith(issue)
    assert "cook" not in issues[0]

    for name in switches:
        setattr(ge_scenario, name, False)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not [i for (domain, i) in ir.async_get(hass).issues if domain == DOMAIN]


async def test_terms_with_a_form_are_accepted_on_the_way(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, ge_scenario: AuthScenario
) -> None:
    """GE's terms page with its form, and a skippable MFA nudge, need nothing from the user."""
    ge_scenario.terms = True
    ge_scenario.mfa_nudge = True
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_unknown_page_reports_its_title(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, ge_scenario: AuthScenario
) -> None:
    """A CAPTCHA or maintenance page is named in the error."""
    ge_scenario.unknown_page_title = "Security check"
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["errors"] == {"base": "ge_unknown_page"}
    assert result["description_placeholders"]["page_title"] == "Security check"


async def test_unreachable_service_and_bad_server(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """No service at the address, or an address that is no URL: recoverable in place."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator, **{CONF_SERVER: "http://127.0.0.1:9"})
    )
    assert result["errors"] == {"base": "ge_cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator, **{CONF_SERVER: "not a url/path"})
    )
    assert result["errors"] == {CONF_SERVER: "ge_invalid_server"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_account_lookup_failure_is_recoverable(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, ge_scenario: AuthScenario
) -> None:
    """Tokens that the API refuses right after sign-in: an error, then a retry works."""
    ge_scenario.token_lifetime = 0.0
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["errors"] == {"base": "ge_cannot_connect"}
    ge_scenario.token_lifetime = 3600.0
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_same_account_twice_is_refused(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """The user id is the unique id."""
    await add_ge_entry(hass, ge_simulator, setup=False)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth_with_mfa_updates_the_tokens(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, ge_scenario: AuthScenario
) -> None:
    """Reauthentication asks for the password only, then the code, and reloads."""
    entry = await add_ge_entry(hass, ge_simulator, setup=False)
    old_refresh = entry.data[CONF_REFRESH_TOKEN]
    ge_scenario.mfa = True
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "ge_reauth_confirm"
    # Password and region only: the entry stays with the service it was set up with.
    assert set(result["data_schema"].schema) == {CONF_PASSWORD, CONF_REGION}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: DEFAULT_ACCOUNT.password, CONF_REGION: "us"}
    )
    assert result["step_id"] == "ge_mfa"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CODE: ge_simulator.auth.sent_codes[-1]}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_REFRESH_TOKEN] != old_refresh
    assert entry.data[CONF_SERVER] == ge_simulator.base_url


async def test_reconfigure_refuses_another_account(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Reconfigure must stay on the same account; with it, the entry is updated."""
    entry = await add_ge_entry(hass, ge_simulator, setup=False)
    result = await _reconfigure(hass, entry)
    assert result["step_id"] == "ge_reconfigure"
    other = _sign_in(
        ge_simulator,
        **{CONF_USERNAME: OTHER_GE_ACCOUNT.username, CONF_PASSWORD: OTHER_GE_ACCOUNT.password},
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], other)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "ge_wrong_account"

    result = await _reconfigure(hass, entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _sign_in(ge_simulator, **{CONF_REGION: "us"})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_SERVER] == ge_simulator.base_url


async def test_reconfigure_without_advanced_mode_keeps_the_server(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """The form has no server field; the entry stays with the service it was set up with."""
    entry = await add_ge_entry(hass, ge_simulator, setup=False)
    result = await _reconfigure(hass, entry, advanced=False)
    assert set(result["data_schema"].schema) == {CONF_USERNAME, CONF_PASSWORD, CONF_REGION}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_USERNAME: DEFAULT_ACCOUNT.username,
            CONF_PASSWORD: DEFAULT_ACCOUNT.password,
            CONF_REGION: "us",
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_SERVER] == ge_simulator.base_url


async def test_sign_in_page_refused_is_an_auth_error(hass: HomeAssistant) -> None:
    """A server that refuses the sign-in page itself (4xx) reads as invalid sign-in."""

    async def _refuse(_request: web.Request) -> web.Response:
        return web.Response(status=404)

    app = web.Application()
    app.router.add_get("/oauth2/auth", _refuse)
    async with TestServer(app, host="127.0.0.1") as server:
        result = await _start(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_USERNAME: DEFAULT_ACCOUNT.username,
                CONF_PASSWORD: DEFAULT_ACCOUNT.password,
                CONF_REGION: "eu",
                "advanced": {CONF_SERVER: str(server.make_url("/"))},
            },
        )
    assert result["errors"] == {"base": "ge_invalid_auth"}
