"""The ERD codec against the fact sheet's vectors (ge-smarthq.md 5.2/5.3) and GE's layouts."""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys
from typing import Any

import pytest

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError, ProtocolError
from custom_components.kitchen_connect.kitchenlib.ge.erd import (
    ApplianceType,
    ErdField,
    ErdValue,
    appliance_type,
    decode_erd,
    definitions,
    encode_erd,
    erd_spec,
    format_erd_code,
    known_erd_codes,
    parse_erd_code,
)
from custom_components.kitchen_connect.kitchenlib.ge.erd.fields import (
    make_reader,
    make_writer,
    read_identity,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
GENERATOR = REPO_ROOT / "scripts" / "generate_ge_erds.py"
REFERENCE_JSON = REPO_ROOT.parent / "shared" / "reference" / "data" / "ge_erd_definitions.json"
COMMITTED = Path(definitions.__file__)

OVEN_OFF = {
    "mode": "no_mode",
    "cook_temperature": 0,
    "cook_time": 0,
    "probe_temperature": 0,
    "delay_time": 0,
    "two_temp_cook_temperature": 0,
    "two_temp_cook_time": 0,
}

FRIDGE_37_0 = {"fresh_food_desired_temperature": 37, "freezer_desired_temperature": 0}


def value(code: int, raw: str) -> Any:
    return decode_erd(code, raw).value


# --- codes -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["0x7a00", "0x7A00", "0X7a00"])
def test_codes_parse_in_any_case(text: str) -> None:
    assert parse_erd_code(text) == 0x7A00


@pytest.mark.parametrize(("text", "code"), [("0x7a0F", 0x7A0F), ("0xfffe", 0xFFFE), ("0x0000", 0)])
def test_codes_in_mixed_case_or_unknown_to_the_table_parse_too(text: str, code: int) -> None:
    assert parse_erd_code(text) == code


@pytest.mark.parametrize("text", ["7A00", "0x7A0", "0x7A000", "0x7G00", " 0x7A00", "", "0x"])
def test_malformed_codes_are_protocol_errors(text: str) -> None:
    with pytest.raises(ProtocolError, match="not an ERD code"):
        parse_erd_code(text)


def test_codes_format_like_the_wire() -> None:
    assert format_erd_code(0x7A00) == "0x7A00"
    assert format_erd_code(0x0008) == "0x0008"


# --- generic decoding rules ----------------------------------------------------------------


def test_unknown_code_stays_raw() -> None:
    assert decode_erd(0xABCD, "0a1b") == ErdValue(0xABCD, "0A1B", None)


def test_empty_value_means_no_value() -> None:
    assert decode_erd(0x1009, "") == ErdValue(0x1009, "", None)


@pytest.mark.parametrize("code", [0x1009, 0xABCD])
@pytest.mark.parametrize("raw", ["0", "0G", "00 01", "zz", "\uff10\uff11"])
def test_bad_hex_is_a_protocol_error_for_any_code(code: int, raw: str) -> None:
    with pytest.raises(ProtocolError, match="hex"):
        decode_erd(code, raw)


def test_too_short_for_the_layout_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="0x1009 needs 9 bytes"):
        decode_erd(0x1009, "000064")


def test_trailing_bytes_are_tolerated() -> None:
    assert value(0x2007, "0708FFFF") == 1800


def test_raw_is_kept_upper_case() -> None:
    assert decode_erd(0x7A00, "0a").raw == "0A"


def test_signed_byte_80_is_minus_128() -> None:
    assert value(0x5106, "80") == -128
    assert value(0x5106, "FB") == -5


def test_enum_number_outside_the_list_is_none() -> None:
    assert value(0x2000, "FE") is None


def test_whole_byte_flag_ff_is_not_applicable() -> None:
    assert value(0x9000, "01") is True
    assert value(0x9000, "00") is False
    assert value(0x9000, "FF") is None


def test_non_text_values_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError, match="not text"):
        decode_erd(0x1009, 123)  # type: ignore[arg-type]


def test_text_with_non_ascii_bytes_is_none() -> None:
    assert value(0x301C, "80" + "00" * 19)["selected_cycle_name"] is None


def test_values_are_immutable() -> None:
    decoded = decode_erd(0x7A00, "08")
    # FrozenInstanceError for a frozen dataclass is an AttributeError too.
    with pytest.raises(AttributeError):
        decoded.value = "low"  # type: ignore[misc]


