"""Confirm-gated actions across brands: each reaches only devices that can run it.

Every brand's simulator runs side by side, as in a kitchen with a Jura machine, a GE
household, a La Marzocco Micra and Pico, and a Nespresso Expert.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.service import _SERVICES_SCHEMA
from homeassistant.util.yaml import load_yaml_dict
import pytest

from custom_components.kitchen_connect.brands import spec_for_entry
from custom_components.kitchen_connect.const import DOMAIN
from simulators.ge import SmartHqSimulator
from simulators.jura.simulator import JuraSimulator
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator
from simulators.nespresso.backend import SimulatedPeripheral
from tests.conftest import nespresso_entry
from tests.helpers import JURA_MACHINE_ID, add_ge_entry, add_jura_entry

from .lamarzocco_support import MICRA, PICO, add_lamarzocco_entry, lamarzocco_simulator

__all__ = ["lamarzocco_simulator"]

SERVICES_YAML = Path(__file__).parents[2] / "custom_components" / DOMAIN / "services.yaml"
OVEN = "D828C9A10701"
BREWER = "D828C9A11A06"
ESPRESSO_MAKER = "D828C9A12107"
DISHWASHER = "D828C9A10603"


@pytest.fixture
async def kitchen(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    ge_simulator: SmartHqSimulator,
    lamarzocco_simulator: LaMarzoccoCloudSimulator,
    nespresso_expert: SimulatedPeripheral,
) -> None:
    """A device of every brand, each loaded."""
    await add_jura_entry(hass, jura_simulator)
    await add_ge_entry(hass, ge_simulator)
    await add_lamarzocco_entry(hass, lamarzocco_simulator, MICRA)
    await add_lamarzocco_entry(hass, lamarzocco_simulator, PICO)
    entry = nespresso_entry(nespresso_expert)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    jura_simulator.clear_commands()


def _device(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry:
    registry = dr.async_get(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        device = registry.async_get_device_by_identifier((DOMAIN, identifier), entry.entry_id)
        if device is not None:
            return device
    raise AssertionError(identifier)


async def _call(hass: HomeAssistant, action: str, identifier: str, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, action, {"device_id": _device(hass, identifier).id, **data}, blocking=True
    )


def _jura_sent(simulator: JuraSimulator) -> list[str]:
    """What the machine received that is not a read."""
    reads = ("@TG:43", "@TR:", "@TM:", "@HP", "@TS")
    return [command for command in simulator.commands if not command.startswith(reads)]


@pytest.mark.usefixtures("kitchen")
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("start_cycle", {}),
        ("start_cooking", {"mode": "bake"}),
        ("stop_cooking", {}),
    ],
)
async def test_a_ge_action_never_reaches_a_jura_machine(
    hass: HomeAssistant, jura_simulator: JuraSimulator, action: str, data: dict[str, Any]
) -> None:
    """`start_cycle` with confirm on a Jura machine used to send @AN:02 (standby)."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, action, JURA_MACHINE_ID, confirm=True, **data)
    assert err.value.translation_key == "action_not_supported"
    assert err.value.translation_placeholders == {"action": action, "name": "Kaffeebert"}
    assert _jura_sent(jura_simulator) == []


@pytest.mark.usefixtures("kitchen")
@pytest.mark.parametrize(
    ("action", "identifier", "data"),
    [
        ("brew", OVEN, {}),
        ("brew", ESPRESSO_MAKER, {}),
        ("standby", BREWER, {}),
        ("start_maintenance", OVEN, {"process": "descale"}),
        ("start_cycle", BREWER, {}),
        ("start_cooking", DISHWASHER, {"mode": "bake"}),
    ],
)
async def test_an_action_never_reaches_an_appliance_that_cannot_run_it(
    hass: HomeAssistant,
    ge_simulator: SmartHqSimulator,
    action: str,
    identifier: str,
    data: dict[str, Any],
) -> None:
    """`brew` on a GE oven used to return success and send nothing; now it is refused."""
    for confirm in (False, True):
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, action, identifier, confirm=confirm, **data)
        # Refused for the device, before the confirm check.
        assert err.value.translation_key == "action_not_supported"
    assert ge_simulator.household.write_log == []


