"""The ``/api/v1/config`` reply of the local API (also pushed as ``MachineConfiguration``).

Every field the integration reads is checked here; a reply of the wrong shape is a
ProtocolError, never another exception. Fields older firmware leaves out read as None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
import json
from typing import Any, Final

from ...errors import ProtocolError
from ..bluetooth.payloads import Boiler, Boilers, Capabilities, as_flag
from ..reader import Reader

# Larger than any config a gateway sends (a few kilobytes), small enough to refuse junk.
MAX_DOCUMENT: Final = 256 * 1024
TEMPERATURE: Final = (-40.0, 250.0)
SECONDS: Final = (0.0, 3600.0)
# Pulses, grams or seconds, whatever the dose type.
DOSE: Final = (0.0, 100_000.0)
_COUNT: Final = 64
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class Dose:
    """One key's dose: ``index`` is ``DoseA``…``DoseD``, ``kind`` the dose type."""

    index: str
    kind: str | None
    target: float


@dataclass(frozen=True, slots=True)
class Group:
    """One brew group's capabilities, doses and dose mode."""

    number: str
    group_type: str | None
    boiler_id: str | None
    has_scale: bool
    has_flowmeter: bool
    number_of_doses: int
    doses: tuple[Dose, ...]
    dose_mode: str | None

    def dose(self, index: str) -> Dose | None:
        """The dose of key ``index``."""
        return next((dose for dose in self.doses if dose.index == index), None)


@dataclass(frozen=True, slots=True)
class PreinfusionKey:
    """Pre-infusion times of one key, seconds: water on (``wet``), then held (``hold``).

    ``mode`` is ``TypeA`` (prebrew) or ``TypeB`` (preinfusion) where the machine lists
    both per key (Micra, Mini); None on machines with one entry per key (GS3 AV).
    """

    key: str
    mode: str | None
    wet: float
    hold: float


@dataclass(frozen=True, slots=True)
class Preinfusion:
    """The pre-infusion mode (``Disabled``, ``Enabled``, ``TypeA``, ``TypeB``) and keys."""

    mode: str | None
    keys: tuple[PreinfusionKey, ...]

    def entries(self, key: str) -> tuple[PreinfusionKey, ...]:
        """Every entry of ``key``, in the order sent."""
        return tuple(entry for entry in self.keys if entry.key == key)

    def prebrew(self, key: str) -> PreinfusionKey | None:
        """The prebrew entry of ``key``: the TypeA one, or the only one."""
        entries = self.entries(key)
        typed = [entry for entry in entries if entry.mode == "TypeA"]
        chosen = typed or list(entries)
        return chosen[0] if chosen else None

    def preinfusion(self, key: str) -> PreinfusionKey | None:
        """The preinfusion entry of ``key``: the TypeB one, else the second, else the only."""
        entries = self.entries(key)
        typed = [entry for entry in entries if entry.mode == "TypeB"]
        if typed:
            return typed[0]
        return entries[1] if len(entries) > 1 else (entries[0] if entries else None)


@dataclass(frozen=True, slots=True)
class WakeUpSleep:
    """A wake-up/sleep schedule (gateway 3.5 and later); times as sent, ``HH:MM``."""

    identifier: str
    enabled: bool
    days: tuple[str, ...]
    time_on: str
    time_off: str
    steam: bool


@dataclass(frozen=True, slots=True)
class WeeklyDay:
    """One day of the older weekly schedule."""

    day: str
    enabled: bool
    on: tuple[int, int]  # hour, minute
    off: tuple[int, int]


@dataclass(frozen=True, slots=True)
class SmartStandby:
    """Standby after ``minutes`` from power-on or the last shot."""

    enabled: bool
    minutes: int
    mode: str | None


@dataclass(frozen=True, slots=True)
class Scale:
    """The Linea Mini's brew-by-weight scale (its address is never logged)."""

    connected: bool
    name: str | None
    battery: float | None
    address: str | None


