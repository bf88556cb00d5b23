"""The simulated household: a Linea Micra, a Linea Mini with a scale, a GS3 AV and a Pico.

Each machine keeps a small state and renders it as the dashboard widgets the reference
documents. Commands are checked here against what the machine's widgets allow (the
simulator does not trust the client's own validation) and change the state; every change
is announced to the subscribers, which the server turns into websocket pushes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import math
from typing import Any, Final

CONNECTION_DATE_MS: Final = 1_764_000_000_000
_MODES: Final = ("BrewingMode", "StandBy")
_STEAM_LEVELS: Final = ("Level1", "Level2", "Level3")


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

    def thing(self) -> dict[str, Any]:
        """The ``/things`` entry."""
        return {
            "serialNumber": self.serial,
            "type": "Grinder" if self.grinder else "CoffeeMachine",
            "name": self.name,
            "location": None,
            "modelCode": self.model_code,
            "modelName": self.model_name,
            "connected": True,
            "connectionDate": CONNECTION_DATE_MS,
            "offlineMode": False,
            "requireFirmwareUpdate": False,
            "availableFirmwareUpdate": False,
            "coffeeStation": None,
            "imageUrl": None,
            "bleAuthToken": self.ble_auth_token,
        }

    def dashboard(self) -> dict[str, Any]:
        """The ``/things/{sn}/dashboard`` reply."""
        return {**self.thing(), "widgets": self.widgets(), "invalidWidgets": []}

    def widgets(self) -> list[dict[str, Any]]:
        """The widgets of the current state."""
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
                    "status": "Ready" if on else "StandBy",
                    "enabled": True,
                    "enabledSupported": False,
                    "targetTemperature": self.coffee_target,
                    "targetTemperatureMin": 80,
                    "targetTemperatureMax": self.coffee_max,
                    "targetTemperatureStep": 0.1,
                    "readyStartTime": None,
                },
            ),
            self._steam_widget(on),
            _widget(
                "CMPreBrewing",
                {
                    "availableModes": list(self.prebrew_modes),
                    "mode": self.prebrew_mode,
                    "times": {},
                    "doseIndexSupported": False,
                },
            ),
            _widget("CMBackFlush", {"status": self.backflush, "lastCleaningStartTime": None}),
        ]
        if self.scale:
            widgets += self._scale_widgets()
        return widgets

    def _steam_widget(self, on: bool) -> dict[str, Any]:
        common = {
            "status": "Ready" if on and self.steam_enabled else "Off",
            "enabled": self.steam_enabled,
            "enabledSupported": True,
            "readyStartTime": None,
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
        ]

    def apply(self, name: str, body: Mapping[str, Any]) -> None:
        """Carry out a command; CommandRejected when this machine does not accept it."""
        handler = (_GRINDER_COMMANDS if self.grinder else _MACHINE_COMMANDS).get(name)
        if handler is None:
            raise CommandRejected(f"{name} is not a command of this model")
        handler(self, body)


def _change_mode(machine: SimMachine, body: Mapping[str, Any]) -> None:
    machine.mode = _choice(body, "mode", _MODES)
    if machine.mode != "BrewingMode":
        machine.brewing_since = None


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
    machine.backflush = "Requested"


def _bbw_mode(machine: SimMachine, body: Mapping[str, Any]) -> None:
    if not machine.scale:
        raise CommandRejected("no scale")
    machine.bbw_mode = _choice(body, "mode", ("Dose1", "Dose2", "Continuous"))


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
}
_GRINDER_COMMANDS: Final[Mapping[str, _Handler]] = {
    "GrinderChangeMode": _grinder_mode,
    "GrinderSettingBaristaLightEnabled": _barista_light,
}

Listener = Callable[[SimMachine], None]


class Household:
    """The machines of one simulated account; tells subscribers when one changes."""

    def __init__(self, machines: list[SimMachine]) -> None:
        """A household of ``machines``."""
        self.machines = {machine.serial: machine for machine in machines}
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every change; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def changed(self, machine: SimMachine) -> None:
        """Announce that ``machine`` changed."""
        for listener in list(self._listeners):
            listener(machine)

    def start_brewing(self, serial: str, at_ms: int = CONNECTION_DATE_MS) -> None:
        """A shot starts on ``serial`` (as someone at the machine would start it)."""
        machine = self.machines[serial]
        machine.brewing_since = at_ms
        self.changed(machine)

    def stop_brewing(self, serial: str) -> None:
        """The running shot ends."""
        machine = self.machines[serial]
        machine.brewing_since = None
        self.changed(machine)


def default_household() -> Household:
    """A Linea Micra, a Linea Mini with a connected scale, a GS3 AV and a Pico grinder."""
    return Household(
        [
            SimMachine(
                "MR000001",
                "LINEAMICRA",
                "LINEA MICRA",
                "Micra",
                steam_level="Level3",
                prebrew_modes=("PreBrewing", "PreInfusion", "Disabled"),
                ble_auth_token="simulated-ble-token-micra",  # noqa: S106 - simulated
            ),
            SimMachine("LM000002", "LINEAMINI", "LINEA MINI", "Mini", scale=True),
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
            ),
            SimMachine(
                "PG000004", "PICOGRINDER", "PICO GRINDER", "Pico", grinder=True, mode="StandBy"
            ),
        ]
    )