# --- fact sheet 5.3 vectors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected", "kind"),
    [
        ("07", "oven", ApplianceType.OVEN),
        ("1A", "coffee_brewer", ApplianceType.CAFE_COFFEE_MAKER),
        ("21", "espresso_coffee_maker", ApplianceType.ESPRESSO_MAKER),
        ("16", "portable_ac", ApplianceType.PORTABLE_AIR_CONDITIONER),
        ("0E", "split_dfs_duct_free_split_ac", ApplianceType.SPLIT_AIR_CONDITIONER),
    ],
)
def test_appliance_type(raw: str, expected: str, kind: ApplianceType) -> None:
    decoded = decode_erd(0x0008, raw)
    assert decoded.value == expected
    assert appliance_type(decoded) is kind
    assert appliance_type(decoded.value) is kind
    assert appliance_type(raw.lower()) is kind
    assert appliance_type(int(raw, 16)) is kind


@pytest.mark.parametrize("given", [0x7F, "7F", "toaster", "", None, True, "0x07"])
def test_unlisted_appliance_types_are_unknown(given: Any) -> None:
    assert appliance_type(given) is ApplianceType.UNKNOWN
    assert appliance_type(decode_erd(0x0008, "7F")) is ApplianceType.UNKNOWN


def test_bake_350_reads_and_writes_the_observed_bytes() -> None:
    bake = {**OVEN_OFF, "mode": "bake_no_option", "cook_temperature": 350}
    assert value(0x5100, "01015E00000000000000000000") == bake
    assert encode_erd(0x5100, bake) == "01015E00000000000000000000"


def test_oven_off_is_all_zeros() -> None:
    assert value(0x5100, "00" * 13) == OVEN_OFF
    assert encode_erd(0x5100, OVEN_OFF) == "00" * 13
    assert encode_erd(0x5200, OVEN_OFF) == "00" * 13


def test_convection_bake_with_cook_time() -> None:
    expected = {
        **OVEN_OFF,
        "mode": "convection_bake_no_option",
        "cook_temperature": 380,
        "cook_time": 30,
    }
    assert value(0x5100, "12017C001E0000000000000000") == expected
    assert value(0x5200, "12017C001E0000000000000000") == expected


def test_cook_times_are_an_hours_byte_and_a_minutes_byte() -> None:
    # GE's layout, not gehomesdk's u16 minutes: 90 minutes is 01 1E, not 00 5A.
    command = {**OVEN_OFF, "mode": "bake_no_option", "cook_temperature": 350, "cook_time": 90}
    assert encode_erd(0x5100, command) == "01015E011E0000000000000000"
    assert value(0x5100, "01015E011E0000000000000000")["cook_time"] == 90
    assert value(0x5100, "01015E00000000021E00000000")["delay_time"] == 150


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        (0x5101, "05", "bake"),
        (0x5101, "01", "preheat"),
        (0x5104, "003C", 60),
        (0x5104, "FFFF", None),  # no cook time set
        (0x5105, "002D", 45),
        (0x510D, "00B1", 177),
        (0x5109, "00CC", 204),
        (0x5106, "FB", -5),
        (0x3001, "05", "run"),
        (0x300E, "03", "main_wash"),
        (0xD004, "005A", 90),
        (0x2000, "02", "run"),
        (0x2001, "03", "wash"),
        (0x2007, "0708", 1800),
        (0x2010, "003C", 60),
        (0x200A, "08", "normal_or_mixed_load"),
        (0x4024, "04E2", 125.0),
        (0x4024, "04B0", 120.0),
        (0x4026, "0481", 115.3),
        (0x4026, "0480", 115.2),
        (0x7A00, "08", "high"),
        (0x7A00, "01", "auto"),
        (0x7A01, "00", "cool"),
        (0x7A02, "5A", 90),
        (0x7A02, "4D", 77),
        (0x7A0F, "00", False),
        (0x7B07, "01", True),
        (0x7003, "004B", 75),
        (0x0007, "01", "celsius"),
        (0x0100, "00000B27", "0.0.11.39"),
        (0x0100, "00000620", "0.0.6.32"),
        (0x0099, "00", "unknown"),
    ],
)
def test_single_value_vectors(code: int, raw: str, expected: Any) -> None:
    assert value(code, raw) == expected