@dataclass(frozen=True, slots=True)
class Recipe:
    """A brew-by-weight recipe: target grams by recipe dose (``A``, ``B``)."""

    identifier: str
    dose_mode: str | None
    targets: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class LocalConfig:
    """What ``/api/v1/config`` says about the machine."""

    capabilities: Capabilities | None
    module_serial: str | None
    plumbed_in: bool | None
    backflush_enabled: bool | None
    standby_time: int | None
    smart_standby: SmartStandby | None
    tank_ok: bool | None
    machine_mode: str | None
    groups: tuple[Group, ...]
    tea_doses: Mapping[str, float]
    boilers: Boilers
    boiler_targets: Mapping[str, float]
    preinfusion: Preinfusion
    wake_up_sleep: tuple[WakeUpSleep, ...]
    weekly_enabled: bool | None
    weekly: tuple[WeeklyDay, ...]
    clock: str | None
    firmware: Mapping[str, str]
    scale: Scale | None
    recipes: tuple[Recipe, ...]
    active_recipe: tuple[str, str] | None  # (recipe id, recipe dose)

    @property
    def group(self) -> Group | None:
        """The first (on home machines: the only) group."""
        return self.groups[0] if self.groups else None


# -- helpers --------------------------------------------------------------------------------


def load_json(text: str | bytes, what: str) -> Any:
    """Decode one JSON document; anything that is not JSON is a ProtocolError."""
    if len(text) > MAX_DOCUMENT:
        raise ProtocolError(f"{what} is too long")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ProtocolError(f"{what} is not JSON") from err


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def nested_json(value: Any, what: str) -> Any:
    """A value the gateway double-encodes: a JSON text inside the JSON."""
    if not isinstance(value, str):
        raise ProtocolError(f"{what} is not a JSON text")
    return load_json(value, what)


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list) or len(value) > _COUNT:
        raise ProtocolError(f"{what} is not a list")
    return value


def _opt_flag(entry: Reader, key: str) -> bool | None:
    return as_flag(entry.raw[key], key) if entry.has(key) else None


def _opt_int(entry: Reader, key: str, high: int) -> int | None:
    return entry.integer(key, 0, high) if entry.has(key) else None


# -- parts ----------------------------------------------------------------------------------


def parse_capabilities(value: Any) -> Capabilities:
    """``machineCapabilities``: a list of one object (or the object alone)."""
    if isinstance(value, list):
        if not value:
            raise ProtocolError("machineCapabilities is empty")
        value = value[0]
    entry = Reader(value, "machineCapabilities")
    return Capabilities(
        family=entry.text("family"),
        groups=entry.integer("groupsNumber", 0, _COUNT),
        coffee_boilers=entry.integer("coffeeBoilersNumber", 0, _COUNT),
        steam_boilers=entry.integer("steamBoilersNumber", 0, _COUNT),
        tea_doses=_opt_int(entry, "teaDosesNumber", _COUNT) or 0,
        has_cup_warmer=bool(_opt_flag(entry, "hasCupWarmer")),
        machine_modes=entry.texts("machineModes"),
        scheduling_type=entry.opt_text("schedulingType"),
    )


def parse_boilers(value: Any) -> Boilers:
    """``boilers``: id, on or off, target and current temperature (°C)."""
    boilers = []
    for item in _list(value, "boilers"):
        entry = Reader(item, "boiler")
        boilers.append(
            Boiler(
                identifier=entry.text("id"),
                enabled=as_flag(entry.raw.get("isEnabled"), "boiler.isEnabled"),
                target=entry.opt_number("target", *TEMPERATURE),
                current=entry.opt_number("current", *TEMPERATURE),
            )
        )
    return Boilers(tuple(boilers))


def parse_boiler_targets(value: Any) -> dict[str, float]:
    """``boilerTargetTemperature``: target by boiler id."""
    entry = Reader(value, "boilerTargetTemperature")
    return {key: entry.number(key, *TEMPERATURE) for key in entry.raw}


