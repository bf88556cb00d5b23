"""Every sample payload and test vector of the Nespresso reference, decoded."""

from __future__ import annotations

import pytest

from custom_components.kitchen_connect.kitchenlib.nespresso import commands as c, status as s
from custom_components.kitchen_connect.kitchenlib.nespresso.auth import derive_key
from custom_components.kitchen_connect.kitchenlib.nespresso.gatt import OriginalModel
from custom_components.kitchen_connect.kitchenlib.nespresso.models import (
    ErrorCategory,
    KeyState,
    OriginalState,
    VertuoState,
)

EXPERT = OriginalModel.EXPERT


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_expert_after_onboarding() -> None:
    """The captured status right after onboarding."""
    status = s.decode_original_status(h("50497fe08000ffff"))
    assert status.key_state is KeyState.FINAL
    assert status.fault_flag
    assert status.state is OriginalState.POWER_SAVE
    assert status.container_full
    assert status.capsule_counter == 1023
    assert status.capsules is None
    assert status.blocked_events == 2
    assert status.descaling_countdown is None
    assert not status.water_tank_empty
    assert not status.descaling_needed


def test_advert_payload_before_onboarding() -> None:
    """The advert copy of bytes 0-5, captured before onboarding: key state none."""
    status = s.decode_original_status(h("10497fe08000"))
    assert status.key_state is KeyState.NONE
    assert status.state is OriginalState.POWER_SAVE
    assert status.descaling_countdown is None


@pytest.mark.parametrize(
    ("payload", "state", "engaged", "tank_empty"),
    [
        ("4002 01e0 4000 ffff", OriginalState.READY, False, False),
        ("4084 01e0 4000 ffff", OriginalState.BREWING, True, False),
        ("4004 01e0 4000 ffff", OriginalState.BREWING, False, False),
        ("4184 01e0 4000 ffff", OriginalState.BREWING, True, True),
    ],
)
def test_expert_brew_cycle(
    payload: str, state: OriginalState, engaged: bool, tank_empty: bool
) -> None:
    """Idle, coffee, hot water and water running out (brewbutton's Expert samples)."""
    status = s.decode_original_status(h(payload.replace(" ", "")))
    assert status.state is state
    assert status.capsule_engaged is engaged
    assert status.water_tank_empty is tank_empty
    assert status.capsules == 15
    assert status.blocked_events == 1
    assert status.key_state is KeyState.FINAL


def test_tray_flags() -> None:
    """``40 4x`` tray full; ``40 Dx`` tray sensor tripped while brewing."""
    assert s.decode_original_status(h("404201e04000ffff")).container_full
    tripped = s.decode_original_status(h("40d401e04000ffff"))
    assert tripped.tray_sensor_tripped
    assert tripped.container_full
    assert tripped.capsule_engaged


@pytest.mark.parametrize(
    ("payload", "capsules", "low"),
    [
        ("44 09 80 0c c0 00 00", 0, True),
        ("44 09 80 2d c0 00 00", 1, True),
        ("44 09 07 2d c0 00 00", 57, False),
    ],
)
def test_prodigio_seven_bytes(payload: str, capsules: int, low: bool) -> None:
    """tikismoke's Prodigio reads: descaling needed, power save, capsule counter."""
    status = s.decode_original_status(h(payload.replace(" ", "")))
    assert status.descaling_needed
    assert status.state is OriginalState.POWER_SAVE
    assert status.capsules == capsules
    assert status.capsule_stock_low is low
    assert status.descaling_countdown is None  # only 7 bytes


def test_truncated_prodigio_sample_is_a_protocol_error() -> None:
    """``41 84 00 18 00 0`` as written by tikismoke is not a whole status."""
    with pytest.raises(s.ProtocolError):
        s.decode_original_status(h("4184001800"))


def test_bulldog_vectors() -> None:
    """bulldog's two test vectors."""
    first = s.decode_original_status(h("41847fec0000ffff"))
    assert first.water_tank_empty
    assert first.state is OriginalState.BREWING
    assert first.capsule_counter == 1023
    assert not first.programmed_brew_active
    assert first.programmed_brew_events == 3
    second = s.decode_original_status(h("40090be0c000ffff"))
    assert second.state is OriginalState.POWER_SAVE
    assert second.capsules == 95
    assert second.blocked_events == 3


def test_descaling_countdown() -> None:
    """B6-B7 big-endian; ``0000`` goes with the descaling flag."""
    assert s.decode_original_status(h("400201e040000123")).descaling_countdown == 0x123
    done = s.decode_original_status(h("440201e040000000"))
    assert done.descaling_countdown == 0
    assert done.descaling_needed


@pytest.mark.parametrize(
    ("payload", "state"),
    [
        ("400900000000", VertuoState.POWER_SAVE),
        ("408200000000", VertuoState.READY),
        ("408100000000", VertuoState.HEAT_UP),
        ("400c00000000", VertuoState.STANDBY),
        ("408110000000", VertuoState.CAPSULE_READING),
        ("408400000000", VertuoState.BREWING),
    ],
)
def test_vertuo_pop_adverts(payload: str, state: VertuoState) -> None:
    """renaud's Vertuo Pop advert sequence."""
    status = s.decode_vertuo_status(h(payload))
    assert status.state is state
    assert status.key_state is KeyState.FINAL


