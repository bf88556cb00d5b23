"""Pairing as the frontend's dialog lives it: every outcome reaches the user, none is lost.

The dialog subscribes to ``data_entry_flow_progressed`` only once it has received and
rendered a progress step, then fetches the flow when the event comes. An outcome whose
event fires before that subscription is lost and the dialog spins for ever, so the
helper below subscribes late, as the dialog does, and waits a bounded time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
import time
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PIN, CONF_PORT
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import (
    EVENT_DATA_ENTRY_FLOW_PROGRESSED,
    FlowResultType,
    UnknownFlow,
)
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.jura.config_flow import JuraFlow
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.jura.simulator import JuraSimulator
from tests.helpers import add_jura_entry

# From the HTTP response to the dialog's subscription: a round trip and a render.
FRONTEND_DELAY = 0.3
# Far beyond any outcome here; reaching it means the dialog would spin for ever.
EVENT_BOUND = 10.0


@pytest.fixture(autouse=True)
def flow_only() -> Iterator[None]:
    """Test the flow only: setting up and unloading an entry does nothing."""
    with (
        patch("custom_components.kitchen_connect.async_setup_entry", return_value=True),
        patch("custom_components.kitchen_connect.async_unload_entry", return_value=True),
    ):
        yield


# Nothing answers UDP, so the address form comes first.
pytestmark = pytest.mark.usefixtures("jura_flow_on_loopback")


@pytest.fixture
async def waiting_simulator() -> AsyncIterator[JuraSimulator]:
    """A machine whose Connect prompt waits until the test presses OK."""
    profile = get_profile("EF1091")
    assert profile is not None
    simulator = JuraSimulator(profile, push_interval=0.2)
    async with simulator:
        yield simulator


def _address(port: int) -> dict[str, Any]:
    return {CONF_HOST: "127.0.0.1", "advanced": {CONF_PORT: port}}


async def _address_form(hass: HomeAssistant) -> ConfigFlowResult:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "jura"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_manual"
    return result


async def _progressed(hass: HomeAssistant, flow_id: str) -> None:
    """Subscribe now, as the dialog does once it shows a progress step; wait for the end."""
    ended = asyncio.Event()

    @callback
    def _on_progressed(event: Event[Any]) -> None:
        if event.data["flow_id"] == flow_id:
            ended.set()

    unsubscribe = hass.bus.async_listen(EVENT_DATA_ENTRY_FLOW_PROGRESSED, _on_progressed)
    try:
        async with asyncio.timeout(EVENT_BOUND):
            await ended.wait()
    except TimeoutError:
        pytest.fail("the progress step never ended for the dialog: its event came too early")
    finally:
        unsubscribe()


async def _as_the_dialog(hass: HomeAssistant, result: ConfigFlowResult) -> ConfigFlowResult:
    """What the dialog shows after ``result``, reached the way the dialog reaches it."""
    while result["type"] is FlowResultType.SHOW_PROGRESS:
        await asyncio.sleep(FRONTEND_DELAY)
        await _progressed(hass, result["flow_id"])
        result = await hass.config_entries.flow.async_configure(result["flow_id"])
    return result


async def _pair_from_form(
    hass: HomeAssistant, result: ConfigFlowResult, user_input: dict[str, Any]
) -> ConfigFlowResult:
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    return await _as_the_dialog(hass, result)


def _pairing_tasks() -> list[asyncio.Task[Any]]:
    return [
        task
        for task in asyncio.all_tasks()
        if task.get_name().startswith(("jura-pair", "jura-read")) and not task.done()
    ]


async def _until(condition: Any, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - the simulator has no event for this
            await asyncio.sleep(0.01)


# --- outcomes that come at once ---------------------------------------------------------


async def test_accepted_at_once(hass: HomeAssistant, jura_simulator: JuraSimulator) -> None:
    """A machine that accepts at once (the simulator's automatic OK): on to the model."""
    result = await _address_form(hass)
    result = await _pair_from_form(hass, result, _address(jura_simulator.port))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_model"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_refused(hass: HomeAssistant, jura_simulator: JuraSimulator) -> None:
    """A settings menu is open: the refusal is shown on the address form."""
    jura_simulator.settings_menu_open = True
    result = await _address_form(hass)
    result = await _pair_from_form(hass, result, _address(jura_simulator.port))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_manual"
    assert result["errors"] == {"base": "jura_pairing_refused"}


async def test_wrong_pin(hass: HomeAssistant, jura_simulator: JuraSimulator) -> None:
    """The machine rejects the PIN: said on the form, whose PIN can then be corrected."""
    jura_simulator.pin = "1234"
    result = await _address_form(hass)
    result = await _pair_from_form(hass, result, _address(jura_simulator.port) | {CONF_PIN: "9"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "jura_wrong_pin"}

    await _until(lambda: not jura_simulator.connected, 2)
    result = await _pair_from_form(hass, result, _address(jura_simulator.port) | {CONF_PIN: "1234"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_model"


async def test_closed_port_fails_fast(
    hass: HomeAssistant, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens at the address: said within moments, not after the pairing timeout."""
    monkeypatch.setattr(JuraFlow, "pairing_timeout", 30.0)
    result = await _address_form(hass)
    started = time.monotonic()
    result = await _pair_from_form(hass, result, _address(closed_port))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "jura_cannot_connect"}
    assert time.monotonic() - started < 3


async def test_reauth_accepted_at_once(hass: HomeAssistant, jura_simulator: JuraSimulator) -> None:
    """Pairing again ends the same way: the reauth completes for the dialog."""
    entry = await add_jura_entry(hass, jura_simulator, setup=False)
    await _until(lambda: not jura_simulator.connected, 2)
    jura_simulator.forget_tokens()
    result = await entry.start_reauth_flow(hass)
    result = await _pair_from_form(hass, result, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


# --- outcomes that take a while ------------------------------------------------------------


async def test_ok_pressed_later(hass: HomeAssistant, waiting_simulator: JuraSimulator) -> None:
    """The user walks to the machine and presses OK while the dialog waits."""
    result = await _address_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(waiting_simulator.port)
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["step_id"] == "jura_pair"
    assert result["progress_action"] == "jura_pair"

    async def press_ok_soon() -> None:
        await asyncio.sleep(1)
        assert waiting_simulator.press_ok()

    pressing = asyncio.create_task(press_ok_soon())
    result = await _as_the_dialog(hass, result)
    await pressing
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_model"


async def test_ok_pressed_as_the_progress_shows(
    hass: HomeAssistant, waiting_simulator: JuraSimulator
) -> None:
    """OK pressed the moment the progress step is sent still reaches the dialog."""
    result = await _address_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(waiting_simulator.port)
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert waiting_simulator.press_ok()
    result = await _as_the_dialog(hass, result)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_model"


async def test_nobody_presses_ok(
    hass: HomeAssistant, jura_simulator: JuraSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pairing times out: the dialog says so within the time the progress step promised."""
    jura_simulator.display_asleep = True
    monkeypatch.setattr(JuraFlow, "pairing_timeout", 2.5)
    result = await _address_form(hass)
    started = time.monotonic()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(jura_simulator.port)
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["description_placeholders"] == {"timeout": "2"}
    result = await _as_the_dialog(hass, result)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jura_manual"
    assert result["errors"] == {"base": "jura_pairing_timeout"}
    assert time.monotonic() - started < 2.5 + 2


# --- abandoned pairing -------------------------------------------------------------------------


async def test_closing_the_dialog_ends_the_pairing(
    hass: HomeAssistant, waiting_simulator: JuraSimulator
) -> None:
    """Closing the dialog during the progress step hangs up and leaves no task behind."""
    result = await _address_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _address(waiting_simulator.port)
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    async with asyncio.timeout(2):
        await waiting_simulator.pairing_requested.wait()

    hass.config_entries.flow.async_abort(result["flow_id"])
    await _until(lambda: not waiting_simulator.connected and not _pairing_tasks(), 1)
    assert not waiting_simulator.pairing_requested.is_set()


async def test_closing_the_dialog_while_submitting_ends_the_pairing(
    hass: HomeAssistant, waiting_simulator: JuraSimulator
) -> None:
    """Closing the dialog before the progress step arrived hangs up as well."""
    result = await _address_form(hass)
    flow_id = result["flow_id"]
    submitting = asyncio.create_task(
        hass.config_entries.flow.async_configure(flow_id, _address(waiting_simulator.port))
    )
    async with asyncio.timeout(2):
        await waiting_simulator.pairing_requested.wait()

    hass.config_entries.flow.async_abort(flow_id)
    await _until(lambda: not waiting_simulator.connected and not _pairing_tasks(), 1)
    with pytest.raises(UnknownFlow):
        await submitting
