"""Starting an appliance by voice: asked back first, run only after a yes in the same conversation.

The built-in agent loads the shipped sentence files the way a user installs them (copied
into the configuration's ``custom_sentences``); what was brewed or started is read on the
simulators, over their real sockets.
"""

from __future__ import annotations

import json
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import (
    chat_session,
    device_registry as dr,
    entity_registry as er,
    intent,
    llm,
)
from homeassistant.setup import async_setup_component
import pytest

from custom_components.kitchen_connect.brands import brand_spec, registered_brands
from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.voice import GATED_INTENTS
from simulators.ge import SmartHqSimulator
from simulators.jura.simulator import JuraSimulator
from tests.helpers import JURA_MACHINE_ID, add_ge_entry, add_jura_entry, wait_for

COMPONENT = Path(__file__).parents[2] / "custom_components" / DOMAIN
SENTENCES = COMPONENT / "custom_sentences"
TRANSLATIONS = COMPONENT / "translations"
DISHWASHER = "D828C9A10603"
OVEN = "D828C9A10701"
BREWER = "D828C9A11A06"

ASK_ESPRESSO = {
    "en": "This would brew one espresso on Kaffeebert at once. Put a cup under the spout, "
    "then say yes to go ahead.",
    "de": "Damit würde Kaffeebert sofort espresso zubereiten. Stell eine Tasse unter den "
    "Auslauf und sag dann Ja.",
}
MAKE_ESPRESSO = {
    "en": "make me an espresso on kaffeebert",
    "de": "mach mir einen espresso auf kaffeebert",
}
YES = {"en": "yes", "de": "ja"}
NOTHING_WAITING = {
    "en": "There is nothing waiting for a yes.",
    "de": "Gerade wartet nichts auf ein Ja.",
}


