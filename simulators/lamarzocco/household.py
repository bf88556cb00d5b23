"""The simulated household: a Linea Micra, a Linea Mini with a scale, a GS3 AV and a Pico.

Each machine keeps a small state and renders it as the dashboard widgets, settings,
scheduling (the Micra in the 2026 shape, the others in the older one), statistics and
firmware-update replies the reference documents. Commands are checked here against what
the machine's widgets allow (the simulator does not trust the client's own validation) and
change the state; every change is announced to the subscribers, which the server turns
into websocket pushes. Heating, shots, the backflush and firmware updates take time, sped
up by the household's ``time_scale``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import json
import math
import secrets
import time
from typing import Any, Final

from .. import secrets_ledger

CONNECTION_DATE_MS: Final = 1_764_000_000_000
_MODES: Final = ("BrewingMode", "StandBy")
_STEAM_LEVELS: Final = ("Level1", "Level2", "Level3")
_WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_STANDBY_AFTER: Final = ("PowerOn", "LastBrewing")
# Nominal durations in seconds; a household's time_scale divides them.
COFFEE_HEAT_SECONDS: Final = 240.0
STEAM_HEAT_SECONDS: Final = 360.0
SHOT_SECONDS: Final = 28.0
BACKFLUSH_REQUESTED_SECONDS: Final = 10.0
BACKFLUSH_CLEANING_SECONDS: Final = 60.0
FIRMWARE_UPDATE_SECONDS: Final = 6.0
STANDBY_MINUTES: Final = (10, 240, 1)
PREBREW_SECONDS: Final = (0.0, 10.0, 0.1)
_HOT_WATER_LIMITS: Final = {"doseMin": 0, "doseMax": 30, "doseStep": 1}
_PULSE_LIMITS: Final = {"doseMin": 0, "doseMax": 9999, "doseStep": 1}
_GRINDER_LIMITS: Final = {
    "TimeType": {"doseMin": 1, "doseMax": 45, "doseStep": 0.1},
    "MassType": {"doseMin": 5, "doseMax": 40, "doseStep": 0.1},
}
MAX_SCHEDULES: Final = 10
# Answered when the app of 2024 sends the old schedule command (the cloud names the new one).
OLD_SCHEDULE_COMMAND: Final = "CoffeeMachineSetWakeUpSchedule"
NEW_SCHEDULE_COMMAND: Final = "CoffeeMachineSettingWakeUpSchedule"


class CommandRejected(ValueError):
    """The command's body is not what the machine accepts (the server answers 400)."""


def _widget(code: str, output: Mapping[str, Any]) -> dict[str, Any]:
    return {"code": code, "index": 1, "output": dict(output), "tutorialUrl": None}


def _number(body: Mapping[str, Any], key: str, low: float, high: float, step: float) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CommandRejected(f"{key} is not a number")
    steps = (value - low) / step
    if not low <= value <= high or abs(steps - round(steps)) > 1e-6:
        raise CommandRejected(f"{key} is out of range")
    return float(value)


