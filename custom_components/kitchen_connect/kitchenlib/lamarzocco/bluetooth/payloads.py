"""Bluetooth payloads: JSON commands and read requests out, JSON replies in.

Everything the machine sends is NUL-terminated UTF-8 JSON; booleans sometimes arrive as the
strings ``"true"``/``"false"``. Anything else is a ProtocolError, never another exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import json
from typing import Any, Final

from ...errors import InvalidValueError, ProtocolError
from ..commands import (
    COFFEE_TEMPERATURE,
    STEAM_TEMPERATURE,
    MachineMode,
    Range,
    StandByAfter,
    SteamLevel,
)
from ..reader import Reader

# A characteristic value is at most 512 bytes; a long read or a notification of statistics
# may be longer, but never this long.
MAX_PAYLOAD: Final = 16 * 1024
# Wide enough for any boiler reading (cold machine to overheated steam boiler) and target.
TEMPERATURE_LIMITS: Final = (-40.0, 250.0)
SMART_STANDBY_MINUTES: Final = Range(1.0, 1440.0, 1.0)
_COUNT_LIMIT: Final = 64

# Micra and Mini R take their steam level as a target temperature.
STEAM_LEVEL_TEMPERATURES: Final[dict[SteamLevel, int]] = {
    SteamLevel.LEVEL_1: 126,
    SteamLevel.LEVEL_2: 128,
    SteamLevel.LEVEL_3: 131,
}


class Setting(StrEnum):
    """What can be read through the read characteristic."""

    CAPABILITIES = "machineCapabilities"
    MACHINE_MODE = "machineMode"
    TANK_STATUS = "tankStatus"
    PLUMBED_IN = "isPlumbedIn"
    BOILERS = "boilers"
    SMART_STANDBY = "smartStandBy"


class BoilerId(StrEnum):
    """The boilers a command or a reply names."""

    COFFEE = "CoffeeBoiler1"
    STEAM = "SteamBoiler"


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What the machine says it has (``machineCapabilities``)."""

    family: str
    groups: int
    coffee_boilers: int
    steam_boilers: int
    tea_doses: int
    has_cup_warmer: bool
    machine_modes: tuple[str, ...]
    scheduling_type: str | None


@dataclass(frozen=True, slots=True)
class Boiler:
    """One boiler of the ``boilers`` reply; ``identifier`` is kept as sent."""

    identifier: str
    enabled: bool
    target: float | None
    current: float | None


@dataclass(frozen=True, slots=True)
class Boilers:
    """The ``boilers`` reply."""

    boilers: tuple[Boiler, ...]

    def get(self, identifier: BoilerId) -> Boiler | None:
        """The boiler named ``identifier``, if the machine has it."""
        return next((b for b in self.boilers if b.identifier == identifier.value), None)

    @property
    def coffee(self) -> Boiler | None:
        """The coffee boiler."""
        return self.get(BoilerId.COFFEE)

    @property
    def steam(self) -> Boiler | None:
        """The steam boiler."""
        return self.get(BoilerId.STEAM)


@dataclass(frozen=True, slots=True)
class SmartStandby:
    """The ``smartStandBy`` reply."""

    enabled: bool
    minutes: int
    after: StandByAfter


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What reading the write characteristic says about the last command."""

    status: str
    message: str | None
    command_id: str | None

    @property
    def succeeded(self) -> bool:
        """Whether the machine carried the command out."""
        return self.status.lower() == "success"


# -- out -----------------------------------------------------------------------------------


def read_request(setting: Setting) -> bytes:
    """The bytes written to the read characteristic to ask for ``setting``."""
    return setting.value.encode() + b"\x00"


def encode_command(name: str, parameter: dict[str, Any]) -> bytes:
    """A command as compact JSON and its terminating NUL."""
    body = json.dumps({"name": name, "parameter": parameter}, separators=(",", ":"))
    return body.encode() + b"\x00"


def _number(value: float) -> float | int:
    # Whole degrees go out as integers, the way the app sends them.
    return int(value) if float(value).is_integer() else value


def power(on: bool) -> bytes:
    """Switch to brewing mode or to standby."""
    if not isinstance(on, bool):
        raise InvalidValueError("power must be true or false")
    mode = MachineMode.BREWING if on else MachineMode.STANDBY
    return encode_command("MachineChangeMode", {"mode": mode.value})


def steam_enabled(enabled: bool) -> bytes:
    """Switch the steam boiler on or off."""
    if not isinstance(enabled, bool):
        raise InvalidValueError("steam must be true or false")
    parameter = {"identifier": BoilerId.STEAM.value, "state": enabled}
    return encode_command("SettingBoilerEnable", parameter)


def boiler_target(boiler: BoilerId, value: float, limits: Range) -> bytes:
    """A boiler's target temperature, checked against ``limits`` first."""
    checked = limits.check(value, "target temperature")
    parameter = {"identifier": boiler.value, "value": _number(checked)}
    return encode_command("SettingBoilerTarget", parameter)


def coffee_temperature(value: float, limits: Range = COFFEE_TEMPERATURE) -> bytes:
    """The coffee boiler's target temperature."""
    return boiler_target(BoilerId.COFFEE, value, limits)


def steam_temperature(value: float, limits: Range = STEAM_TEMPERATURE) -> bytes:
    """The steam boiler's target temperature (GS3 AV and MP)."""
    return boiler_target(BoilerId.STEAM, value, limits)


def steam_level(level: SteamLevel | str) -> bytes:
    """A steam level (Micra, Mini R), sent as the level's temperature."""
    try:
        member = SteamLevel(level)
    except ValueError:
        raise InvalidValueError(f"{level!r} is not a steam level") from None
    parameter = {"identifier": BoilerId.STEAM.value, "value": STEAM_LEVEL_TEMPERATURES[member]}
    return encode_command("SettingBoilerTarget", parameter)