@pytest.mark.parametrize(
    ("code", "raw"),
    [
        (0x5104, "FFFF"),  # cook time remaining: none (fact sheet 3.4 and 5.3)
        (0x5204, "FFFF"),
        (0x2038, "FFFF"),  # delay-start request processed (3.7)
        (0x5102, "FFFF"),  # durations: FFFF is "not set" (3.1)
        (0x5105, "FFFF"),
        (0xD004, "FFFF"),
        (0x2007, "FFFF"),
        (0x2010, "FFFF"),
        (0x4028, "FFFF"),
        (0x1024, "FF"),  # dispenser light: not fitted (3.5)
    ],
)
def test_documented_sentinels_decode_to_none(code: int, raw: str) -> None:
    assert value(code, raw) is None


def test_the_number_below_a_sentinel_is_still_a_number() -> None:
    assert value(0x5104, "FFFE") == 0xFFFE
    assert value(0x1024, "64") == 100
    assert value(0x2038, "0000") == 0


def test_target_range_of_ff_leaves_the_default_to_the_caller() -> None:
    assert value(0x7B06, "4056") == {
        "minimum_target_temperature": 64,
        "maximum_target_temperature": 86,
    }
    assert value(0x7B06, "FFFF") == {
        "minimum_target_temperature": None,
        "maximum_target_temperature": None,
    }


def test_unknown_smart_dispense_loads_are_none() -> None:
    assert value(0x203D, "FF01")["smart_dispense_estimated_loads_remaining"] is None
    assert value(0x203D, "0C01")["smart_dispense_estimated_loads_remaining"] == 12


def test_a_sentinel_cannot_be_written_as_a_number() -> None:
    field = erd_spec(0x2038).fields[0]  # type: ignore[union-attr]
    assert field.maximum == 0xFFFE
    assert encode_erd(0x2038, 0) == "0000"
    assert encode_erd(0x2038, 0xFFFE) == "FFFE"
    for bad in (0xFFFF, None):
        with pytest.raises(InvalidValueError):
            encode_erd(0x2038, bad)


def test_oven_configuration() -> None:
    double = value(0x5007, "0888")
    single = value(0x5007, "0880")
    assert double["has_lower_oven"] is True
    assert single["has_lower_oven"] is False
    assert double["has_extended_cook_modes"] is single["has_extended_cook_modes"] is True


def test_oven_temperature_limits() -> None:
    assert value(0x5008, "022600AA") == {"maximum": 550, "minimum": 170}


def test_available_cook_modes_use_bits_from_the_end() -> None:
    # byte 9 mask 02 is bake, byte 7 mask 04 convection bake (fact sheet 3.4).
    modes = value(0x510B, "00000000000000040002")
    assert modes["bake_no_option"] == 1
    assert modes["convection_bake_no_option"] == 1
    assert sum(modes.values()) == 2
    extended = value(0x5113, "0002C0" + "00" * 19)
    assert extended["air_fry_no_option"] == extended["air_fry_probe"] == 1
    assert extended["air_fry_probe_delay_start"] == 1
    assert extended["air_fry_delay_start"] == 0


def test_fridge_setpoints() -> None:
    assert value(0x1005, "2500") == {
        "fresh_food_desired_temperature": 37,
        "freezer_desired_temperature": 0,
    }
    setpoints = value(0x1005, "25FE")
    assert setpoints["freezer_desired_temperature"] == -2
    assert encode_erd(0x1005, setpoints) == "25FE"


def test_fridge_setpoint_limits() -> None:
    assert value(0x100B, "2126F807") == {
        "fresh_food_minimum_temperature": 33,
        "fresh_food_maximum_temperature": 38,
        "freezer_minimum_temperature": -8,
        "freezer_maximum_temperature": 7,
    }


def test_fridge_doors() -> None:
    assert value(0x1016, "00000100") == {
        "fresh_food_right_door_status": "closed",
        "fresh_food_left_door_status": "closed",
        "freezer_door_status": "open",
        "convertible_drawer_status": "closed",
    }
    doors = value(0x1016, "0000FFFF")
    assert doors["freezer_door_status"] == doors["convertible_drawer_status"] == "not_applicable"


def test_ice_bucket_and_ice_makers() -> None:
    assert value(0x1007, "0F") == {
        "fresh_food_ice_maker_present": 1,
        "freezer_ice_maker_present": 1,
        "fresh_food_ice_maker_bucket_full": 1,
        "freezer_ice_maker_bucket_full": 1,
    }
    makers = value(0x100A, "0100")
    assert makers == {
        "freezer_status": "freezer_ice_maker_on",
        "fresh_food_status": "fresh_food_ice_maker_off",
    }
    assert encode_erd(0x100A, makers) == "0100"


