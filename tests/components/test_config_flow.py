"""The config, reauth, reconfigure and options flows, against the loopback Jura simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PIN, CONF_PORT, CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, start_reauth_flow

from custom_components.kitchen_connect.const import CONF_BRAND, DOMAIN
from custom_components.kitchen_connect.jura.config_flow import JuraFlow
from custom_components.kitchen_connect.jura.const import (
    CONF_ARTICLE,
    CONF_CONN_ID,
    CONF_MACHINE_ID,
    CONF_MODEL,
    DEFAULT_COUNTER_INTERVAL,
    DEFAULT_PRODUCT_COUNTER_INTERVAL,
    DEFAULT_RECONNECT_GAP,
    OPTION_COUNTER_INTERVAL,
    OPTION_PRODUCT_COUNTER_INTERVAL,
    OPTION_RECONNECT_GAP,
)
from custom_components.kitchen_connect.kitchenlib.jura.discovery import parse_discovery_reply
from custom_components.kitchen_connect.kitchenlib.jura.machine import JuraMachine, async_pair
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.jura.simulator import JuraSimulator

DOCUMENTATION_HOST = "192.0.2.10"  # TEST-NET-1: stored only, never contacted
DEFAULT_OPTIONS = {
    OPTION_COUNTER_INTERVAL: DEFAULT_COUNTER_INTERVAL,
    OPTION_PRODUCT_COUNTER_INTERVAL: DEFAULT_PRODUCT_COUNTER_INTERVAL,
    OPTION_RECONNECT_GAP: DEFAULT_RECONNECT_GAP,
}


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Test the flow only: setting up and unloading an entry does nothing."""
    with (
        patch(
            "custom_components.kitchen_connect.async_setup_entry", return_value=True
        ) as setup_entry,
        patch("custom_components.kitchen_connect.async_unload_entry", return_value=True),
    ):
        yield setup_entry


