"""Tests for the Jura model profile table."""

from __future__ import annotations

import dataclasses
from pathlib import Path
import subprocess
import sys

import pytest

from custom_components.kitchen_connect.kitchenlib.jura import profile_data
from custom_components.kitchen_connect.kitchenlib.jura.models import (
    ChoiceParam,
    MachineProfile,
    Process,
    RangeParam,
    Severity,
)
from custom_components.kitchen_connect.kitchenlib.jura.profiles import (
    BASELINE_EF,
    all_profiles,
    baseline_profile,
    ef_code_from_machine_firmware,
    get_profile,
    model_choices,
    profile_for_article,
    resolve_profile,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
GENERATOR = REPO_ROOT / "scripts" / "generate_jura_profiles.py"
REFERENCE_JSON = REPO_ROOT.parent / "shared" / "reference" / "data" / "jura_profiles_top15.json"
COMMITTED = Path(profile_data.__file__)

TOP15 = (
    "EF1091",
    "EF1151",
    "EF536",
    "EF545",
    "EF1106",
    "EF538",
    "EF1092",
    "EF1120",
    "EF1030",
    "EF1121",
    "EF555",
    "EF1070",
    "EF1013",
    "EF1069",
    "EF1100",
)
SIX_FIELD_ORDER = (
    Process.CLEANING,
    Process.FILTER_CHANGE,
    Process.DESCALE,
    Process.CAPPU_RINSE,
    Process.COFFEE_RINSE,
    Process.CAPPU_CLEAN,
)


def _profile(ef_code: str) -> MachineProfile:
    profile = get_profile(ef_code)
    assert profile is not None
    return profile


@pytest.fixture
def s8() -> MachineProfile:
    return _profile("EF1091")


@pytest.mark.parametrize("ef_code", TOP15)
def test_every_model_loads_with_consistent_tables(ef_code: str) -> None:
    profile = _profile(ef_code)
    assert profile.ef_code == ef_code
    assert profile.names
    assert profile.articles
    assert not profile.is_baseline
    bits = [alert.bit for alert in profile.alerts]
    assert bits == sorted(set(bits))
    assert all(alert.severity in set(Severity) for alert in profile.alerts)
    assert all(
        (alert.process is not None) == (alert.severity is Severity.MAINTENANCE)
        for alert in profile.alerts
    )
    codes = [product.code for product in profile.products]
    assert len(codes) == len(set(codes))
    for product in profile.products:
        if product.double is not None:
            assert profile.product(product.double) is not None
        for param in product.params:
            if isinstance(param, ChoiceParam):
                assert param.default in {wire for _, wire in param.items}
            else:
                assert param.minimum <= param.default <= param.maximum
    assert profile.maintenance_percent_fields == (
        Process.CLEANING,
        Process.FILTER_CHANGE,
        Process.DESCALE,
    )


def test_all_profiles_sorted_by_name_and_complete() -> None:
    profiles = all_profiles()
    assert {profile.ef_code for profile in profiles} == set(TOP15)
    keys = [(profile.name.casefold(), profile.ef_code) for profile in profiles]
    assert keys == sorted(keys)


def test_s8_alerts_match_the_reference(s8: MachineProfile) -> None:
    no_beans = s8.alert(10)
    assert no_beans is not None
    assert (no_beans.key, no_beans.severity, no_beans.blocks, no_beans.process) == (
        "no_beans",
        Severity.INFO,
        "C",
        None,
    )
    cleaning = s8.alert(34)
    assert cleaning is not None
    assert (cleaning.key, cleaning.severity, cleaning.process) == (
        "cleaning_alert",
        Severity.MAINTENANCE,
        Process.CLEANING,
    )
    locked = s8.alert(39)
    assert locked is not None
    assert (locked.key, locked.severity) == ("locked_keys", Severity.INFO)
    fill_water = s8.alert(1)
    assert fill_water is not None
    assert (fill_water.severity, fill_water.blocks) == (Severity.ERROR, "ALL")
    assert len(s8.alerts) == 53
    assert s8.alert(55) is None


def test_s8_espresso_recipe(s8: MachineProfile) -> None:
    espresso = s8.product(0x02)
    assert espresso is not None
    assert (espresso.key, espresso.kind, espresso.active, espresso.double) == (
        "espresso",
        "C",
        True,
        0x31,
    )
    assert s8.product_by_key("espresso") is espresso
    strength = espresso.param("coffee_strength")
    assert isinstance(strength, ChoiceParam)
    assert strength.position == 3
    assert strength.default == 8
    assert strength.items == tuple((str(level), level) for level in range(1, 11))
    water = espresso.param("water_amount")
    assert water == RangeParam("water_amount", 4, 15, 80, 5, 45)
    temperature = espresso.param("temperature")
    assert temperature == ChoiceParam("temperature", 7, (("low", 0), ("normal", 1), ("high", 2)), 2)
    hidden = s8.product(0x31)
    assert hidden is not None
    assert (hidden.key, hidden.active, hidden.params) == ("2_espressi", False, ())


def test_s8_settings(s8: MachineProfile) -> None:
    auto_off = s8.setting(0x13)
    assert auto_off is not None
    assert (auto_off.key, auto_off.kind, auto_off.default) == ("auto_off", "item_slider", "211E")
    assert ("30min", "211E") in auto_off.items
    assert auto_off.items[0] == ("15min", "0F")
    assert auto_off.items[-1] == ("9h", "22021C")
    hardness = s8.setting(0x02)
    assert hardness is not None
    # The XML default "16" is decimal; profiles carry it as wire hex.
    assert (hardness.kind, hardness.default) == ("step_slider", "10")
    assert (hardness.minimum, hardness.maximum, hardness.step, hardness.items) == (1, 30, 1, ())
    assert [setting.argument for setting in s8.settings] == [
        0x02,
        0x13,
        0x08,
        0x09,
        0x0A,
        0x04,
        0x62,
    ]


def test_s8_maintenance_and_processes(s8: MachineProfile) -> None:
    assert s8.maintenance_counter_fields == SIX_FIELD_ORDER
    assert dict(s8.processes) == {
        Process.FILTER_CHANGE: "@TG:26",
        Process.CLEANING: "@TG:24",
        Process.DESCALE: "@TG:25",
        Process.CAPPU_RINSE: "@TG:23",
        Process.CAPPU_CLEAN: "@TG:21",
    }
    assert s8.accept_command == "@TG:10"
    assert not s8.intake_f18


def test_ena4_has_the_short_counter_order() -> None:
    ena4 = _profile("EF1013")
    assert ena4.maintenance_counter_fields == (
        Process.CLEANING,
        Process.FILTER_CHANGE,
        Process.DESCALE,
        Process.COFFEE_RINSE,
    )
    assert {process for process, _ in ena4.processes} == {
        Process.CLEANING,
        Process.DESCALE,
        Process.FILTER_CHANGE,
    }
    assert ena4.accept_command == "@TG:10"


def test_coffee_rinse_is_never_invented() -> None:
    # No model in the reference data declares a coffee-rinse start verb.
    assert all(
        process is not Process.COFFEE_RINSE
        for profile in all_profiles()
        for process, _ in profile.processes
    )


def test_per_model_alert_deltas_apply() -> None:
    ena8 = _profile("EF555")
    assert ena8.alert(5) is None
    assert ena8.alert(48) is None
    no_beans = ena8.alert(10)
    assert no_beans is not None
    assert no_beans.blocks is None
    j8 = _profile("EF1069")
    cup = j8.alert(56)
    assert cup is not None
    assert (cup.key, cup.severity) == ("coffee_eye_cup_detected", Severity.INFO)
    assert _profile("EF536").accept_command is None
    assert _profile("EF1106").intake_f18


def test_article_lookup() -> None:
    assert _profile("EF1091") is profile_for_article(15480)
    assert profile_for_article(15484) is _profile("EF1091")
    assert profile_for_article(1) is None
    articles = [article for profile in all_profiles() for article in profile.articles]
    assert len(articles) == len(set(articles))


@pytest.mark.parametrize("spelling", ["EF1091", "ef1091", "Ef1091", " eF1091 "])
def test_ef_code_lookup_ignores_case(spelling: str) -> None:
    assert get_profile(spelling) is _profile("EF1091")


def test_unknown_ef_code() -> None:
    assert get_profile("EF9999") is None
    assert get_profile("") is None


def test_baseline_is_a_marked_copy_of_the_s8() -> None:
    baseline = baseline_profile()
    original = _profile(BASELINE_EF)
    assert baseline.is_baseline
    assert not original.is_baseline
    assert baseline.ef_code == "EF536"
    assert baseline.products == original.products
    assert baseline.alerts == original.alerts


def test_resolve_profile_order() -> None:
    assert resolve_profile(article=15480).ef_code == "EF1091"
    # The article wins over a conflicting EF code.
    assert resolve_profile("EF1013", 15480).ef_code == "EF1091"
    assert resolve_profile("ef1013", 99999).ef_code == "EF1013"
    fallback = resolve_profile("EF9999", 99999)
    assert fallback.is_baseline
    assert fallback.ef_code == BASELINE_EF
    assert resolve_profile().is_baseline


def test_model_choices() -> None:
    choices = model_choices()
    assert len(choices) == len(TOP15)
    assert ("EF1091", "S8 (EB) \u2013 EF1091") in choices
    assert [code for code, _ in choices] == [profile.ef_code for profile in all_profiles()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EF1091 V01.00", "EF1091"),
        ("EF1030M V01.06", "EF1030"),
        ("EF1030\x00\x00M V01.06", "EF1030"),
        ("  EF545 V02.01\x00", "EF545"),
        ("ef1120 v01.00", "EF1120"),
        ("TT237W V06.11", None),
        ("REF1091", None),
        ("EF V01.00", None),
        ("", None),
    ],
)
def test_ef_code_from_machine_firmware(text: str, expected: str | None) -> None:
    assert ef_code_from_machine_firmware(text) == expected


