"""Random and hostile input in every form and every action: a clean refusal, nothing sent.

Each config-flow form of every brand and each confirm-gated action is fed huge strings,
control characters, wrong types, negative, NaN and infinite numbers and unknown keys. What a
user may see: the form again with a translated error, the schema's own refusal of a field, a
translated action error, or (for input that happens to be valid) the next step. Never an
unhandled exception, and no command reaches an appliance (the simulators count them).

Lone surrogates are left out: Home Assistant's JSON parser refuses them before any form sees
them. Host names the resolver cannot take (too long a label, a NUL) have their own test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import ipaddress
import json
import math
from pathlib import Path
import socket
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, UnknownStep
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from hypothesis import HealthCheck, event, given, settings, strategies as st
import probatio as vol
import pytest
from pytest_homeassistant_custom_component import plugins as ha_test_plugins

from custom_components.kitchen_connect.brands import registered_brands, spec_for_entry
from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from simulators.ge import DEFAULT_ACCOUNT, SmartHqSimulator
from simulators.ge.auth_pages import AuthScenario
from simulators.jura.simulator import JuraSimulator
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator
from simulators.nespresso.backend import SimulatedPeripheral
from tests.conftest import NESPRESSO_SEED

from .lamarzocco_support import (
    MICRA,
    lamarzocco_simulator,
    sign_in_input,
    start_sign_in,
)
from .test_actions import kitchen

__all__ = ["kitchen", "lamarzocco_simulator"]

TRANSLATIONS = json.loads(
    (
        Path(__file__).parents[2] / "custom_components" / DOMAIN / "translations" / "en.json"
    ).read_text()
)
FLOW_ERRORS = frozenset(TRANSLATIONS["config"]["error"])
FLOW_ABORTS = frozenset(TRANSLATIONS["config"]["abort"])
ACTION_ERRORS = frozenset(TRANSLATIONS["exceptions"])

NASTY = (
    "",
    " ",
    "\x00",
    "\r\n\t",
    "\x1b[2J\x07",
    "\u202e\u200b\ufeff",
    "A" * 100_000,
    "%s%n{0}{}",
    "${jndi:ldap://127.0.0.1/x}",
    "../../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "🙂" * 500,
    "NaN",
    "-Infinity",
    "1e309",
    "\uff10\uff11\uff12",  # full-width digits
)
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
NUMBER = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.sampled_from((math.nan, math.inf, -math.inf, -0.0, 1e309)),
)
ANYTHING = st.one_of(
    TEXT,
    NUMBER,
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
UNKNOWN_KEYS = st.dictionaries(st.text(min_size=1, max_size=12), ANYTHING, max_size=2)

# Server addresses a form must refuse without looking anything up (none is a usable URL; no
# server at all would mean the brand's real cloud).
BAD_SERVERS = st.one_of(
    st.sampled_from(("ftp://127.0.0.1", "127.0.0.1", "javascript:alert(1)", "http:///x")),
    TEXT.filter(lambda text: ":" not in text and text.strip()),
)
HYPOTHESIS = settings(
    max_examples=12,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)


def _weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each about as often as its weight says.

    ``one_of`` does not keep to even odds, and drawn indices lean to both ends of their range,
    so the heaviest choice also sits at both ends.
    """
    ranked = sorted(choices, key=lambda choice: -choice[0])
    table = [strategy for weight, strategy in ranked for _ in range(weight)]
    table.append(table[0])
    return st.integers(0, len(table) - 1).flatmap(table.__getitem__)


