"""Typed access to a dashboard's widgets: each returns None when the machine has none."""

from __future__ import annotations

from ..kitchenlib.lamarzocco.dashboard import (
    BackFlush,
    BrewByWeight,
    CoffeeBoiler,
    Dashboard,
    EnabledWidget,
    GrinderDoses,
    GrinderStatus,
    GroupDoses,
    HotWaterDose,
    MachineStatus,
    NoWater,
    PreBrewing,
    Scale,
    SteamBoilerLevel,
    SteamBoilerTemperature,
    WidgetOutput,
)


def _output[T: WidgetOutput](dashboard: Dashboard, kind: type[T], *codes: str) -> T | None:
    for code in codes:
        widget = dashboard.widget(code)
        if widget is not None and isinstance(widget.output, kind):
            return widget.output
    return None


def machine_status(dashboard: Dashboard) -> MachineStatus | None:
    """Power state and a running shot."""
    return _output(dashboard, MachineStatus, "CMMachineStatus", "CMMachineGroupStatus")


def coffee_boiler(dashboard: Dashboard) -> CoffeeBoiler | None:
    """The coffee boiler."""
    return _output(dashboard, CoffeeBoiler, "CMCoffeeBoiler")


def steam_level(dashboard: Dashboard) -> SteamBoilerLevel | None:
    """The steam boiler of a Micra or Mini R (three levels)."""
    return _output(dashboard, SteamBoilerLevel, "CMSteamBoilerLevel")


def steam_temperature(dashboard: Dashboard) -> SteamBoilerTemperature | None:
    """The steam boiler of a GS3 or Mini (a temperature)."""
    return _output(dashboard, SteamBoilerTemperature, "CMSteamBoilerTemperature")


def steam_boiler(dashboard: Dashboard) -> SteamBoilerLevel | SteamBoilerTemperature | None:
    """Whichever steam boiler widget the machine has."""
    return steam_level(dashboard) or steam_temperature(dashboard)


def prebrewing(dashboard: Dashboard) -> PreBrewing | None:
    """Prebrew and preinfusion."""
    return _output(dashboard, PreBrewing, "CMPreBrewing")


def backflush(dashboard: Dashboard) -> BackFlush | None:
    """The backflush cleaning cycle."""
    return _output(dashboard, BackFlush, "CMBackFlush")


def brew_by_weight(dashboard: Dashboard) -> BrewByWeight | None:
    """Brew by weight with the scale."""
    return _output(dashboard, BrewByWeight, "CMBrewByWeightDoses")


def scale(dashboard: Dashboard) -> Scale | None:
    """The paired scale."""
    return _output(dashboard, Scale, "ThingScale")


def no_water(dashboard: Dashboard) -> NoWater | None:
    """The empty-tank alarm (the widget only exists while it matters)."""
    return _output(dashboard, NoWater, "CMNoWater")


def group_doses(dashboard: Dashboard) -> GroupDoses | None:
    """The GS3 AV's doses."""
    return _output(dashboard, GroupDoses, "CMGroupDoses")


def hot_water(dashboard: Dashboard) -> HotWaterDose | None:
    """The hot-water dose."""
    return _output(dashboard, HotWaterDose, "CMHotWaterDose")


def enabled(dashboard: Dashboard, code: str) -> EnabledWidget | None:
    """An on/off widget (cup warmer, barista light, single-dose mode...)."""
    return _output(dashboard, EnabledWidget, code)


def grinder_status(dashboard: Dashboard) -> GrinderStatus | None:
    """A grinder's power state."""
    return _output(dashboard, GrinderStatus, "GMachineStatus")


def grinder_doses(dashboard: Dashboard) -> GrinderDoses | None:
    """A grinder's doses."""
    return _output(dashboard, GrinderDoses, "GDoses")
