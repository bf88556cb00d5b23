"""The dashboard: a machine's widgets, from ``/things/{sn}/dashboard`` or a websocket push.

Every widget the reference documents becomes a frozen dataclass. A widget whose code is
unknown, or whose output does not have the documented shape, is kept raw and never fails the
dashboard: a thing the integration does not understand must not break setup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from ..errors import ProtocolError
from .models import Thing, parse_thing
from .reader import Reader

TEMPERATURE_LIMITS: Final = (0.0, 200.0)
SECONDS_LIMIT: Final = 3600.0
DOSE_LIMIT: Final = 10_000.0
_MAX_WIDGETS: Final = 256


@dataclass(frozen=True, slots=True)
class MachineStatus:
    """``CMMachineStatus`` / ``CMMachineGroupStatus``: power state and a running shot."""

    code: str
    status: str
    mode: str | None
    available_modes: tuple[str, ...]
    next_status: str | None
    next_status_start_ms: int | None
    brewing_start_ms: int | None


@dataclass(frozen=True, slots=True)
class CoffeeBoiler:
    """``CMCoffeeBoiler``."""

    status: str
    enabled: bool
    enabled_supported: bool
    target_temperature: float
    target_min: float | None
    target_max: float | None
    target_step: float | None
    ready_start_ms: int | None


@dataclass(frozen=True, slots=True)
class SteamBoilerLevel:
    """``CMSteamBoilerLevel`` (Micra, Mini R): steam in three levels."""

    status: str
    enabled: bool
    enabled_supported: bool
    target_level: str | None
    target_level_supported: bool
    ready_start_ms: int | None


@dataclass(frozen=True, slots=True)
class SteamBoilerTemperature:
    """``CMSteamBoilerTemperature``; on the Linea Mini the temperature is not settable."""

    status: str
    enabled: bool
    enabled_supported: bool
    target_temperature_supported: bool
    target_temperature: float | None
    target_min: float | None
    target_max: float | None
    target_step: float | None
    ready_start_ms: int | None


@dataclass(frozen=True, slots=True)
class TimeSetting:
    """A number of seconds with its allowed range."""

    seconds: float
    minimum: float | None
    maximum: float | None
    step: float | None


@dataclass(frozen=True, slots=True)
class PreExtraction:
    """``CMPreExtraction``: one In and one Out time; ranges depend on the mode."""

    mode: str
    available_modes: tuple[str, ...]
    in_seconds: float
    out_seconds: float


@dataclass(frozen=True, slots=True)
class PreBrewingDose:
    """One dose's prebrew (or preinfusion) times."""

    dose_index: str
    in_time: TimeSetting
    out_time: TimeSetting


@dataclass(frozen=True, slots=True)
class PreBrewing:
    """``CMPreBrewing``: times per mode (PreBrewing, PreInfusion) and per dose."""

    mode: str
    available_modes: tuple[str, ...]
    times: Mapping[str, tuple[PreBrewingDose, ...]]
    dose_index_supported: bool


@dataclass(frozen=True, slots=True)
class BackFlush:
    """``CMBackFlush``."""

    status: str
    last_cleaning_start_ms: int | None


@dataclass(frozen=True, slots=True)
class Dose:
    """One dose with its range (pulses, grams or seconds depending on the widget)."""

    dose_index: str
    dose: float
    minimum: float | None
    maximum: float | None
    step: float | None


@dataclass(frozen=True, slots=True)
class GroupDoses:
    """``CMGroupDoses`` (GS3 AV): the dose mode and the doses per mode."""

    mode: str
    available_modes: tuple[str, ...]
    doses: Mapping[str, tuple[Dose, ...]]


@dataclass(frozen=True, slots=True)
class HotWaterDose:
    """``CMHotWaterDose``."""

    enabled: bool
    enabled_supported: bool
    doses: tuple[Dose, ...]


@dataclass(frozen=True, slots=True)
class BrewByWeight:
    """``CMBrewByWeightDoses``: grams for Dose1 and Dose2 with the scale."""

    scale_connected: bool
    mode: str
    available_modes: tuple[str, ...]
    doses: Mapping[str, Dose]