@pytest.mark.parametrize(
    ("raw", "order_status", "numbers"),
    [
        ("000064009600000000", "filter_does_not_need_to_be_ordered", (100, 150, 0, 0)),
        ("000105000400000000", "filter_needs_to_be_ordered", (5, 4, 0, 0)),
        ("000202000000050003", "filter_has_expired", (2, 0, 5, 3)),
    ],
)
def test_water_filter(raw: str, order_status: str, numbers: tuple[int, int, int, int]) -> None:
    percent, days, expired, dispenses = numbers
    assert value(0x1009, raw) == {
        "filter_status": "ge_standard_good_filter",
        "order_status": order_status,
        "percentage_remaining": percent,
        "days_remaining": days,
        "days_since_filter_expired": expired,
        "dispenses_since_filter_expired": dispenses,
    }


def test_hot_water_dispenser() -> None:
    assert value(0x1010, "020000BE010101") == {
        "status": "ready_to_dispense",
        "seconds_until_ready_to_dispense": 0,
        "hot_water_temperature": 190,
        "hot_water_tank_is_full": 1,
        "brew_module": "present_hot_water_and_k_cup_capable_type",
        "pod_status": "ready",
    }
    k_cup = value(0x1010, "00000056010301")
    assert (k_cup["status"], k_cup["hot_water_temperature"]) == ("not_heating", 86)
    assert k_cup["brew_module"] == "present_k_cup_only_type"


def test_dishwasher_reminders_names_settings_and_counts() -> None:
    reminders = value(0x3003, "02")
    assert reminders == {
        "clean_filter": False,
        "add_rinse_aid": True,
        "sanitized": False,
        "fill_salt_reservoir": False,
    }
    names = value(0x301C, "4E6F726D616C" + "00" * 14)
    assert names == {"selected_cycle_name": "Normal", "active_sub_cycle_name": ""}
    settings = value(0x3007, "00A002")
    assert settings["selected_cycle"] == 1
    assert settings["wash_temperature"] == 2
    assert settings["rinse_aid_option"] is True
    assert settings["bottle_blast"] is settings["mute"] is False
    assert encode_erd(0x3007, settings) == "00A002"
    assert value(0x3009, "001200100003") == {
        "started_cycles_counter": 18,
        "completed_cycles_counter": 16,
        "power_on_reset_counter": 3,
    }


@pytest.mark.parametrize(
    ("command", "raw"),
    [("start_resume_cycle", "01"), ("cancel_cycle", "02"), ("pause_cycle", "03")],
)
def test_dishwasher_remote_commands(command: str, raw: str) -> None:
    assert encode_erd(0x3204, command) == raw
    assert encode_erd(0x3604, command) == raw


def test_laundry_start_now() -> None:
    assert encode_erd(0x2038, 0) == "0000"
    assert encode_erd(0x2040, "stop_command") == "00"


def test_coffee_brewer() -> None:
    assert encode_erd(0x900B, {"strength": "medium", "temperature": 200, "cups": 4}) == "02C804"
    assert value(0x900B, "02C804") == {"strength": "medium", "temperature": 200, "cups": 4}
    assert value(0x9002, "B9CD") == {"minimum_temperature": 185, "maximum_temperature": 205}


def test_water_heater() -> None:
    assert value(0x4047, "03E80578") == {"minimum_setpoint": 100.0, "maximum_setpoint": 140.0}
    assert value(0x4040, "1F") == {
        "available_modes_hybrid": True,
        "available_modes_standard_electric": True,
        "available_modes_e_heat": True,
        "available_modes_hidemand": True,
        "available_modes_vacation": True,
    }
    assert encode_erd(0x4024, 125.0) == "04E2"
    assert encode_erd(0x4024, 120) == "04B0"
    # GE's order for the shut-off valve (gehomesdk swaps open and closed).
    assert value(0x4222, "01") == "open"
    assert value(0x4222, "02") == "closed"


def test_espresso_parameters_are_tenths_of_celsius() -> None:
    assert value(0x901D, "0384" + "00" + "28" + "0064") == {
        "temperature": 90.0,
        "brew_type": "espresso",
        "volume_milliliters": 40,
        "grind_time": 10.0,
    }


def test_air_conditioner_target() -> None:
    assert encode_erd(0x7003, 72) == "0048"
    assert value(0x7B06, "4056") == {
        "minimum_target_temperature": 64,
        "maximum_target_temperature": 86,
    }


