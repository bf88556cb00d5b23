"""What Jura entities say to the user: alert states, brew choices and names, in two languages."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_FRIENDLY_NAME, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from simulators.jura.simulator import JuraSimulator
from tests.helpers import JURA_MACHINE_ID, add_jura_entry, wait_for

PRODUCT = "select.kaffeebert_product"
STRENGTH = "select.kaffeebert_strength"


def _alert_entity(entity_registry: er.EntityRegistry, bit: int) -> str:
    entity_id = entity_registry.async_get_entity_id(
        "binary_sensor", DOMAIN, f"{JURA_MACHINE_ID}_alert_{bit}"
    )
    assert entity_id is not None
    return entity_id


# --- alerts ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize("jura_model", ["EF1121"])  # the E6 that also asks to open the tap
@pytest.mark.parametrize(
    ("bit", "device_class"),
    [
        (19, BinarySensorDeviceClass.PROBLEM),  # ventilation closed: "Problem", not "Open"
        (55, BinarySensorDeviceClass.PROBLEM),  # open the tap: raised while it is closed
        (40, BinarySensorDeviceClass.OPENING),  # close the tap: raised while it is open
        (48, BinarySensorDeviceClass.OPENING),  # close the front cover
        (20, BinarySensorDeviceClass.OPENING),  # close the powder chute
        (30, BinarySensorDeviceClass.PROBLEM),  # machine error
    ],
)
async def test_alerts_read_the_right_way_round(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    jura_simulator: JuraSimulator,
    bit: int,
    device_class: BinarySensorDeviceClass,
) -> None:
    """A raised alert shows "Open" only when something is open, else "Problem"."""
    await add_jura_entry(hass, jura_simulator)
    entity_id = _alert_entity(entity_registry, bit)
    jura_simulator.set_alert(bit)
    jura_simulator.push_now()
    await wait_for(hass, lambda: hass.states.get(entity_id).state == STATE_ON)
    assert hass.states.get(entity_id).attributes[ATTR_DEVICE_CLASS] == device_class


# --- brew choices ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jura_model", "product", "strength"),
    [("EF1091", "espresso", "8"), ("EF1013", "espresso", "normal"), ("EF536", "ristretto", "8")],
)
async def test_new_machine_starts_at_its_default_drink(
    hass: HomeAssistant, jura_simulator: JuraSimulator, product: str, strength: str
) -> None:
    """A fresh entry shows the model's first product and its default strength, not unknown."""
    await add_jura_entry(hass, jura_simulator)
    assert hass.states.get(PRODUCT).state == product
    assert hass.states.get(STRENGTH).state == strength


async def test_brew_makes_what_the_selects_show(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """A brew call without product or strength makes the drink the selects show."""
    await add_jura_entry(hass, jura_simulator)
    jura_simulator.clear_commands()
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, JURA_MACHINE_ID), hass.config_entries.async_entries(DOMAIN)[0].entry_id
    )
    assert device is not None

    await hass.services.async_call(
        DOMAIN, "brew", {"device_id": device.id, "confirm": True}, blocking=True
    )
    brews = [command for command in jura_simulator.commands if command.startswith("@TP:")]
    # Espresso is product 02; its strength, 08 by default, is the blob's third byte.
    assert brews[0].startswith("@TP:020008")


# --- names ----------------------------------------------------------------------------------------

# Words that belong to the device's name, never to an entity's: Assist would hear them twice.
DEVICE_WORDS = {"en": ("machine", "jura"), "de": ("maschine", "jura")}


@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("jura_model", ["EF1091", "EF1121"])
async def test_names_never_repeat_the_device(
    hass: HomeAssistant, jura_simulator: JuraSimulator, language: str
) -> None:
    """Every entity is named by what it is, after the device's own name."""
    hass.config.language = language
    entry = await add_jura_entry(hass, jura_simulator)
    names = [
        state.attributes[ATTR_FRIENDLY_NAME]
        for state in hass.states.async_all()
        if (registered := er.async_get(hass).async_get(state.entity_id))
        and registered.config_entry_id == entry.entry_id
    ]
    assert len(names) > 50
    assert all(name.startswith("Kaffeebert ") for name in names)
    own_names = [name.removeprefix("Kaffeebert ").casefold() for name in names]
    repeating = [name for name in own_names if any(word in name for word in DEVICE_WORDS[language])]
    assert repeating == []


@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize(
    ("unique_key", "german"),
    [
        ("cleaning_need", "Reinigungsbedarf"),
        ("descale_need", "Entkalkungsbedarf"),
        ("filter_change_need", "Filterwechselbedarf"),
        ("alert_30", "Fehler"),
        ("alert_2", "Tresterbehälter voll"),
        ("alert_3", "Abtropfschale voll"),
    ],
)
async def test_german_names_read_naturally(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    jura_simulator: JuraSimulator,
    unique_key: str,
    german: str,
) -> None:
    """German names are proper compounds and states, not "Entkalkung Bedarf" or commands."""
    hass.config.language = "de"
    await add_jura_entry(hass, jura_simulator)
    domain = "binary_sensor" if unique_key.startswith("alert_") else "sensor"
    entity_id = entity_registry.async_get_entity_id(
        domain, DOMAIN, f"{JURA_MACHINE_ID}_{unique_key}"
    )
    assert entity_id is not None
    assert hass.states.get(entity_id).attributes[ATTR_FRIENDLY_NAME] == f"Kaffeebert {german}"