@dataclass(frozen=True, slots=True)
class Scale:
    """``ThingScale``: the Acaia scale paired with the machine."""

    name: str | None
    connected: bool
    battery_level: float | None
    calibration_required: bool


@dataclass(frozen=True, slots=True)
class NoWater:
    """``CMNoWater``: present only while relevant (the cloud spells the field ``allarm``)."""

    alarm: bool


@dataclass(frozen=True, slots=True)
class RinseFlush:
    """``CMRinseFlush``."""

    enabled: bool
    enabled_supported: bool
    time: TimeSetting | None


@dataclass(frozen=True, slots=True)
class EnabledWidget:
    """A widget that is only on or off (auto flush, steam flush, cup warmer, single dose...)."""

    code: str
    enabled: bool


@dataclass(frozen=True, slots=True)
class GrinderStatus:
    """``GMachineStatus``."""

    status: str
    mode: str | None
    available_modes: tuple[str, ...]
    ready_start_ms: int | None


@dataclass(frozen=True, slots=True)
class GrinderDoses:
    """``GDoses``: doses by time, mass or revolutions, with speed levels where supported."""

    scale_connected: bool
    mode: str
    doses: Mapping[str, tuple[Dose, ...]]
    speed_levels: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class GrinderMoreDose:
    """``GMoreDose`` (Swan): extra revolutions."""

    revolutions: float
    minimum: float | None
    maximum: float | None
    step: float | None


@dataclass(frozen=True, slots=True)
class GrinderGrindWith:
    """``GGrindWith`` (Swan): start by portafilter or by button."""

    mode: str


@dataclass(frozen=True, slots=True)
class RawWidget:
    """A widget kept as sent: unknown code, or an output not in the documented shape."""

    code: str
    output: Any


type WidgetOutput = (
    MachineStatus
    | CoffeeBoiler
    | SteamBoilerLevel
    | SteamBoilerTemperature
    | PreExtraction
    | PreBrewing
    | BackFlush
    | GroupDoses
    | HotWaterDose
    | BrewByWeight
    | Scale
    | NoWater
    | RinseFlush
    | EnabledWidget
    | GrinderStatus
    | GrinderDoses
    | GrinderMoreDose
    | GrinderGrindWith
    | RawWidget
)


@dataclass(frozen=True, slots=True)
class Widget:
    """One dashboard widget: code, index and its parsed output."""

    code: str
    index: int
    output: WidgetOutput


def _temperature(reader: Reader, key: str) -> float:
    return reader.number(key, *TEMPERATURE_LIMITS)


def _opt_temperature(reader: Reader, key: str) -> float | None:
    return reader.opt_number(key, *TEMPERATURE_LIMITS)


def _machine_status(out: Reader, code: str) -> MachineStatus:
    next_status = out.opt_obj("nextStatus")
    return MachineStatus(
        code=code,
        status=out.text("status"),
        mode=out.opt_text("mode"),
        available_modes=out.texts("availableModes"),
        next_status=next_status.opt_text("status") if next_status else None,
        next_status_start_ms=next_status.opt_epoch_ms("startTime") if next_status else None,
        brewing_start_ms=out.opt_epoch_ms("brewingStartTime"),
    )


def _coffee_boiler(out: Reader, _code: str) -> CoffeeBoiler:
    return CoffeeBoiler(
        status=out.text("status"),
        enabled=out.opt_flag("enabled", default=True),
        enabled_supported=out.opt_flag("enabledSupported"),
        target_temperature=_temperature(out, "targetTemperature"),
        target_min=_opt_temperature(out, "targetTemperatureMin"),
        target_max=_opt_temperature(out, "targetTemperatureMax"),
        target_step=out.opt_number("targetTemperatureStep", 0, 10),
        ready_start_ms=out.opt_epoch_ms("readyStartTime"),
    )