def test_energy_usage() -> None:
    assert value(0xD005, "0064" + "00000E10" + "0E10" + "01" + "0002") == {
        "instantaneous_power": 100,
        "watt_seconds_since_clear": 3600,
        "seconds_since_cleared": 3600,
        "referencedtoline": 1,
        "water_usage": 2,
    }
    assert value(0xD01C, "0000007B") == 12.3


# --- hand-written overrides ----------------------------------------------------------------


def test_model_number_with_length_byte() -> None:
    assert value(0x0001, "0A415057413132595A4257" + "00" * 21) == "APWA12YZBW"


@pytest.mark.parametrize(
    "raw",
    [
        "00" * 32,  # empty model (split AC, gehome#22)
        "FF" * 32,
        "2D2D2D2D2D424547494E2043455254494649434154452D2D2D2D2D0A4D494942",  # PEM header
        "4D4949424A44434341516D6741774942416749554A4B6C7A786A4B4F56676E4B",  # 32 chars of base64
        "0A4150574101020304050000" + "00" * 20,  # length byte, then control bytes
        "1F" + "41" * 10 + "00" * 21,  # length longer than the text
        "05" + "41427F4344" + "00" * 26,  # a control character inside
        "2D2D2D2D2D424547494E" + "00" * 22,  # a padded PEM marker
    ],
)
def test_unusable_serial_numbers_are_none(raw: str) -> None:
    assert value(0x0002, raw) is None


def test_identity_length_byte_past_the_end_is_rejected() -> None:
    assert read_identity(b"\x05AB") is None


def test_plain_padded_serial_number() -> None:
    assert value(0x0002, "5A41383132333435" + "00" * 24) == "ZA812345"


@pytest.mark.parametrize("code", [0x510C, 0x520C])
def test_warming_drawer(code: int) -> None:
    assert [value(code, raw) for raw in ("00", "01", "02", "03", "FF")] == [
        "off",
        "low",
        "medium",
        "high",
        None,
    ]
    assert encode_erd(code, "high") == "03"


def test_legacy_dryer_options_are_zero_based() -> None:
    assert value(0x201A, "00") == "damp"
    assert value(0x2019, "04") == "high"


def test_oven_light_can_be_switched_off() -> None:
    assert value(0x5111, "00") == "off"
    assert encode_erd(0x5111, "off") == "00"
    assert value(0x5111, "02") == "dim"


# --- encoding errors -----------------------------------------------------------------------


def test_encoding_an_unknown_code_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="0xABCD is not in the ERD table"):
        encode_erd(0xABCD, 1)


def test_encoding_a_read_only_code_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="read-only"):
        encode_erd(0x1009, {})