def parse_groups(value: Any) -> tuple[Group, ...]:
    """``groupCapabilities``: each group's capabilities, doses and dose mode."""
    groups = []
    for item in _list(value, "groupCapabilities"):
        entry = Reader(item, "group")
        capabilities = entry.obj("capabilities")
        doses = tuple(
            Dose(
                index=dose.text("doseIndex"),
                kind=dose.opt_text("doseType"),
                target=dose.number("stopTarget", *DOSE),
            )
            for dose in (Reader(raw, "dose") for raw in _list(entry.raw.get("doses", []), "doses"))
        )
        mode = entry.opt_obj("doseMode")
        groups.append(
            Group(
                number=capabilities.text("groupNumber"),
                group_type=capabilities.opt_text("groupType"),
                boiler_id=capabilities.opt_text("boilerId"),
                has_scale=capabilities.opt_flag("hasScale"),
                has_flowmeter=capabilities.opt_flag("hasFlowmeter"),
                number_of_doses=_opt_int(capabilities, "numberOfDoses", _COUNT) or len(doses),
                doses=doses,
                dose_mode=None if mode is None else mode.opt_text("brewingType"),
            )
        )
    return tuple(groups)


def parse_preinfusion(value: Any) -> Preinfusion:
    """``preinfusionSettings``: the mode and each key's times of the first group."""
    entry = Reader(value, "preinfusionSettings")
    keys = []
    for item in _list(entry.raw.get("Group1", []), "preinfusionSettings.Group1"):
        key = Reader(item, "preinfusion")
        keys.append(
            PreinfusionKey(
                key=key.text("doseType"),
                mode=key.opt_text("mode"),
                wet=key.number("preWetTime", *SECONDS),
                hold=key.number("preWetHoldTime", *SECONDS),
            )
        )
    return Preinfusion(mode=entry.opt_text("mode"), keys=_typed_pairs(keys))


def _typed_pairs(keys: list[PreinfusionKey]) -> tuple[PreinfusionKey, ...]:
    """Untyped entries of keys listed twice are TypeA then TypeB (Micra, Mini)."""
    if len({entry.key for entry in keys}) == len(keys):
        return tuple(keys)
    seen: set[str] = set()
    typed = []
    for entry in keys:
        mode = entry.mode or ("TypeB" if entry.key in seen else "TypeA")
        seen.add(entry.key)
        typed.append(replace(entry, mode=mode))
    return tuple(typed)


def parse_wake_up_sleep(value: Any) -> tuple[WakeUpSleep, ...]:
    """``wakeUpSleepEntries`` (gateway 3.5 and later)."""
    entries = []
    for item in _list(value, "wakeUpSleepEntries"):
        entry = Reader(item, "wakeUpSleep")
        days = entry.texts("days")
        if not all(day.lower() in _WEEKDAYS for day in days):
            raise ProtocolError("wakeUpSleep.days names a day we do not know")
        entries.append(
            WakeUpSleep(
                identifier=entry.text("id"),
                enabled=entry.opt_flag("enabled"),
                days=tuple(day.lower() for day in days),
                time_on=entry.text("timeOn"),
                time_off=entry.text("timeOff"),
                steam=entry.opt_flag("steam"),
            )
        )
    return tuple(entries)


def parse_weekly(value: Any) -> tuple[bool, tuple[WeeklyDay, ...]]:
    """``weeklySchedulingConfig`` (the older shape): enabled, and each day present."""
    entry = Reader(value, "weeklySchedulingConfig")
    days = []
    for day in _WEEKDAYS:
        part = entry.opt_obj(day)
        if part is None:
            continue
        days.append(
            WeeklyDay(
                day=day,
                enabled=part.opt_flag("enabled"),
                on=(part.integer("h_on", 0, 24), part.integer("m_on", 0, 59)),
                off=(part.integer("h_off", 0, 24), part.integer("m_off", 0, 59)),
            )
        )
    return entry.opt_flag("enabled"), tuple(days)


def parse_firmware(value: Any) -> dict[str, str]:
    """``firmwareVersions``: version by name (``machine_firmware``, ``gateway_firmware``)."""
    versions = {}
    for item in _list(value, "firmwareVersions"):
        entry = Reader(item, "firmware")
        versions[entry.text("name")] = entry.text("fw_version")
    return versions