@pytest.fixture(autouse=True)
def loopback_discovery(jura_flow_on_loopback: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing answers the scan unless a test says so; pairing gives up after 5 s."""
    monkeypatch.setattr(JuraFlow, "pairing_timeout", 5.0)


async def _answer_udp(simulator: JuraSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # A dongle answers UDP on the port number it serves TCP on.
    await simulator.async_start_discovery_responder(simulator.port)
    monkeypatch.setattr(JuraFlow, "discovery_port", simulator.port)


@pytest.fixture
async def udp_simulator(
    jura_simulator: JuraSimulator, monkeypatch: pytest.MonkeyPatch
) -> JuraSimulator:
    """The simulated machine, answering discovery and status polls (firmware V08.27)."""
    await _answer_udp(jura_simulator, monkeypatch)
    return jura_simulator


@pytest.fixture
async def other_simulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[JuraSimulator]:
    """A second machine with no profile for its article number and no name."""
    profile = get_profile("EF1091")
    assert profile is not None
    simulator = JuraSimulator(
        profile, auto_confirm_pairing=True, name="", article=1, serial_number=7
    )
    async with simulator:
        yield simulator


# --- helpers --------------------------------------------------------------------------------


def _machine_id(simulator: JuraSimulator) -> str:
    return parse_discovery_reply(simulator.discovery_reply(), simulator.host).unique_id


def _address(port: int, host: str = "127.0.0.1") -> dict[str, Any]:
    return {CONF_HOST: host, "advanced": {CONF_PORT: port}}


def _handshakes(simulator: JuraSimulator) -> list[str]:
    return [command for command in simulator.commands if command.startswith("@HP:")]


def _fields(result: ConfigFlowResult) -> dict[Any, Any]:
    data_schema = result["data_schema"]
    assert data_schema is not None
    return dict(data_schema.schema)


def _suggested(result: ConfigFlowResult, key: str, section: str | None = None) -> Any:
    schema = _fields(result)
    if section is not None:
        schema = schema[section].schema.schema
    for marker in schema:
        if marker == key:
            return (marker.description or {}).get("suggested_value")
    raise AssertionError(f"{key} is not in the form")


async def _idle(simulator: JuraSimulator) -> None:
    """Wait until the simulator has seen the last session close (one session at a time)."""
    async with asyncio.timeout(2):
        while simulator.connected:  # noqa: ASYNC110 - the simulator has no "closed" event
            await asyncio.sleep(0.01)


async def _start_jura(hass: HomeAssistant) -> ConfigFlowResult:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert result["menu_options"] == ["jura", "ge", "lamarzocco", "nespresso"]
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "jura"}
    )


async def _submit(
    hass: HomeAssistant, result: ConfigFlowResult, user_input: dict[str, Any]
) -> ConfigFlowResult:
    """Submit a form that starts pairing and return what follows the pairing.

    The simulator answers at once, so the outcome comes without a progress step
    (test_jura_pairing_flow.py covers the outcomes that take a while).
    """
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is not FlowResultType.SHOW_PROGRESS
    return result


async def _add_by_flow(hass: HomeAssistant, simulator: JuraSimulator) -> ConfigEntry:
    """Add the simulator the way a user would, typing its address."""
    result = await _start_jura(hass)
    if result["type"] is FlowResultType.MENU:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "jura_manual"}
        )
    result = await _submit(hass, result, _address(simulator.port))
    if result["type"] is FlowResultType.FORM:
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await _idle(simulator)
    entry: ConfigEntry = result["result"]
    return entry


def _jura_entry(unique_id: str, host: str, port: int, **data: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Kaffeebert",
        unique_id=unique_id,
        data={
            CONF_BRAND: "jura",
            CONF_HOST: host,
            CONF_PORT: port,
            CONF_CONN_ID: "ha-00000000",
            CONF_TOKEN: "A" * 64,
            CONF_PIN: "",
            CONF_MODEL: "EF1091",
            CONF_ARTICLE: None,
            CONF_MACHINE_ID: unique_id,
        }
        | data,
        options=DEFAULT_OPTIONS,
    )


# --- adding a machine -------------------------------------------------------------------------


async def test_discovered_machine(
    hass: HomeAssistant, udp_simulator: JuraSimulator, mock_setup_entry: AsyncMock
) -> None:
    """A machine that answered the scan is offered; its article number names the model."""
    result = await _start_jura(hass)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "jura"
    assert result["menu_options"] == ["jura_discovered", "jura_manual"]
    assert result["description_placeholders"] == {"count": "1"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "jura_discovered"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_discovered"
    machine_id = _machine_id(udp_simulator)
    assert _suggested(result, "machine") == machine_id
    options = _fields(result)["machine"].config["options"]
    assert options == [{"value": machine_id, "label": "Simulated Jura (127.0.0.1)"}]

    result = await _submit(hass, result, {"machine": machine_id})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Simulated Jura"
    data = result["data"]
    conn_id = data[CONF_CONN_ID]
    assert conn_id.startswith("ha-")
    assert len(conn_id) == 11
    assert len(data[CONF_TOKEN]) == 64
    int(data[CONF_TOKEN], 16)
    assert data == {
        CONF_BRAND: "jura",
        CONF_HOST: "127.0.0.1",
        CONF_PORT: udp_simulator.port,
        CONF_CONN_ID: conn_id,
        CONF_TOKEN: data[CONF_TOKEN],
        CONF_PIN: "",
        CONF_MODEL: "EF1091",
        CONF_ARTICLE: udp_simulator.article,
        CONF_MACHINE_ID: machine_id,
    }
    assert result["options"] == DEFAULT_OPTIONS
    assert result["result"].unique_id == machine_id
    assert _handshakes(udp_simulator) == [f"@HP:,{conn_id.encode().hex().upper()},"]
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1


async def test_manual_address_next_to_discovered(
    hass: HomeAssistant, udp_simulator: JuraSimulator
) -> None:
    """Typing the address of a machine that answers UDP skips the model question too."""
    result = await _start_jura(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "jura_manual"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_manual"

    result = await _submit(hass, result, _address(udp_simulator.port))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Simulated Jura"
    assert result["result"].unique_id == _machine_id(udp_simulator)
    assert result["data"][CONF_MODEL] == "EF1091"


@pytest.mark.parametrize(
    ("model_input", "model", "title"),
    [({}, None, "Jura coffee machine"), ({"model": "EF1091"}, "EF1091", "Jura S8 (EB)")],
)
async def test_silent_machine_asks_for_the_model(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    model_input: dict[str, str],
    model: str | None,
    title: str,
) -> None:
    """A dongle that never answers UDP: manual address, then the model (or none)."""
    result = await _start_jura(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_manual"

    result = await _submit(hass, result, _address(jura_simulator.port))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_model"
    assert _suggested(result, "model") is None
    choices = _fields(result)["model"].config["options"]
    assert {"value": "EF1091", "label": "S8 (EB) \u2013 EF1091"} in choices

    result = await hass.config_entries.flow.async_configure(result["flow_id"], model_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == title
    data = result["data"]
    assert data[CONF_MODEL] == model
    assert data[CONF_ARTICLE] is None
    assert data[CONF_PORT] == jura_simulator.port
    # Without UDP the id comes from the pairing's conn-id, never from the address.
    assert result["result"].unique_id == "jura-" + data[CONF_CONN_ID]
    assert data[CONF_MACHINE_ID] == result["result"].unique_id


async def test_unknown_article_suggests_the_model(
    hass: HomeAssistant, other_simulator: JuraSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No profile for the article: ask, suggesting the EF code from the type string."""
    await _answer_udp(other_simulator, monkeypatch)
    result = await _start_jura(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "jura_discovered"}
    )
    options = _fields(result)["machine"].config["options"]
    assert [option["label"] for option in options] == ["Jura coffee machine (127.0.0.1)"]

    result = await _submit(hass, result, {"machine": _machine_id(other_simulator)})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_model"
    assert _suggested(result, "model") == "EF1091"

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"model": "EF1091"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Jura S8 (EB)"
    assert result["data"][CONF_ARTICLE] == 1
    assert result["data"][CONF_MODEL] == "EF1091"
    assert result["result"].unique_id == _machine_id(other_simulator)