@pytest.mark.parametrize(
    ("code", "bad", "message"),
    [
        (0x7A00, "turbo", "not one of auto, low, medium, high, smart_dry"),
        (0x7A00, 8, "not one of"),
        (0x7003, 40000, "outside"),
        (0x7003, 72.5, "whole number"),
        (0x7003, True, "expected a number"),
        (0x7003, "72", "expected a number"),
        (0x4024, float("nan"), "whole number"),
        (0x4024, 3276.8, "outside"),
        (0x7A0F, 1, "True or False"),
        (0x5105, -1, "outside"),
        (0x1005, {"fresh_food_desired_temperature": 37}, "missing keys"),
        (0x1005, {**FRIDGE_37_0, "x": 1}, "unknown keys"),
        (0x1005, 37, "takes a dict"),
        (0x1005, {**FRIDGE_37_0, "fresh_food_desired_temperature": 128}, "outside"),
        (0x5100, {**OVEN_OFF, "cook_time": 255 * 60 + 256}, "outside"),
        (0x5100, {**OVEN_OFF, "cook_time": 1.5}, "whole minutes"),
        (0x5100, {**OVEN_OFF, "mode": "broil_extra"}, "not one of"),
    ],
)
def test_bad_values_are_invalid(code: int, bad: Any, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        encode_erd(code, bad)


# --- field primitives the table does not exercise yet --------------------------------------


def test_string_fields_write_padded_ascii() -> None:
    name = ErdField("name", "string", 1, 6)
    buffer = bytearray(7)
    make_writer(name, "test name")("Eco", buffer)
    assert buffer.hex().upper() == "0045636F000000"
    assert make_reader(name)(bytes(buffer)) == "Eco"
    for bad in ("Economy", "Eco\n", "Écô", 3):
        with pytest.raises(InvalidValueError, match="test name"):
            make_writer(name, "test name")(bad, bytearray(7))


def test_signed_bit_fields_are_twos_complement() -> None:
    offset = ErdField("offset", "i8", 0, 2, bits=(4, 4))
    assert make_reader(offset)(bytes.fromhex("00F0")) == -1
    assert make_reader(offset)(bytes.fromhex("0070")) == 7
    buffer = bytearray(2)
    make_writer(offset, "test offset")(-8, buffer)
    assert buffer.hex() == "0080"


def test_read_only_kinds_have_no_writer() -> None:
    with pytest.raises(ValueError, match="read-only"):
        make_writer(ErdField("version", "version", 0, 4), "test version")


# --- the table -----------------------------------------------------------------------------


def test_spec_metadata() -> None:
    spec = erd_spec(0x5100)
    assert spec is not None
    assert spec.name == "Upper Oven Cook Mode Command"
    assert spec.writable
    assert spec.size == 13
    assert spec.keys == tuple(OVEN_OFF)
    assert spec.field("cook_time").unit == "min"
    assert spec.field("cook_temperature").unit == "°F"
    assert spec.field("mode").options[:3] == ("no_mode", "bake_no_option", "bake_probe")
    assert erd_spec(0x1009) is not None
    assert not erd_spec(0x1009).writable  # type: ignore[union-attr]
    assert erd_spec(0xABCD) is None
    with pytest.raises(KeyError):
        spec.field("colour")


def test_units_and_scales() -> None:
    def field_of(code: int, key: str | None = None) -> Any:
        spec = erd_spec(code)
        assert spec is not None
        return spec.fields[0] if key is None else spec.field(key)

    assert (field_of(0x4024).unit, field_of(0x4024).scale) == ("°F", 10)
    assert (field_of(0x901D, "temperature").unit, field_of(0x901D, "temperature").scale) == (
        "°C",
        10,
    )
    assert field_of(0x2007).unit == "s"
    assert field_of(0x1009, "percentage_remaining").unit == "%"
    assert field_of(0x4028).unit == "h"
    assert field_of(0x1009, "order_status").unit is None
    assert field_of(0x2000).options[:4] == ("idle", "standby", "run", "pause")


def test_enum_options_are_unique_and_numbers_line_up() -> None:
    for code in known_erd_codes():
        spec = erd_spec(code)
        assert spec is not None
        assert len(set(spec.keys)) == len(spec.keys), format_erd_code(code)
        for field in spec.fields:
            assert len(field.options) == len(field.numbers)
            assert len(set(field.options)) == len(field.options), (format_erd_code(code), field.key)
            assert list(field.numbers) == sorted(field.numbers)


def test_table_covers_every_appliance_family() -> None:
    codes = set(known_erd_codes())
    assert 150 <= len(codes) <= 250
    assert {0x0001, 0x0008, 0x0100, 0x0103, 0xD005, 0xD007} <= codes
    assert {0x5100, 0x5200, 0x510C, 0x520C, 0x5007, 0x5008, 0x5113, 0x5213} <= codes
    assert {0x1007, 0x100A, 0x1009, 0x101C, 0x1016, 0x120E, 0x120F, 0x1010, 0x122E} <= codes
    assert {0x3001, 0x300E, 0x301C, 0xD004, 0x3007, 0x3204, 0x321A, 0x3101} <= codes
    assert {0x2000, 0x2038, 0x2039, 0x2040, 0x206F, 0x2122, 0x2123, 0x2019, 0x201A} <= codes
    assert {0x9000, 0x900B, 0x901B, 0x9051, 0x9052, 0x901C, 0x901E, 0x9044, 0x9047} <= codes
    assert {0x4020, 0x4047, 0x404A, 0x4220, 0x4226, 0x40D0, 0x40C2, 0x4222} <= codes
    assert {0x7002, 0x7A00, 0x7A0F, 0x7B00, 0x7B0B, 0x795E, 0x795F, 0x7963} <= codes


def test_generated_table_carries_ge_licence_notice() -> None:
    header = COMMITTED.read_text(encoding="utf-8")[:4000]
    assert "Copyright (c) 2024, GE Appliances" in header
    assert "Redistributions of source code must retain the above copyright notice" in header


def test_generated_module_is_up_to_date(tmp_path: Path) -> None:
    if not REFERENCE_JSON.is_file():
        pytest.skip(f"reference data not present: {REFERENCE_JSON}")
    output = tmp_path / "definitions.py"
    subprocess.run(
        [sys.executable, str(GENERATOR), str(REFERENCE_JSON), "--output", str(output)],
        check=True,
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=60,
    )
    assert output.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        "definitions.py is stale; run scripts/generate_ge_erds.py"
    )