def _steam_level(out: Reader, _code: str) -> SteamBoilerLevel:
    return SteamBoilerLevel(
        status=out.text("status"),
        enabled=out.flag("enabled"),
        enabled_supported=out.opt_flag("enabledSupported"),
        target_level=out.opt_text("targetLevel"),
        target_level_supported=out.opt_flag("targetLevelSupported"),
        ready_start_ms=out.opt_epoch_ms("readyStartTime"),
    )


def _steam_temperature(out: Reader, _code: str) -> SteamBoilerTemperature:
    return SteamBoilerTemperature(
        status=out.text("status"),
        enabled=out.flag("enabled"),
        enabled_supported=out.opt_flag("enabledSupported"),
        target_temperature_supported=out.opt_flag("targetTemperatureSupported"),
        target_temperature=_opt_temperature(out, "targetTemperature"),
        target_min=_opt_temperature(out, "targetTemperatureMin"),
        target_max=_opt_temperature(out, "targetTemperatureMax"),
        target_step=out.opt_number("targetTemperatureStep", 0, 10),
        ready_start_ms=out.opt_epoch_ms("readyStartTime"),
    )


def _pre_extraction(out: Reader, _code: str) -> PreExtraction:
    times = out.obj("times")
    return PreExtraction(
        mode=out.text("mode"),
        available_modes=out.texts("availableModes"),
        in_seconds=times.obj("In").number("seconds", 0, SECONDS_LIMIT),
        out_seconds=times.obj("Out").number("seconds", 0, SECONDS_LIMIT),
    )


def _time_setting(entry: Reader, side: str) -> TimeSetting:
    def bound(key: str) -> float | None:
        limits = entry.opt_obj(key)
        return limits.opt_number(side, 0, SECONDS_LIMIT) if limits else None

    return TimeSetting(
        seconds=entry.obj("seconds").number(side, 0, SECONDS_LIMIT),
        minimum=bound("secondsMin"),
        maximum=bound("secondsMax"),
        step=bound("secondsStep"),
    )


def _pre_brewing(out: Reader, _code: str) -> PreBrewing:
    times_reader = out.obj("times")
    times: dict[str, tuple[PreBrewingDose, ...]] = {}
    for mode in times_reader.raw:
        doses = []
        for item in times_reader.items(str(mode)):
            entry = Reader(item, "CMPreBrewing dose")
            doses.append(
                PreBrewingDose(
                    dose_index=entry.text("doseIndex"),
                    in_time=_time_setting(entry, "In"),
                    out_time=_time_setting(entry, "Out"),
                )
            )
        times[str(mode)] = tuple(doses)
    return PreBrewing(
        mode=out.text("mode"),
        available_modes=out.texts("availableModes"),
        times=MappingProxyType(times),
        dose_index_supported=out.opt_flag("doseIndexSupported"),
    )


def _back_flush(out: Reader, _code: str) -> BackFlush:
    return BackFlush(
        status=out.text("status"), last_cleaning_start_ms=out.opt_epoch_ms("lastCleaningStartTime")
    )


def _dose(item: Any, where: str, dose_index: str | None = None) -> Dose:
    entry = Reader(item, where)
    return Dose(
        dose_index=dose_index if dose_index is not None else entry.text("doseIndex"),
        dose=entry.number("dose", 0, DOSE_LIMIT),
        minimum=entry.opt_number("doseMin", 0, DOSE_LIMIT),
        maximum=entry.opt_number("doseMax", 0, DOSE_LIMIT),
        step=entry.opt_number("doseStep", 0, DOSE_LIMIT),
    )


def _doses_by_mode(doses: Reader, where: str) -> Mapping[str, tuple[Dose, ...]]:
    by_mode: dict[str, tuple[Dose, ...]] = {}
    for mode in doses.raw:
        by_mode[str(mode)] = tuple(_dose(item, where) for item in doses.items(str(mode)))
    return MappingProxyType(by_mode)


def _group_doses(out: Reader, _code: str) -> GroupDoses:
    return GroupDoses(
        mode=out.text("mode"),
        available_modes=out.texts("availableModes"),
        doses=_doses_by_mode(out.obj("doses"), "CMGroupDoses dose"),
    )


