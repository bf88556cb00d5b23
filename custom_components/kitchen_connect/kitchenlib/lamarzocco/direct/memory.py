"""The machine's memory map: where each block lives and what its bytes mean.

Every parser takes the bytes of one block and raises ProtocolError when they are not
that block (wrong length); multi-byte numbers are big-endian.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag

from ...errors import ProtocolError


@dataclass(frozen=True)
class Block:
    """An address and length the client reads."""

    address: int
    length: int


STATUS = Block(0x4000, 0x23)
SHORT_STATUS = Block(0x4000, 0x20)
CONFIG = Block(0x0000, 0x1F)
SCHEDULE = Block(0x0310, 0x1D)
DRINK_STATS = Block(0x0020, 0x2C)
USAGE = Block(0x0050, 0x18)
PANEL_TEXT = Block(0x60EF, 0x10)
PREINFUSION = Block(0x00E2, 0x04)
MACHINE_SERIAL = Block(0x0100, 0x11)
TEMPERATURES = Block(0x401C, 0x04)  # pushed by the machine, never asked for
FLOW = Block(0x6000, 0x16)  # streamed (``Z``) while a shot runs

KEYS = 4  # programmable keys of a GS/3; the fifth dose is the continuous one


def _expect(data: bytes, block: Block, *, at_least: int | None = None) -> None:
    size = len(data)
    if size != block.length if at_least is None else not at_least <= size <= block.length:
        raise ProtocolError(f"block {block.address:04X} has {size} bytes, not {block.length}")


def _word(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 2])


def _long(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 4])


def _tenths(data: bytes, offset: int) -> float:
    return _word(data, offset) / 10


def _text(data: bytes) -> str:
    return data.split(b"\0", 1)[0].decode("latin-1").strip()


class Heating(IntFlag):
    """What the status block says runs right now."""

    PUMP = 0x01
    BREW_SOLENOID = 0x02
    BOILER_FILL = 0x04
    HOT_WATER_SOLENOID = 0x08
    HEATING = 0x10
    COFFEE_HEATER = 0x20
    STEAM_HEATER = 0x40


@dataclass(frozen=True)
class Status:
    """The status block (``40000023``; the older ``40000020`` lacks the steam boiler)."""

    firmware: str
    module_serial: str
    key_active: int
    pulses: int
    water_ok: bool
    heating: Heating
    steam_boiler_enabled: bool | None


def parse_status(data: bytes) -> Status:
    """The status block, long or short."""
    _expect(data, STATUS, at_least=SHORT_STATUS.length)
    long_form = len(data) == STATUS.length
    if not long_form and len(data) != SHORT_STATUS.length:
        raise ProtocolError(f"status block has {len(data)} bytes")
    return Status(
        firmware=f"{data[1] // 100}.{data[1] % 100:02d}",
        module_serial=_text(data[3:15]),
        key_active=data[17],
        pulses=_word(data, 19),
        # The reservoir's contact closes while there is water above it.
        water_ok=data[24] != 0,
        heating=Heating(data[27] & 0x7F),
        steam_boiler_enabled=bool(data[34] & 0x01) if long_form else None,
    )


class PrebrewMode(IntEnum):
    """The prebrew flag of the configuration block."""

    DISABLED = 0
    PREBREW = 1
    PREINFUSION = 2


@dataclass(frozen=True)
class Config:
    """The configuration block (``0000001F``)."""

    power: bool
    coffee_target: float
    steam_target: float
    prebrew_mode: PrebrewMode | None  # None: a value this client does not know
    prebrew_on: tuple[float, ...]  # seconds, keys 1-4
    prebrew_off: tuple[float, ...]
    doses: tuple[int, ...]  # pulses, keys 1-5 (5 is the continuous key)
    hot_water_seconds: int


def parse_config(data: bytes) -> Config:
    """The configuration block."""
    _expect(data, CONFIG)
    mode = data[11]
    return Config(
        power=data[0] != 0,
        coffee_target=_tenths(data, 7),
        steam_target=_tenths(data, 9),
        prebrew_mode=PrebrewMode(mode) if mode in PrebrewMode else None,
        prebrew_on=tuple(byte / 10 for byte in data[12:16]),
        prebrew_off=tuple(byte / 10 for byte in data[16:20]),
        doses=tuple(_word(data, 20 + 2 * key) for key in range(KEYS + 1)),
        hot_water_seconds=data[30],
    )


@dataclass(frozen=True)
class DaySchedule:
    """When the machine switches itself on and off on one day."""

    enabled: bool
    on: tuple[int, int]  # hour, minute
    off: tuple[int, int]


@dataclass(frozen=True)
class Schedule:
    """The auto on/off block (``0310001D``): a global switch and one entry per day."""

    enabled: bool
    days: tuple[DaySchedule, ...]  # Monday first


# Offsets within the schedule block; the minutes start right after the 14 hour bytes.
SCHEDULE_HOURS = 1
SCHEDULE_MINUTES = 15


def parse_schedule(data: bytes) -> Schedule:
    """The auto on/off block (bit 0 global, bits 1-7 Monday to Sunday)."""
    _expect(data, SCHEDULE)
    bits = data[0]
    days = tuple(
        DaySchedule(
            enabled=bool(bits & (1 << (day + 1))),
            on=(data[SCHEDULE_HOURS + 2 * day], data[SCHEDULE_MINUTES + 2 * day]),
            off=(data[SCHEDULE_HOURS + 2 * day + 1], data[SCHEDULE_MINUTES + 2 * day + 1]),
        )
        for day in range(7)
    )
    return Schedule(enabled=bool(bits & 0x01), days=days)


@dataclass(frozen=True)
class DrinkStats:
    """The drink counters (``0020002C``)."""

    keys: tuple[int, ...]  # keys 1-4
    continuous: int
    total_coffees: int
    hot_water: int
    activations: int
    hot_water_completed: int

    @property
    def flushes(self) -> int:
        """Group activations that made no coffee."""
        return max(self.activations - self.total_coffees, 0)


def parse_drink_stats(data: bytes) -> DrinkStats:
    """Eleven four-byte counters; the eighth's meaning is unknown and the tenth repeats."""
    _expect(data, DRINK_STATS)
    counters = [_long(data, 4 * index) for index in range(11)]
    return DrinkStats(
        keys=tuple(counters[:KEYS]),
        continuous=counters[4],
        total_coffees=counters[5],
        hot_water=counters[6],
        activations=counters[8],
        hot_water_completed=counters[10],
    )