def hostile(valid: Any, *others: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly one of ``others``, sometimes the valid value, now and then anything at all."""
    return _weighted(
        (2, st.just(valid)), (6, st.one_of(*others) if others else ANYTHING), (2, ANYTHING)
    )


# Mostly none, so that most inputs get past the schema to our own checks.
SOME_UNKNOWN_KEYS = _weighted((5, st.just({})), (1, UNKNOWN_KEYS))


def server_section(valid: str) -> st.SearchStrategy[Any]:
    """The development section: the simulator, a server to refuse, or not a section at all."""
    return _weighted(
        (2, st.just({"server": valid})),
        (6, st.builds(dict, server=BAD_SERVERS)),
        (2, ANYTHING.filter(lambda value: not isinstance(value, dict))),
    )


def form_input(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Every field of a form, now and then one missing, now and then unknown keys too.

    The development section is never left out: without it the flow would use the real cloud.
    """
    return st.builds(
        lambda chosen, missing, extra: {
            **extra,
            **{key: value for key, value in chosen.items() if key != missing},
        },
        st.fixed_dictionaries(fields),
        _weighted((5, st.none()), (1, st.sampled_from(sorted(set(fields) - {"advanced"})))),
        SOME_UNKNOWN_KEYS,
    )


# -- the forms ------------------------------------------------------------------------------


@dataclass
class Form:
    """One form of a flow, opened afresh whenever the last input took the flow elsewhere."""

    hass: HomeAssistant
    step_id: str
    open: Callable[[], Awaitable[str]]
    flow_id: str | None = None

    async def submit(self, user_input: dict[str, Any]) -> None:
        """Send the input; check the outcome is one a user can read."""
        if self.flow_id is None:
            self.flow_id = await self.open()
        try:
            result = await self.hass.config_entries.flow.async_configure(self.flow_id, user_input)
        except vol.Invalid as err:
            # The schema's refusal: the frontend marks the field, the form stays open.
            event(f"refused by the schema: {err.path}")
            return
        kind = result["type"]
        if kind is FlowResultType.FORM and result["step_id"] == self.step_id:
            assert set((result["errors"] or {}).values()) <= FLOW_ERRORS
            assert result["errors"], "the same form again, without saying what is wrong"
            event(f"shown again: {sorted(result['errors'].values())}")
            return
        if kind is FlowResultType.ABORT:
            assert result["reason"] in FLOW_ABORTS
        event(f"went on to {result.get('reason') or result.get('step_id') or kind}")
        await self.close()

    async def fuzz(self, data: st.DataObject, fields: dict[str, st.SearchStrategy[Any]]) -> None:
        """Submit one hostile input drawn for these fields, then leave the flow."""
        await self.submit(data.draw(form_input(fields)))
        await self.close()

    async def close(self) -> None:
        """Leave the flow (the next input opens a new one) and forget an entry it made."""
        flow_id, self.flow_id = self.flow_id, None
        if flow_id is not None and any(
            flow["flow_id"] == flow_id for flow in self.hass.config_entries.flow.async_progress()
        ):
            self.hass.config_entries.flow.async_abort(flow_id)
        for entry in self.hass.config_entries.async_entries(DOMAIN):
            await self.hass.config_entries.async_remove(entry.entry_id)
        await self.hass.async_block_till_done()


async def _menu(hass: HomeAssistant, *choices: str, advanced: bool = True) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER, "show_advanced_options": advanced}
    )
    for choice in choices:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": choice}
        )
    return str(result["flow_id"])