async def install_sentences(hass: HomeAssistant, tmp_path: Path, language: str) -> None:
    """Assist in ``language`` with the shipped sentence files copied in as a user does."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(SENTENCES, tmp_path / "custom_sentences")
    await hass.config.async_update(language=language)
    for component in ("homeassistant", "conversation", "intent", "llm"):
        assert await async_setup_component(hass, component, {})


def expose_all(hass: HomeAssistant) -> None:
    """Every entity of every Kitchen Connect entry exposed to Assist."""
    registry = er.async_get(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
            async_expose_entity(hass, conversation.DOMAIN, entity.entity_id, True)


async def kitchen(
    hass: HomeAssistant,
    tmp_path: Path,
    jura: JuraSimulator,
    ge: SmartHqSimulator | None = None,
    language: str = "en",
) -> None:
    """The sentence files installed, the appliances set up and exposed; no command sent yet."""
    await install_sentences(hass, tmp_path, language)
    await add_jura_entry(hass, jura)
    if ge is not None:
        await add_ge_entry(hass, ge)
    expose_all(hass)
    jura.clear_commands()


async def say(
    hass: HomeAssistant, text: str, language: str = "en", conversation_id: str = "kitchen-1"
) -> intent.IntentResponse:
    result = await conversation.async_converse(
        hass, text, conversation_id, Context(), language=language
    )
    return result.response


def speech(response: intent.IntentResponse) -> str:
    return str(response.speech["plain"]["speech"])


async def answer(hass: HomeAssistant, question: str, language: str) -> str:
    """What Assist answers a question about the appliances (asserted to be an answer)."""
    reply = await say(hass, question, language)
    assert reply.response_type is intent.IntentResponseType.QUERY_ANSWER, speech(reply)
    return speech(reply)


def _brews(jura: JuraSimulator) -> list[str]:
    return [command for command in jura.commands if command.startswith("@TP")]


async def _assert_nothing_brewed(
    hass: HomeAssistant, jura: JuraSimulator, reply: intent.IntentResponse, language: str = "en"
) -> None:
    assert speech(reply) == NOTHING_WAITING[language]
    await hass.async_block_till_done()
    assert _brews(jura) == []


@pytest.mark.parametrize("language", ["en", "de"])
async def test_a_yes_brews_what_was_asked_back(
    hass: HomeAssistant, tmp_path: Path, jura_simulator: JuraSimulator, language: str
) -> None:
    await kitchen(hass, tmp_path, jura_simulator, language=language)

    asked = await say(hass, MAKE_ESPRESSO[language], language)

    assert speech(asked) == ASK_ESPRESSO[language]
    await hass.async_block_till_done()
    assert _brews(jura_simulator) == []

    done = await say(hass, YES[language], language)

    assert done.response_type is intent.IntentResponseType.ACTION_DONE
    assert (
        speech(done)
        == {"en": "Okay, Kaffeebert is starting.", "de": "Okay, Kaffeebert legt los."}[language]
    )
    await wait_for(hass, lambda: len(_brews(jura_simulator)) == 1)


@pytest.mark.parametrize(
    ("language", "between", "answer"),
    [
        ("en", "no", "Okay, nothing was started."),
        ("de", "nein", "Okay, es wurde nichts gestartet."),
        ("en", "turn on kaffeebert panel lock", None),
        ("en", "what is the weather", None),
    ],
)
async def test_anything_but_yes_forgets_the_request(
    hass: HomeAssistant,
    tmp_path: Path,
    jura_simulator: JuraSimulator,
    language: str,
    between: str,
    answer: str | None,
) -> None:
    await kitchen(hass, tmp_path, jura_simulator, language=language)
    await say(hass, MAKE_ESPRESSO[language], language)

    reply = await say(hass, between, language)
    if answer is not None:
        assert speech(reply) == answer
    late_yes = await say(hass, YES[language], language)

    await _assert_nothing_brewed(hass, jura_simulator, late_yes, language)


async def test_a_yes_in_another_conversation_brews_nothing(
    hass: HomeAssistant, tmp_path: Path, jura_simulator: JuraSimulator
) -> None:
    await kitchen(hass, tmp_path, jura_simulator)
    await say(hass, MAKE_ESPRESSO["en"], conversation_id="kitchen-1")

    other = await say(hass, "yes", conversation_id="living-room")
    again = await say(hass, "yes", conversation_id="kitchen-1")

    assert speech(other) == NOTHING_WAITING["en"]
    # The other conversation's turn does not count as one of this one: its yes still runs.
    assert speech(again) == "Okay, Kaffeebert is starting."
    await wait_for(hass, lambda: len(_brews(jura_simulator)) == 1)


@pytest.mark.parametrize(
    ("asked", "seconds_later"), [(True, 31), (False, 0)], ids=["after the window", "nothing asked"]
)
async def test_a_late_or_unasked_yes_brews_nothing(
    hass: HomeAssistant,
    tmp_path: Path,
    jura_simulator: JuraSimulator,
    freezer: FrozenDateTimeFactory,
    asked: bool,
    seconds_later: int,
) -> None:
    await kitchen(hass, tmp_path, jura_simulator)
    if asked:
        await say(hass, MAKE_ESPRESSO["en"])

    freezer.tick(seconds_later)
    reply = await say(hass, "yes please")

    await _assert_nothing_brewed(hass, jura_simulator, reply)


async def test_a_drink_the_machine_lacks_is_refused_in_words(
    hass: HomeAssistant, tmp_path: Path, jura_simulator: JuraSimulator
) -> None:
    """The action's own refusal (which drinks there are) is what the person hears, at once.

    Nothing is asked back, so nothing waits for a yes.
    """
    await kitchen(hass, tmp_path, jura_simulator)
    refused = await say(hass, "make me a ristretto on kaffeebert")

    assert refused.response_type is intent.IntentResponseType.ERROR
    assert "espresso, coffee" in speech(refused)
    await _assert_nothing_brewed(hass, jura_simulator, await say(hass, "yes"))


async def test_hot_water_by_voice(
    hass: HomeAssistant, tmp_path: Path, jura_simulator: JuraSimulator
) -> None:
    """ "Hot water" is the Jura's hot water portion (product 0D), brewed after the yes."""
    await kitchen(hass, tmp_path, jura_simulator)
    asked = await say(hass, "make me hot water on kaffeebert")
    assert speech(asked).startswith("This would brew one hot water on Kaffeebert")

    done = await say(hass, "yes")

    assert done.response_type is intent.IntentResponseType.ACTION_DONE, speech(done)
    await wait_for(hass, lambda: [brew[:6] for brew in _brews(jura_simulator)] == ["@TP:0D"])


