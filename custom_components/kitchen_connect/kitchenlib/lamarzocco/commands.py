"""Command payloads, validated before anything is built, and how a command ended.

A command is ``POST /things/{sn}/command/<name>`` with a flat JSON body. The reply only says
``Pending``; the result arrives later in a websocket push's ``commands[]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
import math
import re
from types import MappingProxyType
from typing import Any, Final

from ..errors import CommandRefusedError, InvalidValueError, ProtocolError
from .dashboard import CommandUpdate, Dose, parse_command_updates

# pylamarzocco waits this long for the websocket to report a command's result.
COMMAND_TIMEOUT: Final = 10.0
_SCHEDULE_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DOSE_INDEX: Final = re.compile(r"[A-Za-z0-9]{1,16}")


@dataclass(frozen=True, slots=True)
class Range:
    """Allowed values: ``minimum`` to ``maximum`` in steps of ``step`` from the minimum."""

    minimum: float
    maximum: float
    step: float

    def check(self, value: float, what: str) -> float:
        """``value`` on the grid, or InvalidValueError naming ``what``."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidValueError(f"{what} must be a number")
        if not math.isfinite(value) or not self.minimum <= value <= self.maximum:
            raise InvalidValueError(f"{what} must be between {self.minimum:g} and {self.maximum:g}")
        steps = (value - self.minimum) / self.step
        if abs(steps - round(steps)) > 1e-6:
            raise InvalidValueError(f"{what} must be a multiple of {self.step:g}")
        # Rounded so 92.30000000000001 is sent as 92.3.
        return round(self.minimum + round(steps) * self.step, 6)

    @classmethod
    def of(
        cls,
        minimum: float | None,
        maximum: float | None,
        step: float | None,
        fallback: Range | None = None,
    ) -> Range:
        """The range a widget reports, completed from ``fallback``; InvalidValueError if none."""
        low = minimum if minimum is not None else fallback.minimum if fallback else None
        high = maximum if maximum is not None else fallback.maximum if fallback else None
        grid = step if step else fallback.step if fallback else None
        if low is None or high is None or grid is None or grid <= 0 or low > high:
            raise InvalidValueError("the machine reports no usable range for this setting")
        return cls(low, high, grid)

    @classmethod
    def of_dose(cls, dose: Dose, fallback: Range | None = None) -> Range:
        """The range of a dashboard dose."""
        return cls.of(dose.minimum, dose.maximum, dose.step, fallback)


COFFEE_TEMPERATURE: Final = Range(80.0, 110.0, 0.1)
STEAM_TEMPERATURE: Final = Range(20.0, 134.0, 0.1)
PREBREW_SECONDS: Final = Range(0.0, 30.0, 0.1)
BREW_BY_WEIGHT_GRAMS: Final = Range(5.0, 100.0, 0.1)
SCHEDULE_MINUTES: Final = Range(0.0, 1439.0, 1.0)


class MachineMode(StrEnum):
    """Machine power modes."""

    BREWING = "BrewingMode"
    STANDBY = "StandBy"
    ECO = "EcoMode"


class SteamLevel(StrEnum):
    """Steam levels of the Micra and Mini R (126, 128, 131 °C)."""

    LEVEL_1 = "Level1"
    LEVEL_2 = "Level2"
    LEVEL_3 = "Level3"


class PreBrewMode(StrEnum):
    """Pre-extraction modes."""

    PREBREWING = "PreBrewing"
    PREINFUSION = "PreInfusion"
    DISABLED = "Disabled"


class StandByAfter(StrEnum):
    """What the smart-standby timer counts from."""

    POWER_ON = "PowerOn"
    LAST_BREWING = "LastBrewing"


class BrewByWeightMode(StrEnum):
    """Brew-by-weight modes."""

    DOSE_1 = "Dose1"
    DOSE_2 = "Dose2"
    CONTINUOUS = "Continuous"


