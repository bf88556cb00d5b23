"""Shot-counter notifications: their decoder and the shot state they add up to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
import json
import time
from types import MappingProxyType
from typing import Any, Final

from ...errors import ProtocolError
from ..reader import Reader
from .payloads import TEMPERATURE_LIMITS, as_flag, decode_json

# A timer beyond a day is not a shot.
_MAX_SECONDS: Final = 86_400.0
STALE_AFTER: Final = 60.0


@dataclass(frozen=True, slots=True)
class Telemetry:
    """One notification; every field is None when the notification did not carry it."""

    started_dose_index: str | None = None
    brewing: bool | None = None  # BrewingUpdateGroup1Ev
    backflush: bool | None = None
    brewing_time: float | None = None  # seconds since the shot started
    flush_stopped_time: float | None = None
    flush_stopped_dose_index: str | None = None
    stopped_time: float | None = None
    stopped_dose_index: str | None = None
    stop_type: str | None = None
    stop_reason: str | None = None
    coffee_temperature: float | None = None
    steam_temperature: float | None = None
    machine_mode: str | None = None
    sleep: bool | None = None
    statistics: Mapping[str, Any] | None = None

    @property
    def stopped(self) -> bool:
        """A shot ended."""
        fields = (self.stopped_time, self.stopped_dose_index, self.stop_type, self.stop_reason)
        return any(value is not None for value in fields) or self.brewing is False

    @property
    def flushed(self) -> bool:
        """A flush ended."""
        return self.flush_stopped_time is not None or self.flush_stopped_dose_index is not None

    @property
    def started(self) -> bool:
        """A shot started or is running."""
        return self.started_dose_index is not None or (
            self.brewing is True and self.brewing_time is not None
        )


def _index(entry: Reader, key: str) -> str | None:
    value = entry.raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ProtocolError(f"telemetry.{key} is not a dose index")
    text = str(value)
    if not 0 < len(text) <= 64:
        raise ProtocolError(f"telemetry.{key} is not a dose index")
    return text


def _seconds(entry: Reader, key: str) -> float | None:
    return entry.opt_number(key, 0.0, _MAX_SECONDS)


def _opt_flag(entry: Reader, key: str) -> bool | None:
    value = entry.raw.get(key)
    return None if value is None else as_flag(value, f"telemetry.{key}")


def _statistics(entry: Reader) -> Mapping[str, Any] | None:
    value = entry.raw.get("MachineStatistics")
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_constant=_refuse)
        except (ValueError, RecursionError) as err:
            raise ProtocolError("telemetry.MachineStatistics is not JSON") from err
    if not isinstance(value, dict):
        raise ProtocolError("telemetry.MachineStatistics is not an object")
    return MappingProxyType(value)


def _refuse(name: str) -> Any:
    raise ValueError(name)


def decode_telemetry(data: bytes) -> Telemetry:
    """A shot-counter notification (NUL-stripped JSON object, any subset of the keys)."""
    entry = Reader(decode_json(data, "telemetry"), "telemetry")
    return Telemetry(
        started_dose_index=_index(entry, "BrewingStartedGroup1DoseIndex"),
        brewing=_opt_flag(entry, "BrewingUpdateGroup1Ev"),
        backflush=_opt_flag(entry, "BrewingUpdateGroup1Backflush"),
        brewing_time=_seconds(entry, "BrewingUpdateGroup1Time"),
        flush_stopped_time=_seconds(entry, "FlushStoppedGroup1Time"),
        flush_stopped_dose_index=_index(entry, "FlushStoppedGroup1DoseIndex"),
        stopped_time=_seconds(entry, "BrewingStoppedGroup1Time"),
        stopped_dose_index=_index(entry, "BrewingStoppedGroup1DoseIndex"),
        stop_type=entry.opt_text("BrewingStoppedGroup1StopType"),
        stop_reason=entry.opt_text("BrewingStoppedGroup1StopReason"),
        coffee_temperature=entry.opt_number("CoffeeBoiler1UpdateTemperature", *TEMPERATURE_LIMITS),
        steam_temperature=entry.opt_number("SteamBoilerUpdateTemperature", *TEMPERATURE_LIMITS),
        machine_mode=entry.opt_text("MachineMode"),
        sleep=_opt_flag(entry, "Sleep"),
        statistics=_statistics(entry),
    )


class ShotState(StrEnum):
    """What the group is doing, as the shot counter tells it."""

    IDLE = "idle"
    BREWING = "brewing"
    FLUSHED = "flushed"
    BACKFLUSHING = "backflushing"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class ShotStatus:
    """The shot state and the latest telemetry; times are epoch seconds."""

    state: ShotState = ShotState.IDLE
    started_at: float | None = None
    elapsed: float | None = None  # the machine's timer of the running shot
    last_shot_duration: float | None = None
    coffee_temperature: float | None = None
    steam_temperature: float | None = None
    machine_mode: str | None = None
    sleep: bool | None = None
    statistics: Mapping[str, Any] | None = None
    updated_at: float | None = None


class ShotTracker:
    """Adds notifications up to a ShotStatus.

    Call ``subscribed`` on every (re)subscription: the machine first replays its last
    notification, which says nothing about now and is dropped.
    """

    def __init__(
        self, clock: Callable[[], float] = time.time, stale_after: float = STALE_AFTER
    ) -> None:
        """Track shots; ``clock`` gives epoch seconds."""
        self._clock = clock
        self._stale_after = stale_after
        self._status = ShotStatus()
        self._drop_next = False

    def subscribed(self) -> None:
        """A new subscription: the next notification is the stale replay."""
        self._drop_next = True

    def is_stale(self) -> bool:
        """No notification for longer than ``stale_after`` (or none at all)."""
        updated = self._status.updated_at
        return updated is None or self._clock() - updated > self._stale_after

    @property
    def status(self) -> ShotStatus:
        """The current status; once stale, only the last shot's duration is left."""
        return self._fresh()

    def _fresh(self) -> ShotStatus:
        if not self.is_stale():
            return self._status
        # The last shot stays a fact; live values and a shot in progress do not.
        return ShotStatus(last_shot_duration=self._status.last_shot_duration)

    def feed(self, telemetry: Telemetry) -> ShotStatus | None:
        """Add one notification; None when it was the stale replay."""
        if self._drop_next:
            self._drop_next = False
            return None
        now = self._clock()
        status = _with_telemetry(self._fresh(), telemetry, now)
        self._status = _next_shot_state(status, telemetry, now)
        return self._status