def parse_scale(value: Any) -> Scale:
    """``scale`` of a Linea Mini with brew by weight."""
    entry = Reader(value, "scale")
    return Scale(
        connected=bool(_opt_flag(entry, "connected")),
        name=entry.opt_text("name"),
        battery=entry.opt_number("battery", 0, 100),
        address=entry.opt_text("address"),
    )


def parse_recipes(value: Any) -> tuple[Recipe, ...]:
    """``recipes``: each recipe's targets by recipe dose."""
    recipes = []
    for item in _list(value, "recipes"):
        entry = Reader(item, "recipe")
        targets = {}
        for raw in _list(entry.raw.get("recipe_doses", []), "recipe_doses"):
            dose = Reader(raw, "recipe_dose")
            targets[dose.text("id")] = dose.number("target", *DOSE)
        recipes.append(Recipe(entry.text("id"), entry.opt_text("dose_mode"), targets))
    return tuple(recipes)


def parse_recipe_assignment(value: Any) -> tuple[str, str] | None:
    """``recipeAssignment``: the first assignment's recipe and recipe dose."""
    for item in _list(value, "recipeAssignment"):
        entry = Reader(item, "recipeAssignment")
        return entry.text("recipe_id"), entry.text("recipe_dose")
    return None


def parse_tea_doses(value: Any) -> dict[str, float]:
    """``teaDoses``: the hot-water dose (seconds) by index."""
    entry = Reader(value, "teaDoses")
    return {key: entry.obj(key).number("stopTarget", *DOSE) for key in entry.raw}


def parse_smart_standby(value: Any) -> SmartStandby:
    """``smartStandBy``."""
    entry = Reader(value, "smartStandBy")
    return SmartStandby(
        enabled=bool(_opt_flag(entry, "enabled")),
        minutes=entry.integer("minutes", 0, 100_000),
        mode=entry.opt_text("mode"),
    )


def _opt[T, D](entry: Reader, key: str, parse: Callable[[Any], T], default: D) -> T | D:
    return parse(entry.raw[key]) if entry.has(key) else default


def parse_config(value: Any) -> LocalConfig:
    """The decoded config document (not wrapped in ``data``)."""
    entry = Reader(value, "config")
    weekly_enabled, weekly = _opt(entry, "weeklySchedulingConfig", parse_weekly, (None, ()))
    return LocalConfig(
        capabilities=_opt(entry, "machineCapabilities", parse_capabilities, None),
        module_serial=entry.opt_text("machine_sn"),
        plumbed_in=_opt_flag(entry, "isPlumbedIn"),
        backflush_enabled=_opt_flag(entry, "isBackFlushEnabled"),
        standby_time=_opt_int(entry, "standByTime", 100_000),
        smart_standby=_opt(entry, "smartStandBy", parse_smart_standby, None),
        tank_ok=_opt_flag(entry, "tankStatus"),
        machine_mode=entry.opt_text("machineMode"),
        groups=_opt(entry, "groupCapabilities", parse_groups, ()),
        tea_doses=_opt(entry, "teaDoses", parse_tea_doses, {}),
        boilers=_opt(entry, "boilers", parse_boilers, Boilers(())),
        boiler_targets=_opt(entry, "boilerTargetTemperature", parse_boiler_targets, {}),
        preinfusion=_opt(entry, "preinfusionSettings", parse_preinfusion, Preinfusion(None, ())),
        wake_up_sleep=_opt(entry, "wakeUpSleepEntries", parse_wake_up_sleep, ()),
        weekly_enabled=weekly_enabled,
        weekly=weekly,
        clock=entry.opt_text("clock"),
        firmware=_opt(entry, "firmwareVersions", parse_firmware, {}),
        scale=_opt(entry, "scale", parse_scale, None),
        recipes=_opt(entry, "recipes", parse_recipes, ()),
        active_recipe=_opt(entry, "recipeAssignment", parse_recipe_assignment, None),
    )


def decode_config(text: str | bytes) -> LocalConfig:
    """The config from the raw reply body."""
    return parse_config(load_json(text, "config"))
