"""Decoders (and, for the simulator and round trips, encoders) of machine data.

Every decoder raises ProtocolError on short or malformed input, nothing else.
"""

from __future__ import annotations

from ..errors import ProtocolError
from .models import (
    ErrorCategory,
    ErrorInfo,
    KeyState,
    MachineInfo,
    OriginalSettings,
    OriginalState,
    OriginalStatus,
    VertuoSettings,
    VertuoState,
    VertuoStatus,
    long_version_text,
    version_text,
)

ORIGINAL_STATUS_MIN = 6  # the advert carries bytes 0-5
STATUS_MAX = 20  # the ATT MTU stays at 23
VERTUO_STATUS_MIN = 3
COUNTDOWN_NOT_STARTED = 0xFFFF
CAPSULE_COUNTER_MAX = 0x3FF
SERIAL_MAX = 20
SLIDER_CLOSED = 0x02


def _length(data: bytes, what: str, minimum: int, maximum: int = STATUS_MAX) -> None:
    if not minimum <= len(data) <= maximum:
        raise ProtocolError(f"{what}: {len(data)} bytes, expected {minimum}-{maximum}")


def _bit(value: int, bit: int) -> bool:
    return bool(value >> bit & 1)


def _key_state(byte0: int) -> KeyState:
    return KeyState(byte0 >> 5 & 0x03)


def decode_original_status(data: bytes) -> OriginalStatus:
    """Decode an original-line status (GATT 8 bytes, 7 on some Prodigio, 6 in the advert)."""
    _length(data, "original status", ORIGINAL_STATUS_MIN)
    b0, b1, b2, b3, b4 = data[0], data[1], data[2], data[3], data[4]
    countdown: int | None = None
    if len(data) >= 8:
        countdown = int.from_bytes(data[6:8])
        if countdown == COUNTDOWN_NOT_STARTED:
            countdown = None
    return OriginalStatus(
        water_tank_empty=_bit(b0, 0),
        descaling_needed=_bit(b0, 2),
        fault_flag=_bit(b0, 4),
        key_state=_key_state(b0),
        bootloader_active=_bit(b0, 7),
        state=OriginalState(b1 & 0x0F),
        tray_sensor_tripped=_bit(b1, 4),
        container_full=_bit(b1, 6),
        capsule_engaged=_bit(b1, 7),
        capsule_stock_low=_bit(b2, 7),
        capsule_counter=(b2 & 0x7F) << 3 | b3 >> 5,
        programmed_brew_active=_bit(b3, 4),
        programmed_brew_events=b3 >> 2 & 0x03,
        capsule_stock_events=b3 & 0x03,
        blocked_events=b4 >> 6,
        descaling_countdown=countdown,
    )


def encode_original_status(status: OriginalStatus) -> bytes:
    """The 8 status bytes for ``status`` (unknown bits are sent as zero)."""
    if not 0 <= status.capsule_counter <= CAPSULE_COUNTER_MAX:
        raise ValueError("capsule counter is 10 bits")
    if status.key_state > KeyState.UNDEFINED:
        raise ValueError("the status carries a 2-bit key state")
    b0 = (
        status.water_tank_empty
        | status.descaling_needed << 2
        | status.fault_flag << 4
        | int(status.key_state) << 5
        | status.bootloader_active << 7
    )
    b1 = (
        int(status.state)
        | status.tray_sensor_tripped << 4
        | status.container_full << 6
        | status.capsule_engaged << 7
    )
    b2 = status.capsule_stock_low << 7 | status.capsule_counter >> 3
    b3 = (
        (status.capsule_counter & 0x07) << 5
        | status.programmed_brew_active << 4
        | (status.programmed_brew_events & 0x03) << 2
        | status.capsule_stock_events & 0x03
    )
    b4 = (status.blocked_events & 0x03) << 6
    countdown = (
        COUNTDOWN_NOT_STARTED if status.descaling_countdown is None else status.descaling_countdown
    )
    return bytes((b0, b1, b2, b3, b4, 0)) + countdown.to_bytes(2)


def decode_vertuo_status(data: bytes) -> VertuoStatus:
    """Decode a Vertuo status (GATT 8 bytes padded, advert 6; only bytes 0-2 carry data)."""
    _length(data, "Vertuo status", VERTUO_STATUS_MIN)
    b0, b1, b2 = data[0], data[1], data[2]
    code = (b1 & 0x0F) + (b2 & 0xF0)
    try:
        state = VertuoState(code)
    except ValueError:
        state = VertuoState.UNKNOWN
    return VertuoStatus(
        water_tank_empty=_bit(b0, 0),
        cleaning_needed=_bit(b0, 1),
        descaling_needed=_bit(b0, 2),
        led_signalling=_bit(b0, 3),
        error_present=_bit(b0, 4),
        key_state=_key_state(b0),
        bootloader_active=_bit(b0, 7),
        state=state,
        state_code=code,
        milk_frother_running=_bit(b1, 4),
        cup_programming=_bit(b1, 5),
        container_full=_bit(b1, 6),
        brewing_unit_closed=_bit(b1, 7),
    )