def test_generated_module_is_up_to_date(tmp_path: Path) -> None:
    if not REFERENCE_JSON.is_file():
        pytest.skip(f"reference data not present: {REFERENCE_JSON}")
    output = tmp_path / "profile_data.py"
    subprocess.run(
        [sys.executable, str(GENERATOR), str(REFERENCE_JSON), "--output", str(output)],
        check=True,
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=60,
    )
    assert output.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        "profile_data.py is stale; run scripts/generate_jura_profiles.py"
    )


def test_lookups_find_what_a_search_of_the_tables_finds() -> None:
    for profile in all_profiles():
        for bit in range(64):
            first = next((alert for alert in profile.alerts if alert.bit == bit), None)
            assert profile.alert(bit) is first
        for code in range(256):
            product = next((item for item in profile.products if item.code == code), None)
            assert profile.product(code) is product
        bits = {alert.bit for alert in profile.alerts} | {60, 61, 62, 63}
        assert profile.alert_keys(bits) == {alert.key for alert in profile.alerts}


def test_lookups_follow_a_changed_copy_and_stay_out_of_equality() -> None:
    s8 = get_profile("EF1091")
    assert s8 is not None
    espresso = s8.product_by_key("espresso")
    assert espresso is not None
    copy = dataclasses.replace(s8, products=(espresso,), alerts=s8.alerts[:1])
    assert copy.product(espresso.code) is espresso
    assert copy.alert(s8.alerts[1].bit) is None
    assert dataclasses.replace(s8) == s8
    assert hash(dataclasses.replace(s8)) == hash(s8)
    assert "_alerts_by_bit" not in repr(s8)