def _wrong_pin(simulator: JuraSimulator, port: int) -> dict[str, Any]:
    simulator.pin = "1234"
    return _address(simulator.port)


def _settings_menu(simulator: JuraSimulator, port: int) -> dict[str, Any]:
    simulator.settings_menu_open = True
    return _address(simulator.port)


def _display_asleep(simulator: JuraSimulator, port: int) -> dict[str, Any]:
    simulator.display_asleep = True
    return _address(simulator.port)


def _closed_port(simulator: JuraSimulator, port: int) -> dict[str, Any]:
    return _address(port)


@pytest.mark.parametrize(
    ("break_it", "error", "retry_pin"),
    [
        (_wrong_pin, "jura_wrong_pin", "1234"),
        (_settings_menu, "jura_pairing_refused", None),
        (_display_asleep, "jura_pairing_timeout", None),
        (_closed_port, "jura_cannot_connect", None),
    ],
)
async def test_pairing_error_then_recovery(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    monkeypatch: pytest.MonkeyPatch,
    closed_port: int,
    break_it: Callable[[JuraSimulator, int], dict[str, Any]],
    error: str,
    retry_pin: str | None,
) -> None:
    """Each pairing failure returns to the form with its error; a retry then succeeds."""
    monkeypatch.setattr(JuraFlow, "pairing_timeout", 0.3)
    result = await _start_jura(hass)
    first_input = break_it(jura_simulator, closed_port)

    result = await _submit(hass, result, first_input)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_manual"
    assert result["errors"] == {"base": error}
    assert _suggested(result, CONF_HOST) == "127.0.0.1"

    await _idle(jura_simulator)
    jura_simulator.settings_menu_open = False
    jura_simulator.display_asleep = False
    retry = _address(jura_simulator.port) | ({CONF_PIN: retry_pin} if retry_pin else {})
    result = await _submit(hass, result, retry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_model"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PIN] == (retry_pin or "")
    # Every attempt pairs under a conn-id of its own.
    handshakes = _handshakes(jura_simulator)
    conn_ids = {handshake.split(",")[1] for handshake in handshakes}
    assert len(conn_ids) == len(handshakes)
    assert result["data"][CONF_CONN_ID].encode().hex().upper() in conn_ids


async def test_pairing_error_on_the_discovered_form(
    hass: HomeAssistant, udp_simulator: JuraSimulator
) -> None:
    """A refusal after picking a found machine returns to that choice."""
    udp_simulator.settings_menu_open = True
    machine_id = _machine_id(udp_simulator)
    result = await _start_jura(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "jura_discovered"}
    )
    result = await _submit(hass, result, {"machine": machine_id, CONF_PIN: ""})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_discovered"
    assert result["errors"] == {"base": "jura_pairing_refused"}
    assert _suggested(result, "machine") == machine_id

    await _idle(udp_simulator)
    udp_simulator.settings_menu_open = False
    result = await _submit(hass, result, {"machine": machine_id})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_invalid_input_is_rejected_before_contact(
    hass: HomeAssistant, udp_simulator: JuraSimulator
) -> None:
    """A blank host or a PIN with letters never reaches the machine."""
    result = await _start_jura(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "jura_discovered"}
    )
    machine_id = _machine_id(udp_simulator)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"machine": machine_id, CONF_PIN: "12a4"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PIN: "jura_invalid_pin"}

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "jura"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "jura_manual"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(udp_simulator.port, host="  ") | {CONF_PIN: "x"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_manual"
    assert result["errors"] == {CONF_HOST: "jura_invalid_host", CONF_PIN: "jura_invalid_pin"}
    assert _handshakes(udp_simulator) == []

    result = await _submit(hass, result, _address(udp_simulator.port) | {CONF_PIN: " "})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PIN] == ""


