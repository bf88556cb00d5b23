"""Statistics widgets: coffee and flush counters, the last coffees, the daily trend.

Each is ``GET /things/{sn}/stats/<WIDGET>/1`` (some with ``days`` and ``timezone``) and
answers ``{"output": ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Any, Final
from urllib.parse import urlencode

from ..errors import InvalidValueError, ProtocolError
from .reader import Reader

COUNTER_WIDGET: Final = "COFFEE_AND_FLUSH_COUNTER"
LAST_COFFEE_WIDGET: Final = "LAST_COFFEE"
TREND_WIDGET: Final = "COFFEE_AND_FLUSH_TREND"
MAX_DAYS: Final = 365
_MAX_COUNT: Final = 10**9
_MAX_ENTRIES: Final = 10_000
_TIMEZONE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]{0,30}(?:/[A-Za-z0-9_+\-]{1,30}){0,2}")


@dataclass(frozen=True, slots=True)
class CoffeeAndFlushCounter:
    """Totals since the machine was made."""

    total_coffees: int
    total_flushes: int


@dataclass(frozen=True, slots=True)
class LastCoffee:
    """One shot: when, how long the extraction took and which dose."""

    time_ms: int
    extraction_seconds: float
    dose_mode: str | None
    dose_index: str | None
    dose_value: float | None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One day of the trend: its start (epoch ms) and a count."""

    timestamp_ms: int
    value: int


@dataclass(frozen=True, slots=True)
class CoffeeAndFlushTrend:
    """Coffees and flushes per day over ``days`` days in ``timezone``."""

    days: int
    timezone: str | None
    coffees: tuple[TrendPoint, ...]
    flushes: tuple[TrendPoint, ...]


def stats_path(serial_number: str, widget: str, **query: str | int) -> str:
    """The path of one statistics widget (``serial_number`` already checked)."""
    path = f"/things/{serial_number}/stats/{widget}/1"
    return f"{path}?{urlencode(query)}" if query else path


def checked_days(days: int) -> int:
    """``days`` when it is 1 to 365; InvalidValueError otherwise."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidValueError(f"days must be a whole number from 1 to {MAX_DAYS}")
    return days


def checked_timezone(timezone: str) -> str:
    """An IANA zone name such as ``Europe/Berlin``; InvalidValueError otherwise."""
    if not isinstance(timezone, str) or not _TIMEZONE.fullmatch(timezone):
        raise InvalidValueError("timezone must be an IANA name such as Europe/Berlin")
    return timezone


def _output(data: Any) -> Reader:
    return Reader(data, "statistics").obj("output")


def parse_counter(data: Any) -> CoffeeAndFlushCounter:
    """The ``COFFEE_AND_FLUSH_COUNTER`` reply."""
    output = _output(data)
    return CoffeeAndFlushCounter(
        total_coffees=output.integer("totalCoffee", 0, _MAX_COUNT),
        total_flushes=output.integer("totalFlush", 0, _MAX_COUNT),
    )


def parse_last_coffee(data: Any) -> LastCoffee:
    """One entry of ``lastCoffees``."""
    entry = Reader(data, "last coffee")
    time_ms = entry.opt_epoch_ms("time")
    if time_ms is None:
        raise ProtocolError("last coffee has no time")
    return LastCoffee(
        time_ms=time_ms,
        extraction_seconds=entry.number("extractionSeconds", 0, 3600),
        dose_mode=entry.opt_text("doseMode"),
        dose_index=entry.opt_text("doseIndex"),
        dose_value=entry.opt_number("doseValue", 0, 10_000),
    )


def _entries(reader: Reader, key: str) -> list[Any]:
    items = reader.items(key, optional=True)
    if len(items) > _MAX_ENTRIES:
        raise ProtocolError(f"statistics {key} has too many entries")
    return items


def parse_last_coffees(data: Any) -> tuple[LastCoffee, ...]:
    """The ``LAST_COFFEE`` reply, newest first."""
    coffees = [parse_last_coffee(item) for item in _entries(_output(data), "lastCoffees")]
    return tuple(sorted(coffees, key=lambda coffee: coffee.time_ms, reverse=True))


def _points(reader: Reader, key: str) -> tuple[TrendPoint, ...]:
    points = []
    for item in _entries(reader, key):
        entry = Reader(item, f"trend {key}")
        timestamp = entry.opt_epoch_ms("timestamp")
        if timestamp is None:
            raise ProtocolError("trend point has no timestamp")
        points.append(TrendPoint(timestamp, entry.integer("value", 0, _MAX_COUNT)))
    return tuple(sorted(points, key=lambda point: point.timestamp_ms))


def parse_trend(data: Any) -> CoffeeAndFlushTrend:
    """The ``COFFEE_AND_FLUSH_TREND`` reply, oldest day first."""
    output = _output(data)
    return CoffeeAndFlushTrend(
        days=output.integer("days", 0, 10 * MAX_DAYS),
        timezone=output.opt_text("timezone"),
        coffees=_points(output, "coffees"),
        flushes=_points(output, "flushes"),
    )
