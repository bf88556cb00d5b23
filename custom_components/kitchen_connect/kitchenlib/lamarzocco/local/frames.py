"""Frames of the local API's streaming websocket, and the machine state they update.

A frame is either a list of single-key objects (state deltas) or an object carrying a
whole document (``MachineConfiguration``, ``SystemInfo``). Values that are JSON documents
themselves arrive as JSON text and are decoded twice. A frame is decoded and checked
completely before anything of it is applied, so a bad frame leaves the state as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from ...errors import ProtocolError
from ..bluetooth.payloads import as_flag
from ..reader import Reader
from .config import (
    SECONDS,
    TEMPERATURE,
    LocalConfig,
    load_json,
    nested_json,
    parse_boiler_targets,
    parse_boilers,
    parse_config,
    parse_groups,
    parse_preinfusion,
)

MAX_FRAME: Final = 256 * 1024
_MAX_DELTAS: Final = 256
_COUNTER: Final = 10**12
KEEP_ALIVE: Final = "KeepAlive"


@dataclass(frozen=True, slots=True)
class Statistics:
    """``MachineStatistics``: counters since the machine was built."""

    doses: Mapping[str, int]  # by key (DoseA…DoseD, ContinuousDose)
    total_doses: int
    activations: int | None  # the group's valve openings: every shot and every flush
    cleanings: int | None
    pump_seconds: int | None
    machine_on_seconds: int | None
    hot_water_doses: int | None

    @property
    def total_flushes(self) -> int | None:
        """Valve openings that were not shots (as the GS3's own counters count flushes)."""
        if self.activations is None:
            return None
        return max(0, self.activations - self.total_doses)


@dataclass(frozen=True, slots=True)
class SystemInfo:
    """The gateway's ``SystemInfo``; its network part (addresses) is not kept."""

    up_time: int | None
    boot_reason: str | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The end of a shot or a flush: which key, how long, why it stopped."""

    dose_index: str | None
    seconds: float | None
    stop_type: str | None
    stop_reason: str | None


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame: the state changes it carries, already checked."""

    changes: Mapping[str, Any] = field(default_factory=dict)
    config: LocalConfig | None = None  # a whole new config
    config_parts: Mapping[str, Any] = field(default_factory=dict)  # parts of the config
    keep_alive: bool = False


@dataclass(frozen=True, slots=True)
class LocalState:
    """The machine as the REST read and the frames since tell it."""

    config: LocalConfig
    coffee_temperature: float | None = None
    steam_temperature: float | None = None
    coffee_target: float | None = None
    steam_target: float | None = None
    steam_enabled: bool | None = None
    machine_mode: str | None = None
    tank_ok: bool | None = None
    brewing: bool = False
    shot_timer: float | None = None
    last_shot: Snapshot | None = None
    last_flush: Snapshot | None = None
    statistics: Statistics | None = None
    system_info: SystemInfo | None = None

    @classmethod
    def from_config(cls, config: LocalConfig) -> LocalState:
        """The state right after reading the config."""
        return cls(config=config, **_from_config(config))

    def apply(self, frame: Frame) -> LocalState:
        """The state after ``frame`` (a new object; this one does not change)."""
        state = self
        if frame.config is not None:
            state = replace(state, config=frame.config, **_from_config(frame.config))
        if frame.config_parts:
            state = replace(state, config=replace(state.config, **frame.config_parts))
        if frame.changes:
            state = replace(state, **frame.changes)
        return state


def _from_config(config: LocalConfig) -> dict[str, Any]:
    coffee, steam = config.boilers.coffee, config.boilers.steam
    return {
        "coffee_temperature": None if coffee is None else coffee.current,
        "steam_temperature": None if steam is None else steam.current,
        "coffee_target": config.boiler_targets.get(
            "CoffeeBoiler1", None if coffee is None else coffee.target
        ),
        "steam_target": config.boiler_targets.get(
            "SteamBoiler", None if steam is None else steam.target
        ),
        "steam_enabled": None if steam is None else steam.enabled,
        "machine_mode": config.machine_mode,
        "tank_ok": config.tank_ok,
    }


# -- values ---------------------------------------------------------------------------------


def _number(value: Any, what: str, limits: tuple[float, float]) -> float:
    return Reader({"value": value}, what).number("value", *limits)


def _temperature(what: str) -> Callable[[Any], dict[str, Any]]:
    return lambda value: {what: _number(value, what, TEMPERATURE)}


def _text(value: Any, what: str) -> str:
    return Reader({"value": value}, what).text("value")


def _mode(value: Any) -> dict[str, Any]:
    return {"machine_mode": _text(value, "MachineMode")}


def _tank(value: Any) -> dict[str, Any]:
    if isinstance(value, str) and value.lower() in {"full", "empty"}:
        return {"tank_ok": value.lower() == "full"}
    return {"tank_ok": as_flag(value, "TankStatus")}


def _steam_enabled(value: Any) -> dict[str, Any]:
    return {"steam_enabled": as_flag(value, "SteamBoilerEnabled")}


def _shot_time(value: Any) -> dict[str, Any]:
    return {"brewing": True, "shot_timer": _number(value, "BrewingUpdateGroup1Time", SECONDS)}


def _valve(value: Any) -> dict[str, Any]:
    open_ = as_flag(value, "BrewingUpdateGroup1Ev")
    return {"brewing": True} if open_ else {"brewing": False}


def _started(value: Any) -> dict[str, Any]:
    _text(value, "BrewingStartedGroup1DoseIndex")
    return {"brewing": True, "shot_timer": 0.0}


def _stopped(value: Any) -> dict[str, Any]:
    _text(value, "BrewingStoppedGroup1StopType")
    return {"brewing": False}


def _snapshot(value: Any, what: str) -> Snapshot:
    entry = Reader(nested_json(value, what), what)
    info = entry.obj("flushInfo")
    return Snapshot(
        dose_index=info.opt_text("doseIndex"),
        seconds=info.opt_number("time", *SECONDS),
        stop_type=info.opt_text("stopType"),
        stop_reason=info.opt_text("stopReason"),
    )


def _brewing_snapshot(value: Any) -> dict[str, Any]:
    snapshot = _snapshot(value, "BrewingSnapshotGroup1")
    return {"brewing": False, "last_shot": snapshot, "shot_timer": snapshot.seconds}


def _flush_snapshot(value: Any) -> dict[str, Any]:
    return {"brewing": False, "last_flush": _snapshot(value, "FlushSnapshotGroup1")}


def _flush_time(value: Any) -> dict[str, Any]:
    seconds = _number(value, "FlushStoppedGroup1Time", SECONDS)
    return {"brewing": False, "last_flush": Snapshot(None, seconds, None, None)}


def _boilers(value: Any) -> dict[str, Any]:
    boilers = parse_boilers(nested_json(value, "Boilers"))
    coffee, steam = boilers.coffee, boilers.steam
    changes: dict[str, Any] = {}
    if coffee is not None:
        changes |= {"coffee_temperature": coffee.current, "coffee_target": coffee.target}
    if steam is not None:
        changes |= {
            "steam_temperature": steam.current,
            "steam_target": steam.target,
            "steam_enabled": steam.enabled,
        }
    return changes


def _targets(value: Any) -> dict[str, Any]:
    targets = parse_boiler_targets(nested_json(value, "BoilersTargetTemperature"))
    names = {"CoffeeBoiler1": "coffee_target", "SteamBoiler": "steam_target"}
    return {names[key]: target for key, target in targets.items() if key in names}


def parse_statistics(value: Any) -> Statistics:
    """The decoded ``MachineStatistics`` document."""
    entry = Reader(value, "MachineStatistics")
    doses: dict[str, int] = {}
    activations = cleanings = None
    groups = entry.items("groups", optional=True)
    if groups:
        group = Reader(groups[0], "MachineStatistics.group")
        for item in group.items("doses", optional=True):
            dose = Reader(item, "MachineStatistics.dose")
            for key in dose.raw:
                doses[key] = dose.integer(key, 0, _COUNTER)
        activations = _opt_count(group, "ev_activations")
        cleanings = _opt_count(group, "clean")
    tea = entry.opt_obj("tea")
    return Statistics(
        doses=doses,
        total_doses=entry.integer("tot_doses", 0, _COUNTER),
        activations=activations,
        cleanings=cleanings,
        pump_seconds=_opt_count(entry, "pump_ontime"),
        machine_on_seconds=_opt_count(entry, "machine_ontime"),
        hot_water_doses=None if tea is None else _opt_count(tea, "count"),
    )


def _opt_count(entry: Reader, key: str) -> int | None:
    return entry.integer(key, 0, _COUNTER) if entry.has(key) else None


def _statistics(value: Any) -> dict[str, Any]:
    return {"statistics": parse_statistics(nested_json(value, "MachineStatistics"))}


def _config_part(
    name: str, parse: Callable[[Any], Any], attribute: str
) -> Callable[[Any], dict[str, Any]]:
    """A frame that replaces one part of the config (doses, pre-infusion)."""
    return lambda value: {"config:" + attribute: parse(nested_json(value, name))}


def _ignored(_value: Any) -> dict[str, Any]:
    return {}


# Each delta key and what it changes; keys we do not know are skipped.
_DELTAS: Final[Mapping[str, Callable[[Any], dict[str, Any]]]] = {
    "CoffeeBoiler1UpdateTemperature": _temperature("coffee_temperature"),
    "SteamBoilerUpdateTemperature": _temperature("steam_temperature"),
    "CoffeeBoiler1UpdateSetPoint": _temperature("coffee_target"),
    "SteamBoilerUpdateSetPoint": _temperature("steam_target"),
    "SteamBoilerEnabled": _steam_enabled,
    "MachineMode": _mode,
    "TankStatus": _tank,
    "BrewingStartedGroup1DoseIndex": _started,
    "BrewingUpdateGroup1Time": _shot_time,
    "BrewingUpdateGroup1Ev": _valve,
    "BrewingStoppedGroup1StopType": _stopped,
    "BrewingSnapshotGroup1": _brewing_snapshot,
    "FlushSnapshotGroup1": _flush_snapshot,
    "FlushStoppedGroup1Time": _flush_time,
    "Boilers": _boilers,
    "BoilersTargetTemperature": _targets,
    "MachineStatistics": _statistics,
    "GroupCapabilities": _config_part("GroupCapabilities", parse_groups, "groups"),
    "PreinfusionSettings": _config_part("PreinfusionSettings", parse_preinfusion, "preinfusion"),
    KEEP_ALIVE: _ignored,
}


# -- frames ---------------------------------------------------------------------------------


def decode_frame(text: str | bytes) -> Frame:
    """One websocket text frame."""
    if len(text) > MAX_FRAME:
        raise ProtocolError("frame is too long")
    value = load_json(text, "frame")
    if isinstance(value, list):
        return _list_frame(value)
    if isinstance(value, dict):
        return _dict_frame(value)
    raise ProtocolError("frame is neither a list nor an object")


def _list_frame(items: list[Any]) -> Frame:
    if len(items) > _MAX_DELTAS:
        raise ProtocolError("frame has too many deltas")
    changes: dict[str, Any] = {}
    keep_alive = False
    for item in items:
        if not isinstance(item, dict):
            raise ProtocolError("a delta is not an object")
        for key, value in item.items():
            handler = _DELTAS.get(key)
            if handler is None:
                continue
            keep_alive |= key == KEEP_ALIVE
            changes |= handler(value)
    if "last_shot" in changes:
        # The group's valve closing after a shot is reported as a flush in the same frame.
        changes.pop("last_flush", None)
    config_parts = {k.removeprefix("config:"): v for k, v in changes.items() if ":" in k}
    changes = {k: v for k, v in changes.items() if ":" not in k}
    return Frame(changes=changes, config_parts=config_parts, keep_alive=keep_alive)


def _dict_frame(value: dict[str, Any]) -> Frame:
    if "MachineConfiguration" in value:
        config = parse_config(nested_json(value["MachineConfiguration"], "MachineConfiguration"))
        return Frame(config=config)
    if "SystemInfo" in value:
        info = Reader(nested_json(value["SystemInfo"], "SystemInfo"), "SystemInfo")
        system = SystemInfo(
            up_time=_opt_count(info, "up_time"), boot_reason=info.opt_text("boot_reason")
        )
        return Frame(changes={"system_info": system})
    if KEEP_ALIVE in value:
        return Frame(keep_alive=True)
    return Frame()
