"""The writes the machine takes, each checked against its range before it is encoded.

A value out of range raises InvalidValueError (a ValueError) and nothing is built, so
nothing can be sent. Per-key settings sit at consecutive addresses: key ``k`` replaces
the second address byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import math

from ...errors import InvalidValueError
from .memory import PREINFUSION, SCHEDULE, SCHEDULE_HOURS, SCHEDULE_MINUTES, PrebrewMode


@dataclass(frozen=True)
class Write:
    """Bytes to poke at an address."""

    address: int
    data: bytes


@dataclass(frozen=True)
class Limits:
    """What a setting accepts: ``minimum`` to ``maximum`` in steps of ``step``."""

    minimum: float
    maximum: float
    step: float = 1

    def check(self, value: float, what: str) -> int:
        """``value`` counted in steps (what goes on the wire), or InvalidValueError."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidValueError(f"{what} must be a number")
        if not math.isfinite(value) or not self.minimum <= value <= self.maximum:
            raise InvalidValueError(f"{what} must be between {self.minimum:g} and {self.maximum:g}")
        steps = value / self.step
        if abs(steps - round(steps)) > 1e-6:
            raise InvalidValueError(f"{what} must be a multiple of {self.step:g}")
        return round(steps)


COFFEE_TEMPERATURE = Limits(80, 110, 0.1)
STEAM_TEMPERATURE = Limits(110, 134, 0.1)
PREBREW_SECONDS = Limits(0, 5.9, 0.1)
PREINFUSION_SECONDS = Limits(0, 24.9, 0.1)
DOSE_PULSES = Limits(1, 1000)
HOT_WATER_SECONDS = Limits(1, 30)
DOSE_KEYS = range(1, 6)  # 5 is the continuous key
PREBREW_KEYS = range(1, 5)
DAYS = range(7)  # Monday is 0
HOURS = Limits(0, 23)
MINUTES = Limits(0, 59)

POWER = 0x0000
COFFEE_TARGET = 0x0007
STEAM_TARGET = 0x0009
PREBREW_MODE = 0x000B
PREBREW_ON = 0x000C
PREBREW_OFF = 0x0010
DOSES = 0x0014
HOT_WATER = 0x001E
STEAM_BOILER = 0x00E1
_STEAM_ON, _STEAM_OFF, _BACKFLUSH = 0x81, 0x01, 0x82
# The only public source writes the minutes at 0x0320 + 2·day, one past where its own
# read map puts them (the schedule block at 0x0310 has the minutes from byte 15, 0x031F).
# We trust the read map: a write there reads back where the machine reports the minutes.
SCHEDULE_MINUTES_ADDRESS = SCHEDULE.address + SCHEDULE_MINUTES
SCHEDULE_HOURS_ADDRESS = SCHEDULE.address + SCHEDULE_HOURS


def _key(key: int, keys: range, what: str) -> int:
    if type(key) is not int or key not in keys:
        raise InvalidValueError(f"{what}: key must be {keys.start} to {keys.stop - 1}")
    return key - 1


def _day(day: int, what: str) -> int:
    if type(day) is not int or day not in DAYS:
        raise InvalidValueError(f"{what}: day must be 0 (Monday) to 6 (Sunday)")
    return day


def _flag(value: bool, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidValueError(f"{what} must be on or off")
    return value


def power(on: bool) -> Write:
    """Switch the machine on (brewing mode) or to standby."""
    return Write(POWER, bytes([_flag(on, "power")]))


def coffee_temperature(celsius: float) -> Write:
    """The coffee boiler's target."""
    tenths = COFFEE_TEMPERATURE.check(celsius, "coffee temperature")
    return Write(COFFEE_TARGET, tenths.to_bytes(2))


def steam_temperature(celsius: float) -> Write:
    """The steam boiler's target."""
    tenths = STEAM_TEMPERATURE.check(celsius, "steam temperature")
    return Write(STEAM_TARGET, tenths.to_bytes(2))


def prebrew_mode(mode: PrebrewMode) -> Write:
    """Prebrew, pre-infusion or neither."""
    if type(mode) is not PrebrewMode:
        raise InvalidValueError("prebrew mode must be disabled, prebrew or preinfusion")
    return Write(PREBREW_MODE, bytes([mode]))


def prebrew_on(key: int, seconds: float) -> Write:
    """How long the pump runs before the pause, for one key."""
    index = _key(key, PREBREW_KEYS, "prebrew on time")
    return Write(PREBREW_ON + index, bytes([PREBREW_SECONDS.check(seconds, "prebrew on time")]))


def prebrew_off(key: int, seconds: float) -> Write:
    """How long the pause lasts, for one key."""
    index = _key(key, PREBREW_KEYS, "prebrew off time")
    return Write(PREBREW_OFF + index, bytes([PREBREW_SECONDS.check(seconds, "prebrew off time")]))


def preinfusion(key: int, seconds: float) -> Write:
    """The pre-infusion time of one key."""
    index = _key(key, PREBREW_KEYS, "pre-infusion time")
    tenths = PREINFUSION_SECONDS.check(seconds, "pre-infusion time")
    return Write(PREINFUSION.address + index, bytes([tenths]))


def dose(key: int, pulses: int) -> Write:
    """The volume of one key in flow-meter pulses (about half a millilitre each)."""
    index = _key(key, DOSE_KEYS, "dose")
    return Write(DOSES + 2 * index, DOSE_PULSES.check(pulses, "dose").to_bytes(2))


def hot_water(seconds: int) -> Write:
    """How long the hot-water tap runs."""
    return Write(HOT_WATER, bytes([HOT_WATER_SECONDS.check(seconds, "hot water dose")]))


def steam_boiler(on: bool) -> Write:
    """Switch the steam boiler on or off."""
    return Write(STEAM_BOILER, bytes([_STEAM_ON if _flag(on, "steam boiler") else _STEAM_OFF]))


def start_backflush() -> Write:
    """Start the backflush cycle (the caller asks the user to confirm first)."""
    return Write(STEAM_BOILER, bytes([_BACKFLUSH]))


def auto_on_off_enabled(enabled: bool, days: Iterable[int]) -> Write:
    """The global switch and the days (0 = Monday) on which the schedule runs."""
    bits = 0x01 if _flag(enabled, "auto on/off") else 0
    for day in days:
        bits |= 1 << (_day(day, "auto on/off") + 1)
    return Write(SCHEDULE.address, bytes([bits]))


def _times(values: tuple[float, float], limits: Limits, what: str) -> bytes:
    return bytes(limits.check(value, what) for value in values)


def auto_on_off_hours(day: int, on: int, off: int) -> Write:
    """The hours at which the machine switches on and off on ``day`` (0 = Monday)."""
    index = _day(day, "auto on/off hours")
    return Write(SCHEDULE_HOURS_ADDRESS + 2 * index, _times((on, off), HOURS, "hour"))


def auto_on_off_minutes(day: int, on: int, off: int) -> Write:
    """The minutes at which the machine switches on and off on ``day`` (0 = Monday)."""
    index = _day(day, "auto on/off minutes")
    return Write(SCHEDULE_MINUTES_ADDRESS + 2 * index, _times((on, off), MINUTES, "minute"))