def test_vertuo_flags_and_head() -> None:
    """``57 12``: water, cleaning, descaling, error; ``40 42``: ready with container full."""
    flags = s.decode_vertuo_status(h("571200"))
    assert flags.water_tank_empty
    assert flags.cleaning_needed
    assert flags.descaling_needed
    assert flags.error_present
    assert not flags.led_signalling
    assert not s.decode_vertuo_status(h("400900000000")).brewing_unit_closed
    assert s.decode_vertuo_status(h("408200000000")).brewing_unit_closed
    full = s.decode_vertuo_status(h("404200"))
    assert full.state is VertuoState.READY
    assert full.container_full


def test_vertuo_decode_vector() -> None:
    """FezVrasta's ``d7 c3 20``."""
    status = s.decode_vertuo_status(h("d7c320"))
    assert status.bootloader_active
    assert status.key_state is KeyState.FINAL
    assert status.error_present
    assert status.descaling_needed
    assert status.cleaning_needed
    assert status.water_tank_empty
    assert status.brewing_unit_closed
    assert status.container_full
    assert status.state is VertuoState.READY_OLD_CAPSULE


def test_vertuo_layout_on_original_bytes_is_unknown() -> None:
    """Why the family matters: the capture decoded as Vertuo is no real state."""
    status = s.decode_vertuo_status(h("50497fe08000ffff"))
    assert status.state_code == 121
    assert status.state is VertuoState.UNKNOWN


def test_original_machine_info() -> None:
    """cryptax's Prodigio machine info."""
    info = s.decode_original_info(h("006c006d007d0076d2a74c76f3e0"))
    assert (info.hardware, info.bootloader, info.firmware, info.connectivity) == (
        "1.8",
        "1.9",
        "1.25",
        "1.18",
    )
    assert info.mac == "d2:a7:4c:76:f3:e0"
    assert info.recipe_database is None
    assert "d2:a7" not in repr(info)


def test_vertuo_machine_info() -> None:
    """FezVrasta's Vertuo machine info."""
    info = s.decode_vertuo_info(h("006500c801f4000a3039aabbccddeeff"))
    assert (info.hardware, info.bootloader, info.firmware) == ("1.1", "2.0", "5.0")
    assert info.recipe_database == "0.10"
    assert info.connectivity == "1.23.45"
    assert info.mac == "aa:bb:cc:dd:ee:ff"


def test_serial() -> None:
    """The Prodigio serial, also null-padded to 20 bytes."""
    assert s.decode_serial(b"16069D70p13036820NJ") == "16069D70p13036820NJ"
    assert s.decode_serial(b"16069D70p13036820NJ\x00") == "16069D70p13036820NJ"


@pytest.mark.parametrize(
    ("payload", "standby", "hardness"),
    [("07080400", 1800, 4), ("07080300", 1800, 3), ("021c0400", 540, 4)],
)
def test_original_settings(payload: str, standby: int, hardness: int) -> None:
    """Standby delay in seconds (big-endian) and the hardness level."""
    settings = s.decode_original_settings(h(payload))
    assert (settings.standby_seconds, settings.hardness) == (standby, hardness)


def test_vertuo_settings() -> None:
    """``2c 01 03 09``: auto-off 300 (little-endian), hardness 3, standby 9."""
    settings = s.decode_vertuo_settings(h("2c010309"))
    assert (settings.auto_off, settings.hardness, settings.standby) == (300, 3, 9)


def test_capsule_stock_threshold_and_slider() -> None:
    """Stock ``00 0e``, threshold ``00 05``, slider ``00`` open / ``02`` closed."""
    assert s.decode_count(h("000e")) == 14
    assert s.decode_count(h("0005")) == 5
    assert s.decode_slider(h("00")) is False
    assert s.decode_slider(h("02")) is True


def test_error_information() -> None:
    """bulldog's self-test: error 1, main system, sub-code 0x2603."""
    info = s.decode_original_error(h("01302603044397a400"))
    assert info.number == 1
    assert info.category is ErrorCategory.MAIN_SYSTEM
    assert info.code == 0x2603


def test_vertuo_error_information() -> None:
    """Vertuo layout: selection index, little-endian code, category from bits 4-7."""
    info = s.decode_vertuo_error(h("004100"))
    assert info.number == 0
    assert info.code == 0x41
    assert info.category is ErrorCategory.SENSOR
    assert s.decode_vertuo_error(h("01f000")).category is ErrorCategory.UNKNOWN


@pytest.mark.parametrize(
    ("seed", "key"),
    [
        ("0123456789abcdef0123456789abcdef", "80123456789abcde"),
        ("A1B2C3D4E5F60718293A4B5C6D7E8F90", "8a1b2c3d4e5f6071"),
        ("2FAECC7DFF8C42E6BBBCAC1810F011E8", "82faecc7dff8c42e"),
    ],
)
def test_key_derivation(seed: str, key: str) -> None:
    """The app's derivation: nibble 8 and the seed's first 15 nibbles."""
    assert derive_key(seed) == h(key)


