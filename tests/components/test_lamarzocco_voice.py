"""La Marzocco by voice: Assist's built-in agent switches the machine by its own name."""

from __future__ import annotations

from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er, intent
from homeassistant.setup import async_setup_component
import pytest

from simulators.lamarzocco.server import LaMarzoccoCloudSimulator

from ..helpers import wait_for
from .lamarzocco_support import (
    MICRA,
    add_connected_entry,
    entity_id,
    fast_stream,
    lamarzocco_simulator,
    state,
)

__all__ = ["fast_stream", "lamarzocco_simulator"]

pytestmark = pytest.mark.usefixtures("fast_stream")


async def _micra(hass: HomeAssistant, sim: LaMarzoccoCloudSimulator, language: str) -> None:
    await hass.config.async_update(language=language)
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    entry = await add_connected_entry(hass, sim, MICRA)
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        async_expose_entity(hass, conversation.DOMAIN, entity.entity_id, True)


async def _say(hass: HomeAssistant, text: str, language: str) -> intent.IntentResponse:
    result = await conversation.async_converse(hass, text, None, Context(), language=language)
    return result.response


@pytest.mark.parametrize(
    ("language", "off", "on", "steam_off"),
    [
        ("en", "turn off the micra", "turn on micra", "turn off the micra steam boiler"),
        ("de", "schalte die micra aus", "schalte micra ein", "schalte micra dampfkessel aus"),
    ],
)
async def test_the_machine_by_voice(
    hass: HomeAssistant,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
    language: str,
    off: str,
    on: str,
    steam_off: str,
) -> None:
    """Power and steam boiler, checked on the simulated machine, not only in Home Assistant.

    The boilers' status sensors are named "... status" so that "steam boiler" means the switch.
    """
    await _micra(hass, lamarzocco_simulator, language)
    machine = lamarzocco_simulator.household.machines[MICRA]
    power = entity_id(hass, "switch", MICRA, "main")
    done = intent.IntentResponseType.ACTION_DONE
    reply = await _say(hass, off, language)
    assert reply.response_type is done, reply.speech
    await wait_for(hass, lambda: state(hass, power) == "off")
    assert machine.mode == "StandBy"
    assert (await _say(hass, on, language)).response_type is done
    await wait_for(hass, lambda: state(hass, power) == "on")
    reply = await _say(hass, steam_off, language)
    assert reply.response_type is done, (reply.speech, reply.error_code)
    await wait_for(hass, lambda: not machine.steam_enabled)


async def test_asking_the_status(
    hass: HomeAssistant, lamarzocco_simulator: LaMarzoccoCloudSimulator
) -> None:
    """A question about the machine's status is answered from its sensor."""
    await _micra(hass, lamarzocco_simulator, "en")
    response = await _say(hass, "what is the micra status", "en")
    assert response.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert response.matched_states
    assert response.matched_states[0].entity_id == entity_id(hass, "sensor", MICRA, "machine_state")