async def test_a_renamed_machine_is_found_by_its_new_name_only(
    hass: HomeAssistant, tmp_path: Path, jura_simulator: JuraSimulator
) -> None:
    await kitchen(hass, tmp_path, jura_simulator)
    devices = dr.async_get(hass)
    entry_id = hass.config_entries.async_entries(DOMAIN)[0].entry_id
    device = devices.async_get_device_by_identifier((DOMAIN, JURA_MACHINE_ID), entry_id)
    assert device is not None
    devices.async_update_device(device.id, name_by_user="Barista")

    old = await say(hass, MAKE_ESPRESSO["en"])
    new = await say(hass, "make me an espresso on the barista", conversation_id="kitchen-2")

    assert old.response_type is intent.IntentResponseType.ERROR
    assert "kaffeebert" in speech(old).casefold()
    assert speech(new).startswith("This would brew one espresso on Barista")


@pytest.mark.parametrize(
    ("language", "sentence", "question", "write"),
    [
        (
            "en",
            "start the dishwasher now",
            "This would start the waiting cycle of Dishwasher now. Say yes to go ahead.",
            (DISHWASHER, 0x3204, "01"),
        ),
        (
            "de",
            "starte die dishwasher jetzt",
            "Damit würde Dishwasher das wartende Programm jetzt starten. Sag Ja, um fortzufahren.",
            (DISHWASHER, 0x3204, "01"),
        ),
        (
            "en",
            "preheat the kitchen oven to 180 degrees",
            "This would heat Kitchen Oven to 180 °C (bake).",
            None,
        ),
        (
            "de",
            "heiz den kitchen oven mit umluft auf 200 grad vor",
            "Damit würde Kitchen Oven auf 200 °C aufheizen (umluft).",
            None,
        ),
        (
            "en",
            "make me a coffee on the coffee maker",
            "This would brew coffee on Coffee Maker at once.",
            None,
        ),
    ],
)
async def test_ge_cycles_ovens_and_brewers_after_a_yes(
    hass: HomeAssistant,
    tmp_path: Path,
    jura_simulator: JuraSimulator,
    ge_simulator: SmartHqSimulator,
    language: str,
    sentence: str,
    question: str,
    write: tuple[str, int, str] | None,
) -> None:
    await kitchen(hass, tmp_path, jura_simulator, ge_simulator, language)
    log = ge_simulator.household.write_log

    asked = await say(hass, sentence, language)

    assert speech(asked).startswith(question)
    assert log == []
    done = await say(hass, YES[language], language)
    assert done.response_type is intent.IntentResponseType.ACTION_DONE, speech(done)
    await wait_for(hass, lambda: len(log) == 1)
    if write is not None:
        assert log[0] == write


# The LLM path: an agent calls the intents as tools of the Assist API.


async def _assist_api(hass: HomeAssistant) -> llm.APIInstance:
    """The Assist API as an LLM agent in English gets it, for the entities exposed to Assist."""
    llm_context = llm.LLMContext(
        platform="test_agent",
        context=Context(),
        language="en",
        assistant=conversation.DOMAIN,
        device_id=None,
    )
    return await llm.async_get_api(hass, llm.LLM_API_ASSIST, llm_context)


async def _tool_turn(
    hass: HomeAssistant,
    conversation_id: str,
    said: str,
    calls: list[dict[str, Any]],
    tool: str = "KitchenConnectBrew",
) -> list[llm.ToolResult]:
    """One user turn of an LLM conversation in which the agent calls one of our tools."""
    user_input = conversation.ConversationInput(
        text=said,
        context=Context(),
        conversation_id=conversation_id,
        device_id=None,
        satellite_id=None,
        language="en",
        agent_id="test_agent",
    )
    results = []
    with (
        chat_session.async_get_chat_session(hass, conversation_id) as session,
        conversation.async_get_chat_log(hass, session, user_input) as chat_log,
    ):
        api = await _assist_api(hass)
        for arguments in calls:
            results.append(
                await api.async_call_tool(
                    llm.ToolInput(tool_name=f"{DOMAIN}__{tool}", tool_args=arguments)
                )
            )
        chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id="test_agent", content="…")
        )
    return results


def _tool_speech(result: llm.ToolResult) -> str:
    speech: Any = result.data["speech"]
    return str(speech.get("plain", {}).get("speech", ""))