@pytest.fixture
def loopback_only_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names resolve as the system would, minus the lookup: only 127.0.0.0/8 addresses.

    The test harness turns every name into a RuntimeError; the system instead refuses a name
    it cannot encode (UnicodeError) and reports an unknown one (gaierror), as here.
    """
    real = getattr(ha_test_plugins, "_real_getaddrinfo", socket.getaddrinfo)

    def numeric_only(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        flags = kwargs.pop("flags", args[3] if len(args) > 3 else 0)
        args = args[:3]
        infos = real(host, port, *args, flags=flags | socket.AI_NUMERICHOST, **kwargs)
        if all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos):
            return infos
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)


def _jura_sent(simulator: JuraSimulator) -> list[str]:
    """What the machine received that is not a read or the pairing."""
    reads = ("@TG:43", "@TG:C0", "@TR:", "@TM:", "@HP", "@TS", "@TF", "@TV")
    return [command for command in simulator.commands if command and not command.startswith(reads)]


def _could_be_a_name(text: str) -> bool:
    """Whether the resolver takes the text at all (encodable, no NUL), found or not."""
    try:
        text.strip().encode("idna")
    except UnicodeError:
        return False
    return "\x00" not in text


@pytest.mark.usefixtures("jura_flow_on_loopback", "loopback_only_names")
@HYPOTHESIS
@given(data=st.data())
async def test_jura_address_form(
    hass: HomeAssistant, jura_simulator: JuraSimulator, closed_port: int, data: st.DataObject
) -> None:
    """Host, port and PIN: an error under the field, never a crash or a command."""
    form = Form(hass, "jura_manual", lambda: _menu(hass, "jura"))
    port = st.sampled_from((jura_simulator.port, closed_port, 0, -1, 65536, "abc", None))
    await form.fuzz(
        data,
        {
            "host": hostile(jura_simulator.host, TEXT.filter(_could_be_a_name)).filter(
                lambda host: not isinstance(host, str) or _could_be_a_name(host)
            ),
            "advanced": hostile(
                {"port": jura_simulator.port}, st.builds(dict, port=port), st.just({})
            ),
            "pin": hostile("", TEXT, st.text(alphabet="0123456789", max_size=8)),
        },
    )
    assert _jura_sent(jura_simulator) == []


@pytest.mark.usefixtures("jura_flow_on_loopback", "loopback_only_names")
@pytest.mark.parametrize("host", ["a" * 64, "a..b", "\x00", "kitchen\x00"])
async def test_jura_address_form_refuses_a_host_that_cannot_be_a_name(
    hass: HomeAssistant, jura_simulator: JuraSimulator, host: str
) -> None:
    """A label over 63 characters, an empty one or a NUL is refused like an unknown host."""
    flow_id = await _menu(hass, "jura")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"host": host, "advanced": {"port": jura_simulator.port}}
    )
    assert result["errors"] in ({"base": "jura_cannot_connect"}, {"host": "jura_invalid_host"})
    assert _jura_sent(jura_simulator) == []


@HYPOTHESIS
@given(data=st.data())
async def test_ge_sign_in_form(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, data: st.DataObject
) -> None:
    """E-mail, password, region and server: refused or an error, no appliance written."""
    form = Form(hass, "ge", lambda: _menu(hass, "ge"))
    await form.fuzz(
        data,
        {
            CONF_USERNAME: hostile(DEFAULT_ACCOUNT.username, TEXT),
            CONF_PASSWORD: hostile(DEFAULT_ACCOUNT.password, TEXT),
            "region": hostile("us", st.sampled_from(("eu", "US", "")), TEXT),
            "advanced": server_section(ge_simulator.base_url),
        },
    )
    assert ge_simulator.household.write_log == []


@pytest.mark.parametrize("server", ["http://[", "https://127.0.0.1:99999", "http://:80"])
@pytest.mark.parametrize("brand", ["ge", "lamarzocco"])
async def test_sign_in_forms_refuse_a_server_that_is_not_a_url(
    hass: HomeAssistant,
    ge_simulator: SmartHqSimulator,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
    brand: str,
    server: str,
) -> None:
    """A broken URL in the development section is the invalid-server error, not a crash."""
    if brand == "ge":
        flow_id = await _menu(hass, "ge")
        user_input = {
            CONF_USERNAME: DEFAULT_ACCOUNT.username,
            CONF_PASSWORD: DEFAULT_ACCOUNT.password,
            "region": "us",
        }
    else:
        flow_id = await start_sign_in(hass)
        user_input = sign_in_input(lamarzocco_simulator)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**user_input, "advanced": {"server": server}}
    )
    assert result["errors"] == {"server": f"{brand}_invalid_server"}


async def _ge_code_form(hass: HomeAssistant, simulator: SmartHqSimulator) -> str:
    flow_id = await _menu(hass, "ge")
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_USERNAME: DEFAULT_ACCOUNT.username,
            CONF_PASSWORD: DEFAULT_ACCOUNT.password,
            "region": "us",
            "advanced": {"server": simulator.base_url},
        },
    )
    assert result["step_id"] == "ge_mfa", result
    return flow_id


@HYPOTHESIS
@given(data=st.data())
async def test_ge_code_form(
    hass: HomeAssistant,
    ge_simulator: SmartHqSimulator,
    ge_scenario: AuthScenario,
    data: st.DataObject,
) -> None:
    """The e-mailed code and the resend switch: a wrong or odd code is an error."""
    ge_scenario.mfa = True
    form = Form(hass, "ge_mfa", lambda: _ge_code_form(hass, ge_simulator))
    await form.fuzz(
        data,
        {
            "code": hostile("000000", TEXT, st.text("0123456789 ", max_size=8)),
            "resend": hostile(False, st.booleans()),
        },
    )
    assert ge_simulator.household.write_log == []


def _lamarzocco_commands(simulator: LaMarzoccoCloudSimulator) -> list[str]:
    return [path for _method, path in simulator.requests if "/command/" in path]


@HYPOTHESIS
@given(data=st.data())
async def test_lamarzocco_sign_in_form(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, data: st.DataObject
) -> None:
    """E-mail, password and server of the cloud sign-in."""
    form = Form(hass, "lamarzocco_cloud", lambda: start_sign_in(hass))
    valid = sign_in_input(lamarzocco_simulator)
    await form.fuzz(
        data,
        {
            CONF_USERNAME: hostile(valid[CONF_USERNAME], TEXT),
            CONF_PASSWORD: hostile(valid[CONF_PASSWORD], TEXT),
            "advanced": server_section(lamarzocco_simulator.base_url),
        },
    )
    assert _lamarzocco_commands(lamarzocco_simulator) == []


async def _lamarzocco_step(
    hass: HomeAssistant, simulator: LaMarzoccoCloudSimulator, step_id: str
) -> str:
    flow_id = await start_sign_in(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, sign_in_input(simulator))
    assert result["step_id"] == step_id, result
    return flow_id


@HYPOTHESIS
@given(data=st.data())
async def test_lamarzocco_machine_and_policy_forms(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator, data: st.DataObject
) -> None:
    """The machine picker and the privacy policy's two consents."""
    policy = data.draw(st.booleans(), label="privacy policy required")
    lamarzocco_simulator.require_policy = policy
    lamarzocco_simulator.auth.policy_consents.clear()
    step_id = "lamarzocco_policy" if policy else "lamarzocco_machine"
    form = Form(hass, step_id, lambda: _lamarzocco_step(hass, lamarzocco_simulator, step_id))
    fields = (
        {
            "profile_data": hostile(True, st.booleans()),
            "commercial": hostile(False, st.booleans()),
        }
        if policy
        else {"machine": hostile(MICRA, TEXT)}
    )
    await form.fuzz(data, fields)
    assert _lamarzocco_commands(lamarzocco_simulator) == []


