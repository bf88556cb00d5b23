"""The ``/api/v1/config`` document of gateways before v5.0.9."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.local.config import decode_config
from simulators.lamarzocco.local_gateway import LocalGateway, old_gateway_household

MINI, MICRA = "LM000101", "MR000102"


def _document(serial: str) -> dict[str, Any]:
    return LocalGateway(old_gateway_household(), serial).config()


def test_a_linea_mini_with_scale_and_recipes() -> None:
    config = decode_config(json.dumps(_document(MINI)))
    assert config.capabilities is not None
    assert config.capabilities.family == "LINEA"
    assert config.capabilities.machine_modes == ("BrewingMode", "StandBy")
    assert config.machine_mode == "BrewingMode"
    assert config.tank_ok is True
    assert config.plumbed_in is False
    coffee = config.boilers.coffee
    assert coffee is not None
    assert coffee.target == 93.0
    assert config.boiler_targets == {"SteamBoiler": 128.0, "CoffeeBoiler1": 93.0}
    assert config.scale is not None
    assert config.scale.connected is True
    assert config.scale.battery == 64
    assert config.recipes[0].targets == {"A": 36.0, "B": 40.0}
    assert config.active_recipe == ("Recipe1", "A")
    assert config.firmware == {"machine_firmware": "1.40", "gateway_firmware": "v4.1.3"}
    assert config.group is not None
    assert config.group.has_scale is True
    assert config.smart_standby is not None
    assert config.smart_standby.minutes == 30


def test_micra_lists_each_key_twice_prebrew_then_preinfusion() -> None:
    config = decode_config(json.dumps(_document(MICRA)))
    assert config.preinfusion.mode == "TypeA"
    prebrew = config.preinfusion.prebrew("Continuous")
    preinfusion = config.preinfusion.preinfusion("Continuous")
    assert prebrew is not None
    assert preinfusion is not None
    assert (prebrew.mode, prebrew.wet, prebrew.hold) == ("TypeA", 0.5, 1.0)
    assert (preinfusion.mode, preinfusion.wet, preinfusion.hold) == ("TypeB", 0.0, 4.0)
    assert config.scale is None
    assert config.recipes == ()


def test_untyped_pairs_are_prebrew_then_preinfusion_and_single_keys_stay_untyped() -> None:
    entries = [
        {"groupNumber": "Group1", "doseType": "DoseA", "preWetTime": 1, "preWetHoldTime": 2},
        {"groupNumber": "Group1", "doseType": "DoseA", "preWetTime": 0, "preWetHoldTime": 5},
    ]
    pair = decode_config(json.dumps({"preinfusionSettings": {"mode": "TypeB", "Group1": entries}}))
    assert [entry.mode for entry in pair.preinfusion.keys] == ["TypeA", "TypeB"]
    single = decode_config(
        json.dumps({"preinfusionSettings": {"mode": "Enabled", "Group1": entries[:1]}})
    )
    only = single.preinfusion.prebrew("DoseA")
    assert only is not None
    assert only.mode is None
    assert single.preinfusion.preinfusion("DoseA") == only
    assert single.preinfusion.prebrew("DoseB") is None


def test_gs3_av_doses_per_key_and_the_older_weekly_schedule() -> None:
    document = {
        "groupCapabilities": [
            {
                "capabilities": {"groupNumber": "Group1", "hasFlowmeter": True},
                "doses": [
                    {"doseIndex": key, "doseType": "PulsesType", "stopTarget": 100 + n}
                    for n, key in enumerate(["DoseA", "DoseB", "DoseC", "DoseD"])
                ],
                "doseMode": {"groupNumber": "Group1", "brewingType": "PulsesType"},
            }
        ],
        "teaDoses": {"DoseA": {"doseIndex": "DoseA", "stopTarget": 8}},
        "weeklySchedulingConfig": {
            "enabled": True,
            "monday": {"enabled": True, "h_on": 6, "h_off": 9, "m_on": 30, "m_off": 0},
        },
    }
    config = decode_config(json.dumps(document))
    assert config.group is not None
    dose = config.group.dose("DoseC")
    assert dose is not None
    assert dose.target == 102
    assert config.group.number_of_doses == 4
    assert config.tea_doses == {"DoseA": 8}
    assert config.weekly_enabled is True
    assert config.weekly[0].on == (6, 30)
    # What older firmware leaves out reads as not known.
    assert config.capabilities is None
    assert config.tank_ok is None


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"boilers": "x"},
        {"boilers": [{"id": "SteamBoiler", "isEnabled": "maybe"}]},
        {"machineCapabilities": []},
        {"wakeUpSleepEntries": [{"id": "a", "days": ["someday"], "timeOn": "1", "timeOff": "2"}]},
        {"firmwareVersions": [{"name": "machine_firmware"}]},
    ],
)
def test_wrong_shapes_are_protocol_errors(document: Any) -> None:
    with pytest.raises(ProtocolError):
        decode_config(json.dumps(document))
