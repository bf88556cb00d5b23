"""Lights are lights, offsets follow the unit system, and names read well when spoken."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from homeassistant.components.light import (
    ATTR_BRIGHTNESS,
    ATTR_SUPPORTED_COLOR_MODES,
    ColorMode,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, intent
from homeassistant.setup import async_setup_component
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.ge.appliance_types import DEVICE_MODELS
from simulators.ge import SmartHqSimulator

from ..helpers import add_ge_entry, wait_for

COMPONENT = Path(__file__).parents[2] / "custom_components" / DOMAIN
OVEN = "D828C9A10701"
FRIDGE = "D828C9A10302"
# The appliance kinds in German, as a German user names the devices.
GERMAN_KINDS = (
    "backofen",
    "ofen",
    "kühlschrank",
    "geschirrspüler",
    "spülmaschine",
    "waschmaschine",
    "trockner",
    "kaffeemaschine",
    "espressomaschine",
    "warmwasserbereiter",
    "klimagerät",
)


def _entity_id(hass: HomeAssistant, platform: str, mac: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{mac}_{key}")
    assert entity_id is not None, f"{platform} {mac}_{key} missing"
    return entity_id


def _state(hass: HomeAssistant, entity_id: str) -> Any:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state


async def _call(hass: HomeAssistant, service: str, entity_id: str, **data: Any) -> None:
    await hass.services.async_call(
        "light", service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


def _writes(simulator: SmartHqSimulator, mac: str) -> list[tuple[int, str]]:
    return [(code, raw) for m, code, raw in simulator.household.write_log if m == mac]


async def test_oven_light_is_a_dimmable_light(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """On, off and dim; a low brightness is GE's dim level, anything else high."""
    await add_ge_entry(hass, ge_simulator)
    light = _entity_id(hass, "light", OVEN, "upper_oven_light")
    state = _state(hass, light)
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_SUPPORTED_COLOR_MODES] == [ColorMode.BRIGHTNESS]

    await _call(hass, "turn_on", light)
    assert _writes(ge_simulator, OVEN)[-1] == (0x5111, "01")
    await wait_for(hass, lambda: _state(hass, light).state == STATE_ON)
    assert _state(hass, light).attributes[ATTR_BRIGHTNESS] == 255

    await _call(hass, "turn_on", light, brightness_pct=30)
    assert _writes(ge_simulator, OVEN)[-1] == (0x5111, "02")
    await wait_for(hass, lambda: _state(hass, light).attributes[ATTR_BRIGHTNESS] < 255)

    await _call(hass, "turn_off", light)
    assert _writes(ge_simulator, OVEN)[-1] == (0x5111, "00")
    await wait_for(hass, lambda: _state(hass, light).state == STATE_OFF)
    assert not [
        entity
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), hass.config_entries.async_entries(DOMAIN)[0].entry_id
        )
        if entity.domain == "select" and entity.unique_id.endswith("_light")
    ]


