"""Typed values decoded from Nespresso characteristics."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Family(StrEnum):
    """Machine families; they share a service UUID but not their payload layouts."""

    ORIGINAL = "original"  # Expert, Expert&Milk, Prodigio, Prodigio&Milk
    VERTUO = "vertuo"  # Vertuo Next, Pop, Pop+, Lattissima, Creatista


class KeyState(IntEnum):
    """Pairing-key (CMID) state, from 06aa3a51 or status byte 0 bits 5-6."""

    NONE = 0
    TEMPORARY = 1
    FINAL = 2
    UNDEFINED = 3
    UNKNOWN = 255


class OriginalState(IntEnum):
    """Original-line machine state: the low nibble of status byte 1."""

    RESET = 0
    HEAT_UP = 1
    READY = 2
    DESCALING_READY = 3
    BREWING = 4
    ADVANCED_MENU = 5
    DESCALING = 6
    STEAM_OUT = 7
    ERROR = 8
    POWER_SAVE = 9
    OVERHEAT = 10
    DIAGNOSTIC = 11
    BLE_SETTINGS = 12
    FACTORY_RESET = 13
    HARDNESS_MENU = 14
    STANDBY_DELAY_MENU = 15


class VertuoState(IntEnum):
    """Vertuo (Venus) machine state: (B1 & 0x0F) + (B2 & 0xF0)."""

    FACTORY_RESET = 0
    HEAT_UP = 1
    READY = 2
    DESCALING_READY = 3
    BREWING = 4
    CLEANING = 5
    DESCALING = 6
    EMPTYING = 7
    DEVICE_ERROR = 8
    POWER_SAVE = 9
    COOLDOWN = 10
    SERVICE_MODE = 11
    STANDBY = 12
    UPDATING = 13
    RINSING = 14
    CAPSULE_READING = 17
    DESCALE_SEQUENCE_DECODING = 18
    TANK_EMPTY = 19
    DESCALING_PAUSED = 20
    INITIALIZATION = 21
    RINSING_READY = 22
    MAINTENANCE_MENU = 23
    CLEANING_PAUSED = 26
    EMPTYING_READY = 33
    CLEANING_READY = 34
    READY_OLD_CAPSULE = 35
    RINSING_PAUSED = 36
    UNKNOWN = 255


class ErrorCategory(IntEnum):
    """Category of an error-information record."""

    NONE = 0
    POWER_LINE = 1
    MMI = 2
    MAIN_SYSTEM = 3
    SENSOR = 4
    ACTUATOR = 5
    OTHER = 6
    UNKNOWN = 255


CAPSULES_UNTRACKED_ABOVE = 1000  # the app's range; larger counts mean "not tracked"


@dataclass(frozen=True, slots=True)
class OriginalStatus:
    """Machine status of the original line (06aa3a12, 6-8 bytes)."""

    water_tank_empty: bool
    descaling_needed: bool
    fault_flag: bool  # B0 bit 4: "capsule mechanism jammed"/error present, meaning unsure
    key_state: KeyState
    bootloader_active: bool
    state: OriginalState
    tray_sensor_tripped: bool  # B1 bit 4, reported while brewing
    container_full: bool  # capsule container full or drip tray out
    capsule_engaged: bool
    capsule_stock_low: bool
    capsule_counter: int  # raw 10-bit counter; 1023 when tracking is off
    programmed_brew_active: bool
    programmed_brew_events: int
    capsule_stock_events: int
    blocked_events: int
    descaling_countdown: int | None  # None: not started or not sent

    @property
    def capsules(self) -> int | None:
        """Capsules left, or None when the machine does not track them."""
        if self.capsule_counter > CAPSULES_UNTRACKED_ABOVE:
            return None
        return self.capsule_counter


@dataclass(frozen=True, slots=True)
class VertuoStatus:
    """Machine status of the Vertuo (Venus) line (first 3 bytes decoded)."""

    water_tank_empty: bool
    cleaning_needed: bool
    descaling_needed: bool
    led_signalling: bool
    error_present: bool
    key_state: KeyState
    bootloader_active: bool
    state: VertuoState
    state_code: int
    milk_frother_running: bool
    cup_programming: bool
    container_full: bool
    brewing_unit_closed: bool


def version_text(value: int) -> str:
    """Render a u16 version as major.minor (108 -> "1.8")."""
    return f"{value // 100}.{value % 100}"


def long_version_text(value: int) -> str:
    """Render a u16 version as major.minor.patch (12345 -> "1.23.45")."""
    return f"{value // 10000}.{value % 10000 // 100}.{value % 100}"


@dataclass(frozen=True, slots=True)
class MachineInfo:
    """Versions and Bluetooth address from 06aa3a21."""

    hardware: str
    bootloader: str
    firmware: str
    connectivity: str
    recipe_database: str | None  # Vertuo only
    mac: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """One error-information record (06aa3a23)."""

    number: int  # error number (original) or selection index (Vertuo)
    category: ErrorCategory
    code: int


@dataclass(frozen=True, slots=True)
class OriginalSettings:
    """Standby delay and water hardness of the original line (06aa3a44)."""

    standby_seconds: int
    hardness: int
    reserved: int = 0


@dataclass(frozen=True, slots=True)
class VertuoSettings:
    """General user settings of the Vertuo line (06aa3a44)."""

    auto_off: int  # little-endian on the wire, unit not documented
    hardness: int
    standby: int


@dataclass(frozen=True, slots=True)
class Details:
    """What one authenticated connection reads: the values adverts do not carry."""

    family: Family
    status: OriginalStatus | VertuoStatus
    info: MachineInfo
    serial: str = field(repr=False)
    settings: OriginalSettings | VertuoSettings
    capsule_stock: int | None  # original line only
    stock_threshold: int | None  # original line only