def test_key_is_the_account_secret() -> None:
    """The account API's base64 ``secret`` is the same 8 bytes."""
    import base64

    assert base64.b64encode(derive_key("A1B2C3D4E5F60718293A4B5C6D7E8F90")) == b"ihssPU5fYHE="


@pytest.mark.parametrize(
    ("product", "temperature", "frame"),
    [
        (c.Product.ESPRESSO, c.Temperature.MEDIUM, "03050704000000000001"),
        (c.Product.LUNGO, c.Temperature.HIGH, "03050704000000000202"),
        (c.Product.HOT_WATER, c.Temperature.LOW, "03050704000000000104"),
        (c.Product.AMERICANO, c.Temperature.LOW, "03050704000000000105"),
        (c.Product.CUSTOM, c.Temperature.HIGH, "03050704000000000207"),
    ],
)
def test_brew_frames(product: c.Product, temperature: c.Temperature, frame: str) -> None:
    """The reference's brew frames."""
    assert c.build_brew(product, temperature, model=EXPERT) == h(frame)


def test_recipe_frames() -> None:
    """130 ml coffee; 97 ml coffee + 36 ml water; 200 ml water only."""
    assert c.build_recipe_prepare(coffee_ml=130, water_ml=None) == h("0110080000010082000000")
    assert c.build_recipe_prepare(coffee_ml=97, water_ml=36) == h("0110080000010061020024")
    assert c.build_recipe_prepare(coffee_ml=None, water_ml=200) == h("01100800000200c8000000")
    prepare, brew = c.build_custom_brew(
        coffee_ml=130, water_ml=None, temperature=c.Temperature.HIGH, model=EXPERT
    )
    assert prepare == h("0110080000010082000000")
    assert brew == h("03050704000000000207")


def test_cancel_frame() -> None:
    """``03 06 01 02``."""
    assert c.build_cancel() == h("03060102")


def test_no_factory_reset_or_key_change_builder() -> None:
    """Destructive commands are not offered at all."""
    names = {name.lower() for name in dir(c)}
    assert not any("reset" in name or "key" in name for name in names)


@pytest.mark.parametrize(
    ("payload", "outcome", "error"),
    [
        ("83050120", c.Outcome.ACCEPTED, False),
        ("81100120", c.Outcome.ACCEPTED, False),
        ("83060120", c.Outcome.ACCEPTED, False),
        ("c3060121", c.Outcome.NOTHING_TO_CANCEL, True),
        ("c305022412", c.Outcome.LID_NOT_CYCLED, True),
        ("c305022408", c.Outcome.SLIDER_OPEN, True),
        ("c305022403", c.Outcome.CONTAINER_FULL, True),
        ("c30503240104", c.Outcome.WATER_TANK_EMPTY, True),
        ("c305023601", c.Outcome.UNSUPPORTED_PRODUCT, True),
        ("c305023603", c.Outcome.INVALID_TEMPERATURE, True),
        ("c110022360", c.Outcome.LID_NOT_CYCLED, True),
        ("83050120808000000000000000000000000000000", c.Outcome.ACCEPTED, False),
        ("c30502241200000000000000000000000000000000", c.Outcome.LID_NOT_CYCLED, True),
    ],
)
def test_responses(payload: str, outcome: c.Outcome, error: bool) -> None:
    """Every response in the reference, including the 20-byte forms."""
    response = c.decode_response(h(payload[:40]))
    assert response.outcome is outcome
    assert response.error is error


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        (0x01, c.Outcome.INVALID_STATE),
        (0x02, c.Outcome.INVALID_STATE),
        (0x04, c.Outcome.OBSTACLE),
        (0x05, c.Outcome.DESCALING_ON),
        (0x06, c.Outcome.LAST_ACTION_NOT_FINISHED),
        (0x07, c.Outcome.NOT_ABORTABLE),
        (0x09, c.Outcome.NO_PROGRAMMED_BREW),
        (0x10, c.Outcome.PUMP_RUNNING),
        (0x11, c.Outcome.MOTOR_RUNNING),
        (0x7F, c.Outcome.UNKNOWN),
    ],
)
def test_condition_reasons(reason: int, outcome: c.Outcome) -> None:
    """The APK's "conditions not fulfilled" reasons."""
    assert c.decode_response(bytes((0xC3, 0x05, 0x02, 0x24, reason))).outcome is outcome


def test_other_codes() -> None:
    """Out-of-range without a known reason, and codes the reference does not list."""
    assert c.decode_response(h("c305023609")).outcome is c.Outcome.OUT_OF_RANGE
    assert c.decode_response(h("c3050136")).outcome is c.Outcome.OUT_OF_RANGE
    assert c.decode_response(h("c3050155")).outcome is c.Outcome.UNKNOWN
    assert c.decode_response(h("c3050124")).outcome is c.Outcome.UNKNOWN