async def test_known_machine_at_new_address(
    hass: HomeAssistant, udp_simulator: JuraSimulator
) -> None:
    """Adding a configured machine aborts, and the entry follows it to its new address."""
    entry = _jura_entry(_machine_id(udp_simulator), DOCUMENTATION_HOST, 51515)
    entry.add_to_hass(hass)

    result = await _start_jura(hass)
    assert result["step_id"] == "jura_manual"  # the configured machine is not offered
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(udp_simulator.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == udp_simulator.port
    assert _handshakes(udp_simulator) == []


async def test_silent_machine_already_configured_at_address(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Without a UDP identity the address decides what counts as the same machine."""
    _jura_entry("jura-ha-00000000", "127.0.0.1", jura_simulator.port).add_to_hass(hass)
    result = await _start_jura(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(jura_simulator.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert _handshakes(jura_simulator) == []


async def test_discovery_skips_machine_configured_by_address(
    hass: HomeAssistant, udp_simulator: JuraSimulator
) -> None:
    """A found machine whose address an entry already uses is not offered."""
    _jura_entry("jura-ha-00000000", "127.0.0.1", udp_simulator.port).add_to_hass(hass)
    result = await _start_jura(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_manual"


# --- reauth -------------------------------------------------------------------------------------


async def test_reauth_pairs_again(
    hass: HomeAssistant, udp_simulator: JuraSimulator, mock_setup_entry: AsyncMock
) -> None:
    """After the machine forgot us: pair again under a new conn-id, here with a new PIN."""
    entry = await _add_by_flow(hass, udp_simulator)
    old = dict(entry.data)
    udp_simulator.forget_tokens()
    udp_simulator.pin = "2468"

    result = await start_reauth_flow(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_reauth_confirm"
    assert result["description_placeholders"] == {"host": "127.0.0.1", "name": entry.title}
    assert _suggested(result, CONF_PIN) == ""

    result = await _submit(hass, result, {})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_reauth_confirm"
    assert result["errors"] == {"base": "jura_wrong_pin"}

    await _idle(udp_simulator)
    result = await _submit(hass, result, {CONF_PIN: "2468"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PIN] == "2468"
    assert entry.data[CONF_CONN_ID] != old[CONF_CONN_ID]
    assert entry.data[CONF_TOKEN] != old[CONF_TOKEN]
    assert entry.unique_id == old[CONF_MACHINE_ID]
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 2  # set up, then reloaded

    await _idle(udp_simulator)
    machine = JuraMachine(
        "127.0.0.1",
        udp_simulator.profile,
        conn_id=entry.data[CONF_CONN_ID],
        token=entry.data[CONF_TOKEN],
        pin="2468",
        port=udp_simulator.port,
    )
    await machine.connect()
    await machine.disconnect()


async def test_reauth_rejects_another_machine(
    hass: HomeAssistant, udp_simulator: JuraSimulator
) -> None:
    """If UDP shows a different machine at the stored address, do not pair with it."""
    entry = _jura_entry("15480-9-9", "127.0.0.1", udp_simulator.port)
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert _handshakes(udp_simulator) == []


async def test_reauth_when_udp_is_silent(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A machine that stopped answering UDP is paired again at its stored address."""
    entry = _jura_entry(_machine_id(jura_simulator), "127.0.0.1", jura_simulator.port)
    entry.add_to_hass(hass)
    result = await start_reauth_flow(hass, entry)
    result = await _submit(hass, result, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_CONN_ID] != "ha-00000000"
    assert len(_handshakes(jura_simulator)) == 1


async def test_reauth_rejects_invalid_pin(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """The reauth form checks the PIN as the other forms do."""
    entry = _jura_entry("jura-ha-00000000", "127.0.0.1", jura_simulator.port, pin="1111")
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert _suggested(result, CONF_PIN) == "1111"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_PIN: "1a"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PIN: "jura_invalid_pin"}


# --- reconfigure --------------------------------------------------------------------------------


async def test_reconfigure_follows_machine_by_udp(
    hass: HomeAssistant, udp_simulator: JuraSimulator, mock_setup_entry: AsyncMock
) -> None:
    """The same UDP identity at the new address is proof enough."""
    entry = _jura_entry(_machine_id(udp_simulator), DOCUMENTATION_HOST, 51515)
    entry.add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_reconfigure"
    assert _suggested(result, CONF_HOST) == DOCUMENTATION_HOST
    assert _suggested(result, CONF_PORT, section="advanced") == 51515

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(udp_simulator.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == udp_simulator.port
    assert _handshakes(udp_simulator) == []


async def test_reconfigure_rejects_another_machine_by_udp(
    hass: HomeAssistant, udp_simulator: JuraSimulator
) -> None:
    """A different UDP identity at the new address aborts and leaves the entry alone."""
    entry = _jura_entry("15480-9-9", DOCUMENTATION_HOST, 51515)
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(udp_simulator.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert entry.data[CONF_HOST] == DOCUMENTATION_HOST


async def test_reconfigure_checks_the_pairing_when_udp_is_silent(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    other_simulator: JuraSimulator,
    closed_port: int,
) -> None:
    """Without UDP only our machine accepts the stored token; errors can be corrected."""
    token = await async_pair("127.0.0.1", conn_id="ha-test0001", port=jura_simulator.port)
    await _idle(jura_simulator)
    entry = _jura_entry(
        "jura-ha-test0001",
        DOCUMENTATION_HOST,
        51515,
        conn_id="ha-test0001",
        token=token,
        model=None,
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)

    attempts = [
        (_address(jura_simulator.port, host=" "), {CONF_HOST: "jura_invalid_host"}),
        (_address(other_simulator.port), {"base": "jura_wrong_machine"}),
        (_address(closed_port), {"base": "jura_cannot_connect"}),
    ]
    for user_input, errors in attempts:
        result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "jura_reconfigure"
        assert result["errors"] == errors
        assert entry.data[CONF_HOST] == DOCUMENTATION_HOST

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(jura_simulator.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == jura_simulator.port
    assert entry.data[CONF_TOKEN] == token
    assert _handshakes(jura_simulator)[-1].endswith("," + token)
    await _idle(jura_simulator)


async def test_reconfigure_to_address_of_another_entry(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """Two entries never share an address."""
    _jura_entry("jura-ha-00000001", "127.0.0.1", jura_simulator.port).add_to_hass(hass)
    entry = _jura_entry("jura-ha-00000002", DOCUMENTATION_HOST, 51515)
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(jura_simulator.port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert _handshakes(jura_simulator) == []


# --- options ------------------------------------------------------------------------------------


async def test_options_flow(hass: HomeAssistant, mock_setup_entry: AsyncMock) -> None:
    """The three cadences are shown with their current values, stored as ints, then reload."""
    entry = _jura_entry("jura-ha-00000000", DOCUMENTATION_HOST, 51515)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura"
    for key, value in DEFAULT_OPTIONS.items():
        assert _suggested(result, key) == value

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {OPTION_COUNTER_INTERVAL: 5, OPTION_PRODUCT_COUNTER_INTERVAL: 30, OPTION_RECONNECT_GAP: 0},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options == {
        OPTION_COUNTER_INTERVAL: 5,
        OPTION_PRODUCT_COUNTER_INTERVAL: 30,
        OPTION_RECONNECT_GAP: 0,
    }
    assert all(type(value) is int for value in entry.options.values())
    assert len(mock_setup_entry.mock_calls) == 2  # set up, then reloaded


async def test_options_flow_rejects_out_of_range(hass: HomeAssistant) -> None:
    """The selectors enforce the documented ranges."""
    entry = _jura_entry("jura-ha-00000000", DOCUMENTATION_HOST, 51515)
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    with pytest.raises(InvalidData) as raised:
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                OPTION_COUNTER_INTERVAL: 10,
                OPTION_PRODUCT_COUNTER_INTERVAL: 4,
                OPTION_RECONNECT_GAP: 10,
            },
        )
    assert list(raised.value.schema_errors) == [OPTION_PRODUCT_COUNTER_INTERVAL]
    assert entry.options == DEFAULT_OPTIONS
