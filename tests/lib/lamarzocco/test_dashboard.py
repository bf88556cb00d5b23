"""Dashboards of the household's machines, the grinder and the things we only list."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.dashboard import (
    KNOWN_WIDGETS,
    BackFlush,
    BrewByWeight,
    CoffeeBoiler,
    EnabledWidget,
    GrinderDoses,
    GrinderGrindWith,
    GrinderMoreDose,
    GrinderStatus,
    GroupDoses,
    HotWaterDose,
    MachineStatus,
    NoWater,
    PreBrewing,
    PreExtraction,
    RawWidget,
    RinseFlush,
    Scale,
    SteamBoilerLevel,
    SteamBoilerTemperature,
    parse_dashboard,
    parse_dashboard_push,
    parse_widget,
    parse_widget_output,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.models import (
    Accessory,
    FirmwareType,
    ModelCode,
    ThingType,
    model_from,
    parse_coffee_station,
    parse_firmwares,
    parse_things,
)

from . import samples


def _output(dashboard: dict[str, Any], code: str) -> Any:
    widget = parse_dashboard(dashboard).widget(code)
    assert widget is not None
    return widget.output


def test_micra_dashboard() -> None:
    dashboard = parse_dashboard(samples.MICRA)
    assert dashboard.thing.model is ModelCode.LINEA_MICRA
    assert dashboard.thing.supported
    assert dashboard.thing.serial_number == "MR012345"
    assert "MR012345" not in repr(dashboard)
    status = _output(samples.MICRA, "CMMachineStatus")
    assert isinstance(status, MachineStatus)
    assert (status.status, status.mode, status.brewing_start_ms) == (
        "PoweredOn",
        "BrewingMode",
        None,
    )
    assert status.next_status == "StandBy"
    boiler = _output(samples.MICRA, "CMCoffeeBoiler")
    assert isinstance(boiler, CoffeeBoiler)
    assert (boiler.target_temperature, boiler.target_min, boiler.target_max) == (94.0, 80, 100)
    steam = _output(samples.MICRA, "CMSteamBoilerLevel")
    assert isinstance(steam, SteamBoilerLevel)
    assert steam.target_level == "Level3"
    assert steam.ready_start_ms == samples.MS + 120_000
    prebrew = _output(samples.MICRA, "CMPreBrewing")
    assert isinstance(prebrew, PreBrewing)
    assert prebrew.available_modes == ("PreBrewing", "PreInfusion", "Disabled")
    (dose,) = prebrew.times["PreBrewing"]
    assert (dose.in_time.seconds, dose.out_time.seconds, dose.out_time.maximum) == (2, 3, 10)
    backflush = _output(samples.MICRA, "CMBackFlush")
    assert backflush == BackFlush("Off", samples.MS - 86_400_000)


def test_linea_mini_with_scale() -> None:
    dashboard = parse_dashboard(samples.LINEA_MINI)
    assert dashboard.thing.model is ModelCode.LINEA_MINI
    status = _output(samples.LINEA_MINI, "CMMachineStatus")
    assert status.brewing_start_ms == samples.MS
    steam = _output(samples.LINEA_MINI, "CMSteamBoilerTemperature")
    assert isinstance(steam, SteamBoilerTemperature)
    assert not steam.target_temperature_supported
    bbw = _output(samples.LINEA_MINI, "CMBrewByWeightDoses")
    assert isinstance(bbw, BrewByWeight)
    assert bbw.scale_connected
    assert bbw.mode == "Dose1"
    assert (bbw.doses["Dose1"].dose, bbw.doses["Dose2"].dose) == (36.0, 40.5)
    assert bbw.doses["Dose2"].dose_index == "Dose2"
    scale = _output(samples.LINEA_MINI, "ThingScale")
    assert scale == Scale("LMZ-123A45", True, 64, False)
    assert _output(samples.LINEA_MINI, "CMNoWater") == NoWater(alarm=True)
    prebrew = _output(samples.LINEA_MINI, "CMPreBrewing")
    assert prebrew.available_modes == ("PreBrewing", "Disabled")


def test_gs3_av_doses_and_pre_extraction() -> None:
    assert parse_dashboard(samples.GS3_AV).thing.model is ModelCode.GS3_AV
    steam = _output(samples.GS3_AV, "CMSteamBoilerTemperature")
    assert steam.target_temperature == 123.9
    assert steam.target_temperature_supported
    doses = _output(samples.GS3_AV, "CMGroupDoses")
    assert isinstance(doses, GroupDoses)
    assert [dose.dose_index for dose in doses.doses["PulsesType"]] == [
        "DoseA",
        "DoseB",
        "DoseC",
        "DoseD",
    ]
    assert doses.doses["PulsesType"][3].dose == 123
    hot_water = _output(samples.GS3_AV, "CMHotWaterDose")
    assert isinstance(hot_water, HotWaterDose)
    assert hot_water.doses[0].maximum == 30
    pre = _output(samples.GS3_AV, "CMPreExtraction")
    assert pre == PreExtraction("PreInfusion", ("PreBrewing", "PreInfusion", "Disabled"), 0, 4)


def test_mini_r_is_known_by_its_cloud_name_and_has_rinse_flush() -> None:
    dashboard = parse_dashboard(samples.LINEA_MINI_R)
    assert dashboard.thing.model is ModelCode.LINEA_MINI_R
    rinse = _output(samples.LINEA_MINI_R, "CMRinseFlush")
    assert isinstance(rinse, RinseFlush)
    assert rinse.time is not None
    assert (rinse.time.seconds, rinse.time.step) == (3, 0.5)
    assert _output(samples.LINEA_MINI_R, "CMCupWarmer") == EnabledWidget("CMCupWarmer", False)


def test_pico_grinder() -> None:
    dashboard = parse_dashboard(samples.PICO)
    assert dashboard.thing.model is ModelCode.PICO_GRINDER
    assert dashboard.thing.thing_type is ThingType.GRINDER
    assert dashboard.thing.supported
    status = _output(samples.PICO, "GMachineStatus")
    assert isinstance(status, GrinderStatus)
    assert status.mode == "GrindingMode"
    doses = _output(samples.PICO, "GDoses")
    assert isinstance(doses, GrinderDoses)
    assert doses.mode == "TimeType"
    assert [dose.dose for dose in doses.doses["TimeType"]] == [8.5, 12]
    assert doses.doses["MassType"][0].minimum == 5
    assert _output(samples.PICO, "GSingleDoseMode").enabled
    assert not _output(samples.PICO, "GBaristaLight").enabled
    assert _output(samples.PICO, "GHopperOpened") == RawWidget("GHopperOpened", {"opened": False})


def test_unsupported_things_parse_with_model_only() -> None:
    strada = parse_dashboard(samples.STRADA_X)
    assert strada.thing.model is ModelCode.STRADA_X
    assert not strada.thing.supported
    assert isinstance(strada.widget("CMMachineGroupStatus").output, MachineStatus)  # type: ignore[union-attr]
    assert isinstance(strada.widget("CMTapMode").output, RawWidget)  # type: ignore[union-attr]
    swan = parse_dashboard(samples.SWAN)
    assert not swan.thing.supported
    assert _output(samples.SWAN, "GMoreDose") == GrinderMoreDose(2, 0, 10, 1)
    assert _output(samples.SWAN, "GGrindWith") == GrinderGrindWith("Portafilter")
    assert isinstance(_output(samples.SWAN, "GSpeed"), RawWidget)


def test_malformed_known_widget_is_kept_raw_and_the_rest_still_parses() -> None:
    broken = copy.deepcopy(samples.MICRA)
    broken["widgets"][1]["output"]["targetTemperature"] = "hot"
    broken["widgets"].append({"code": "GMachineStatus", "index": 1, "output": None})
    dashboard = parse_dashboard(broken)
    assert isinstance(dashboard.widget("CMCoffeeBoiler").output, RawWidget)  # type: ignore[union-attr]
    assert isinstance(dashboard.widget("GMachineStatus").output, RawWidget)  # type: ignore[union-attr]
    assert isinstance(dashboard.widget("CMMachineStatus").output, MachineStatus)  # type: ignore[union-attr]
    assert dashboard.widget("CMNothing") is None


@pytest.mark.parametrize("temperature", [-5, 250, float("nan"), True, 10**400])
def test_out_of_range_temperature_is_not_taken(temperature: Any) -> None:
    output = copy.deepcopy(samples.MICRA["widgets"][1]["output"])
    output["targetTemperature"] = temperature
    with pytest.raises(ProtocolError):
        parse_widget_output("CMCoffeeBoiler", output)


def test_unknown_code_is_not_a_known_widget() -> None:
    with pytest.raises(ProtocolError):
        parse_widget_output("CMSomethingNew", {})


@pytest.mark.parametrize(
    "dashboard",
    [None, [], {}, {"serialNumber": "X", "widgets": {}}, {"serialNumber": "X", "widgets": [5]}],
)
def test_unusable_dashboard_is_a_protocol_error(dashboard: Any) -> None:
    with pytest.raises(ProtocolError):
        parse_dashboard(dashboard)


def test_too_many_widgets_is_a_protocol_error() -> None:
    flood = {"serialNumber": "X", "widgets": [{"code": "A", "index": 1}] * 300}
    with pytest.raises(ProtocolError):
        parse_dashboard(flood)


def test_widget_without_index_counts_as_the_first() -> None:
    assert parse_widget({"code": "CMCupWarmer", "output": {"enabled": True}}).index == 1
    with pytest.raises(ProtocolError):
        parse_widget({"code": "CMCupWarmer", "index": 5000, "output": {"enabled": True}})


def test_grinder_speed_levels() -> None:
    output = copy.deepcopy(samples.PICO["widgets"][1]["output"])
    output["speedLevels"] = [{"doseIndex": "DoseA", "level": "High"}]
    doses = parse_widget_output("GDoses", output)
    assert isinstance(doses, GrinderDoses)
    assert doses.speed_levels == {"DoseA": "High"}


def test_push_with_widgets_removals_and_command_results() -> None:
    push = parse_dashboard_push(samples.PUSH)
    assert push.connected is True
    assert push.widgets[0].output.status == "Brewing"  # type: ignore[union-attr]
    assert push.removed == (("CMNoWater", 1),)
    assert [(c.status, c.error_code) for c in push.commands] == [
        ("Success", None),
        ("Error", "MachineOff"),
    ]


def test_empty_push() -> None:
    push = parse_dashboard_push({})
    assert (push.connected, push.widgets, push.removed, push.commands) == (None, (), (), ())


def test_things_list_and_models() -> None:
    things = parse_things([samples.MICRA, samples.PICO, samples.STRADA_X, {"serialNumber": "ZZ1"}])
    assert [thing.supported for thing in things] == [True, True, False, False]
    assert things[3].model is None
    assert things[3].thing_type is ThingType.OTHER
    assert things[3].name == "unknown"
    assert model_from(None, "Linea Mini 2023") is ModelCode.LINEA_MINI_R
    assert model_from("GS3 MP") is ModelCode.GS3_MP
    assert model_from("MICRA") is ModelCode.LINEA_MICRA
    assert model_from("KETTLE", "Kettle") is None
    with pytest.raises(ProtocolError):
        parse_things({})


def test_firmwares() -> None:
    firmwares = parse_firmwares(
        [
            {
                "type": "Gateway",
                "buildVersion": "v5.0.9",
                "status": "ToUpdate",
                "availableUpdate": {"type": "Gateway", "buildVersion": "v5.2.1"},
            },
            {"type": "Machine", "buildVersion": "v1.7", "availableUpdate": None},
            {"type": "Bootloader", "buildVersion": "v0.1"},
        ]
    )
    assert [(f.firmware_type, f.version, f.available_version) for f in firmwares] == [
        (FirmwareType.GATEWAY, "v5.0.9", "v5.2.1"),
        (FirmwareType.MACHINE, "v1.7", None),
        (FirmwareType.OTHER, "v0.1", None),
    ]
    with pytest.raises(ProtocolError):
        parse_firmwares(None)
    with pytest.raises(ProtocolError):
        parse_firmwares([{"type": "Gateway"}])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.sampled_from(sorted(KNOWN_WIDGETS)), _JSON)
def test_random_widget_output_parses_or_is_a_protocol_error(code: str, output: Any) -> None:
    with contextlib.suppress(ProtocolError):
        parse_widget_output(code, output)


@given(st.sampled_from(sorted(KNOWN_WIDGETS)), _JSON)
def test_random_widget_never_fails_the_dashboard(code: str, output: Any) -> None:
    dashboard = {"serialNumber": "MR1", "widgets": [{"code": code, "index": 1, "output": output}]}
    assert parse_dashboard(dashboard).widgets[0].code == code


_SAMPLE_WIDGETS = [
    widget
    for sample in (samples.MICRA, samples.LINEA_MINI, samples.GS3_AV, samples.PICO)
    for widget in sample["widgets"]
]


@given(st.sampled_from(_SAMPLE_WIDGETS), st.data())
def test_mutated_sample_widgets_parse_or_are_kept_raw(
    widget: dict[str, Any], data: st.DataObject
) -> None:
    output = copy.deepcopy(widget["output"])
    key = data.draw(st.sampled_from(sorted(output)))
    output[key] = data.draw(_JSON)
    with contextlib.suppress(ProtocolError):
        parse_widget_output(widget["code"], output)


@given(_JSON)
def test_random_dashboard_and_push_parse_or_are_protocol_errors(data: Any) -> None:
    for parser in (parse_dashboard, parse_dashboard_push, parse_things, parse_firmwares):
        with contextlib.suppress(ProtocolError):
            parser(data)


def test_odd_fields_in_one_thing_never_fail_the_list() -> None:
    odd = {
        "serialNumber": "LM9",
        "type": 3,
        "name": {"x": 1},
        "modelCode": "LINEAMINI",
        "modelName": None,
        "connected": "yes",
        "connectionDate": -5,
        "bleAuthToken": 12,
        "coffeeStation": {
            "machine": "LM9",
            "grinders": [{"serialNumber": "PG1"}, 7, None, "PG2"],
            "accessories": [
                None,
                {"name": "no type"},
                {"type": "ScaleAcaiaLunar", "name": "Lunar", "batteryLevel": "full"},
            ],
        },
    }
    things = parse_things([odd, {"type": "CoffeeMachine"}, None, samples.MICRA])
    assert [thing.serial_number for thing in things] == ["LM9", samples.MICRA["serialNumber"]]
    thing = things[0]
    assert (thing.thing_type, thing.model, thing.name, thing.connected) == (
        ThingType.OTHER,
        ModelCode.LINEA_MINI,
        "LINEAMINI",
        False,
    )
    assert (thing.ble_auth_token, thing.connection_date_ms) == (None, None)
    station = thing.coffee_station
    assert station is not None
    assert (station.machine_serial, station.grinder_serials) == ("LM9", ("PG1", "PG2"))
    assert station.accessories == (Accessory("ScaleAcaiaLunar", "Lunar", False, None),)
    assert station.scale == station.accessories[0]
    assert parse_coffee_station(None) is None
    assert parse_coffee_station([]) is None


@given(_JSON)
def test_random_coffee_station_never_fails(data: Any) -> None:
    parse_coffee_station(data)
    parse_things([{"serialNumber": "MR1", "coffeeStation": data}])