async def test_an_llm_tool_call_is_asked_back_and_runs_only_on_the_next_turn(
    hass: HomeAssistant, tmp_path: Path, jura_simulator: JuraSimulator
) -> None:
    await kitchen(hass, tmp_path, jura_simulator)
    espresso = {"name": "Kaffeebert", "drink": "espresso"}

    # The agent asks, then tries to confirm by itself in the same turn: nothing brews.
    first = await _tool_turn(
        hass, "llm-1", "make me an espresso", [espresso, {**espresso, "confirmed": True}]
    )
    assert [_tool_speech(result) for result in first] == [ASK_ESPRESSO["en"]] * 2
    await hass.async_block_till_done()
    assert _brews(jura_simulator) == []

    # A different request on the next turn is a new question, not a confirmation.
    (other,) = await _tool_turn(
        hass, "llm-1", "yes", [{"name": "Kaffeebert", "drink": "coffee", "confirmed": True}]
    )
    assert "coffee" in _tool_speech(other)
    assert _brews(jura_simulator) == []

    (done,) = await _tool_turn(
        hass, "llm-1", "yes", [{**espresso, "drink": "coffee", "confirmed": True}]
    )

    assert done.data["response_type"] == "action_done"
    await wait_for(hass, lambda: len(_brews(jura_simulator)) == 1)


async def test_an_llm_confirmation_after_the_window_runs_nothing(
    hass: HomeAssistant,
    tmp_path: Path,
    jura_simulator: JuraSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await kitchen(hass, tmp_path, jura_simulator)
    espresso = {"name": "Kaffeebert", "drink": "espresso"}
    await _tool_turn(hass, "llm-2", "make me an espresso", [espresso])

    freezer.tick(31)
    (late,) = await _tool_turn(hass, "llm-2", "yes", [{**espresso, "confirmed": True}])

    assert _tool_speech(late) == ASK_ESPRESSO["en"]
    await hass.async_block_till_done()
    assert _brews(jura_simulator) == []


async def test_the_assist_api_offers_only_tools_an_exposed_appliance_can_run(
    hass: HomeAssistant, tmp_path: Path, jura_simulator: JuraSimulator
) -> None:
    await kitchen(hass, tmp_path, jura_simulator)

    api = await _assist_api(hass)
    ours = [tool for tool in api.tools if tool.name.startswith(f"{DOMAIN}__")]

    assert [tool.name for tool in ours] == [f"{DOMAIN}__KitchenConnectBrew"]
    assert "confirmed" in (ours[0].description or "")
    for entity in er.async_entries_for_config_entry(
        er.async_get(hass), hass.config_entries.async_entries(DOMAIN)[0].entry_id
    ):
        async_expose_entity(hass, conversation.DOMAIN, entity.entity_id, False)
    api = await _assist_api(hass)
    assert not [tool for tool in api.tools if tool.name.startswith(f"{DOMAIN}__")]


@pytest.mark.parametrize(
    ("tool", "arguments", "question"),
    [
        ("KitchenConnectBrew", {"name": "kaffeebert"}, "This would brew the selected drink on"),
        (
            "KitchenConnectHeatOven",
            {"name": "kitchen oven"},
            "This would heat Kitchen Oven to its usual temperature (bake).",
        ),
        (
            "KitchenConnectHeatOven",
            {"name": "kitchen oven", "mode": "convection_bake", "temperature": 200},
            "This would heat Kitchen Oven to 200 °C (convection bake).",
        ),
        ("KitchenConnectStartCycle", {"name": "washer"}, "This would start the waiting cycle"),
    ],
)
async def test_llm_questions_say_what_was_left_to_the_appliance(
    hass: HomeAssistant,
    tmp_path: Path,
    jura_simulator: JuraSimulator,
    ge_simulator: SmartHqSimulator,
    tool: str,
    arguments: dict[str, Any],
    question: str,
) -> None:
    """Without a drink or a temperature, the question says the appliance's own choice is used."""
    await kitchen(hass, tmp_path, jura_simulator, ge_simulator)

    (asked,) = await _tool_turn(hass, "llm-3", "go on", [arguments], tool)

    assert _tool_speech(asked).startswith(question)
    assert ge_simulator.household.write_log == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_question_is_worded_for_voice(language: str) -> None:
    """Each brand's refusal of a voice action has words to say instead of "confirm: true"."""
    texts = json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8"))
    spoken = {
        action.refusal_key_fn({}).replace("_confirm_", "_voice_", 1)
        for brand in registered_brands()
        for handler in GATED_INTENTS
        if (action := brand_spec(brand.key).action(handler.action)) is not None
    }

    assert len(spoken) == 5
    assert sorted(spoken - set(texts["exceptions"])) == []