def steam_level_of(target: float | None) -> SteamLevel | None:
    """The steam level a target temperature stands for, if it is one of the three."""
    for level, temperature in STEAM_LEVEL_TEMPERATURES.items():
        if target is not None and abs(target - temperature) < 0.5:
            return level
    return None


def smart_standby(
    enabled: bool,
    minutes: int,
    after: StandByAfter | str,
    limits: Range = SMART_STANDBY_MINUTES,
) -> bytes:
    """Smart standby: off, or standby ``minutes`` after power-on or the last shot."""
    if not isinstance(enabled, bool):
        raise InvalidValueError("enabled must be true or false")
    try:
        mode = StandByAfter(after)
    except ValueError:
        raise InvalidValueError(f"{after!r} is not a smart standby mode") from None
    checked = int(limits.check(minutes, "standby minutes"))
    parameter = {"minutes": checked, "mode": mode.value, "enabled": enabled}
    return encode_command("SettingSmartStandby", parameter)


# -- in ------------------------------------------------------------------------------------


def decode_json(data: bytes, what: str) -> Any:
    """The JSON value of a NUL-terminated reply or notification."""
    if len(data) > MAX_PAYLOAD:
        raise ProtocolError(f"{what} is too long ({len(data)} bytes)")
    text_bytes, _, _ = bytes(data).partition(b"\x00")
    try:
        text = text_bytes.decode("utf-8")
        return json.loads(text, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ProtocolError(f"{what} is not JSON") from err


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def as_flag(value: Any, what: str) -> bool:
    """A boolean sent as a JSON boolean or as the text ``true``/``false``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ProtocolError(f"{what} is not a boolean")


def _first_object(value: Any, what: str) -> Any:
    if isinstance(value, list):
        if not value:
            raise ProtocolError(f"{what} is an empty list")
        return value[0]
    return value


def decode_capabilities(data: bytes) -> Capabilities:
    """The ``machineCapabilities`` reply (a list of one object)."""
    entry = Reader(_first_object(decode_json(data, "capabilities"), "capabilities"), "capabilities")
    return Capabilities(
        family=entry.text("family"),
        groups=entry.integer("groupsNumber", 0, _COUNT_LIMIT),
        coffee_boilers=entry.integer("coffeeBoilersNumber", 0, _COUNT_LIMIT),
        steam_boilers=entry.integer("steamBoilersNumber", 0, _COUNT_LIMIT),
        tea_doses=_opt_count(entry, "teaDosesNumber"),
        has_cup_warmer=as_flag(entry.raw.get("hasCupWarmer", False), "hasCupWarmer"),
        machine_modes=entry.texts("machineModes"),
        scheduling_type=entry.opt_text("schedulingType"),
    )


def _opt_count(entry: Reader, key: str) -> int:
    return entry.integer(key, 0, _COUNT_LIMIT) if entry.has(key) else 0


def decode_machine_mode(data: bytes) -> MachineMode:
    """The ``machineMode`` reply."""
    value = decode_json(data, "machine mode")
    try:
        return MachineMode(value)
    except ValueError:
        raise ProtocolError("machine mode is not one we know") from None


def decode_tank_ok(data: bytes) -> bool:
    """The ``tankStatus`` reply: True when the tank has water."""
    return as_flag(decode_json(data, "tank status"), "tank status")


def decode_plumbed_in(data: bytes) -> bool | None:
    """The ``isPlumbedIn`` reply; None when the firmware does not know it (empty or null)."""
    if not bytes(data).partition(b"\x00")[0].strip():
        return None
    value = decode_json(data, "plumbed in")
    return None if value is None else as_flag(value, "plumbed in")


def _temperature(entry: Reader, key: str) -> float | None:
    return entry.opt_number(key, *TEMPERATURE_LIMITS)


def decode_boilers(data: bytes) -> Boilers:
    """The ``boilers`` reply."""
    value = decode_json(data, "boilers")
    if not isinstance(value, list) or len(value) > _COUNT_LIMIT:
        raise ProtocolError("boilers is not a list")
    boilers = []
    for item in value:
        entry = Reader(item, "boiler")
        boilers.append(
            Boiler(
                identifier=entry.text("id"),
                enabled=as_flag(entry.raw.get("isEnabled"), "boiler.isEnabled"),
                target=_temperature(entry, "target"),
                current=_temperature(entry, "current"),
            )
        )
    return Boilers(tuple(boilers))


def decode_smart_standby(data: bytes) -> SmartStandby:
    """The ``smartStandBy`` reply."""
    entry = Reader(decode_json(data, "smart standby"), "smartStandBy")
    try:
        after = StandByAfter(entry.text("mode"))
    except ValueError:
        raise ProtocolError("smartStandBy.mode is not one we know") from None
    return SmartStandby(
        enabled=as_flag(entry.raw.get("enabled"), "smartStandBy.enabled"),
        minutes=entry.integer("minutes", 0, 100_000),
        after=after,
    )


def decode_command_result(data: bytes) -> CommandResult:
    """The command status read from the write characteristic."""
    entry = Reader(decode_json(data, "command status"), "command status")
    command_id = entry.raw.get("id")
    if command_id is not None and (
        isinstance(command_id, bool) or not isinstance(command_id, str | int)
    ):
        raise ProtocolError("command status id is not a text or number")
    return CommandResult(
        status=entry.text("status"),
        message=entry.opt_text("message"),
        command_id=None if command_id is None else str(command_id),
    )
