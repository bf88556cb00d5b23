"""Questions about the appliances, with the shipped sentence files installed, in English and German.

Binary sensors named for what they report answer yes or no, and sensors with named states
say the state's name in the language asked ("Bereit", not "ready"). The answers follow the
simulators: a changed machine gives a changed answer.
"""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
import pytest

from simulators.ge import SmartHqSimulator
from simulators.jura.simulator import JuraSimulator
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator
from simulators.nespresso.backend import SimulatedPeripheral
from tests.helpers import wait_for

from ..conftest import nespresso_entry
from .lamarzocco_support import MICRA, add_connected_entry, fast_stream, lamarzocco_simulator
from .test_voice import entity_id_by_unique_id
from .test_voice_confirm import answer, expose_all, install_sentences, kitchen, say, speech

__all__ = ["fast_stream", "lamarzocco_simulator"]

WATER_TANK_ALERT = 1


async def _tank(hass: HomeAssistant, jura: JuraSimulator, tank: str, *, empty: bool) -> None:
    jura.set_alert(WATER_TANK_ALERT, on=empty)
    jura.push_now()
    await wait_for(hass, lambda: hass.states.get(tank).state == ("on" if empty else "off"))


@pytest.mark.parametrize(
    ("language", "question", "yes", "no"),
    [
        ("en", "is the kaffeebert water tank empty", "Yes", "No"),
        ("de", "ist der kaffeebert wassertank leer", "Ja", "Nein"),
    ],
)
async def test_is_the_water_tank_empty(
    hass: HomeAssistant,
    tmp_path: Path,
    jura_simulator: JuraSimulator,
    language: str,
    question: str,
    yes: str,
    no: str,
) -> None:
    await kitchen(hass, tmp_path, jura_simulator, language=language)
    tank = entity_id_by_unique_id(hass, f"alert_{WATER_TANK_ALERT}", "binary_sensor")

    await _tank(hass, jura_simulator, tank, empty=False)
    assert await answer(hass, question, language) == no

    await _tank(hass, jura_simulator, tank, empty=True)
    assert await answer(hass, question, language) == yes


async def _nespresso(
    hass: HomeAssistant, tmp_path: Path, peripheral: SimulatedPeripheral, language: str
) -> None:
    await install_sentences(hass, tmp_path, language)
    entry = nespresso_entry(peripheral)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    expose_all(hass)


async def _answers(hass: HomeAssistant, language: str, question: str, expected: str) -> None:
    """The answer is ``expected``, or starts with it when that ends in a space."""
    said = await answer(hass, question, language)
    assert said.startswith(expected) if expected.endswith(" ") else said == expected, said


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("en", "what is the kaffeebert status", "Kaffeebert Status is Ready"),
        ("de", "wie ist der kaffeebert status", "Kaffeebert Status ist Bereit"),
    ],
)
async def test_a_status_is_said_in_words_of_the_language(
    hass: HomeAssistant,
    tmp_path: Path,
    jura_simulator: JuraSimulator,
    language: str,
    question: str,
    expected: str,
) -> None:
    """The state's name in the language asked ("Bereit", never "ready")."""
    await kitchen(hass, tmp_path, jura_simulator, language=language)
    await _answers(hass, language, question, expected)


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("en", "what is the fridge temperature", "Fridge temperature is 3 °C"),
        ("de", "wie ist die fridge temperatur", "Fridge temperatur ist 3 Grad"),
        ("en", "is the dishwasher door open", "No, closed"),
        ("de", "ist die dishwasher tür offen", "Nein, geschlossen"),
    ],
)
async def test_ge_questions(
    hass: HomeAssistant,
    tmp_path: Path,
    jura_simulator: JuraSimulator,
    ge_simulator: SmartHqSimulator,
    language: str,
    question: str,
    expected: str,
) -> None:
    """Home Assistant's own answers keep working; a door says "closed", not "off"."""
    await kitchen(hass, tmp_path, jura_simulator, ge_simulator, language)
    await _answers(hass, language, question, expected)


@pytest.mark.usefixtures("fast_stream")
@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("en", "what is the micra status", "Micra Status is On"),
        ("de", "wie ist der micra status", "Micra Status ist An"),
        ("en", "is the micra water tank empty", "No"),
        ("de", "ist der micra wassertank leer", "Nein"),
    ],
)
async def test_la_marzocco_questions(
    hass: HomeAssistant,
    tmp_path: Path,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
    language: str,
    question: str,
    expected: str,
) -> None:
    await install_sentences(hass, tmp_path, language)
    await add_connected_entry(hass, lamarzocco_simulator, MICRA)
    expose_all(hass)
    await _answers(hass, language, question, expected)


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("en", "is the nespresso expert&milk water tank empty", "No"),
        ("de", "ist der nespresso expert&milk wassertank leer", "Nein"),
        ("en", "what is the nespresso expert&milk state", "Nespresso Expert&Milk State is "),
        ("de", "wie ist der nespresso expert&milk zustand", "Nespresso Expert&Milk Zustand ist "),
    ],
)
async def test_nespresso_questions(
    hass: HomeAssistant,
    tmp_path: Path,
    nespresso_expert: SimulatedPeripheral,
    language: str,
    question: str,
    expected: str,
) -> None:
    await _nespresso(hass, tmp_path, nespresso_expert, language)
    await _answers(hass, language, question, expected)


@pytest.mark.parametrize(
    ("language", "order", "question", "yes"),
    [
        (
            "en",
            "make me a lungo on the nespresso",
            "This would brew one lungo on Nespresso Expert&Milk at once.",
            "yes",
        ),
        (
            "de",
            "mach mir einen lungo mit der nespresso",
            "Damit würde Nespresso Expert&Milk sofort lungo zubereiten.",
            "ja",
        ),
    ],
)
async def test_nespresso_brews_after_a_yes(
    hass: HomeAssistant,
    tmp_path: Path,
    nespresso_expert: SimulatedPeripheral,
    language: str,
    order: str,
    question: str,
    yes: str,
) -> None:
    await _nespresso(hass, tmp_path, nespresso_expert, language)

    asked = await say(hass, order, language)

    assert speech(asked).startswith(question)
    assert not nespresso_expert.machine.brewing
    await say(hass, yes, language)
    await wait_for(hass, lambda: nespresso_expert.machine.brewing)
