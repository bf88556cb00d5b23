"""Assist's built-in agent finds our entities by the names people say, in English and German.

A rename that makes a sentence stop working fails here. The state a sentence changes is
checked on the simulator, not only in Home Assistant.
"""

from __future__ import annotations

from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er, intent
from homeassistant.setup import async_setup_component
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from simulators.ge import SmartHqSimulator
from simulators.jura.simulator import JuraSimulator
from tests.helpers import add_ge_entry, add_jura_entry, wait_for


async def _kitchen(
    hass: HomeAssistant, jura: JuraSimulator, ge: SmartHqSimulator, language: str
) -> None:
    """Both brands set up in ``language``, every entity exposed to Assist."""
    await hass.config.async_update(language=language)
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    await add_jura_entry(hass, jura)
    await add_ge_entry(hass, ge)
    registry = er.async_get(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
            async_expose_entity(hass, conversation.DOMAIN, entity.entity_id, True)


async def _say(hass: HomeAssistant, text: str, language: str) -> intent.IntentResponse:
    result = await conversation.async_converse(hass, text, None, Context(), language=language)
    return result.response


def entity_id_by_unique_id(hass: HomeAssistant, unique_suffix: str, domain: str) -> str:
    """Entity ids follow the names of the language set up, so find them by unique id."""
    registry = er.async_get(hass)
    for entity in registry.entities.values():
        if (
            entity.platform == DOMAIN
            and entity.domain == domain
            and entity.unique_id.endswith(unique_suffix)
        ):
            return entity.entity_id
    raise AssertionError(unique_suffix)


@pytest.mark.parametrize(
    ("language", "on", "off"),
    [
        ("en", "turn on the kitchen oven upper light", "turn off kitchen oven upper light"),
        (
            "de",
            "schalte kitchen oven beleuchtung oben ein",
            "schalte kitchen oven beleuchtung oben aus",
        ),
    ],
)
async def test_the_oven_light_by_voice(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    ge_simulator: SmartHqSimulator,
    language: str,
    on: str,
    off: str,
) -> None:
    await _kitchen(hass, jura_simulator, ge_simulator, language)
    light = entity_id_by_unique_id(hass, "upper_oven_light", "light")

    assert (await _say(hass, on, language)).response_type is intent.IntentResponseType.ACTION_DONE
    await wait_for(hass, lambda: hass.states.get(light).state == STATE_ON)
    assert (await _say(hass, off, language)).response_type is intent.IntentResponseType.ACTION_DONE
    await wait_for(hass, lambda: hass.states.get(light).state == STATE_OFF)


PANEL_SENTENCES = {
    "en": (
        "lock the kaffeebert panel",
        "is the kaffeebert panel locked",
        "unlock the kaffeebert panel",
    ),
    "de": (
        "sperre das kaffeebert bedienfeld",
        "ist das kaffeebert bedienfeld gesperrt",
        "entsperre das kaffeebert bedienfeld",
    ),
}
YES_NO = {"en": ("Yes", "No"), "de": ("Ja", "Nein")}


@pytest.mark.parametrize("language", ["en", "de"])
async def test_the_panel_lock_by_voice(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    ge_simulator: SmartHqSimulator,
    language: str,
) -> None:
    """Assist's own lock sentences lock the machine's panel, tell whether it is, unlock it."""
    await _kitchen(hass, jura_simulator, ge_simulator, language)
    lock, question, unlock = PANEL_SENTENCES[language]
    yes, no = YES_NO[language]

    assert (await _say(hass, question, language)).speech["plain"]["speech"].startswith(no)
    assert (await _say(hass, lock, language)).response_type is intent.IntentResponseType.ACTION_DONE
    await wait_for(hass, lambda: jura_simulator.machine.locked)
    answer = await _say(hass, question, language)
    assert answer.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert answer.speech["plain"]["speech"].strip() == yes

    done = await _say(hass, unlock, language)

    assert done.response_type is intent.IntentResponseType.ACTION_DONE
    await wait_for(hass, lambda: not jura_simulator.machine.locked)


@pytest.mark.parametrize(
    ("language", "sentence", "answer"),
    [
        ("en", "what is the fridge temperature", "3 °C"),
        ("de", "wie ist die fridge temperatur", "3 Grad"),
        ("en", "what is the kaffeebert descaling need", "%"),
        ("en", "what is the kaffeebert status", "ready"),
    ],
)
async def test_questions_get_the_value(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    ge_simulator: SmartHqSimulator,
    language: str,
    sentence: str,
    answer: str,
) -> None:
    await _kitchen(hass, jura_simulator, ge_simulator, language)

    response = await _say(hass, sentence, language)

    assert response.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert answer in response.speech["plain"]["speech"]