def _nespresso_commands(peripheral: SimulatedPeripheral) -> list[bytes]:
    return [data for uuid, data in peripheral.writes if uuid == gatt.COMMAND_REQUEST]


async def _nespresso_key_form(hass: HomeAssistant, peripheral: SimulatedPeripheral) -> str:
    flow_id = await _menu(hass, "nespresso", advanced=False)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"address": peripheral.address}
    )
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["step_id"] == "nespresso_key", result
    return flow_id


@HYPOTHESIS
@given(data=st.data())
async def test_nespresso_key_form(
    hass: HomeAssistant, nespresso_expert: SimulatedPeripheral, data: st.DataObject
) -> None:
    """The key or seed the user imports: no second key stored, no command sent."""
    form = Form(hass, "nespresso_key", lambda: _nespresso_key_form(hass, nespresso_expert))
    credential = hostile(
        NESPRESSO_SEED, TEXT, st.text(alphabet="0123456789abcdefABCDEF:- ", max_size=40)
    )
    await form.fuzz(data, {"credential": credential})
    assert nespresso_expert.machine.keys_written == 1
    assert _nespresso_commands(nespresso_expert) == []


@HYPOTHESIS
@given(choice=ANYTHING, unknown=UNKNOWN_KEYS)
async def test_menus(
    hass: HomeAssistant, jura_simulator: JuraSimulator, choice: Any, unknown: dict[str, Any]
) -> None:
    """The brand menu and La Marzocco's connection menu refuse what they do not offer."""
    for path in ((), ("lamarzocco",)):
        flow_id = await _menu(hass, *path)
        with pytest.raises((vol.Invalid, UnknownStep)):
            await hass.config_entries.flow.async_configure(
                flow_id, {"next_step_id": choice, **unknown}
            )
        hass.config_entries.flow.async_abort(flow_id)
    assert _jura_sent(jura_simulator) == []


# -- the actions ----------------------------------------------------------------------------

ACTIONS = sorted({action.name for spec in registered_brands() for action in spec.actions})
ACTION_FIELDS = {
    name: sorted(
        {
            str(marker)
            for spec in registered_brands()
            for action in spec.actions
            if action.name == name
            for marker in action.fields
        }
    )
    for name in ACTIONS
}
# Values brands do accept somewhere, so that calls also get past the first check.
PLAUSIBLE = st.sampled_from(
    ("espresso", "coffee", "bake", "upper", "descale", "backflush", "ristretto", 40, 180, 1, True)
)


@dataclass
class Kitchen:
    """A loaded device of every brand and what each appliance has been sent."""

    jura: JuraSimulator
    ge: SmartHqSimulator
    lamarzocco: LaMarzoccoCloudSimulator
    nespresso: SimulatedPeripheral
    devices: list[str]
    runs: dict[str, list[str]]  # action -> the devices that can run it

    def sent(self) -> tuple[int, int, int, int]:
        """Commands received so far, per brand."""
        return (
            len(_jura_sent(self.jura)),
            len(self.ge.household.write_log),
            len(_lamarzocco_commands(self.lamarzocco)),
            len(_nespresso_commands(self.nespresso)),
        )


