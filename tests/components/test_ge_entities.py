"""GE description tables against the simulator: writes, pushes, refusals and absences."""

from __future__ import annotations

from collections.abc import Callable, Mapping
import json
from pathlib import Path
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest

from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.ge import (
    binary_sensor,
    button,
    light,
    number,
    select,
    sensor,
    switch,
)
from simulators.ge import SmartHqSimulator
from tests.helpers import add_ge_entry, wait_for

OVEN = "D828C9A10701"
FRIDGE = "D828C9A10302"
DISHWASHER = "D828C9A10603"
WASHER = "D828C9A10204"
BREWER = "D828C9A11A06"
ESPRESSO = "D828C9A12107"
WATER_HEATER = "D828C9A10008"
WINDOW_AC = "D828C9A10A09"

COMPONENT = Path(__file__).parents[2] / "custom_components" / DOMAIN
TABLES: dict[str, tuple[Any, ...]] = {
    "sensor": sensor.SENSORS,
    "binary_sensor": binary_sensor.BINARY_SENSORS,
    "switch": switch.SWITCHES,
    "select": select.SELECTS,
    "number": number.NUMBERS,
    "button": button.BUTTONS,
    "light": light.LIGHTS,
}


def _entity_id(hass: HomeAssistant, platform: str, mac: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{mac}_{key}")
    assert entity_id is not None, f"{platform} {mac}_{key} missing"
    return entity_id


def _missing(hass: HomeAssistant, platform: str, mac: str, key: str) -> bool:
    return er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{mac}_{key}") is None


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _attributes(hass: HomeAssistant, entity_id: str) -> Mapping[str, Any]:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.attributes


def _becomes(hass: HomeAssistant, entity_id: str, expected: str) -> Callable[[], bool]:
    return lambda: _state(hass, entity_id) == expected


async def _call(
    hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any
) -> None:
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


def _writes(simulator: SmartHqSimulator, mac: str) -> list[tuple[int, str]]:
    return [(code, raw) for m, code, raw in simulator.household.write_log if m == mac]


# --- Writes round-trip through the appliance --------------------------------------------------


async def test_fridge_setpoint_writes_both_compartments_and_converts_units(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """A setpoint in °C reaches the fridge in whole °F, the other compartment kept."""
    await add_ge_entry(hass, ge_simulator)
    fridge = _entity_id(hass, "number", FRIDGE, "fridge_setpoint")
    freezer = _entity_id(hass, "number", FRIDGE, "freezer_setpoint")
    await _call(hass, "number", "set_value", fridge, value=2)  # 35.6 °F → 36
    assert _writes(ge_simulator, FRIDGE)[-1] == (0x1005, "2400")
    await wait_for(hass, _becomes(hass, fridge, "2.0"))  # shown in whole degrees
    assert _state(hass, freezer) == "-18.0"

    await _call(hass, "number", "set_value", freezer, value=-20)  # -4 °F
    assert _writes(ge_simulator, FRIDGE)[-1] == (0x1005, "24FC")
    await wait_for(hass, _becomes(hass, freezer, "-20.0"))
    assert _state(hass, fridge) == "2.0"

    # 0 °C is 32 °F, below this fridge's 33 °F: it gets the nearest setting it takes.
    await _call(hass, "number", "set_value", fridge, value=0)
    assert _writes(ge_simulator, FRIDGE)[-1] == (0x1005, "21FC")
    await wait_for(hass, _becomes(hass, fridge, "1.0"))


async def test_switch_state_changes_only_with_the_push(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Turning an ice maker off is not shown until the fridge itself reports it."""
    await add_ge_entry(hass, ge_simulator)
    ice_maker = _entity_id(hass, "switch", FRIDGE, "fridge_ice_maker")
    household = ge_simulator.household
    # The fridge receives writes but does not act on them (yet).
    monkeypatch.setattr(
        household, "write", lambda mac, code, raw: household.write_log.append((mac, code, raw))
    )

    await _call(hass, "switch", "turn_off", ice_maker)
    assert _writes(ge_simulator, FRIDGE)[-1] == (0x100A, "0100")  # freezer's kept on
    await hass.async_block_till_done()
    assert _state(hass, ice_maker) == STATE_ON

    household.set_erd(FRIDGE, 0x100A, "0100")
    await wait_for(hass, _becomes(hass, ice_maker, STATE_OFF))
    assert _state(hass, _entity_id(hass, "switch", FRIDGE, "freezer_ice_maker")) == STATE_ON


async def test_fridge_switches_numbers_and_drawer_round_trip(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Turbo cool, hot water and drawer mode change on the fridge."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    await add_ge_entry(hass, ge_simulator)
    turbo = _entity_id(hass, "switch", FRIDGE, "turbo_cool")
    await _call(hass, "switch", "turn_on", turbo)
    await wait_for(hass, _becomes(hass, turbo, STATE_ON))
    assert ge_simulator.household.appliances[FRIDGE].erds[0x100F] == "01"

    hot_water = _entity_id(hass, "number", FRIDGE, "hot_water_setpoint")
    await _call(hass, "number", "set_value", hot_water, value=150)
    await wait_for(hass, _becomes(hass, hot_water, "150"))
    assert ge_simulator.household.appliances[FRIDGE].erds[0x1011] == "96"

    drawer = _entity_id(hass, "select", FRIDGE, "convertible_drawer")
    await _call(hass, "select", "select_option", drawer, option="position_5")
    await wait_for(hass, _becomes(hass, drawer, "position_5"))
    assert ge_simulator.household.appliances[FRIDGE].erds[0x1020] == "05"


async def test_oven_timer_and_offset(hass: HomeAssistant, ge_simulator: SmartHqSimulator) -> None:
    """The kitchen timer and temperature offset of one cavity."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    await add_ge_entry(hass, ge_simulator)
    timer = _entity_id(hass, "number", OVEN, "lower_oven_kitchen_timer")
    await _call(hass, "number", "set_value", timer, value=30)
    remaining = _entity_id(hass, "sensor", OVEN, "lower_oven_kitchen_timer_remaining")
    await wait_for(hass, _becomes(hass, remaining, "30"))
    assert _state(hass, timer) == "30"

    offset = _entity_id(hass, "number", OVEN, "upper_oven_temperature_offset")
    await _call(hass, "number", "set_value", offset, value=-5)
    assert _writes(ge_simulator, OVEN)[-1] == (0x5106, "FB")
    await wait_for(hass, _becomes(hass, offset, "-5"))


async def test_dishwasher_pause_and_cancel(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Pause and cancel reach a running dishwasher; its state follows."""
    await add_ge_entry(hass, ge_simulator)
    household = ge_simulator.household
    household.set_erd(DISHWASHER, 0x3001, "05")  # running
    mode = _entity_id(hass, "sensor", DISHWASHER, "operating_mode")
    await wait_for(hass, _becomes(hass, mode, "run"))

    await _call(hass, "button", "press", _entity_id(hass, "button", DISHWASHER, "pause_cycle"))
    assert _writes(ge_simulator, DISHWASHER)[-1] == (0x3204, "03")
    await wait_for(hass, _becomes(hass, mode, "pause"))
    stage = _entity_id(hass, "sensor", DISHWASHER, "cycle_state")
    assert _state(hass, stage) == "pause"

    await _call(hass, "button", "press", _entity_id(hass, "button", DISHWASHER, "cancel_cycle"))
    assert _writes(ge_simulator, DISHWASHER)[-1] == (0x3204, "02")
    await wait_for(hass, _becomes(hass, mode, "standby"))


async def test_dishwasher_button_refused_without_remote_start(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """With remote start off the button says why, by name, and sends nothing."""
    await add_ge_entry(hass, ge_simulator)
    ge_simulator.household.set_erd(DISHWASHER, 0x3087, "00")
    remote = _entity_id(hass, "binary_sensor", DISHWASHER, "remote_start")
    await wait_for(hass, _becomes(hass, remote, STATE_OFF))
    log_before = list(ge_simulator.household.write_log)

    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "button", "press", _entity_id(hass, "button", DISHWASHER, "pause_cycle"))
    assert caught.value.translation_key == "ge_remote_dishwasher"
    assert caught.value.translation_placeholders == {"name": "Dishwasher"}
    assert ge_simulator.household.write_log == log_before


async def test_laundry_stop_and_its_remote_check(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Stop is refused while remote control is off, and stops the washer once it is on."""
    await add_ge_entry(hass, ge_simulator)
    household = ge_simulator.household
    stop = _entity_id(hass, "button", WASHER, "stop_cycle")
    state = _entity_id(hass, "sensor", WASHER, "machine_state")
    remote = _entity_id(hass, "binary_sensor", WASHER, "remote_control")

    household.set_erd(WASHER, 0x2039, "00")
    await wait_for(hass, _becomes(hass, remote, STATE_OFF))
    log_before = list(household.write_log)
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "button", "press", stop)
    assert caught.value.translation_key == "ge_remote_laundry"
    assert caught.value.translation_placeholders == {"name": "Washer"}
    assert household.write_log == log_before
    assert _state(hass, state) == "delay_run"

    household.set_erd(WASHER, 0x2039, "01")
    await wait_for(hass, _becomes(hass, remote, STATE_ON))
    await _call(hass, "button", "press", stop)
    assert _writes(ge_simulator, WASHER)[-1] == (0x2040, "00")
    await wait_for(hass, _becomes(hass, state, "standby"))
    assert _state(hass, _entity_id(hass, "sensor", WASHER, "delay_remaining")) == "0"


async def test_cancel_brew_and_descaling(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Cancel brew stops the brewer; cancel descaling stops the espresso maker's descale."""
    await add_ge_entry(hass, ge_simulator)
    household = ge_simulator.household
    brewing = _entity_id(hass, "binary_sensor", BREWER, "brewing")
    household.set_erd(BREWER, 0x9000, "01")
    await wait_for(hass, _becomes(hass, brewing, STATE_ON))
    await _call(hass, "button", "press", _entity_id(hass, "button", BREWER, "cancel_brew"))
    assert _writes(ge_simulator, BREWER)[-1] == (0x900C, "01")
    await wait_for(hass, _becomes(hass, brewing, STATE_OFF))

    descaling = _entity_id(hass, "binary_sensor", ESPRESSO, "descaling")
    household.set_erd(ESPRESSO, 0x9019, "01")
    await wait_for(hass, _becomes(hass, descaling, STATE_ON))
    await _call(hass, "button", "press", _entity_id(hass, "button", ESPRESSO, "cancel_descaling"))
    assert _writes(ge_simulator, ESPRESSO)[-1] == (0x901B, "01")
    await wait_for(hass, _becomes(hass, descaling, STATE_OFF))


async def test_water_heater_boost_writes_the_request_and_shows_the_state(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Boost is requested through 0x4221 and shown from 0x4220."""
    await add_ge_entry(hass, ge_simulator)
    boost = _entity_id(hass, "switch", WATER_HEATER, "boost")
    await _call(hass, "switch", "turn_on", boost)
    assert _writes(ge_simulator, WATER_HEATER)[-1] == (0x4221, "01")
    await wait_for(hass, _becomes(hass, boost, STATE_ON))


async def test_pods_number_round_trips(hass: HomeAssistant, ge_simulator: SmartHqSimulator) -> None:
    """The pod count is set on the dishwasher."""
    await add_ge_entry(hass, ge_simulator)
    pods = _entity_id(hass, "number", DISHWASHER, "pods_remaining")
    await _call(hass, "number", "set_value", pods, value=35)
    await wait_for(hass, _becomes(hass, pods, "35"))
    assert ge_simulator.household.appliances[DISHWASHER].erds[0x301F] == "0023"


# --- Entities follow what the appliance reports ----------------------------------------------


async def test_entities_exist_only_for_what_is_reported(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Unreported ERDs and 'not equipped' features get no entity; the rest still do."""
    erds = ge_simulator.household.appliances[FRIDGE].erds
    del erds[0x1024]  # no dimmable interior light
    erds[0x100D] = "FF"  # quick ice not equipped
    erds[0x100A] = "FF01"  # no freezer ice maker
    erds[0x1016] = "000000FF"  # no convertible drawer door
    erds[0x1009] = "FF0000000000000000"  # no water filter
    await add_ge_entry(hass, ge_simulator)

    assert _missing(hass, "light", FRIDGE, "interior_light")
    assert _missing(hass, "switch", FRIDGE, "quick_ice")
    assert _missing(hass, "switch", FRIDGE, "freezer_ice_maker")
    assert _missing(hass, "binary_sensor", FRIDGE, "convertible_drawer_door")
    assert _missing(hass, "sensor", FRIDGE, "water_filter")
    assert _missing(hass, "sensor", FRIDGE, "water_filter_remaining")
    assert _state(hass, _entity_id(hass, "switch", FRIDGE, "fridge_ice_maker")) == STATE_ON
    assert _state(hass, _entity_id(hass, "binary_sensor", FRIDGE, "freezer_door")) == STATE_OFF
    # Appliance-wide entities appear only where reported; the oven reports neither.
    assert _missing(hass, "switch", OVEN, "sabbath_mode")
    assert _missing(hass, "sensor", OVEN, "energy")
    # The probe temperature is unknown while no probe is plugged in.
    probe = _entity_id(hass, "sensor", OVEN, "upper_oven_probe_temperature")
    assert _state(hass, probe) == "unknown"
    ge_simulator.household.set_erd(OVEN, 0x5103, "0082")
    ge_simulator.household.set_erd(OVEN, 0x5107, "01")
    await wait_for(hass, lambda: _state(hass, probe) == "54.4444444444444")


async def test_double_oven_shows_cook_time_remaining_of_both_cavities(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Each cavity has its cook time remaining: unknown while no time is set (FFFF)."""
    await add_ge_entry(hass, ge_simulator)
    upper = _entity_id(hass, "sensor", OVEN, "upper_oven_cook_time_remaining")
    lower = _entity_id(hass, "sensor", OVEN, "lower_oven_cook_time_remaining")
    assert _state(hass, upper) == "unknown"
    assert _state(hass, lower) == "unknown"
    assert _attributes(hass, lower)["friendly_name"] == "Kitchen Oven Lower cook time remaining"

    ge_simulator.household.set_erd(OVEN, 0x5204, "003C")
    await wait_for(hass, _becomes(hass, lower, "60"))
    ge_simulator.household.set_erd(OVEN, 0x5204, "FFFF")
    await wait_for(hass, _becomes(hass, lower, "unknown"))


async def test_durations_not_set_still_have_their_entities(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Timers and times remaining that read "not set" (FFFF) exist and show unknown."""
    appliances = ge_simulator.household.appliances
    appliances[OVEN].erds[0x5105] = "FFFF"
    appliances[OVEN].erds[0x5208] = "FFFF"
    appliances[DISHWASHER].erds[0xD004] = "FFFF"
    appliances[WASHER].erds[0x2007] = "FFFF"
    appliances[WASHER].erds[0x2010] = "FFFF"
    appliances[WATER_HEATER].erds[0x4028] = "FFFF"
    await add_ge_entry(hass, ge_simulator)

    for platform, mac, key in (
        ("number", OVEN, "upper_oven_kitchen_timer"),
        ("sensor", OVEN, "upper_oven_kitchen_timer_remaining"),
        ("sensor", OVEN, "lower_oven_elapsed_cook_time"),
        ("sensor", DISHWASHER, "time_remaining"),
        ("sensor", WASHER, "time_remaining"),
        ("sensor", WASHER, "delay_remaining"),
        ("sensor", WATER_HEATER, "mode_hours_remaining"),
    ):
        assert _state(hass, _entity_id(hass, platform, mac, key)) == "unknown", key

    delay = _entity_id(hass, "sensor", WASHER, "delay_remaining")
    ge_simulator.household.set_erd(WASHER, 0x2010, "003C")
    await wait_for(hass, _becomes(hass, delay, "60"))


async def test_all_ones_readings_mean_no_value(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """An AC target range of FF gives the usual 60-86 °F; a fridge light of FF is none."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    appliances = ge_simulator.household.appliances
    appliances[WINDOW_AC].erds[0x7B06] = "FFFF"
    appliances[FRIDGE].erds[0x1024] = "FF"
    await add_ge_entry(hass, ge_simulator)

    climate = _entity_id(hass, "climate", WINDOW_AC, "air_conditioner")
    assert _attributes(hass, climate)["min_temp"] == 60
    assert _attributes(hass, climate)["max_temp"] == 86
    assert _missing(hass, "light", FRIDGE, "interior_light")


async def test_single_oven_is_named_oven_with_stable_unique_ids(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Without a lower cavity the names need no cavity; ids stay the upper cavity's."""
    erds = ge_simulator.household.appliances[OVEN].erds
    for code in [code for code in erds if code & 0xFF00 == 0x5200]:
        del erds[code]
    erds[0x5007] = "0890"  # the double oven's configuration without "lower oven"
    await add_ge_entry(hass, ge_simulator)

    state = _entity_id(hass, "sensor", OVEN, "upper_oven_state")
    assert _attributes(hass, state)["friendly_name"] == "Kitchen Oven Cook mode"
    light = _entity_id(hass, "light", OVEN, "upper_oven_light")
    assert _attributes(hass, light)["friendly_name"] == "Kitchen Oven Light"
    assert _missing(hass, "sensor", OVEN, "lower_oven_state")
    assert _missing(hass, "number", OVEN, "lower_oven_kitchen_timer")


async def test_sabbath_mode_and_energy_where_reported(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """A dishwasher reporting sabbath mode and energy gets a switch and a meter."""
    erds = ge_simulator.household.appliances[DISHWASHER].erds
    erds[0x0009] = "00"
    erds[0xD007] = "000004D2"
    await add_ge_entry(hass, ge_simulator)
    energy = _entity_id(hass, "sensor", DISHWASHER, "energy")
    assert _state(hass, energy) == "1234"

    sabbath = _entity_id(hass, "switch", DISHWASHER, "sabbath_mode")
    assert _state(hass, sabbath) == STATE_OFF
    ge_simulator.household.set_erd(DISHWASHER, 0x0009, "01")  # set on the panel
    await wait_for(hass, _becomes(hass, sabbath, STATE_ON))
    await _call(hass, "switch", "turn_off", sabbath)
    assert _writes(ge_simulator, DISHWASHER)[-1] == (0x0009, "00")


async def test_air_conditioner_extras(hass: HomeAssistant, ge_simulator: SmartHqSimulator) -> None:
    """Sleep, swing and turbo/quiet (as the unit offers it) on an AC that reports them."""
    erds = ge_simulator.household.appliances[WINDOW_AC].erds
    erds |= {0x7B05: "00", 0x7B07: "00", 0x795E: "00", 0x795F: "03", 0x7963: "00"}
    await add_ge_entry(hass, ge_simulator)
    household = ge_simulator.household

    modifier = _entity_id(hass, "select", WINDOW_AC, "turbo_quiet")
    assert _attributes(hass, modifier)["options"] == ["normal", "turbo"]
    await _call(hass, "select", "select_option", modifier, option="turbo")
    assert _writes(ge_simulator, WINDOW_AC)[-1] == (0x795E, "01")
    household.set_erd(WINDOW_AC, 0x7963, "01")  # the unit reports the modifier it runs
    await wait_for(hass, _becomes(hass, modifier, "turbo"))

    sleep = _entity_id(hass, "switch", WINDOW_AC, "sleep_mode")
    await _call(hass, "switch", "turn_on", sleep)
    assert _writes(ge_simulator, WINDOW_AC)[-1] == (0x7B05, "01")
    swing = _entity_id(hass, "switch", WINDOW_AC, "vertical_swing")
    await _call(hass, "switch", "turn_on", swing)
    assert _writes(ge_simulator, WINDOW_AC)[-1] == (0x7B07, "01")

    filter_alert = _entity_id(hass, "binary_sensor", WINDOW_AC, "filter")
    household.set_erd(WINDOW_AC, 0x7A04, "01")
    await wait_for(hass, _becomes(hass, filter_alert, STATE_ON))


async def test_enum_states_stay_within_their_options(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Legacy and 'unknown' slugs never show up as states outside the options."""
    await add_ge_entry(hass, ge_simulator)
    wash = _entity_id(hass, "sensor", WASHER, "wash_temperature")
    ge_simulator.household.set_erd(WASHER, 0x2016, "02")  # legacy "warm"
    await wait_for(hass, _becomes(hass, wash, "warm"))
    ge_simulator.household.set_erd(WASHER, 0x2016, "06")  # "disable": not applicable
    await wait_for(hass, _becomes(hass, wash, "unknown"))
    cycle = _entity_id(hass, "sensor", WASHER, "selected_cycle")
    ge_simulator.household.set_erd(WASHER, 0x200A, "00")  # not defined
    await wait_for(hass, _becomes(hass, cycle, "unknown"))


# --- Names, states and icons are translated --------------------------------------------------


def test_every_translation_key_and_option_is_translated() -> None:
    """Each description's name and each enum/select option has English text."""
    entity = json.loads((COMPONENT / "translations" / "en.json").read_text())["entity"]
    for platform, table in TABLES.items():
        for description in table:
            text = entity[platform].get(f"ge_{description.translation_key}")
            assert text is not None, f"{platform}.{description.translation_key}"
            assert text["name"]
            for option in getattr(description, "options", None) or ():
                assert option in text.get("state", {}), (description.translation_key, option)


def test_entities_without_a_device_class_have_an_icon() -> None:
    """A GE entity whose device class brings no icon gets one of its own."""
    icons = json.loads((COMPONENT / "icons.json").read_text())["entity"]
    for platform, table in TABLES.items():
        for description in table:
            if description.device_class in (None, "enum"):
                icon = icons[platform].get(f"ge_{description.translation_key}")
                assert icon is not None, f"{platform}.{description.translation_key}"
                assert icon["default"].startswith("mdi:")
