"""Smart standby and wake-up schedules, read from either shape the cloud sends.

Older firmware nests smart standby in ``smartWakeUpSleep`` (``smartStandByEnabled``...);
the 2026 shape has a top-level ``smartStandBy`` object and leaves those keys out. Both
become one ``Scheduling``. The websocket's scheduling destination pushes the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ..errors import ProtocolError
from .commands import Range, Weekday
from .reader import Reader

MINUTES_OF_DAY: Final = 1440
_MAX_STANDBY_MINUTES: Final = 7 * MINUTES_OF_DAY
_MAX_SCHEDULES: Final = 64
_WEEKDAYS: Final = frozenset(day.value for day in Weekday)


@dataclass(frozen=True, slots=True)
class SmartStandBy:
    """Standby after some minutes, counted from power-on or from the last shot."""

    enabled: bool
    minutes: int
    minutes_min: int | None
    minutes_max: int | None
    minutes_step: int | None
    after: str | None

    @property
    def limits(self) -> Range:
        """The minutes the machine accepts (reported, else 0 to 240 in steps of 1)."""
        return Range.of(self.minutes_min, self.minutes_max, self.minutes_step, _STANDBY_FALLBACK)


_STANDBY_FALLBACK: Final = Range(0.0, 240.0, 1.0)


@dataclass(frozen=True, slots=True)
class WakeUpSchedule:
    """One wake-up schedule: on and off times in minutes after midnight, on some days."""

    schedule_id: str
    enabled: bool
    on_minutes: int
    off_minutes: int
    days: tuple[str, ...]
    steam_boiler: bool


@dataclass(frozen=True, slots=True)
class Scheduling:
    """What ``GET /things/{sn}/scheduling`` (or a scheduling push) says, in one model."""

    smart_standby_supported: bool
    smart_standby: SmartStandBy | None
    wake_up_supported: bool
    steam_boiler_supported: bool
    schedules: tuple[WakeUpSchedule, ...]
    early_start_supported: bool
    early_start: bool | None
    auto_on_off_supported: bool
    eco_mode_supported: bool
    new_shape: bool

    def schedule(self, schedule_id: str) -> WakeUpSchedule | None:
        """The schedule with this id, or None."""
        return next((item for item in self.schedules if item.schedule_id == schedule_id), None)


def _minutes(reader: Reader, key: str, high: int = _MAX_STANDBY_MINUTES) -> int:
    return int(reader.number(key, 0, high))


def _opt_minutes(reader: Reader, key: str) -> int | None:
    return _minutes(reader, key) if reader.has(key) else None


def _new_standby(standby: Reader) -> SmartStandBy:
    return SmartStandBy(
        enabled=standby.opt_flag("enabled"),
        minutes=_minutes(standby, "minutes"),
        minutes_min=_opt_minutes(standby, "minutesMin"),
        minutes_max=_opt_minutes(standby, "minutesMax"),
        minutes_step=_opt_minutes(standby, "minutesStep"),
        after=standby.opt_text("after"),
    )


def _old_standby(sleep: Reader) -> SmartStandBy | None:
    if not sleep.has("smartStandByEnabled") and not sleep.has("smartStandByMinutes"):
        return None
    return SmartStandBy(
        enabled=sleep.opt_flag("smartStandByEnabled"),
        minutes=_minutes(sleep, "smartStandByMinutes"),
        minutes_min=_opt_minutes(sleep, "smartStandByMinutesMin"),
        minutes_max=_opt_minutes(sleep, "smartStandByMinutesMax"),
        minutes_step=_opt_minutes(sleep, "smartStandByMinutesStep"),
        after=sleep.opt_text("smartStandByAfter"),
    )


def parse_wake_up_schedule(data: Any) -> WakeUpSchedule:
    """One entry of ``schedules``; unknown day names are left out."""
    entry = Reader(data, "schedule")
    return WakeUpSchedule(
        schedule_id=entry.text("id"),
        enabled=entry.opt_flag("enabled"),
        on_minutes=_minutes(entry, "onTimeMinutes", MINUTES_OF_DAY),
        off_minutes=_minutes(entry, "offTimeMinutes", MINUTES_OF_DAY),
        days=tuple(day for day in entry.texts("days") if day in _WEEKDAYS),
        steam_boiler=entry.opt_flag("steamBoiler"),
    )


def _schedules(sleep: Reader | None) -> tuple[WakeUpSchedule, ...]:
    if sleep is None:
        return ()
    items = sleep.items("schedules", optional=True)
    if len(items) > _MAX_SCHEDULES:
        raise ProtocolError("scheduling has too many schedules")
    schedules = []
    for item in items:
        # One schedule the app made odd must not hide the others.
        try:
            schedules.append(parse_wake_up_schedule(item))
        except ProtocolError:
            continue
    return tuple(schedules)


def _early_start(reader: Reader) -> bool | None:
    value = reader.raw.get("earlyStart")
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        enabled = value.get("enabled")
        return enabled if isinstance(enabled, bool) else None
    return None


def parse_scheduling(data: Any) -> Scheduling:
    """The scheduling reply or push in either shape; ProtocolError when unusable."""
    reader = Reader(data, "scheduling")
    sleep = reader.opt_obj("smartWakeUpSleep")
    top = reader.opt_obj("smartStandBy")
    new_shape = reader.has("smartStandBySupported") or top is not None
    standby = _new_standby(top) if top is not None else _old_standby(sleep) if sleep else None
    supported = reader.opt_flag("smartStandBySupported", default=standby is not None)
    return Scheduling(
        smart_standby_supported=supported,
        smart_standby=standby,
        wake_up_supported=reader.opt_flag("smartWakeUpSleepSupported", default=sleep is not None),
        # The older shape has no such flag while its schedules carry ``steamBoiler``.
        steam_boiler_supported=(
            sleep.opt_flag("steamBoilerSupported", default=not new_shape) if sleep else False
        ),
        schedules=_schedules(sleep),
        early_start_supported=reader.opt_flag("earlyStartSupported"),
        early_start=_early_start(reader),
        auto_on_off_supported=reader.opt_flag("autoOnOffSupported"),
        eco_mode_supported=reader.opt_flag("ecoModeSupported"),
        new_shape=new_shape,
    )