def encode_vertuo_status(status: VertuoStatus) -> bytes:
    """The 8 (padded) status bytes for ``status``."""
    if status.key_state > KeyState.UNDEFINED:
        raise ValueError("the status carries a 2-bit key state")
    b0 = (
        status.water_tank_empty
        | status.cleaning_needed << 1
        | status.descaling_needed << 2
        | status.led_signalling << 3
        | status.error_present << 4
        | int(status.key_state) << 5
        | status.bootloader_active << 7
    )
    b1 = (
        status.state_code & 0x0F
        | status.milk_frother_running << 4
        | status.cup_programming << 5
        | status.container_full << 6
        | status.brewing_unit_closed << 7
    )
    return bytes((b0, b1, status.state_code & 0xF0)) + bytes(5)


def _mac(data: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in data)


def _u16(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 2])


def decode_original_info(data: bytes) -> MachineInfo:
    """Machine info of the original line: four u16 versions and the 6-byte address."""
    _length(data, "original machine info", 14, 14)
    return MachineInfo(
        hardware=version_text(_u16(data, 0)),
        bootloader=version_text(_u16(data, 2)),
        firmware=version_text(_u16(data, 4)),
        connectivity=version_text(_u16(data, 6)),
        recipe_database=None,
        mac=_mac(data[8:14]),
    )


def decode_vertuo_info(data: bytes) -> MachineInfo:
    """Machine info of the Vertuo line: five u16 versions and the 6-byte address."""
    _length(data, "Vertuo machine info", 16, 16)
    return MachineInfo(
        hardware=version_text(_u16(data, 0)),
        bootloader=version_text(_u16(data, 2)),
        firmware=version_text(_u16(data, 4)),
        recipe_database=version_text(_u16(data, 6)),
        connectivity=long_version_text(_u16(data, 8)),
        mac=_mac(data[10:16]),
    )


def decode_serial(data: bytes) -> str:
    """The serial number: printable ASCII, null-padded."""
    _length(data, "serial", 1, SERIAL_MAX)
    text = data.rstrip(b"\x00")
    if not text or not all(0x20 < byte < 0x7F for byte in text):
        raise ProtocolError("serial is not printable ASCII")
    return text.decode("ascii")


def _category(value: int) -> ErrorCategory:
    try:
        return ErrorCategory(value)
    except ValueError:
        return ErrorCategory.UNKNOWN


def decode_original_error(data: bytes) -> ErrorInfo:
    """Error information, original-line layout: number, category nibble, u16 BE sub-code."""
    _length(data, "error information", 4)
    return ErrorInfo(number=data[0], category=_category(data[1] >> 4), code=_u16(data, 2))


def decode_vertuo_error(data: bytes) -> ErrorInfo:
    """Error information, Vertuo layout: selection index, u16 LE code (category bits 4-7)."""
    _length(data, "error information", 3)
    code = int.from_bytes(data[1:3], "little")
    return ErrorInfo(number=data[0], category=_category(code >> 4 & 0x0F), code=code)


def decode_original_settings(data: bytes) -> OriginalSettings:
    """Standby delay (seconds, u16 BE) and water hardness of the original line."""
    _length(data, "user settings", 4, 4)
    return OriginalSettings(standby_seconds=_u16(data, 0), hardness=data[2], reserved=data[3])


def encode_original_settings(settings: OriginalSettings) -> bytes:
    """The 4 bytes for ``settings``."""
    return settings.standby_seconds.to_bytes(2) + bytes((settings.hardness, settings.reserved))


def decode_vertuo_settings(data: bytes) -> VertuoSettings:
    """Auto-off (u16 LE), water hardness and standby of the Vertuo line."""
    _length(data, "user settings", 4, 4)
    return VertuoSettings(
        auto_off=int.from_bytes(data[0:2], "little"), hardness=data[2], standby=data[3]
    )


def encode_vertuo_settings(settings: VertuoSettings) -> bytes:
    """The 4 bytes for ``settings``."""
    return settings.auto_off.to_bytes(2, "little") + bytes((settings.hardness, settings.standby))


def decode_count(data: bytes) -> int:
    """A 2-byte big-endian counter: capsule stock (06aa3a15) or its threshold (06aa3a25)."""
    _length(data, "counter", 2, 2)
    return _u16(data, 0)


def decode_slider(data: bytes) -> bool:
    """True when the original line's slider/lid is closed (06aa3a22 byte 0 bit 1)."""
    _length(data, "slider", 1)
    return bool(data[0] & SLIDER_CLOSED)
