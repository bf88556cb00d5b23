"""The simulated GE household: client writes and passing time change raw ERDs like real ones."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError
from simulators.ge.household import (
    Household,
    SimAppliance,
    default_household,
)

OVEN = "D828C9A10701"
FRIDGE = "D828C9A10302"
DISHWASHER = "D828C9A10603"
WASHER = "D828C9A10204"
DRYER = "D828C9A10105"
COFFEE = "D828C9A11A06"
ESPRESSO = "D828C9A12107"
WATER_HEATER = "D828C9A10008"
WINDOW_AC = "D828C9A10A09"
PORTABLE_AC = "D828C9A1160A"
OFF = "00" * 13
BAKE_350 = "01015E00000000000000000000"
MINUTE = 60.0
HOUR = 3600.0


class Published:
    """Everything the household publishes, in order."""

    def __init__(self, household: Household) -> None:
        self.items: list[tuple[str, int, str]] = []
        self.unsubscribe = household.subscribe(self._record)

    def _record(self, mac: str, code: int, raw: str) -> None:
        self.items.append((mac, code, raw))

    def of(self, mac: str, code: int) -> list[str]:
        """Successive published values of one ERD."""
        return [raw for m, c, raw in self.items if (m, c) == (mac, code)]

    def codes(self, mac: str) -> set[int]:
        return {c for m, c, _ in self.items if m == mac}

    def clear(self) -> None:
        self.items.clear()


@pytest.fixture
def household() -> Household:
    return default_household()


@pytest.fixture
def published(household: Household) -> Published:
    return Published(household)


def erd(household: Household, mac: str, code: int) -> str:
    return household.appliances[mac].erds[code]


def u16(raw: str) -> int:
    return int(raw, 16)


def model_name(raw: str) -> str:
    data = bytes.fromhex(raw)
    return data[1 : 1 + data[0]].decode("ascii")


# --- The default household -------------------------------------------------------------------


def test_default_household_has_one_appliance_of_each_kind(household: Household) -> None:
    kinds = {mac: erd(household, mac, 0x0008) for mac in household.appliances}
    assert kinds == {
        OVEN: "07",
        FRIDGE: "03",
        DISHWASHER: "06",
        WASHER: "02",
        DRYER: "01",
        COFFEE: "1A",
        ESPRESSO: "21",
        WATER_HEATER: "00",
        WINDOW_AC: "0A",
        PORTABLE_AC: "16",
    }
    labels = {app.label for app in household.appliances.values()}
    assert {"Oven", "Refrigerator", "Dishwasher", "Clothes Washer", "Clothes Dryer"} <= labels
    assert {"Coffee Maker", "Whole Home Water Heater", "Window AC", "Portable AC"} <= labels
    for app in household.appliances.values():
        assert app.online
        assert app.nickname
        for code in (0x0001, 0x0002, 0x0007, 0x0099, 0x0100):
            assert code in app.erds, (app.label, hex(code))
        assert len(bytes.fromhex(app.erds[0x0001])) == 32
        assert model_name(app.erds[0x0001]).isalnum()
        for raw in app.erds.values():
            assert raw == raw.upper()
            bytes.fromhex(raw)


def test_default_values_are_the_documented_real_ones(household: Household) -> None:
    assert model_name(erd(household, PORTABLE_AC, 0x0001)) == "APWA12YZBW"
    assert erd(household, FRIDGE, 0x1005) == "2500"  # 37 °F / 0 °F
    assert erd(household, FRIDGE, 0x100B) == "2126F807"
    assert erd(household, WATER_HEATER, 0x4024) == "04B0"  # 120.0 °F
    assert erd(household, WATER_HEATER, 0x4047) == "03E80578"
    assert erd(household, WINDOW_AC, 0x7A02) == "4D"  # 77 °F
    assert erd(household, COFFEE, 0x9002) == "B9CD"
    assert erd(household, OVEN, 0x5008) == "022600AA"
    assert int(erd(household, OVEN, 0x5007), 16) & 0x08  # lower oven present
    assert (erd(household, OVEN, 0x510A), erd(household, OVEN, 0x520A)) == ("01", "00")
    assert erd(household, WASHER, 0x2000) == "06"  # waiting in delay run
    assert erd(household, DISHWASHER, 0x3087) == "01"


# --- Ovens -----------------------------------------------------------------------------------


def test_bake_preheats_then_bakes_and_off_cools_down(
    household: Household, published: Published
) -> None:
    household.write(OVEN, 0x5100, BAKE_350)
    assert published.of(OVEN, 0x5100) == [BAKE_350]
    assert published.of(OVEN, 0x5101) == ["01"]  # preheat

    household.tick(20 * MINUTE)
    shown = [u16(raw) for raw in published.of(OVEN, 0x5109)]
    assert shown == sorted(shown)
    assert shown[0] > 75
    assert shown[-1] == 350
    assert published.of(OVEN, 0x5101) == ["01", "05"]  # then bake
    assert u16(erd(household, OVEN, 0x510D)) == 350  # the raw cavity caught up
    assert u16(erd(household, OVEN, 0x5108)) == 20  # elapsed cook time

    published.clear()
    household.write(OVEN, 0x5100, "00" * 13)
    assert published.of(OVEN, 0x5101) == ["00"]
    household.tick(10 * MINUTE)
    falling = [u16(raw) for raw in published.of(OVEN, 0x5109)]
    assert falling == sorted(falling, reverse=True)
    assert falling[-1] < 350
    household.tick(2 * HOUR)
    assert u16(erd(household, OVEN, 0x5109)) == 75


def test_convection_and_air_fry_use_their_own_preheat_states(
    household: Household, published: Published
) -> None:
    household.write(OVEN, 0x5100, "12017C00000000000000000000")  # convection bake 380
    assert published.of(OVEN, 0x5101) == ["02"]
    household.tick(30 * MINUTE)
    assert published.of(OVEN, 0x5101) == ["02", "07"]
    household.write(OVEN, 0x5100, "9E01A400000000000000000000")  # air fry 420
    household.tick(30 * MINUTE)
    assert published.of(OVEN, 0x5101)[-2:] == ["5B", "5A"]  # air fry preheat, air fry


def test_timed_bake_counts_down_in_hours_and_minutes_then_shuts_off(
    household: Household, published: Published
) -> None:
    household.write(OVEN, 0x5100, "01015E011E0000000000000000")  # 1 h 30 min, GE layout
    assert erd(household, OVEN, 0x5104) == "005A"
    household.tick(HOUR)
    assert erd(household, OVEN, 0x5104) == "001E"
    household.tick(30 * MINUTE)
    assert erd(household, OVEN, 0x5100) == OFF
    assert erd(household, OVEN, 0x5101) == "00"
    assert erd(household, OVEN, 0x5104) == "FFFF"
    remaining = [u16(raw) for raw in published.of(OVEN, 0x5104)]
    assert remaining[:3] == [90, 89, 88]


def test_cook_mode_is_refused_when_remote_control_is_disabled(
    household: Household, published: Published
) -> None:
    household.write(OVEN, 0x5200, BAKE_350)
    household.tick(MINUTE)
    assert published.codes(OVEN) == set()
    assert erd(household, OVEN, 0x5200) == OFF

    household.set_erd(OVEN, 0x520A, "01")  # the user enables remote on the panel
    household.write(OVEN, 0x5200, BAKE_350)
    assert published.of(OVEN, 0x5201) == ["01"]

    household.set_erd(OVEN, 0x510A, "00")
    household.write(OVEN, 0x5100, BAKE_350)
    assert published.of(OVEN, 0x5100) == []


@pytest.mark.parametrize(
    ("code", "raw"),
    [
        (0x5100, "01025800000000000000000000"),  # 600 °F, above the 550 limit
        (0x5100, "01006400000000000000000000"),  # 100 °F, below the 170 limit
        (0x5100, "0C000000000000000000000000"),  # broil high: not startable remotely
        (0x5100, "01015E003C0000000000000000"),  # 60 in the minutes byte
        (0x5100, "07015E00000000000000000000"),  # a mode the oven does not list
        (0x5105, "02D0"),  # 12 h kitchen timer
        (0x5106, "30"),  # +48 °F offset
        (0x5111, "03"),  # no such light level
    ],
)
def test_oven_refuses_out_of_range_writes(
    household: Household, published: Published, code: int, raw: str
) -> None:
    household.write(OVEN, code, raw)
    assert published.items == []


def test_lower_oven_only_offers_its_own_modes(household: Household, published: Published) -> None:
    household.set_erd(OVEN, 0x520A, "01")
    published.clear()
    household.write(OVEN, 0x5200, "12015E00000000000000000000")  # convection bake
    assert published.items == []


def test_kitchen_timer_light_and_offset(household: Household, published: Published) -> None:
    household.write(OVEN, 0x5105, "002D")  # 45 min, works without remote enable
    household.write(OVEN, 0x5205, "0002")
    household.write(OVEN, 0x5111, "02")
    household.write(OVEN, 0x5106, "FB")
    household.tick(45 * MINUTE)
    timer = [u16(raw) for raw in published.of(OVEN, 0x5105)]
    assert timer[:3] == [45, 44, 43]
    assert timer[-1] == 0
    assert published.of(OVEN, 0x5205) == ["0002", "0001", "0000"]
    assert erd(household, OVEN, 0x5111) == "02"
    assert erd(household, OVEN, 0x5106) == "FB"


# --- Refrigerator ----------------------------------------------------------------------------


def test_fridge_temperatures_settle_on_new_setpoints(
    household: Household, published: Published
) -> None:
    household.tick(2 * HOUR)
    assert published.of(FRIDGE, 0x1004) == ["2501", "2500"]  # both compartments at once
    household.write(FRIDGE, 0x1005, "21FE")  # 33 °F, -2 °F (lower-case hex also accepted)
    assert published.of(FRIDGE, 0x1005) == ["21FE"]
    household.tick(HOUR)
    assert erd(household, FRIDGE, 0x1004) == "21FE"


@pytest.mark.parametrize("raw", ["2000", "2700", "25F7", "2508", "FFFF"])
def test_fridge_setpoint_outside_limits_is_refused(
    household: Household, published: Published, raw: str
) -> None:
    household.write(FRIDGE, 0x1005, raw)
    assert published.items == []
    assert erd(household, FRIDGE, 0x1005) == "2500"


def test_fridge_without_reported_limits_uses_the_usual_range(household: Household) -> None:
    household.set_erd(FRIDGE, 0x100B, "")
    household.write(FRIDGE, 0x1005, "2E07")  # 46 °F / 7 °F
    assert erd(household, FRIDGE, 0x1005) == "2E07"
    household.write(FRIDGE, 0x1005, "2F07")
    assert erd(household, FRIDGE, 0x1005) == "2E07"


def test_open_door_warms_and_turbo_cool_recovers_faster(household: Household) -> None:
    household.tick(2 * HOUR)
    household.set_erd(FRIDGE, 0x1016, "01000100")  # right door and freezer door open
    household.tick(10 * MINUTE)
    assert erd(household, FRIDGE, 0x1004) == "2A05"  # +5 °F each
    household.set_erd(FRIDGE, 0x1016, "00000000")
    household.write(FRIDGE, 0x100F, "01")
    household.tick(10 * MINUTE)
    assert erd(household, FRIDGE, 0x1004) == "2704"  # turbo fridge -3 °F, freezer -1 °F


def test_fridge_switches_accept_only_their_values(
    household: Household, published: Published
) -> None:
    for code, good, bad in [
        (0x100A, "0001", "0002"),
        (0x100D, "01", "02"),
        (0x100E, "01", "FF"),
        (0x1020, "05", "08"),
        (0x1024, "32", "65"),
        (0x102C, "01", "02"),
        (0x1011, "5A", "59"),
    ]:
        household.write(FRIDGE, code, bad)
        assert published.of(FRIDGE, code) == [], hex(code)
        household.write(FRIDGE, code, good)
        assert published.of(FRIDGE, code) == [good], hex(code)


def test_missing_ice_maker_cannot_be_switched_on(
    household: Household, published: Published
) -> None:
    household.set_erd(FRIDGE, 0x100A, "01FF")
    household.write(FRIDGE, 0x100A, "0101")
    household.write(FRIDGE, 0x100A, "00FF")
    assert published.of(FRIDGE, 0x100A) == ["01FF", "00FF"]


def test_hot_water_heats_to_its_set_temperature(household: Household) -> None:
    household.write(FRIDGE, 0x1011, "00")
    household.tick(MINUTE)
    assert erd(household, FRIDGE, 0x1010)[:6] == "000000"  # not heating
    household.tick(6 * HOUR)
    assert erd(household, FRIDGE, 0x1010)[6:8] == "28"  # cooled to 40 °F
    household.write(FRIDGE, 0x1011, "B4")  # 180 °F
    household.tick(MINUTE)
    status = bytes.fromhex(erd(household, FRIDGE, 0x1010))
    assert status[0] == 1  # heating
    assert status[3] == 43
    assert int.from_bytes(status[1:3]) == 2740  # seconds until ready at 3 °F/min
    household.tick(HOUR)
    assert erd(household, FRIDGE, 0x1010) == "020000B4010101"  # ready


# --- Dishwasher ------------------------------------------------------------------------------


def test_dishwasher_runs_a_full_cycle(household: Household, published: Published) -> None:
    household.write(DISHWASHER, 0x3204, "01")
    assert published.of(DISHWASHER, 0x3001) == ["05"]
    assert published.of(DISHWASHER, 0xD004) == ["0078"]  # 120 minutes
    assert erd(household, DISHWASHER, 0x3009) == "001300100003"  # 19 started
    assert erd(household, DISHWASHER, 0x301F) == "0013"  # one pod used
    assert published.of(DISHWASHER, 0x3204) == []  # the command reads back 00

    household.tick(3 * HOUR)
    assert published.of(DISHWASHER, 0x300E) == ["03", "09", "04", "12"]
    assert published.of(DISHWASHER, 0x3001) == ["05", "06"]
    assert published.of(DISHWASHER, 0xD003) == ["01"]
    assert erd(household, DISHWASHER, 0x3009) == "001300110003"  # 17 completed
    assert erd(household, DISHWASHER, 0xD004) == "0000"
    names = [bytes.fromhex(raw)[10:].rstrip(b"\0") for raw in published.of(DISHWASHER, 0x301C)]
    assert names == [b"Main Wash", b"Rinse", b"Dry", b""]


def test_dishwasher_pause_resume_and_cancel(household: Household, published: Published) -> None:
    household.write(DISHWASHER, 0x3204, "01")
    household.tick(10 * MINUTE)
    household.write(DISHWASHER, 0x3204, "03")
    assert erd(household, DISHWASHER, 0x3001) == "04"
    assert erd(household, DISHWASHER, 0x300E) == "08"
    left = erd(household, DISHWASHER, 0xD004)
    published.clear()
    household.tick(HOUR)
    assert published.codes(DISHWASHER) == set()  # paused: time stands still
    household.write(DISHWASHER, 0x3204, "03")  # pausing again changes nothing
    assert published.codes(DISHWASHER) == set()
    household.write(DISHWASHER, 0x3204, "01")
    assert (erd(household, DISHWASHER, 0x3001), erd(household, DISHWASHER, 0x300E)) == (
        "05",
        "03",
    )
    assert erd(household, DISHWASHER, 0xD004) == left
    household.write(DISHWASHER, 0x3204, "02")
    assert erd(household, DISHWASHER, 0x3001) == "02"
    assert erd(household, DISHWASHER, 0x300E) == "11"
    assert erd(household, DISHWASHER, 0xD004) == "0000"
    assert erd(household, DISHWASHER, 0x3009) == "001300100003"  # not completed


def test_dishwasher_refuses_start_without_remote_enable_or_with_door_open(
    household: Household, published: Published
) -> None:
    household.set_erd(DISHWASHER, 0x3087, "00")
    household.write(DISHWASHER, 0x3204, "01")
    household.set_erd(DISHWASHER, 0x3087, "01")
    household.set_erd(DISHWASHER, 0x3037, "00")
    household.write(DISHWASHER, 0x3204, "01")
    household.write(DISHWASHER, 0x3204, "04")
    assert published.of(DISHWASHER, 0x3001) == []


def test_dishwasher_settings_change_the_cycle_while_idle(
    household: Household, published: Published
) -> None:
    household.write(DISHWASHER, 0x3007, "00A008")  # 30-minute cycle, sanitize
    assert bytes.fromhex(erd(household, DISHWASHER, 0x301C))[:10].rstrip(b"\0") == b"30 Minute"
    household.write(DISHWASHER, 0x301F, "0003")
    household.write(DISHWASHER, 0x3204, "01")
    assert erd(household, DISHWASHER, 0xD004) == "001E"
    household.write(DISHWASHER, 0x3007, "008004")  # refused while running
    assert published.of(DISHWASHER, 0x3007) == ["00A008"]
    household.tick(HOUR)
    assert erd(household, DISHWASHER, 0x3003) == "04"  # sanitized
    household.write(DISHWASHER, 0x3007, "00801E")  # no cycle 15
    assert erd(household, DISHWASHER, 0x3007) == "00A008"


def test_rinse_cycle_only_rinses(household: Household, published: Published) -> None:
    household.write(DISHWASHER, 0x3007, "00800C")
    household.write(DISHWASHER, 0x3204, "01")
    household.tick(HOUR)
    assert published.of(DISHWASHER, 0x300E) == ["09", "12"]


# --- Washer and dryer ------------------------------------------------------------------------


def test_washer_delayed_cycle_starts_now_and_runs_to_the_end(
    household: Household, published: Published
) -> None:
    household.tick(10 * MINUTE)
    assert erd(household, WASHER, 0x2010) == "0032"  # 50 of 60 delay minutes left
    household.write(WASHER, 0x2038, "0000")
    assert erd(household, WASHER, 0x2000) == "02"
    assert erd(household, WASHER, 0x2010) == "0000"
    assert erd(household, WASHER, 0x2013) == "01"  # door locked
    assert erd(household, WASHER, 0x2038) == "FFFF"  # request processed
    assert published.of(WASHER, 0x2038) == []

    household.tick(HOUR)
    assert published.of(WASHER, 0x2001) == ["01", "03", "06", "04", "05", "00"]
    assert published.of(WASHER, 0x2000) == ["02", "04"]
    assert erd(household, WASHER, 0x2002) == "01"
    assert erd(household, WASHER, 0x2013) == "00"
    seconds = [u16(raw) for raw in published.of(WASHER, 0x2007)]
    assert seconds == sorted(seconds, reverse=True)
    assert all(value % 60 == 0 for value in seconds)
    assert seconds[0] == 2940
    assert seconds[-1] == 0


def test_washer_delay_can_be_changed_and_runs_out_by_itself(household: Household) -> None:
    household.write(WASHER, 0x2038, "001E")
    assert erd(household, WASHER, 0x2010) == "001E"
    assert erd(household, WASHER, 0x2000) == "06"
    household.write(WASHER, 0x2038, "05A1")  # 1441 minutes: too long
    assert erd(household, WASHER, 0x2010) == "001E"
    household.tick(31 * MINUTE)
    assert erd(household, WASHER, 0x2000) == "02"
    household.write(WASHER, 0x2038, "0000")  # not delayed any more
    assert erd(household, WASHER, 0x2000) == "02"


def test_washer_refuses_remote_start_when_remote_is_disabled(
    household: Household, published: Published
) -> None:
    household.set_erd(WASHER, 0x2039, "00")
    household.write(WASHER, 0x2038, "0000")
    household.write(WASHER, 0x2040, "00")
    assert published.of(WASHER, 0x2000) == []


def test_remote_stop(household: Household, published: Published) -> None:
    household.write(WASHER, 0x2040, "01")  # only 00 means stop
    assert published.items == []
    household.write(WASHER, 0x2040, "00")
    assert erd(household, WASHER, 0x2000) == "01"
    assert erd(household, WASHER, 0x2010) == "0000"
    assert erd(household, WASHER, 0x2040) == "FF"
    household.write(DRYER, 0x2040, "00")
    assert erd(household, DRYER, 0x2000) == "01"
    assert erd(household, DRYER, 0x2007) == "0000"
    published.clear()
    household.tick(HOUR)
    assert published.codes(WASHER) | published.codes(DRYER) == set()  # nothing runs any more
    household.write(WASHER, 0x2040, "00")  # nothing left to stop
    assert published.codes(WASHER) == set()


def test_dryer_dries_then_cools_down_and_ends(household: Household, published: Published) -> None:
    household.tick(41 * MINUTE)
    assert published.of(DRYER, 0x2001) == ["82", "00"]
    assert published.of(DRYER, 0x2000) == ["04"]
    assert erd(household, DRYER, 0x2002) == "01"


def test_laundry_options_change_only_when_not_running(
    household: Household, published: Published
) -> None:
    household.write(WASHER, 0x2016, "14")  # warm
    household.write(WASHER, 0x2016, "05")  # legacy value: refused
    household.write(WASHER, 0x2017, "05")  # not a spin level
    household.write(DRYER, 0x204D, "05")  # dryer is running
    assert published.of(WASHER, 0x2016) == ["14"]
    assert published.of(WASHER, 0x2017) == []
    assert published.of(DRYER, 0x204D) == []
    household.write(DRYER, 0x2040, "00")
    household.write(DRYER, 0x204D, "05")
    household.write(DRYER, 0x2016, "14")  # a dryer has no wash temperature
    assert published.of(DRYER, 0x204D) == ["05"]
    assert 0x2016 not in published.codes(DRYER)


def test_laundry_paused_by_the_user_holds_its_time(household: Household) -> None:
    household.set_erd(DRYER, 0x2000, "03")
    household.tick(HOUR)
    assert erd(household, DRYER, 0x2007) == "0960"
    household.set_erd(DRYER, 0x2000, "02")
    household.tick(MINUTE)
    assert erd(household, DRYER, 0x2007) == "0924"


# --- Coffee and espresso ---------------------------------------------------------------------


def test_brew_starts_and_finishes(household: Household, published: Published) -> None:
    household.write(COFFEE, 0x900B, "03C306")  # dark, 195 °F, 6 cups
    assert published.of(COFFEE, 0x9000) == ["01"]
    assert erd(household, COFFEE, 0x900B) == "03C306"
    assert (erd(household, COFFEE, 0x9008), erd(household, COFFEE, 0x9001)) == ("03", "C3")
    assert erd(household, COFFEE, 0x9006) == "06"
    household.write(COFFEE, 0x900B, "02C804")  # already brewing
    assert erd(household, COFFEE, 0x900B) == "03C306"
    household.tick(5 * MINUTE)
    assert erd(household, COFFEE, 0x9000) == "01"
    assert int(erd(household, COFFEE, 0x9014), 16) > 72  # outlet warms
    household.tick(MINUTE)
    assert published.of(COFFEE, 0x9000) == ["01", "00"]
    household.tick(HOUR)
    assert erd(household, COFFEE, 0x9014) == "48"


def test_brew_started_on_the_panel_finishes_too(household: Household) -> None:
    household.set_erd(COFFEE, 0x9002, "0000")  # no limits reported: 185-205 °F assumed
    household.set_erd(COFFEE, 0x9000, "01")
    household.tick(4 * MINUTE)  # 4 cups
    assert erd(household, COFFEE, 0x9000) == "00"
    household.write(COFFEE, 0x900B, "01CD01")
    household.write(COFFEE, 0x900C, "01")
    household.write(COFFEE, 0x900B, "01CE01")
    assert erd(household, COFFEE, 0x900B) == "01CD01"


def test_brew_can_be_cancelled(household: Household, published: Published) -> None:
    household.write(COFFEE, 0x900C, "01")  # nothing to cancel
    household.write(COFFEE, 0x900B, "01B901")
    household.write(COFFEE, 0x900C, "01")
    assert published.of(COFFEE, 0x9000) == ["01", "00"]
    assert published.of(COFFEE, 0x900C) == []


@pytest.mark.parametrize(
    "raw",
    [
        "02B804",  # 184 °F, below the limit
        "02CE04",  # 206 °F
        "02C80B",  # 11 cups
        "02C800",  # 0 cups
        "00C804",  # strength 0 is reserved
        "06C804",  # no strength 6
    ],
)
def test_brew_settings_out_of_limits_are_refused(
    household: Household, published: Published, raw: str
) -> None:
    household.write(COFFEE, 0x900B, raw)
    assert published.items == []


def test_brew_needs_the_pot_and_water(household: Household, published: Published) -> None:
    household.set_erd(COFFEE, 0x9012, "00")
    household.write(COFFEE, 0x900B, "03C306")
    household.set_erd(COFFEE, 0x9012, "01")
    household.set_erd(COFFEE, 0x9013, "01")
    household.write(COFFEE, 0x900B, "03C306")
    household.write(COFFEE, 0x901A, "01")
    assert published.of(COFFEE, 0x9000) == []
    assert published.of(COFFEE, 0x9019) == []


def test_coffee_descale_start_cancel_and_finish(household: Household, published: Published) -> None:
    household.write(COFFEE, 0x901A, "01")
    household.write(COFFEE, 0x900B, "03C306")  # busy descaling
    household.write(COFFEE, 0x901B, "01")
    household.write(COFFEE, 0x901A, "01")
    household.tick(29 * MINUTE)
    assert erd(household, COFFEE, 0x9019) == "01"
    household.tick(MINUTE)
    assert published.of(COFFEE, 0x9019) == ["01", "00", "01", "00"]
    assert published.of(COFFEE, 0x9000) == []


def test_espresso_descale(household: Household, published: Published) -> None:
    household.write(ESPRESSO, 0x901A, "02")  # only 01 starts
    assert published.items == []
    household.write(ESPRESSO, 0x901A, "01")
    household.write(ESPRESSO, 0x901A, "01")  # already descaling
    household.tick(25 * MINUTE)
    assert published.of(ESPRESSO, 0x9019) == ["01", "00"]
    assert erd(household, ESPRESSO, 0x9030) == "00"  # no longer needed
    household.set_erd(ESPRESSO, 0x9013, "01")
    household.write(ESPRESSO, 0x901A, "01")  # out of water
    assert erd(household, ESPRESSO, 0x9019) == "00"


# --- Water heater ----------------------------------------------------------------------------


def test_tank_temperature_approaches_the_setpoint(
    household: Household, published: Published
) -> None:
    household.tick(20 * MINUTE)
    tank = [u16(raw) for raw in published.of(WATER_HEATER, 0x4026)]
    assert tank == sorted(tank)
    assert tank[-1] == 1200  # 120.0 °F reached at 0.5 °F/min
    assert erd(household, WATER_HEATER, 0x40D0) == "32"  # all 50 gallons hot
    published.clear()
    household.tick(HOUR)
    assert published.of(WATER_HEATER, 0x4026) == []  # holds the setpoint

    household.write(WATER_HEATER, 0x4024, "04E2")  # 125.0 °F
    household.tick(5 * MINUTE)
    assert erd(household, WATER_HEATER, 0x4026) == "04C9"  # 122.5 °F


def test_boost_request_flips_boost_state_and_heats_faster(
    household: Household, published: Published
) -> None:
    household.write(WATER_HEATER, 0x4221, "01")
    assert published.of(WATER_HEATER, 0x4221) == ["01"]
    assert published.of(WATER_HEATER, 0x4220) == ["01"]
    household.tick(MINUTE)
    assert erd(household, WATER_HEATER, 0x4026) == "048A"  # +1.0 °F per minute
    household.write(WATER_HEATER, 0x4221, "02")
    household.write(WATER_HEATER, 0x4221, "00")
    assert published.of(WATER_HEATER, 0x4220) == ["01", "00"]


def test_inactive_water_heater_slowly_cools(household: Household) -> None:
    household.write(WATER_HEATER, 0x4226, "00")
    assert erd(household, WATER_HEATER, 0x4225) == "00"
    household.tick(HOUR)
    assert erd(household, WATER_HEATER, 0x4026) == "0474"  # -1.2 °F


@pytest.mark.parametrize(
    ("code", "raw"),
    [
        (0x4024, "0579"),  # 140.1 °F
        (0x4024, "03E7"),  # 99.9 °F
        (0x4024, "FC18"),  # negative
        (0x4020, "05"),  # no such mode
        (0x4028, "2239"),  # 8761 hours
        (0x4226, "02"),
    ],
)
def test_water_heater_refuses_invalid_values(
    household: Household, published: Published, code: int, raw: str
) -> None:
    household.write(WATER_HEATER, code, raw)
    assert published.items == []


def test_vacation_mode_runs_out_back_to_hybrid(household: Household) -> None:
    household.write(WATER_HEATER, 0x4020, "04")
    household.write(WATER_HEATER, 0x4028, "0002")
    household.tick(HOUR)
    assert erd(household, WATER_HEATER, 0x4028) == "0001"
    assert u16(erd(household, WATER_HEATER, 0x4026)) < 1152  # no heating on vacation
    household.tick(HOUR)
    assert erd(household, WATER_HEATER, 0x4028) == "0000"
    assert erd(household, WATER_HEATER, 0x4020) == "00"


def test_water_heater_mode_must_be_available(household: Household) -> None:
    household.set_erd(WATER_HEATER, 0x4040, "11")  # hybrid and vacation only
    household.write(WATER_HEATER, 0x4020, "03")
    assert erd(household, WATER_HEATER, 0x4020) == "00"
    household.write(WATER_HEATER, 0x4020, "04")
    assert erd(household, WATER_HEATER, 0x4020) == "04"


# --- Air conditioners ------------------------------------------------------------------------


def test_window_ac_power_mode_fan_and_target(household: Household, published: Published) -> None:
    household.tick(HOUR)
    assert published.codes(WINDOW_AC) == set()  # off: the room stays at 77 °F
    household.write(WINDOW_AC, 0x7A0F, "01")
    household.write(WINDOW_AC, 0x7A00, "08")
    household.write(WINDOW_AC, 0x7003, "0040")  # 64 °F
    assert published.of(WINDOW_AC, 0x7A0F) == ["01"]
    assert published.of(WINDOW_AC, 0x7A00) == ["08"]
    assert published.of(WINDOW_AC, 0x7003) == ["0040"]
    household.tick(10 * MINUTE)
    assert erd(household, WINDOW_AC, 0x7A02) == "4A"  # 74 °F, cooling 0.3 °F/min
    household.tick(HOUR)
    assert erd(household, WINDOW_AC, 0x7A02) == "40"

    household.write(WINDOW_AC, 0x7A01, "03")  # heat to 68 °F: the room warms back
    household.write(WINDOW_AC, 0x7002, "0050")  # 80 °F
    household.tick(HOUR)
    assert erd(household, WINDOW_AC, 0x7A02) == "50"
    household.write(WINDOW_AC, 0x7A0F, "00")
    household.tick(2 * HOUR)
    assert erd(household, WINDOW_AC, 0x7A02) == "4D"  # back to the room's 77 °F


@pytest.mark.parametrize(
    ("mac", "code", "raw"),
    [
        (WINDOW_AC, 0x7003, "003F"),  # 63 °F, below 64
        (WINDOW_AC, 0x7003, "0057"),  # 87 °F
        (WINDOW_AC, 0x7A00, "10"),  # smart dry not available
        (WINDOW_AC, 0x7A00, "03"),  # not a fan value
        (WINDOW_AC, 0x7A01, "06"),  # turbo cool not available
        (WINDOW_AC, 0x7A0F, "02"),
        (PORTABLE_AC, 0x7A01, "03"),  # a portable without heat
        (PORTABLE_AC, 0x7002, "0044"),  # has no heating target at all
        (PORTABLE_AC, 0x7A00, "01"),  # no auto fan
        (PORTABLE_AC, 0x7B00, "FF"),  # read-only
    ],
)
def test_ac_refuses_what_it_cannot_do(
    household: Household, published: Published, mac: str, code: int, raw: str
) -> None:
    household.write(mac, code, raw)
    assert published.items == []


def test_ac_auto_mode_and_unreported_range(household: Household) -> None:
    household.set_erd(PORTABLE_AC, 0x7B06, "FFFF")  # range n/a: 60-86 °F
    household.set_erd(PORTABLE_AC, 0x7B00, "E2")  # auto mode offered
    household.write(PORTABLE_AC, 0x7003, "003C")
    household.write(PORTABLE_AC, 0x7A01, "05")
    household.tick(2 * HOUR)
    assert erd(household, PORTABLE_AC, 0x7A02) == "3C"
    household.write(PORTABLE_AC, 0x7003, "0050")  # auto heats up to the target as well
    household.tick(2 * HOUR)
    assert erd(household, PORTABLE_AC, 0x7A02) == "50"


def test_portable_ac_cools_then_fan_only_lets_the_room_warm(household: Household) -> None:
    household.tick(30 * MINUTE)
    assert erd(household, PORTABLE_AC, 0x7A02) == "46"  # 70 °F target reached
    household.write(PORTABLE_AC, 0x7A01, "01")
    household.write(PORTABLE_AC, 0x7A04, "00")
    household.tick(20 * MINUTE)
    assert erd(household, PORTABLE_AC, 0x7A02) == "47"  # drifting back at 0.05 °F/min


def test_display_unit_is_writable_everywhere(household: Household, published: Published) -> None:
    household.write(PORTABLE_AC, 0x0007, "00")
    household.write(OVEN, 0x0007, "02")
    assert published.items == [(PORTABLE_AC, 0x0007, "00")]


# --- Household plumbing ----------------------------------------------------------------------


def test_unchanged_writes_publish_nothing_but_are_logged(
    household: Household, published: Published
) -> None:
    household.write(FRIDGE, 0x1005, "2500")
    household.write(WINDOW_AC, 0x7A0F, "00")
    household.write(OVEN, 0x5111, "00")
    assert published.items == []
    assert household.write_log == [
        (FRIDGE, 0x1005, "2500"),
        (WINDOW_AC, 0x7A0F, "00"),
        (OVEN, 0x5111, "00"),
    ]


@pytest.mark.parametrize(
    ("mac", "code", "raw"),
    [
        (FRIDGE, 0x1005, "250"),  # odd length
        (FRIDGE, 0x1005, "zz00"),
        (FRIDGE, 0x1005, "0x2500"),
        (FRIDGE, 0x1005, "25 00"),
        (FRIDGE, 0x1005, ""),
        (FRIDGE, 0x1005, "210000"),  # too long
        (FRIDGE, 0x1005, "21"),  # too short
        (FRIDGE, 0x0008, "06"),  # appliance type is read-only
        (FRIDGE, 0x1004, "2100"),  # display temperatures are read-only
        (FRIDGE, 0x1234, "00"),  # unknown ERD
        (FRIDGE, 0x5100, BAKE_350),  # oven ERD on a fridge
        ("D828C9FFFFFF", 0x1005, "2100"),  # unknown appliance
    ],
)
def test_malformed_or_misdirected_writes_are_ignored(
    household: Household, published: Published, mac: str, code: int, raw: str
) -> None:
    before = {m: dict(app.erds) for m, app in household.appliances.items()}
    household.write(mac, code, raw)
    assert published.items == []
    assert {m: app.erds for m, app in household.appliances.items()} == before
    assert household.write_log == [(mac, code, raw)]


def test_offline_appliance_ignores_writes_and_stands_still(
    household: Household, published: Published
) -> None:
    household.appliances[DRYER].online = False
    household.write(DRYER, 0x2040, "00")
    household.tick(HOUR)
    assert published.codes(DRYER) == set()
    household.appliances[DRYER].online = True
    household.write(DRYER.lower(), 0x2040, "00")
    assert published.of(DRYER, 0x2000) == ["01"]


def test_unsubscribed_listener_hears_nothing(household: Household) -> None:
    heard: list[tuple[str, int, str]] = []
    unsubscribe = household.subscribe(lambda mac, code, raw: heard.append((mac, code, raw)))
    household.set_erd(FRIDGE, 0x1016, "01000000")
    assert heard == [(FRIDGE, 0x1016, "01000000")]
    unsubscribe()
    unsubscribe()  # twice is harmless
    household.set_erd(FRIDGE, 0x1016, "00000000")
    assert len(heard) == 1


def test_set_erd_publishes_only_changes_and_validates(
    household: Household, published: Published
) -> None:
    household.set_erd(FRIDGE, 0x1016, "0000ff00")
    household.set_erd(FRIDGE, 0x1016, "0000FF00")
    assert published.items == [(FRIDGE, 0x1016, "0000FF00")]
    with pytest.raises(InvalidValueError):
        household.set_erd(FRIDGE, 0x1016, "xyz")
    with pytest.raises(InvalidValueError):
        household.set_erd(FRIDGE, 0x10000, "00")
    with pytest.raises(InvalidValueError):
        household.set_erd("D828C9FFFFFF", 0x1016, "00")


def test_add_and_remove_appliances(household: Household, published: Published) -> None:
    toaster = SimAppliance(
        "d828c9a12201", "Toaster", "Toaster Oven", "GE", erds={0x0008: "22", 0x0007: "00"}
    )
    household.add_appliance(toaster)
    assert household.appliances["D828C9A12201"] is toaster
    household.write("D828C9A12201", 0x0007, "01")  # an unknown type still has common ERDs
    household.tick(MINUTE)
    assert published.of("D828C9A12201", 0x0007) == ["01"]
    assert published.codes("D828C9A12201") == {0x0007}
    household.remove_appliance("d828c9a12201")
    household.remove_appliance("D828C9A12201")
    assert "D828C9A12201" not in household.appliances
    with pytest.raises(InvalidValueError):
        household.add_appliance(SimAppliance("D828C9", "x", "Oven", "GE"))
    with pytest.raises(InvalidValueError):
        household.add_appliance(SimAppliance("D828C9A12201", "x", "Oven", "GE", erds={1: "0"}))


def test_replacing_an_appliance_gives_it_fresh_behaviour(household: Household) -> None:
    household.write(DISHWASHER, 0x3204, "01")
    household.add_appliance(
        SimAppliance(
            DISHWASHER, "DW", "Dishwasher", "GE", erds=dict(household.appliances[DISHWASHER].erds)
        )
    )
    household.tick(3 * HOUR)  # the running cycle is picked up from its ERDs
    assert erd(household, DISHWASHER, 0x3001) == "06"


def test_tick_ignores_nonsense_and_huge_jumps_stay_cheap(
    household: Household, published: Published
) -> None:
    for seconds in (0.0, -5.0, float("nan"), float("inf")):
        household.tick(seconds)
    assert published.items == []
    household.tick(365 * 24 * HOUR)
    assert erd(household, DISHWASHER, 0x3001) == "02"
    assert erd(household, DRYER, 0x2000) == "04"
    assert erd(household, WASHER, 0x2000) == "04"
    assert erd(household, WATER_HEATER, 0x4026) == "04B0"


def test_small_ticks_add_up(household: Household) -> None:
    household.write(OVEN, 0x5100, BAKE_350)
    for _ in range(600):
        household.tick(0.1)
    assert erd(household, DRYER, 0x2007) == "0924"  # one minute less
    assert erd(household, OVEN, 0x5108) == "0001"  # one minute of cooking


@pytest.mark.parametrize("kind", ["00", "01", "02", "03", "06", "07", "0A", "16", "19", "1A", "21"])
def test_appliances_with_few_erds_still_behave(kind: str) -> None:
    """Real appliances report different ERD subsets; missing ones are simply skipped."""
    mac = "D828C9000001"
    household = Household(
        [SimAppliance(mac, "Bare", "Bare", "GE", erds={0x0007: "00", 0x0008: kind})]
    )
    published = Published(household)
    for code in (*range(0x1000, 0x1030), 0x3204, 0x2038, 0x2040, 0x5100, 0x900B, 0x4024, 0x7003):
        household.write(mac, code, "00")
    household.tick(HOUR)
    household.write(mac, 0x0007, "01")
    assert published.items == [(mac, 0x0007, "01")]
    assert household.appliances[mac].erds == {0x0007: "01", 0x0008: kind}


def test_households_are_deterministic() -> None:
    runs = []
    for _ in range(2):
        household = default_household()
        record = Published(household)
        household.write(DISHWASHER, 0x3204, "01")
        household.write(OVEN, 0x5100, BAKE_350)
        household.tick(2.5 * HOUR)
        runs.append(record.items)
    assert runs[0] == runs[1]


# --- Property: no write or tick can break the household --------------------------------------

_WRITABLE_CODES = sorted(
    {
        0x0007,
        *range(0x5100, 0x5114),
        *range(0x5200, 0x5214),
        *range(0x1004, 0x102D),
        0x3007,
        0x301F,
        0x3204,
        *range(0x2000, 0x2051),
        *range(0x9000, 0x9031),
        *range(0x4020, 0x4227),
        0x7002,
        0x7003,
        *range(0x7A00, 0x7A10),
    }
)
_MACS = [
    OVEN,
    FRIDGE,
    DISHWASHER,
    WASHER,
    DRYER,
    COFFEE,
    ESPRESSO,
    WATER_HEATER,
    WINDOW_AC,
    PORTABLE_AC,
]
_operations = st.lists(
    st.tuples(
        st.sampled_from(_MACS),
        st.one_of(st.sampled_from(_WRITABLE_CODES), st.integers(-1, 0x10000)),
        st.one_of(
            st.binary(max_size=14).map(bytes.hex),
            st.binary(max_size=14).map(lambda data: data.hex().upper()),
            st.text(max_size=8),
        ),
        st.floats(min_value=0, max_value=4 * HOUR, allow_nan=False),
    ),
    max_size=25,
)


@given(_operations)
def test_arbitrary_writes_never_raise_or_corrupt_erds(
    operations: list[tuple[str, int, str, float]],
) -> None:
    household = default_household()
    lengths = {
        (mac, code): len(raw)
        for mac, app in household.appliances.items()
        for code, raw in app.erds.items()
    }
    for mac, code, raw, seconds in operations:
        household.write(mac, code, raw)
        household.tick(seconds)
    after = {
        (mac, code): raw
        for mac, app in household.appliances.items()
        for code, raw in app.erds.items()
    }
    assert after.keys() == lengths.keys()
    for key, raw in after.items():
        assert len(raw) == lengths[key], key
        assert raw == raw.upper()
        bytes.fromhex(raw)