def _hot_water(out: Reader, _code: str) -> HotWaterDose:
    return HotWaterDose(
        enabled=out.flag("enabled"),
        enabled_supported=out.opt_flag("enabledSupported"),
        doses=tuple(_dose(item, "CMHotWaterDose dose") for item in out.items("doses")),
    )


def _brew_by_weight(out: Reader, _code: str) -> BrewByWeight:
    doses = out.obj("doses")
    return BrewByWeight(
        scale_connected=out.opt_flag("scaleConnected"),
        mode=out.text("mode"),
        available_modes=out.texts("availableModes"),
        doses=MappingProxyType(
            {
                str(name): _dose(doses.raw[name], "CMBrewByWeightDoses dose", str(name))
                for name in doses.raw
            }
        ),
    )


def _scale(out: Reader, _code: str) -> Scale:
    return Scale(
        name=out.opt_text("name"),
        connected=out.flag("connected"),
        battery_level=out.opt_number("batteryLevel", 0, 100),
        calibration_required=out.opt_flag("calibrationRequired"),
    )


def _no_water(out: Reader, _code: str) -> NoWater:
    return NoWater(alarm=out.flag("allarm"))


def _rinse_flush(out: Reader, _code: str) -> RinseFlush:
    time = None
    if out.has("timeSeconds"):
        time = TimeSetting(
            seconds=out.number("timeSeconds", 0, SECONDS_LIMIT),
            minimum=out.opt_number("timeSecondsMin", 0, SECONDS_LIMIT),
            maximum=out.opt_number("timeSecondsMax", 0, SECONDS_LIMIT),
            step=out.opt_number("timeSecondsStep", 0, SECONDS_LIMIT),
        )
    return RinseFlush(
        enabled=out.flag("enabled"), enabled_supported=out.opt_flag("enabledSupported"), time=time
    )


def _enabled(out: Reader, code: str) -> EnabledWidget:
    return EnabledWidget(code=code, enabled=out.flag("enabled"))


def _grinder_status(out: Reader, _code: str) -> GrinderStatus:
    return GrinderStatus(
        status=out.text("status"),
        mode=out.opt_text("mode"),
        available_modes=out.texts("availableModes"),
        ready_start_ms=out.opt_epoch_ms("readyStartTime"),
    )


def _grinder_doses(out: Reader, _code: str) -> GrinderDoses:
    levels: dict[str, str] = {}
    for item in out.items("speedLevels", optional=True):
        level = Reader(item, "GDoses speed level")
        levels[level.text("doseIndex")] = level.text("level")
    return GrinderDoses(
        scale_connected=out.opt_flag("scaleConnected"),
        mode=out.text("mode"),
        doses=_doses_by_mode(out.obj("doses"), "GDoses dose"),
        speed_levels=MappingProxyType(levels),
    )


def _more_dose(out: Reader, _code: str) -> GrinderMoreDose:
    return GrinderMoreDose(
        revolutions=out.number("revolutions", 0, DOSE_LIMIT),
        minimum=out.opt_number("revolutionsMin", 0, DOSE_LIMIT),
        maximum=out.opt_number("revolutionsMax", 0, DOSE_LIMIT),
        step=out.opt_number("revolutionsStep", 0, DOSE_LIMIT),
    )


def _grind_with(out: Reader, _code: str) -> GrinderGrindWith:
    return GrinderGrindWith(mode=out.text("mode"))