class GrinderMode(StrEnum):
    """Grinder power modes."""

    GRINDING = "GrindingMode"
    STANDBY = "StandBy"


class GrinderDoseMode(StrEnum):
    """How a grinder dose is measured (the Pico by time or mass)."""

    TIME = "TimeType"
    MASS = "MassType"
    REVOLUTIONS = "RevType"


class SpeedLevel(StrEnum):
    """Grinder speed levels."""

    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"


class Weekday(StrEnum):
    """Days of a wake-up schedule."""

    MONDAY = "Monday"
    TUESDAY = "Tuesday"
    WEDNESDAY = "Wednesday"
    THURSDAY = "Thursday"
    FRIDAY = "Friday"
    SATURDAY = "Saturday"
    SUNDAY = "Sunday"


@dataclass(frozen=True, slots=True)
class Command:
    """A command name and its JSON body."""

    name: str
    body: Mapping[str, Any]

    def path(self, serial_number: str) -> str:
        """The path under the customer-app base URL."""
        return f"/things/{serial_number}/command/{self.name}"


def _command(name: str, body: dict[str, Any]) -> Command:
    return Command(name, MappingProxyType(body))


def _member[E: StrEnum](kind: type[E], value: str, allowed: Iterable[str] | None = None) -> E:
    try:
        member = kind(value)
    except ValueError:
        raise InvalidValueError(f"{value!r} is not a {kind.__name__}") from None
    if allowed is not None and member.value not in set(allowed):
        raise InvalidValueError(f"this machine does not offer {member.value}")
    return member