@dataclass(frozen=True)
class Usage:
    """The usage counters (``00500018``)."""

    coffee_heater_minutes: int
    steam_heater_minutes: int
    running_seconds: int
    on_hours: int
    pump_seconds: int
    hot_water_seconds: int


def parse_usage(data: bytes) -> Usage:
    """Six four-byte counters."""
    _expect(data, USAGE)
    return Usage(*(_long(data, 4 * index) for index in range(6)))


# The front panel's own glyphs: the degree sign and the heater off/on marks.
_GLYPHS = str.maketrans({0xDF: "°", 0xDB: "○", 0xFF: "●"})


@dataclass(frozen=True)
class PanelText:
    """What the front panel shows (``60EF0010``)."""

    text: str


def parse_panel_text(data: bytes) -> PanelText:
    """Sixteen latin-1 characters with the panel's glyphs made readable."""
    _expect(data, PANEL_TEXT)
    return PanelText(data.decode("latin-1").translate(_GLYPHS).replace("\0", " ").strip())


@dataclass(frozen=True)
class Preinfusion:
    """Pre-infusion time per key (``00E20004``), in seconds."""

    seconds: tuple[float, ...]


def parse_preinfusion(data: bytes) -> Preinfusion:
    """Four bytes of tenths of a second."""
    _expect(data, PREINFUSION)
    return Preinfusion(tuple(byte / 10 for byte in data))


def parse_machine_serial(data: bytes) -> str:
    """The machine's serial (``01000011``), NUL-padded ASCII."""
    _expect(data, MACHINE_SERIAL)
    return _text(data)


@dataclass(frozen=True)
class Temperatures:
    """The temperature report the machine pushes (``401C0004``)."""

    coffee: float
    steam: float


def parse_temperatures(data: bytes) -> Temperatures:
    """Two words of tenths of a degree Celsius."""
    _expect(data, TEMPERATURES)
    return Temperatures(coffee=_tenths(data, 0), steam=_tenths(data, 2))


@dataclass(frozen=True)
class FlowReport:
    """One report of the stream a shot sends (``Z60000016``)."""

    key: int
    flow_flag: int
    seconds: float
    pulses: int
    coffee_temperature: float
    steam_temperature: float


def parse_flow(data: bytes) -> FlowReport:
    """Serial (12 bytes), key, flow flag, time (12 bits whole, 4 bits sixteenths), pulses, temps."""
    _expect(data, FLOW)
    time = _word(data, 14)
    return FlowReport(
        key=data[12],
        flow_flag=data[13],
        seconds=(time >> 4) + (time & 0x0F) / 16,
        pulses=_word(data, 16),
        coffee_temperature=_tenths(data, 18),
        steam_temperature=_tenths(data, 20),
    )