@pytest.fixture
async def appliances(
    hass: HomeAssistant,
    kitchen: None,
    jura_simulator: JuraSimulator,
    ge_simulator: SmartHqSimulator,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
    nespresso_expert: SimulatedPeripheral,
) -> Kitchen:
    """The kitchen of the action tests, and which of its devices can run each action."""
    registry = dr.async_get(hass)
    devices: list[str] = []
    runs: dict[str, list[str]] = {name: [] for name in ACTIONS}
    for entry in hass.config_entries.async_entries(DOMAIN):
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
            devices.append(device.id)
            ours = next(ident for domain, ident in device.identifiers if domain == DOMAIN)
            for action in spec_for_entry(entry).actions:
                if action.can_run(entry, ours):
                    runs[action.name].append(device.id)
    return Kitchen(
        jura_simulator, ge_simulator, lamarzocco_simulator, nespresso_expert, devices, runs
    )


@settings(HYPOTHESIS, max_examples=60)
@given(data=st.data())
async def test_actions(hass: HomeAssistant, appliances: Kitchen, data: st.DataObject) -> None:
    """Every action on every device, with hostile fields, with and without confirm."""
    action = data.draw(st.sampled_from(ACTIONS), label="action")
    # Mostly a device that can run the action, so that its fields and confirm are checked.
    device = data.draw(
        _weighted(
            (4, st.sampled_from(appliances.runs[action] or appliances.devices)),
            (1, st.sampled_from(appliances.devices)),
        ),
        label="device",
    )
    names = ACTION_FIELDS[action]
    fields = (
        data.draw(
            st.dictionaries(st.sampled_from(names), st.one_of(ANYTHING, PLAUSIBLE)),
            label="fields",
        )
        if names
        else {}
    )
    unknown = data.draw(SOME_UNKNOWN_KEYS, label="unknown keys")
    confirm = data.draw(
        _weighted((7, st.booleans()), (2, st.none()), (1, ANYTHING)), label="confirm"
    )
    call = {**unknown, **fields, "device_id": device}
    if confirm is not None:
        call["confirm"] = confirm
    await hass.async_block_till_done()
    before = appliances.sent()
    refusal: HomeAssistantError | None = None
    try:
        await hass.services.async_call(DOMAIN, action, call, blocking=True)
    except vol.Invalid as err:
        event(f"refused by the schema: {err.path}")  # wrong types and unknown keys
    except HomeAssistantError as err:
        event(f"refused: {err.translation_key}")
        refusal = err
    else:
        event("carried out")
        # Valid input: only a confirmed call may do anything.
        assert cv.boolean(confirm) is True
        await hass.async_block_till_done()
        return
    if refusal is not None:
        assert refusal.translation_domain == DOMAIN, repr(refusal)
        assert refusal.translation_key in ACTION_ERRORS, repr(refusal)
        if _confirmed(confirm) and not _checked_before_sending(refusal.translation_key):
            return  # a valid, confirmed command the appliance refused or did not answer
    await hass.async_block_till_done()
    assert appliances.sent() == before


def _confirmed(confirm: Any) -> bool:
    try:
        return bool(cv.boolean(confirm))
    except vol.Invalid:
        return False


def _checked_before_sending(key: str) -> bool:
    """Refusals of the call itself (as opposed to the appliance's answer)."""
    return key in {"unknown_device", "entry_not_loaded"} or key.startswith("action_")


@settings(HYPOTHESIS, max_examples=20)
@given(action=st.sampled_from(ACTIONS), device=ANYTHING, confirm=st.booleans())
async def test_actions_on_devices_that_do_not_exist(
    hass: HomeAssistant, appliances: Kitchen, action: str, device: Any, confirm: bool
) -> None:
    """A made-up device id, or not an id at all, is refused before anything else."""
    before = appliances.sent()
    with pytest.raises((vol.Invalid, HomeAssistantError)) as refusal:
        await hass.services.async_call(
            DOMAIN, action, {"device_id": device, "confirm": confirm}, blocking=True
        )
    if isinstance(refusal.value, HomeAssistantError):
        assert refusal.value.translation_key == "unknown_device"
    await hass.async_block_till_done()
    assert appliances.sent() == before