def _flag(value: bool, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidValueError(f"{what} must be true or false")
    return value


def change_mode(mode: str) -> Command:
    """Power: brewing mode, standby or eco mode."""
    return _command("CoffeeMachineChangeMode", {"mode": _member(MachineMode, mode).value})


def steam_boiler_enabled(enabled: bool) -> Command:
    """Steam boiler on or off."""
    body = {"boilerIndex": 1, "enabled": _flag(enabled, "enabled")}
    return _command("CoffeeMachineSettingSteamBoilerEnabled", body)


def steam_level(level: str) -> Command:
    """Steam level 1 to 3 (Micra, Mini R)."""
    body = {"boilerIndex": 1, "targetLevel": _member(SteamLevel, level).value}
    return _command("CoffeeMachineSettingSteamBoilerTargetLevel", body)


def coffee_temperature(value: float, limits: Range = COFFEE_TEMPERATURE) -> Command:
    """Coffee boiler target; pass the range the machine's widget reports."""
    body = {"boilerIndex": 1, "targetTemperature": limits.check(value, "coffee temperature")}
    return _command("CoffeeMachineSettingCoffeeBoilerTargetTemperature", body)


def steam_temperature(value: float, limits: Range = STEAM_TEMPERATURE) -> Command:
    """Steam boiler target (GS3 AV, GS3 MP); pass the range the widget reports."""
    body = {"boilerIndex": 1, "targetTemperature": limits.check(value, "steam temperature")}
    return _command("CoffeeMachineSettingSteamBoilerTargetTemperature", body)


def prebrew_mode(mode: str, available_modes: Iterable[str] | None = None) -> Command:
    """Prebrewing, preinfusion or off; only what the machine's widget offers."""
    member = _member(PreBrewMode, mode, available_modes)
    return _command("CoffeeMachinePreBrewingChangeMode", {"mode": member.value})


def prebrew_times(
    in_seconds: float, out_seconds: float, *, limits: Range = PREBREW_SECONDS
) -> Command:
    """Prebrew wet (In) and pause (Out) times; preinfusion is In 0 and Out its time."""
    body = {
        "times": {
            "In": limits.check(in_seconds, "prebrew on time"),
            "Out": limits.check(out_seconds, "prebrew off time"),
        },
        "groupIndex": 1,
        "doseIndex": "ByGroup",
    }
    return _command("CoffeeMachinePreBrewingSettingTimes", body)


def start_backflush() -> Command:
    """Start the backflush cleaning cycle (the blind basket must be in place)."""
    return _command("CoffeeMachineBackFlushStartCleaning", {"enabled": True})


def smart_standby(enabled: bool, minutes: float, after: str, limits: Range) -> Command:
    """Smart standby; ``limits`` from the scheduling reply's minutes range."""
    body = {
        "enabled": _flag(enabled, "enabled"),
        "minutes": int(limits.check(minutes, "standby minutes")),
        "after": _member(StandByAfter, after).value,
    }
    return _command("CoffeeMachineSettingSmartStandBy", body)


def wake_up_schedule(
    *,
    enabled: bool,
    on_minutes: int,
    off_minutes: int,
    steam_boiler: bool,
    days: Iterable[str],
    schedule_id: str | None = None,
) -> Command:
    """Create (no id) or change a wake-up schedule; times are minutes after midnight."""
    chosen = [_member(Weekday, day).value for day in days]
    if not chosen or len(set(chosen)) != len(chosen):
        raise InvalidValueError("a schedule needs at least one day, each once")
    body: dict[str, Any] = {}
    if schedule_id is not None:
        body["id"] = _schedule_id(schedule_id)
    body |= {
        "enabled": _flag(enabled, "enabled"),
        "onTimeMinutes": int(SCHEDULE_MINUTES.check(on_minutes, "wake-up time")),
        "offTimeMinutes": int(SCHEDULE_MINUTES.check(off_minutes, "sleep time")),
        "steamBoiler": _flag(steam_boiler, "steam boiler"),
        "days": chosen,
    }
    return _command("CoffeeMachineSettingWakeUpSchedule", body)


def delete_wake_up_schedule(schedule_id: str) -> Command:
    """Delete a wake-up schedule."""
    return _command("CoffeeMachineDeleteWakeUpSchedule", {"id": _schedule_id(schedule_id)})


def _schedule_id(schedule_id: str) -> str:
    if not isinstance(schedule_id, str) or not _SCHEDULE_ID.fullmatch(schedule_id):
        raise InvalidValueError("a schedule id is letters, digits, '-' and '_'")
    return schedule_id


def brew_by_weight_mode(mode: str) -> Command:
    """Brew by weight: dose 1, dose 2 or continuous."""
    body = {"mode": _member(BrewByWeightMode, mode).value}
    return _command("CoffeeMachineBrewByWeightChangeMode", body)


def brew_by_weight_doses(
    dose_1: float, dose_2: float, limits: Range = BREW_BY_WEIGHT_GRAMS
) -> Command:
    """Both brew-by-weight doses in grams (the cloud wants both)."""
    doses = {
        "Dose1": limits.check(dose_1, "dose 1"),
        "Dose2": limits.check(dose_2, "dose 2"),
    }
    return _command("CoffeeMachineBrewByWeightSettingDoses", {"doses": doses})


def plumb_in(enabled: bool) -> Command:
    """Plumbed-in water supply on or off."""
    return _command("CoffeeMachineSettingPlumbIn", {"enabled": _flag(enabled, "enabled")})


def cup_warmer(enabled: bool) -> Command:
    """Cup warmer on or off."""
    body = {"enabled": _flag(enabled, "enabled")}
    return _command("CoffeeMachineSettingCupWarmerEnabled", body)


def _dose_index(dose_index: str) -> str:
    if not isinstance(dose_index, str) or not _DOSE_INDEX.fullmatch(dose_index):
        raise InvalidValueError("a dose index is a short name such as DoseA")
    return dose_index


def hot_water_dose(dose_index: str, dose: float, limits: Range) -> Command:
    """Hot-water dose (GS3 AV); ``limits`` from the widget's dose."""
    body = {"doseIndex": _dose_index(dose_index), "dose": limits.check(dose, "hot water dose")}
    return _command("CoffeeMachineSettingHotWaterDose", body)


def group_dose_mode(mode: str, available_modes: Iterable[str]) -> Command:
    """Dose mode of group 1 (GS3 AV); only modes the widget offers."""
    allowed = set(available_modes)
    if mode not in allowed:
        raise InvalidValueError(f"this machine does not offer dose mode {mode!r}")
    return _command("CoffeeMachineGroupDoseChangeMode", {"groupIndex": 1, "mode": mode})


def group_dose(mode: str, dose_index: str, dose: float, limits: Range) -> Command:
    """One dose of group 1 (GS3 AV pulses); ``limits`` from the widget's dose."""
    body = {
        "groupIndex": 1,
        "mode": _dose_index(mode),
        "doseIndex": _dose_index(dose_index),
        "dose": limits.check(dose, "dose"),
    }
    return _command("CoffeeMachineGroupDoseSettingDose", body)


def grinder_mode(mode: str) -> Command:
    """Grinder power: grinding mode or standby."""
    return _command("GrinderChangeMode", {"mode": _member(GrinderMode, mode).value})


def barista_light(enabled: bool) -> Command:
    """The grinder's barista light."""
    body = {"index": 1, "enabled": _flag(enabled, "enabled")}
    return _command("GrinderSettingBaristaLightEnabled", body)


def grinder_dose(
    mode: str, dose_index: str, dose: float, limits: Range, speed_level: str | None = None
) -> Command:
    """A grinder dose by time (s) or mass (g); ``limits`` from the widget's dose."""
    body: dict[str, Any] = {
        "index": 1,
        "mode": _member(GrinderDoseMode, mode).value,
        "doseIndex": _dose_index(dose_index),
        "dose": limits.check(dose, "grinder dose"),
    }
    if speed_level is not None:
        body["speedLevel"] = _member(SpeedLevel, speed_level).value
    return _command("GrinderSettingDose", body)


class CommandStatus(StrEnum):
    """Statuses the cloud reports for a command."""

    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    SUCCESS = "Success"
    ERROR = "Error"
    TIMEOUT = "Timeout"


class CommandOutcome(StrEnum):
    """Where a sent command stands."""

    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"


def parse_command_reply(data: Any) -> CommandUpdate:
    """The ``[{"id","status","errorCode"}]`` reply of a command POST (its first entry)."""
    if not isinstance(data, list) or not data:
        raise ProtocolError("command reply is not a non-empty list")
    return parse_command_updates(data[:1])[0]


def command_outcome(
    update: CommandUpdate | None, *, elapsed: float, limit: float = COMMAND_TIMEOUT
) -> CommandOutcome:
    """Success, failure, still waiting, or waited too long, from the newest status seen.

    A status this library does not know is treated as not final, so it ends as a timeout
    rather than a success nobody can vouch for.
    """
    status = update.status if update is not None else CommandStatus.PENDING
    if status == CommandStatus.SUCCESS:
        return CommandOutcome.SUCCEEDED
    if status in (CommandStatus.ERROR, CommandStatus.TIMEOUT):
        return CommandOutcome.FAILED
    return CommandOutcome.TIMED_OUT if elapsed >= limit else CommandOutcome.WAITING


class NoResultError(CommandRefusedError):
    """The cloud took the command, but no result came back in time: it may have run."""


def outcome_error(
    command: Command, outcome: CommandOutcome, update: CommandUpdate | None
) -> CommandRefusedError | None:
    """The error a finished command raises, or None for success (and while waiting)."""
    if outcome is CommandOutcome.FAILED:
        detail = (update.error_code or update.status) if update is not None else "Error"
        return CommandRefusedError(f"{command.name} failed on the machine ({detail})")
    if outcome is CommandOutcome.TIMED_OUT:
        return NoResultError(f"{command.name} got no result from the machine in time")
    return None