async def test_oven_light_without_dim_level_is_on_off(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """An oven light that offers only off and high has no brightness."""
    ge_simulator.household.appliances[OVEN].erds[0x5112] = "03"
    await add_ge_entry(hass, ge_simulator)
    light = _entity_id(hass, "light", OVEN, "upper_oven_light")
    assert _state(hass, light).attributes[ATTR_SUPPORTED_COLOR_MODES] == [ColorMode.ONOFF]
    await _call(hass, "turn_on", light, brightness_pct=10)
    assert _writes(ge_simulator, OVEN)[-1] == (0x5111, "01")


async def test_fridge_interior_light_dims_in_percent(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """The fridge light is a light; its brightness is GE's percentage."""
    await add_ge_entry(hass, ge_simulator)
    assert (
        er.async_get(hass).async_get_entity_id("number", DOMAIN, f"{FRIDGE}_interior_light") is None
    )
    light = _entity_id(hass, "light", FRIDGE, "interior_light")
    state = _state(hass, light)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_BRIGHTNESS] == 255  # 100 %

    await _call(hass, "turn_on", light, brightness_pct=40)
    assert _writes(ge_simulator, FRIDGE)[-1] == (0x1024, "28")
    await wait_for(hass, lambda: _state(hass, light).attributes[ATTR_BRIGHTNESS] == 102)

    await _call(hass, "turn_off", light)
    assert _writes(ge_simulator, FRIDGE)[-1] == (0x1024, "00")
    await wait_for(hass, lambda: _state(hass, light).state == STATE_OFF)

    await _call(hass, "turn_on", light)
    assert _writes(ge_simulator, FRIDGE)[-1] == (0x1024, "64")


async def test_turn_on_the_oven_light_by_name(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Assist's turn-on intent finds the oven light by the name a user says."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "intent", {})
    await add_ge_entry(hass, ge_simulator)
    light = _entity_id(hass, "light", OVEN, "upper_oven_light")
    name = _state(hass, light).name
    assert name == "Kitchen Oven Upper light"
    await intent.async_handle(hass, "test", intent.INTENT_TURN_ON, {"name": {"value": name}})
    assert _writes(ge_simulator, OVEN)[-1] == (0x5111, "01")


async def test_temperature_offset_follows_a_metric_system(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """On a metric system the offset is a difference in °C; it reaches the oven in °F."""
    await add_ge_entry(hass, ge_simulator)
    offset = _entity_id(hass, "number", OVEN, "upper_oven_temperature_offset")
    attributes = _state(hass, offset).attributes
    assert attributes["unit_of_measurement"] == "°C"
    assert attributes["device_class"] == "temperature_delta"
    assert attributes["min"] == -19.4  # ±35 °F
    assert attributes["max"] == 19.4

    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: offset, "value": -2.8}, blocking=True
    )
    assert _writes(ge_simulator, OVEN)[-1] == (0x5106, "FB")  # -5 °F
    await wait_for(hass, lambda: _state(hass, offset).state == "-2.8")
    ge_simulator.household.set_erd(OVEN, 0x5106, "0A")  # +10 °F set on the panel
    await wait_for(hass, lambda: _state(hass, offset).state == "5.6")


async def test_temperature_offset_in_fahrenheit_on_a_us_system(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """On a US system the offset stays in whole °F."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    await add_ge_entry(hass, ge_simulator)
    offset = _entity_id(hass, "number", OVEN, "upper_oven_temperature_offset")
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: offset, "value": -5}, blocking=True
    )
    assert _writes(ge_simulator, OVEN)[-1] == (0x5106, "FB")
    await wait_for(hass, lambda: _state(hass, offset).state == "-5")
    assert _state(hass, offset).attributes["unit_of_measurement"] == "°F"


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"[\W_]+", text.casefold()) if word}


async def test_no_entity_name_repeats_its_device(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """ "Fridge Fridge temperature" is wrong: names never repeat the device's name or kind."""
    entry = await add_ge_entry(hass, ge_simulator)
    devices = dr.async_get(hass)
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert entities
    repeats: list[str] = []
    friendly: list[str] = []
    for entity in entities:
        assert entity.device_id is not None
        device = devices.async_get(entity.device_id)
        assert device is not None
        assert device.name is not None
        name = _state(hass, entity.entity_id).name
        friendly.append(name)
        own = name.removeprefix(device.name).strip()
        if own and own != name:
            # A water heater's entities are about the water it heats ("Usable hot water").
            taboo = (_words(device.name) | _words(device.model or "")) - {"water"}
            if _words(own) & taboo:
                repeats.append(name)
    assert repeats == []
    assert len(friendly) == len(set(friendly)), "two entities of a device share a name"


@pytest.mark.parametrize("language", ["en", "de"])
def test_no_ge_entity_name_names_an_appliance_kind(language: str) -> None:
    """Whatever the device is called, the names of its parts do not name the appliance."""
    texts = json.loads((COMPONENT / "translations" / f"{language}.json").read_text())
    kinds = {word for model in DEVICE_MODELS.values() for word in _words(model)} | {"fridge"}
    # Too common alone: "Air filter", "Hot water", a coffee maker's "maker".
    kinds -= {"air", "water", "maker"}

    def names_a_kind(name: str) -> bool:
        # German compounds ("Backofentemperatur") hide the kind inside a word.
        return bool(_words(name) & kinds) or any(kind in name.casefold() for kind in GERMAN_KINDS)

    offenders = [
        f"{platform}.{key}: {text['name']}"
        for platform, table in texts["entity"].items()
        for key, text in table.items()
        if key.startswith("ge_") and "name" in text and names_a_kind(text["name"])
    ]
    assert offenders == []