@pytest.mark.usefixtures("kitchen")
async def test_fields_of_another_brand_are_refused(
    hass: HomeAssistant, jura_simulator: JuraSimulator, ge_simulator: SmartHqSimulator
) -> None:
    """`brew` is one action; each brand names the fields it takes, and says which it does not."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "brew", BREWER, confirm=True, water=40)
    assert err.value.translation_key == "action_field_not_supported"
    assert err.value.translation_placeholders["field"] == "water"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "brew", JURA_MACHINE_ID, confirm=True, product="espresso", cups=2)
    assert err.value.translation_key == "action_field_not_supported"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "brew", BREWER, confirm=True, strength="8")
    assert err.value.translation_key == "action_field_not_an_option"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "start_maintenance", BREWER, confirm=True, process="cleaning")
    assert err.value.translation_key == "action_field_not_an_option"
    assert ge_simulator.household.write_log == []
    assert _jura_sent(jura_simulator) == []


@pytest.mark.usefixtures("kitchen")
async def test_one_verb_runs_on_each_brand(
    hass: HomeAssistant, jura_simulator: JuraSimulator, ge_simulator: SmartHqSimulator
) -> None:
    """The same `brew` and `start_maintenance` calls work on a Jura machine and a Café maker."""
    await _call(hass, "brew", JURA_MACHINE_ID, confirm=True, product="espresso")
    assert any(command.startswith("@TP:") for command in jura_simulator.commands)
    await _call(hass, "brew", BREWER, confirm=True, strength="dark", cups=4)
    await _call(hass, "start_maintenance", ESPRESSO_MAKER, confirm=True, process="descale")
    assert [(mac, code) for mac, code, _raw in ge_simulator.household.write_log] == [
        (BREWER, 0x900B),
        (ESPRESSO_MAKER, 0x901A),
    ]


def _matches(device: dr.DeviceEntry, selector: Mapping[str, Any]) -> bool:
    """Whether the device picker of an action lists ``device`` (integration is ours)."""
    filters = selector.get("filter", [])
    return any(
        all(
            getattr(device, key) == value
            for key, value in rule.items()
            if key in ("manufacturer", "model", "model_id")
        )
        for rule in filters
    )


@pytest.mark.usefixtures("kitchen")
async def test_device_pickers_list_exactly_the_devices_that_can_run_the_action(
    hass: HomeAssistant,
) -> None:
    """services.yaml's filters agree with what each brand says its devices can do."""
    services = load_yaml_dict(str(SERVICES_YAML))
    registry = dr.async_get(hass)
    devices = [
        (device, entry)
        for entry in hass.config_entries.async_entries(DOMAIN)
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
    ]
    assert len(devices) == 14  # 1 Jura, 10 GE, 2 La Marzocco, 1 Nespresso
    for name, service in services.items():
        selector = service["fields"]["device_id"]["selector"]["device"]
        listed = {device.name for device, _entry in devices if _matches(device, selector)}
        runnable = set()
        for device, entry in devices:
            action = spec_for_entry(entry).action(name)
            identifier = next(ident for domain, ident in device.identifiers if domain == DOMAIN)
            if action is not None and action.can_run(entry, identifier):
                runnable.add(device.name)
        assert listed == runnable, name
        assert runnable, name


@pytest.mark.usefixtures("kitchen")
async def test_every_action_is_described_for_the_ui(hass: HomeAssistant) -> None:
    """The action editor shows each registered action with its fields and sections.

    Home Assistant validates services.yaml with this schema and silently shows no
    description at all when it fails, so the check is made here.
    """
    descriptions = _SERVICES_SCHEMA(load_yaml_dict(str(SERVICES_YAML)))
    assert set(descriptions) == set(hass.services.async_services_for_domain(DOMAIN))
    brew = descriptions["brew"]["fields"]
    assert {"device_id", "product", "strength", "temperature", "confirm"} <= set(brew)
    assert set(brew["recipe"]["fields"]) == {
        "water",
        "milk",
        "milk_foam",
        "bypass",
        "milk_break",
        "coffee",
    }
    assert set(brew["drip_coffee"]["fields"]) == {"cups", "brew_temperature"}


def test_confirm_is_offered_unticked_not_required() -> None:
    """A call made without ticking confirm reaches our refusal, which explains the action."""
    descriptions = _SERVICES_SCHEMA(load_yaml_dict(str(SERVICES_YAML)))
    for action, description in descriptions.items():
        confirm = description["fields"]["confirm"]
        assert not confirm.get("required", False), action
        assert confirm["default"] is False, action


@pytest.mark.usefixtures("kitchen")
async def test_a_call_without_confirm_says_what_would_happen(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "brew", JURA_MACHINE_ID, product="espresso")
    assert err.value.translation_key == "jura_confirm_brew"
    assert _jura_sent(jura_simulator) == []


@pytest.mark.usefixtures("kitchen")
@pytest.mark.parametrize(
    ("data", "key", "placeholders"),
    [
        ({"water": 700}, "action_field_too_high", {"field": "water", "limit": "600 mL"}),
        ({"milk": -5}, "action_field_too_low", {"field": "milk", "limit": "0 s"}),
        ({"water": "lots"}, "action_field_not_a_number", {"field": "water"}),
        ({"water": None}, "action_field_not_a_number", {"field": "water"}),
        (
            {"temperature": "warm"},
            "action_field_not_an_option",
            {"field": "temperature", "options": "low, normal, high"},
        ),
    ],
)
async def test_out_of_range_values_are_refused_in_words(
    hass: HomeAssistant,
    jura_simulator: JuraSimulator,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """The refusal names the limit and its unit, and nothing reaches the machine."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "brew", JURA_MACHINE_ID, confirm=True, product="espresso", **data)
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == placeholders
    assert _jura_sent(jura_simulator) == []