_PARSERS: Final[Mapping[str, Callable[[Reader, str], WidgetOutput]]] = MappingProxyType(
    {
        "CMMachineStatus": _machine_status,
        "CMMachineGroupStatus": _machine_status,
        "CMCoffeeBoiler": _coffee_boiler,
        "CMSteamBoilerLevel": _steam_level,
        "CMSteamBoilerTemperature": _steam_temperature,
        "CMPreExtraction": _pre_extraction,
        "CMPreBrewing": _pre_brewing,
        "CMBackFlush": _back_flush,
        "CMGroupDoses": _group_doses,
        "CMHotWaterDose": _hot_water,
        "CMBrewByWeightDoses": _brew_by_weight,
        "ThingScale": _scale,
        "CMNoWater": _no_water,
        "CMRinseFlush": _rinse_flush,
        "CMAutoFlush": _enabled,
        "CMSteamFlush": _enabled,
        "CMCupWarmer": _enabled,
        "GMachineStatus": _grinder_status,
        "GDoses": _grinder_doses,
        "GSingleDoseMode": _enabled,
        "GBaristaLight": _enabled,
        "GMoreDose": _more_dose,
        "GGrindWith": _grind_with,
    }
)
KNOWN_WIDGETS: Final = frozenset(_PARSERS)


def parse_widget_output(code: str, output: Any) -> WidgetOutput:
    """The output of a widget with a known code; ProtocolError when it has another shape."""
    parser = _PARSERS.get(code)
    if parser is None:
        raise ProtocolError("unknown widget code")
    return parser(Reader(output, code), code)


def parse_widget(data: Any) -> Widget:
    """One widget; unknown codes and malformed outputs are kept raw, not rejected.

    Only an entry that has no code or index at all is a ProtocolError.
    """
    entry = Reader(data, "widget")
    code = entry.text("code")
    index = entry.integer("index", 0, 1000) if entry.has("index") else 1
    output = entry.raw.get("output")
    try:
        parsed = parse_widget_output(code, output)
    except ProtocolError:
        parsed = RawWidget(code, output)
    return Widget(code, index, parsed)


def _widgets(reader: Reader, key: str) -> tuple[Widget, ...]:
    items = reader.items(key, optional=True)
    if len(items) > _MAX_WIDGETS:
        raise ProtocolError(f"{key} has too many widgets")
    return tuple(parse_widget(item) for item in items)


@dataclass(frozen=True, slots=True)
class Dashboard:
    """A thing with its widgets, as ``GET /things/{sn}/dashboard`` returns it."""

    thing: Thing
    widgets: tuple[Widget, ...]

    def widget(self, code: str) -> Widget | None:
        """The first widget with ``code``, or None."""
        return next((widget for widget in self.widgets if widget.code == code), None)


def parse_dashboard(data: Any) -> Dashboard:
    """The dashboard reply; ProtocolError only when the thing itself is unusable."""
    reader = Reader(data, "dashboard")
    return Dashboard(thing=parse_thing(data), widgets=_widgets(reader, "widgets"))


@dataclass(frozen=True, slots=True)
class CommandUpdate:
    """One entry of a push's ``commands[]``: a command's status by id."""

    command_id: str
    status: str
    error_code: str | None


@dataclass(frozen=True, slots=True)
class DashboardPush:
    """A websocket MESSAGE body for a dashboard destination."""

    connected: bool | None
    widgets: tuple[Widget, ...]
    removed: tuple[tuple[str, int], ...]
    commands: tuple[CommandUpdate, ...]


def parse_command_updates(items: list[Any]) -> tuple[CommandUpdate, ...]:
    """The ``commands[]`` array of a push."""
    updates = []
    for item in items:
        entry = Reader(item, "command")
        updates.append(
            CommandUpdate(
                command_id=entry.text("id"),
                status=entry.text("status"),
                error_code=entry.opt_text("errorCode"),
            )
        )
    return tuple(updates)


def parse_dashboard_push(data: Any) -> DashboardPush:
    """A websocket push: changed widgets, removed widgets and command results."""
    reader = Reader(data, "dashboard push")
    removed = []
    for item in reader.items("removedWidgets", optional=True):
        entry = Reader(item, "removed widget")
        removed.append((entry.text("code"), entry.integer("index", 0, 1000)))
    return DashboardPush(
        connected=reader.flag("connected") if reader.has("connected") else None,
        widgets=_widgets(reader, "widgets"),
        removed=tuple(removed),
        commands=parse_command_updates(reader.items("commands", optional=True)),
    )