def _choice(body: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = body.get(key)
    if value not in allowed:
        raise CommandRejected(f"{key} is not one of {allowed}")
    return str(value)


def _bool(body: Mapping[str, Any], key: str) -> bool:
    value = body.get(key)
    if not isinstance(value, bool):
        raise CommandRejected(f"{key} is not a boolean")
    return value


def _index(body: Mapping[str, Any], key: str) -> None:
    if body.get(key) != 1 or isinstance(body.get(key), bool):
        raise CommandRejected(f"{key} must be 1")


@dataclass(slots=True)
class SimMachine:
    """One machine or grinder of the account and its current state."""

    serial: str
    model_code: str
    model_name: str
    name: str
    grinder: bool = False
    mode: str = "BrewingMode"
    brewing_since: int | None = None
    coffee_target: float = 93.0
    coffee_max: float = 100.0
    steam_enabled: bool = True
    steam_level: str | None = None  # Micra: levels; others a temperature
    steam_target: float = 128.0
    steam_temperature_settable: bool = False
    prebrew_modes: tuple[str, ...] = ("PreBrewing", "Disabled")
    prebrew_mode: str = "PreBrewing"
    scale: bool = False
    bbw_mode: str = "Dose1"
    bbw_doses: dict[str, float] = field(default_factory=lambda: {"Dose1": 36.0, "Dose2": 40.0})
    backflush: str = "Off"
    barista_light: bool = False
    ble_auth_token: str | None = None
    # Also read and set over Bluetooth (simulators/lamarzocco/peripheral.py).
    smart_standby_enabled: bool = True
    smart_standby_minutes: int = 30
    smart_standby_after: str = "PowerOn"
    tank_ok: bool = True
    plumbed_in: bool = False
    # Cloud settings, scheduling, statistics and the processes that run over time.
    # "2026", "legacy", "null" (the reply is JSON null), or None: no scheduling (404).
    schedule_shape: str | None = "legacy"
    schedules: list[dict[str, Any]] = field(default_factory=list)
    plumb_in_supported: bool = False
    gateway_version: str = "v5.1.2"
    machine_version: str = "v1.40"
    machine_update: str | None = None  # a newer machine build the cloud offers
    gateway_update: str | None = None
    update_started_ms: int | None = None
    total_coffees: int = 1200
    total_flushes: int = 310
    last_coffees: list[dict[str, Any]] = field(default_factory=list)
    coffee_ready_ms: int | None = None  # when the boilers are (or were) ready after power-on
    steam_ready_ms: int | None = None
    brew_until_ms: int | None = None
    backflush_since_ms: int | None = None
    last_cleaning_ms: int | None = None
    dashboard_supported: bool = True  # False: a Strada X or Swan, with widgets we do not know
    connected: bool = True  # False: the machine lost its link to the cloud
    # Prebrew (wet, pause) and preinfusion (0, soak) seconds, by mode.
    prebrew_times: dict[str, list[float]] = field(
        default_factory=lambda: {"PreBrewing": [0.5, 1.0], "PreInfusion": [0.0, 4.0]}
    )
    group_doses: dict[str, float] | None = None  # GS3 AV volumetric doses (pulses) A-D
    hot_water_dose: float | None = None  # GS3 AV hot-water seconds
    grinder_dose_mode: str = "TimeType"
    grinder_doses: dict[str, dict[str, float]] = field(
        default_factory=lambda: {
            "TimeType": {"DoseA": 8.5, "DoseB": 12.0},
            "MassType": {"DoseA": 18.0, "DoseB": 20.0},
        }
    )
    time_scale: float = 1.0
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        secrets_ledger.record("La Marzocco serial number", self.serial)
        secrets_ledger.record("La Marzocco Bluetooth token", self.ble_auth_token)

    def now_ms(self) -> int:
        """The simulator's wall time in epoch milliseconds."""
        return int(self.clock() * 1000)

    def scaled_ms(self, seconds: float) -> int:
        """A nominal duration, sped up by the time scale, in milliseconds."""
        return int(seconds * 1000 / self.time_scale)

    def thing(self) -> dict[str, Any]:
        """The ``/things`` entry."""
        secrets_ledger.record("La Marzocco Bluetooth token", self.ble_auth_token)
        return {
            "serialNumber": self.serial,
            "type": "Grinder" if self.grinder else "CoffeeMachine",
            "name": self.name,
            "location": None,
            "modelCode": self.model_code,
            "modelName": self.model_name,
            "connected": self.connected,
            "connectionDate": CONNECTION_DATE_MS,
            "offlineMode": False,
            "requireFirmwareUpdate": False,
            "availableFirmwareUpdate": False,
            "coffeeStation": self._coffee_station(),
            "imageUrl": None,
            "bleAuthToken": self.ble_auth_token,
        }

    def _coffee_station(self) -> dict[str, Any] | None:
        if not self.scale:
            return None
        scale = {"type": "ScaleAcaiaLunar", "name": "LMZ-SIM01", "connected": True}
        return {
            "id": f"station-{self.serial}",
            "machine": {"serialNumber": self.serial, "modelCode": self.model_code},
            "grinders": [],
            "accessories": [{**scale, "batteryLevel": 80}],
        }

    def dashboard(self) -> dict[str, Any]:
        """The ``/things/{sn}/dashboard`` reply."""
        return {**self.thing(), "widgets": self.widgets(), "invalidWidgets": []}

    def widgets(self) -> list[dict[str, Any]]:
        """The widgets of the current state."""
        if not self.dashboard_supported:
            return [
                _widget("CMMachineModuleStatus", {"modules": [{"index": 1, "status": "Ready"}]}),
                _widget("CMMaintenanceStatus", {"nextMaintenanceDays": 41}),
            ]
        if self.grinder:
            return self._grinder_widgets()
        on = self.mode == "BrewingMode"
        status = "Brewing" if self.brewing_since is not None else "PoweredOn" if on else "StandBy"
        widgets = [
            _widget(
                "CMMachineStatus",
                {
                    "status": status,
                    "availableModes": list(_MODES),
                    "mode": self.mode,
                    "nextStatus": None,
                    "brewingStartTime": self.brewing_since,
                },
            ),
            _widget(
                "CMCoffeeBoiler",
                {
                    "status": self._boiler_status(on, self.coffee_ready_ms, "StandBy"),
                    "enabled": True,
                    "enabledSupported": False,
                    "targetTemperature": self.coffee_target,
                    "targetTemperatureMin": 80,
                    "targetTemperatureMax": self.coffee_max,
                    "targetTemperatureStep": 0.1,
                    "readyStartTime": self.coffee_ready_ms if on else None,
                },
            ),
            self._steam_widget(on),
            _widget(
                "CMPreBrewing",
                {
                    "availableModes": list(self.prebrew_modes),
                    "mode": self.prebrew_mode,
                    "times": self._prebrew_times(),
                    "doseIndexSupported": False,
                },
            ),
            _widget(
                "CMBackFlush",
                {"status": self.backflush, "lastCleaningStartTime": self.last_cleaning_ms},
            ),
        ]
        if self.scale:
            widgets += self._scale_widgets()
        if self.group_doses is not None:
            widgets.append(self._group_doses_widget())
        if self.hot_water_dose is not None:
            dose = {"doseIndex": "DoseA", "dose": self.hot_water_dose, **_HOT_WATER_LIMITS}
            output = {"enabled": True, "enabledSupported": False, "doses": [dose]}
            widgets.append(_widget("CMHotWaterDose", output))
        if not self.tank_ok:
            # Like the cloud, only while the tank is out or empty (its field is spelled so).
            widgets.append(_widget("CMNoWater", {"allarm": True}))
        return widgets

    def _prebrew_times(self) -> dict[str, list[dict[str, Any]]]:
        low, high, step = PREBREW_SECONDS
        return {
            mode: [
                {
                    "doseIndex": "ByGroup",
                    "seconds": {"In": times[0], "Out": times[1]},
                    "secondsMin": {"In": low, "Out": low},
                    "secondsMax": {"In": high, "Out": high},
                    "secondsStep": {"In": step, "Out": step},
                }
            ]
            for mode, times in self.prebrew_times.items()
            if mode in self.prebrew_modes
        }

    def _group_doses_widget(self) -> dict[str, Any]:
        doses = self.group_doses or {}
        return _widget(
            "CMGroupDoses",
            {
                "mirrorWithGroup1Supported": False,
                "availableModes": ["PulsesType"],
                "mode": "PulsesType",
                "doses": {
                    "PulsesType": [
                        {"doseIndex": index, "dose": dose, **_PULSE_LIMITS}
                        for index, dose in doses.items()
                    ]
                },
                "continuousDoseSupported": False,
                "brewingPressureSupported": False,
            },
        )

    def _steam_widget(self, on: bool) -> dict[str, Any]:
        heating = on and self.steam_enabled
        common = {
            "status": self._boiler_status(heating, self.steam_ready_ms, "Off"),
            "enabled": self.steam_enabled,
            "enabledSupported": True,
            "readyStartTime": self.steam_ready_ms if heating else None,
        }
        if self.steam_level is not None:
            output = {**common, "targetLevel": self.steam_level, "targetLevelSupported": True}
            return _widget("CMSteamBoilerLevel", output)
        return _widget(
            "CMSteamBoilerTemperature",
            {
                **common,
                "targetTemperature": self.steam_target,
                "targetTemperatureMin": 95,
                "targetTemperatureMax": 140,
                "targetTemperatureStep": 0.1,
                "targetTemperatureSupported": self.steam_temperature_settable,
            },
        )

    def _boiler_status(self, on: bool, ready_ms: int | None, off: str) -> str:
        if not on:
            return off
        return "HeatingUp" if ready_ms is not None and ready_ms > self.now_ms() else "Ready"

    def power_on(self) -> None:
        """Brewing mode: the boilers heat up (the steam boiler only when enabled)."""
        now = self.now_ms()
        self.coffee_ready_ms = now + self.scaled_ms(COFFEE_HEAT_SECONDS)
        self.steam_ready_ms = now + self.scaled_ms(STEAM_HEAT_SECONDS)

    def settle(self) -> None:
        """Finish what ran out: a shot, the backflush phases, a firmware update."""
        now = self.now_ms()
        if self.brew_until_ms is not None and now >= self.brew_until_ms:
            self.end_shot()
        if self.backflush_since_ms is not None:
            cleaning_at = self.backflush_since_ms + self.scaled_ms(BACKFLUSH_REQUESTED_SECONDS)
            if self.backflush == "Requested" and now >= cleaning_at:
                self.backflush = "Cleaning"
                self.last_cleaning_ms = cleaning_at
            if now >= cleaning_at + self.scaled_ms(BACKFLUSH_CLEANING_SECONDS):
                self.backflush = "Off"
                self.backflush_since_ms = None
        if self.update_started_ms is not None and self.update_progress() >= 100:
            self.machine_version = self.machine_update or self.machine_version
            self.gateway_version = self.gateway_update or self.gateway_version
            self.machine_update = self.gateway_update = self.update_started_ms = None

    def end_shot(self) -> None:
        """The running shot ends and joins the statistics."""
        if self.brewing_since is None:
            return
        seconds = max(0.0, (self.now_ms() - self.brewing_since) * self.time_scale / 1000)
        self.last_coffees.insert(
            0,
            {
                "time": self.brewing_since,
                "extractionSeconds": round(min(seconds, 3600.0), 1),
                "doseMode": "Continuous",
                "doseIndex": "Continuous",
                "doseValue": None,
                "doseValueNumerator": None,
            },
        )
        del self.last_coffees[50:]
        self.total_coffees += 1
        self.brewing_since = self.brew_until_ms = None

    # --- settings, scheduling, statistics, firmware ------------------------------------

    def settings(self) -> dict[str, Any]:
        """The ``/things/{sn}/settings`` reply."""
        return {
            **self.thing(),
            "actualFirmwares": [
                self._firmware("Gateway", self.gateway_version, self.gateway_update),
                self._firmware("Machine", self.machine_version, self.machine_update),
            ],
            "wifiSsid": "Simulated Wi-Fi",
            "wifiRssi": -52,
            "plumbInSupported": self.plumb_in_supported,
            "isPlumbedIn": self.plumbed_in,
            "cropsterSupported": False,
            "cropsterActive": None,
            "hemroSupported": False,
            "hemroActive": None,
            "factoryResetSupported": True,
            "autoUpdateSupported": True,
            "autoUpdate": False,
        }

    def _firmware(self, kind: str, version: str, update: str | None) -> dict[str, Any]:
        status = "Updated"
        if update is not None:
            status = "InProgress" if self.update_started_ms is not None else "ToUpdate"
        available = None
        if update is not None:
            notes = f"{kind} {update}: steadier connection, simulated fixes."
            available = {
                "type": kind,
                "buildVersion": update,
                "changeLog": notes,
                "thingModelCode": self.model_code,
            }
        return {
            "type": kind,
            "buildVersion": version,
            "changeLog": f"{kind} {version}",
            "thingModelCode": self.model_code,
            "status": status,
            "availableUpdate": available,
        }

    def update_progress(self) -> int:
        """How far the running firmware update is, 0 to 100."""
        if self.update_started_ms is None:
            return 0
        elapsed = self.now_ms() - self.update_started_ms
        return min(100, elapsed * 100 // max(1, self.scaled_ms(FIRMWARE_UPDATE_SECONDS)))

    def firmware_update(self) -> dict[str, Any]:
        """The ``/things/{sn}/update-fw`` reply."""
        if self.update_started_ms is None:
            offered = self.machine_update is not None or self.gateway_update is not None
            status = "ToUpdate" if offered else "Updated"
            return {
                "status": status,
                "commandStatus": None,
                "progressInfo": None,
                "progressPercentage": None,
            }
        progress = self.update_progress()
        info = "starting process" if progress < 10 else "download" if progress < 80 else "rebooting"
        return {
            "status": "InProgress",
            "commandStatus": "InProgress",
            "progressInfo": info,
            "progressPercentage": progress,
        }

    def start_firmware_update(self) -> bool:
        """Start installing the offered builds; False when none is offered."""
        if self.machine_update is None and self.gateway_update is None:
            return False
        if self.update_started_ms is None:
            self.update_started_ms = self.now_ms()
        return True

    def scheduling(self) -> dict[str, Any] | None:
        """The ``/things/{sn}/scheduling`` reply in this machine's shape (None: 404)."""
        if self.grinder or self.schedule_shape in (None, "null"):
            return None
        schedules = [dict(schedule) for schedule in self.schedules]
        low, high, step = STANDBY_MINUTES
        if self.schedule_shape == "2026":
            return {
                "smartStandBySupported": True,
                "smartStandBy": {
                    "enabled": self.smart_standby_enabled,
                    "minutes": self.smart_standby_minutes,
                    "minutesMin": low,
                    "minutesMax": high,
                    "minutesStep": step,
                    "after": self.smart_standby_after,
                },
                "smartWakeUpSleepSupported": True,
                "smartWakeUpSleep": {"steamBoilerSupported": True, "schedules": schedules},
                "earlyStartSupported": False,
                "earlyStart": None,
                "autoOnOffSupported": False,
                "ecoModeSupported": False,
            }
        return {
            "smartWakeUpSleepSupported": True,
            "smartWakeUpSleep": {
                "smartStandByEnabled": self.smart_standby_enabled,
                "smartStandByMinutes": self.smart_standby_minutes,
                "smartStandByMinutesMin": low,
                "smartStandByMinutesMax": high,
                "smartStandByMinutesStep": step,
                "smartStandByAfter": self.smart_standby_after,
                "schedules": schedules,
            },
            "weeklySupported": False,
            "weekly": None,
            "autoStandBy": None,
            "autoStandBySupported": False,
            "autoOnOff": None,
            "autoOnOffSupported": False,
            "ecoMode": None,
            "ecoModeSupported": False,
        }

    def coffee_and_flush_counter(self) -> dict[str, Any]:
        """The ``COFFEE_AND_FLUSH_COUNTER`` statistics reply."""
        return {"output": {"totalCoffee": self.total_coffees, "totalFlush": self.total_flushes}}

    def last_coffee(self, days: int) -> dict[str, Any]:
        """The ``LAST_COFFEE`` statistics reply over ``days`` days."""
        since = self.now_ms() - days * 86_400_000
        coffees = [dict(c) for c in self.last_coffees if c["time"] >= since]
        return {"output": {"lastCoffees": coffees}}

    def coffee_and_flush_trend(self, days: int, timezone: str) -> dict[str, Any]:
        """The ``COFFEE_AND_FLUSH_TREND`` reply: one point per day (UTC days here)."""
        today = self.now_ms() // 86_400_000 * 86_400_000
        starts = [today - offset * 86_400_000 for offset in range(days - 1, -1, -1)]
        counts = dict.fromkeys(starts, 0)
        for coffee in self.last_coffees:
            day = coffee["time"] // 86_400_000 * 86_400_000
            if day in counts:
                counts[day] += 1
        return {
            "output": {
                "days": days,
                "timezone": timezone,
                "coffees": [{"timestamp": start, "value": counts[start]} for start in starts],
                "flushes": [{"timestamp": start, "value": 0} for start in starts],
            }
        }

    def _scale_widgets(self) -> list[dict[str, Any]]:
        doses = {
            index: {"dose": dose, "doseMin": 5, "doseMax": 100, "doseStep": 0.1}
            for index, dose in self.bbw_doses.items()
        }
        return [
            _widget(
                "CMBrewByWeightDoses",
                {
                    "scaleConnected": True,
                    "availableModes": ["Dose1", "Dose2", "Continuous"],
                    "mode": self.bbw_mode,
                    "doses": doses,
                },
            ),
            _widget(
                "ThingScale",
                {"name": "LMZ-SIM01", "connected": True, "batteryLevel": 80},
            ),
        ]

    def _grinder_widgets(self) -> list[dict[str, Any]]:
        return [
            _widget(
                "GMachineStatus",
                {
                    "status": "PoweredOn" if self.mode == "GrindingMode" else "StandBy",
                    "mode": self.mode,
                    "availableModes": ["GrindingMode", "StandBy"],
                    "readyStartTime": None,
                },
            ),
            _widget("GBaristaLight", {"enabled": self.barista_light}),
            _widget("GSingleDoseMode", {"enabled": True}),
            _widget(
                "GDoses",
                {
                    "scaleConnected": False,
                    "mode": self.grinder_dose_mode,
                    "doses": {
                        mode: [
                            {
                                "doseIndex": index,
                                "dose": dose,
                                **_GRINDER_LIMITS[mode],
                                "speedAutoSupported": False,
                                "speedAuto": False,
                            }
                            for index, dose in doses.items()
                        ]
                        for mode, doses in self.grinder_doses.items()
                    },
                    "speedLevelsSupported": False,
                    "speedLevels": [],
                },
            ),
        ]

    def apply(self, name: str, body: Mapping[str, Any]) -> None:
        """Carry out a command; CommandRejected when this machine does not accept it."""
        handler = (_GRINDER_COMMANDS if self.grinder else _MACHINE_COMMANDS).get(name)
        if handler is None or not self.dashboard_supported:
            raise CommandRejected(f"{name} is not a command of this model")
        handler(self, body)


def _change_mode(machine: SimMachine, body: Mapping[str, Any]) -> None:
    was_on = machine.mode == "BrewingMode"
    machine.mode = _choice(body, "mode", _MODES)
    if machine.mode != "BrewingMode":
        machine.brewing_since = machine.brew_until_ms = None
    elif not was_on:
        machine.power_on()


def _steam_enabled(machine: SimMachine, body: Mapping[str, Any]) -> None:
    _index(body, "boilerIndex")
    machine.steam_enabled = _bool(body, "enabled")


def _steam_level(machine: SimMachine, body: Mapping[str, Any]) -> None:
    _index(body, "boilerIndex")
    if machine.steam_level is None:
        raise CommandRejected("this machine has no steam levels")
    machine.steam_level = _choice(body, "targetLevel", _STEAM_LEVELS)


def _coffee_target(machine: SimMachine, body: Mapping[str, Any]) -> None:
    _index(body, "boilerIndex")
    machine.coffee_target = _number(body, "targetTemperature", 80, machine.coffee_max, 0.1)


def _steam_target(machine: SimMachine, body: Mapping[str, Any]) -> None:
    _index(body, "boilerIndex")
    if not machine.steam_temperature_settable:
        raise CommandRejected("this machine's steam temperature is not settable")
    machine.steam_target = _number(body, "targetTemperature", 95, 140, 0.1)


def _prebrew_mode(machine: SimMachine, body: Mapping[str, Any]) -> None:
    machine.prebrew_mode = _choice(body, "mode", machine.prebrew_modes)


def _backflush(machine: SimMachine, body: Mapping[str, Any]) -> None:
    if body.get("enabled") is not True:
        raise CommandRejected("enabled must be true")
    if machine.backflush != "Off":
        raise CommandRejected("a backflush is already running")
    machine.backflush = "Requested"
    machine.backflush_since_ms = machine.now_ms()


def _bbw_mode(machine: SimMachine, body: Mapping[str, Any]) -> None:
    if not machine.scale:
        raise CommandRejected("no scale")
    machine.bbw_mode = _choice(body, "mode", ("Dose1", "Dose2", "Continuous"))


def _smart_standby(machine: SimMachine, body: Mapping[str, Any]) -> None:
    if machine.schedule_shape is None:
        raise CommandRejected("this machine has no smart standby")
    enabled = _bool(body, "enabled")
    minutes = _number(body, "minutes", *STANDBY_MINUTES)
    if not float(minutes).is_integer():
        raise CommandRejected("minutes must be whole")
    machine.smart_standby_after = _choice(body, "after", _STANDBY_AFTER)
    machine.smart_standby_enabled = enabled
    machine.smart_standby_minutes = int(minutes)


def _minutes_of_day(body: Mapping[str, Any], key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1440:
        raise CommandRejected(f"{key} must be whole minutes of the day")
    return value


def _wake_up_schedule(machine: SimMachine, body: Mapping[str, Any]) -> None:
    if machine.schedule_shape is None:
        raise CommandRejected("this machine has no wake-up schedules")
    days = body.get("days")
    if (
        not isinstance(days, list)
        or not days
        or len(set(map(str, days))) != len(days)
        or not all(day in _WEEKDAYS for day in days)
    ):
        raise CommandRejected("days must be weekday names, each once")
    schedule = {
        "enabled": _bool(body, "enabled"),
        "onTimeMinutes": _minutes_of_day(body, "onTimeMinutes"),
        "offTimeMinutes": _minutes_of_day(body, "offTimeMinutes"),
        "days": [day for day in _WEEKDAYS if day in days],
        "steamBoiler": _bool(body, "steamBoiler"),
    }
    schedule_id = body.get("id")
    if schedule_id is None:
        if len(machine.schedules) >= MAX_SCHEDULES:
            raise CommandRejected("too many schedules")
        machine.schedules.append({"id": secrets.token_hex(4), **schedule})
        return
    for existing in machine.schedules:
        if existing["id"] == schedule_id:
            existing.update(schedule)
            return
    raise CommandRejected("no schedule with this id")


def _delete_wake_up_schedule(machine: SimMachine, body: Mapping[str, Any]) -> None:
    remaining = [item for item in machine.schedules if item["id"] != body.get("id")]
    if len(remaining) == len(machine.schedules):
        raise CommandRejected("no schedule with this id")
    machine.schedules[:] = remaining


def _old_wake_up_schedule(_machine: SimMachine, _body: Mapping[str, Any]) -> None:
    raise CommandRejected(
        f"Invalid command type {OLD_SCHEDULE_COMMAND}: expected type {NEW_SCHEDULE_COMMAND}"
    )


def _prebrew_times(machine: SimMachine, body: Mapping[str, Any]) -> None:
    _index(body, "groupIndex")
    if body.get("doseIndex") != "ByGroup":
        raise CommandRejected("doseIndex must be ByGroup")
    times = body.get("times")
    if not isinstance(times, dict) or set(times) != {"In", "Out"}:
        raise CommandRejected("times must have In and Out")
    wet, pause = (_number(times, key, *PREBREW_SECONDS) for key in ("In", "Out"))
    mode = machine.prebrew_mode if machine.prebrew_mode in machine.prebrew_times else "PreBrewing"
    if mode == "PreInfusion" and wet != 0:
        raise CommandRejected("preinfusion has no wet time (In must be 0)")
    machine.prebrew_times[mode] = [wet, pause]


def _bbw_doses(machine: SimMachine, body: Mapping[str, Any]) -> None:
    if not machine.scale:
        raise CommandRejected("no scale")
    doses = body.get("doses")
    if not isinstance(doses, dict) or set(doses) != {"Dose1", "Dose2"}:
        raise CommandRejected("doses must have Dose1 and Dose2")
    machine.bbw_doses = {key: _number(doses, key, 5, 100, 0.1) for key in ("Dose1", "Dose2")}


def _plumb_in(machine: SimMachine, body: Mapping[str, Any]) -> None:
    if not machine.plumb_in_supported:
        raise CommandRejected("this machine cannot be plumbed in")
    machine.plumbed_in = _bool(body, "enabled")


def _group_dose_mode(machine: SimMachine, body: Mapping[str, Any]) -> None:
    _index(body, "groupIndex")
    if machine.group_doses is None:
        raise CommandRejected("this machine has no volumetric doses")
    _choice(body, "mode", ("PulsesType",))


def _group_dose(machine: SimMachine, body: Mapping[str, Any]) -> None:
    _index(body, "groupIndex")
    doses = machine.group_doses
    if doses is None:
        raise CommandRejected("this machine has no volumetric doses")
    _choice(body, "mode", ("PulsesType",))
    index = _choice(body, "doseIndex", tuple(doses))
    limits = _PULSE_LIMITS
    doses[index] = _number(body, "dose", limits["doseMin"], limits["doseMax"], limits["doseStep"])


def _hot_water(machine: SimMachine, body: Mapping[str, Any]) -> None:
    if machine.hot_water_dose is None:
        raise CommandRejected("this machine has no hot-water dose")
    _choice(body, "doseIndex", ("DoseA",))
    limits = _HOT_WATER_LIMITS
    low, high, step = limits["doseMin"], limits["doseMax"], limits["doseStep"]
    machine.hot_water_dose = _number(body, "dose", low, high, step)


def _grinder_dose(machine: SimMachine, body: Mapping[str, Any]) -> None:
    _index(body, "index")
    mode = _choice(body, "mode", tuple(machine.grinder_doses))
    doses = machine.grinder_doses[mode]
    index = _choice(body, "doseIndex", tuple(doses))
    if "speedLevel" in body:
        _choice(body, "speedLevel", ("Low", "Medium", "High"))
    limits = _GRINDER_LIMITS[mode]
    doses[index] = _number(body, "dose", limits["doseMin"], limits["doseMax"], limits["doseStep"])
    machine.grinder_dose_mode = mode


def _grinder_mode(machine: SimMachine, body: Mapping[str, Any]) -> None:
    machine.mode = _choice(body, "mode", ("GrindingMode", "StandBy"))


def _barista_light(machine: SimMachine, body: Mapping[str, Any]) -> None:
    _index(body, "index")
    machine.barista_light = _bool(body, "enabled")


_Handler = Callable[[SimMachine, Mapping[str, Any]], None]
_MACHINE_COMMANDS: Final[Mapping[str, _Handler]] = {
    "CoffeeMachineChangeMode": _change_mode,
    "CoffeeMachineSettingSteamBoilerEnabled": _steam_enabled,
    "CoffeeMachineSettingSteamBoilerTargetLevel": _steam_level,
    "CoffeeMachineSettingCoffeeBoilerTargetTemperature": _coffee_target,
    "CoffeeMachineSettingSteamBoilerTargetTemperature": _steam_target,
    "CoffeeMachinePreBrewingChangeMode": _prebrew_mode,
    "CoffeeMachineBackFlushStartCleaning": _backflush,
    "CoffeeMachineBrewByWeightChangeMode": _bbw_mode,
    "CoffeeMachineSettingSmartStandBy": _smart_standby,
    "CoffeeMachinePreBrewingSettingTimes": _prebrew_times,
    "CoffeeMachineBrewByWeightSettingDoses": _bbw_doses,
    "CoffeeMachineSettingPlumbIn": _plumb_in,
    "CoffeeMachineGroupDoseChangeMode": _group_dose_mode,
    "CoffeeMachineGroupDoseSettingDose": _group_dose,
    "CoffeeMachineSettingHotWaterDose": _hot_water,
    NEW_SCHEDULE_COMMAND: _wake_up_schedule,
    "CoffeeMachineDeleteWakeUpSchedule": _delete_wake_up_schedule,
    OLD_SCHEDULE_COMMAND: _old_wake_up_schedule,
}
_GRINDER_COMMANDS: Final[Mapping[str, _Handler]] = {
    "GrinderChangeMode": _grinder_mode,
    "GrinderSettingBaristaLightEnabled": _barista_light,
    "GrinderSettingDose": _grinder_dose,
}

Listener = Callable[[SimMachine], None]


class Household:
    """The machines of one simulated account; tells subscribers when one changes.

    Time runs ``time_scale`` times faster than the wall clock for heating, shots, the
    backflush and firmware updates; ``tick`` (the server calls it) finishes what ran out
    and announces every machine whose dashboard or scheduling now reads differently.
    """

    def __init__(
        self,
        machines: list[SimMachine],
        *,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """A household of ``machines``."""
        if not 0 < time_scale <= 1e6:
            raise ValueError("time_scale must be above 0")
        self.time_scale = time_scale
        self.machines = {machine.serial: machine for machine in machines}
        for machine in machines:
            machine.time_scale = time_scale
            machine.clock = clock
        self._listeners: list[Listener] = []
        self._schedule_listeners: list[Listener] = []
        # What each machine's widgets and scheduling read when last announced.
        self._widgets_seen = {serial: self._widgets_of(m) for serial, m in self.machines.items()}
        self._scheduling_seen = {
            serial: json.dumps(machine.scheduling()) for serial, machine in self.machines.items()
        }

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every change; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def subscribe_scheduling(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every change of a machine's scheduling."""
        self._schedule_listeners.append(listener)
        return lambda: self._schedule_listeners.remove(listener)

    @staticmethod
    def _widgets_of(machine: SimMachine) -> str:
        return json.dumps(machine.widgets())

    def remember(self, machine: SimMachine) -> None:
        """Note ``machine``'s widgets as announced; announce a changed scheduling."""
        self._widgets_seen[machine.serial] = self._widgets_of(machine)
        self.sync_scheduling(machine)

    def changed(self, machine: SimMachine) -> None:
        """Announce that ``machine`` changed."""
        self.remember(machine)
        for listener in list(self._listeners):
            listener(machine)

    def sync_scheduling(self, machine: SimMachine) -> None:
        """Announce ``machine``'s scheduling if it reads differently than last time."""
        rendered = json.dumps(machine.scheduling())
        if self._scheduling_seen.get(machine.serial) != rendered:
            self._scheduling_seen[machine.serial] = rendered
            for listener in list(self._schedule_listeners):
                listener(machine)

    def tick(self) -> None:
        """Let time pass: settle each machine and announce those that now read differently."""
        for machine in self.machines.values():
            machine.settle()
            self.sync_scheduling(machine)
            if self._widgets_of(machine) != self._widgets_seen.get(machine.serial):
                self.changed(machine)

    def start_brewing(self, serial: str, at_ms: int = CONNECTION_DATE_MS) -> None:
        """A shot starts on ``serial`` (as someone at the machine would start it)."""
        machine = self.machines[serial]
        machine.brewing_since = at_ms
        self.changed(machine)

    def stop_brewing(self, serial: str) -> None:
        """The running shot ends."""
        machine = self.machines[serial]
        machine.end_shot()
        self.changed(machine)

    def brew(self, serial: str, seconds: float = SHOT_SECONDS) -> None:
        """A shot of ``seconds`` (nominal) starts now and ends by itself."""
        machine = self.machines[serial]
        if machine.mode != "BrewingMode" or machine.grinder:
            raise CommandRejected("the machine is not on")
        machine.brewing_since = machine.now_ms()
        machine.brew_until_ms = machine.brewing_since + machine.scaled_ms(seconds)
        self.changed(machine)


def _seed_coffees(count: int, now_s: float) -> list[dict[str, Any]]:
    """A few shots over the last days, newest first."""
    now_ms = int(now_s * 1000)
    return [
        {
            "time": now_ms - (index * 17 + 3) * 3_600_000,
            "extractionSeconds": 26.0 + index % 5,
            "doseMode": "Continuous",
            "doseIndex": "Continuous",
            "doseValue": None,
            "doseValueNumerator": None,
        }
        for index in range(count)
    ]


def _schedule(schedule_id: str, on: int, off: int, days: list[str]) -> dict[str, Any]:
    return {
        "id": schedule_id,
        "enabled": True,
        "onTimeMinutes": on,
        "offTimeMinutes": off,
        "days": days,
        "steamBoiler": True,
    }


def default_household(
    *,
    time_scale: float = 1.0,
    old_gateway: bool = False,
    extra_things: bool = False,
    clock: Callable[[], float] = time.time,
) -> Household:
    """A Linea Micra, a Linea Mini with a connected scale, a GS3 AV and a Pico grinder.

    ``old_gateway`` puts the Micra on a gateway build older than the cloud needs (an update
    is offered); ``extra_things`` adds a Strada X and a Swan grinder the integration does
    not support.
    """
    now = clock()
    weekdays = list(_WEEKDAYS[:5])
    machines = [
        SimMachine(
            "MR000001",
            "LINEAMICRA",
            "LINEA MICRA",
            "Micra",
            steam_level="Level3",
            prebrew_modes=("PreBrewing", "PreInfusion", "Disabled"),
            ble_auth_token="simulated-ble-token-micra",  # noqa: S106 - simulated
            schedule_shape="2026",
            schedules=[_schedule("a1b2c3d4", 6 * 60 + 30, 9 * 60, weekdays)],
            plumb_in_supported=True,
            gateway_version="v4.4.2" if old_gateway else "v5.1.2",
            gateway_update="v5.1.2" if old_gateway else None,
            machine_version="v1.40",
            machine_update="v1.41",
            last_coffees=_seed_coffees(12, now),
        ),
        SimMachine(
            "LM000002",
            "LINEAMINI",
            "LINEA MINI",
            "Mini",
            scale=True,
            schedules=[_schedule("e5f6a7b8", 7 * 60, 8 * 60, ["Saturday", "Sunday"])],
            last_coffees=_seed_coffees(5, now),
        ),
        SimMachine(
            "GS000003",
            "GS3AV",
            "GS3 AV",
            "GS3",
            coffee_max=110.0,
            steam_temperature_settable=True,
            steam_target=124.0,
            prebrew_modes=("PreBrewing", "PreInfusion", "Disabled"),
            mode="StandBy",
            plumb_in_supported=True,
            plumbed_in=True,
            group_doses={"DoseA": 120.0, "DoseB": 121.0, "DoseC": 122.0, "DoseD": 123.0},
            hot_water_dose=8.0,
            last_coffees=_seed_coffees(3, now),
        ),
        SimMachine(
            "PG000004",
            "PICOGRINDER",
            "PICO GRINDER",
            "Pico",
            grinder=True,
            mode="StandBy",
            schedule_shape=None,
        ),
    ]
    if extra_things:
        machines += [
            SimMachine(
                "SR000005",
                "STRADAX",
                "STRADA X",
                "Strada X",
                dashboard_supported=False,
                schedule_shape=None,
            ),
            SimMachine(
                "SG000006",
                "SWANGRINDER",
                "SWAN GRINDER",
                "Swan",
                grinder=True,
                dashboard_supported=False,
                schedule_shape=None,
            ),
        ]
    return Household(machines, time_scale=time_scale, clock=clock)
