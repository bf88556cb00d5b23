"""Offline mode: the dashboard the entities read, built from Bluetooth reads alone."""

from __future__ import annotations

from typing import Final

from ..kitchenlib.lamarzocco.bluetooth.client import LaMarzoccoBluetooth
from ..kitchenlib.lamarzocco.bluetooth.payloads import Boiler, steam_level_of
from ..kitchenlib.lamarzocco.commands import COFFEE_TEMPERATURE, MachineMode
from ..kitchenlib.lamarzocco.dashboard import (
    CoffeeBoiler,
    Dashboard,
    MachineStatus,
    NoWater,
    SteamBoilerLevel,
    SteamBoilerTemperature,
    Widget,
    WidgetOutput,
)
from ..kitchenlib.lamarzocco.models import ModelCode, Thing

# The widget code the cloud gives each kind of widget.
_CODES: Final[dict[type, str]] = {
    MachineStatus: "CMMachineStatus",
    CoffeeBoiler: "CMCoffeeBoiler",
    SteamBoilerLevel: "CMSteamBoilerLevel",
    SteamBoilerTemperature: "CMSteamBoilerTemperature",
    NoWater: "CMNoWater",
}

# Machines whose steam boiler has three levels rather than a temperature.
LEVEL_MODELS = frozenset({ModelCode.LINEA_MICRA, ModelCode.LINEA_MINI_R})


def _boiler_status(on: bool, boiler: Boiler | None) -> str:
    if not on or boiler is None or not boiler.enabled:
        return "StandBy"
    if boiler.current is not None and boiler.target is not None:
        return "Ready" if boiler.current >= boiler.target - 1 else "HeatingUp"
    return "Ready"


def _steam_widget(thing: Thing, on: bool, boiler: Boiler | None) -> WidgetOutput | None:
    if boiler is None:
        return None
    status = _boiler_status(on, boiler)
    if thing.model in LEVEL_MODELS:
        level = steam_level_of(boiler.target)
        return SteamBoilerLevel(status, boiler.enabled, True, level, level is not None, None)
    return SteamBoilerTemperature(
        status, boiler.enabled, True, False, boiler.target, None, None, None, None
    )


async def async_bluetooth_dashboard(ble: LaMarzoccoBluetooth, thing: Thing) -> Dashboard:
    """Power, boilers and the tank, read over Bluetooth, as dashboard widgets."""
    mode = await ble.async_machine_mode()
    boilers = await ble.async_boilers()
    tank_ok = await ble.async_tank_ok()
    on = mode is MachineMode.BREWING
    outputs: list[WidgetOutput | None] = [
        MachineStatus(
            "CMMachineStatus",
            "PoweredOn" if on else "StandBy",
            mode.value,
            (MachineMode.BREWING.value, MachineMode.STANDBY.value),
            None,
            None,
            None,
        ),
        _steam_widget(thing, on, boilers.steam),
    ]
    coffee = boilers.coffee
    if coffee is not None and coffee.target is not None:
        outputs.append(
            CoffeeBoiler(
                _boiler_status(on, coffee),
                coffee.enabled,
                False,
                coffee.target,
                COFFEE_TEMPERATURE.minimum,
                COFFEE_TEMPERATURE.maximum,
                COFFEE_TEMPERATURE.step,
                None,
            )
        )
    if not tank_ok:
        outputs.append(NoWater(alarm=True))
    widgets = tuple(
        Widget(_CODES[type(output)], 1, output) for output in outputs if output is not None
    )
    return Dashboard(thing=thing, widgets=widgets)