def _with_telemetry(status: ShotStatus, telemetry: Telemetry, now: float) -> ShotStatus:
    def pick[T](new: T | None, old: T | None) -> T | None:
        return old if new is None else new

    return replace(
        status,
        coffee_temperature=pick(telemetry.coffee_temperature, status.coffee_temperature),
        steam_temperature=pick(telemetry.steam_temperature, status.steam_temperature),
        machine_mode=pick(telemetry.machine_mode, status.machine_mode),
        sleep=pick(telemetry.sleep, status.sleep),
        statistics=pick(telemetry.statistics, status.statistics),
        updated_at=now,
    )


def _next_shot_state(status: ShotStatus, telemetry: Telemetry, now: float) -> ShotStatus:
    if telemetry.stopped:
        duration = telemetry.stopped_time
        if duration is None and status.started_at is not None:
            duration = now - status.started_at
        if duration is None:
            duration = status.elapsed
        return replace(
            status,
            state=ShotState.STOPPED,
            elapsed=None,
            last_shot_duration=status.last_shot_duration if duration is None else duration,
        )
    if telemetry.flushed:
        return replace(status, state=ShotState.FLUSHED, started_at=None, elapsed=None)
    if telemetry.backflush is True:
        return replace(status, state=ShotState.BACKFLUSHING, started_at=None, elapsed=None)
    if telemetry.started:
        # A shot after a stop, a flush or a backflush starts the timing afresh.
        started_at = status.started_at if status.state is ShotState.BREWING else None
        elapsed = telemetry.brewing_time or 0.0
        start = now - elapsed
        return replace(
            status,
            state=ShotState.BREWING,
            started_at=start if started_at is None else min(started_at, start),
            elapsed=elapsed,
        )
    return status
