"""One overall machine status, derived from the alert bits and progress."""

from __future__ import annotations

from enum import StrEnum

from .models import MachineProfile, MachineState, Severity

# Alerts the machine raises as "block" while it is merely busy, not broken.
_BUSY_ALERTS = frozenset({"please_wait", "system_filling", "system_emptying", "coffee_rinsing"})
_NOT_A_FAULT = frozenset({"switch_off_delay_active", "program_mode_status", *_BUSY_ALERTS})


class MachineStatus(StrEnum):
    """What the machine is doing, as a user would put it."""

    READY = "ready"
    BREWING = "brewing"
    MAINTENANCE = "maintenance"
    NEEDS_ATTENTION = "needs_attention"
    HEATING_UP = "heating_up"
    BUSY = "busy"
    ENERGY_SAVING = "energy_saving"
    SWITCHING_OFF = "switching_off"


def active_alert_keys(profile: MachineProfile, state: MachineState) -> frozenset[str]:
    """Names of the alerts currently raised that the model declares."""
    return profile.alert_keys(state.alerts)


def machine_status(profile: MachineProfile, state: MachineState) -> MachineStatus:
    """Summarise ``state`` into one status, most important first."""
    if state.brewing:
        if state.progress is not None and profile.product(state.progress.code) is None:
            return MachineStatus.MAINTENANCE
        return MachineStatus.BREWING
    keys = active_alert_keys(profile, state)
    for bit in state.alerts:
        alert = profile.alert(bit)
        if alert and alert.severity is Severity.ERROR and alert.key not in _NOT_A_FAULT:
            return MachineStatus.NEEDS_ATTENTION
    if "switch_off_delay_active" in keys or "goodbye" in keys:
        return MachineStatus.SWITCHING_OFF
    if "heating_up" in keys or "welcome" in keys:
        return MachineStatus.HEATING_UP
    if keys & _BUSY_ALERTS:
        return MachineStatus.BUSY
    if "energy_safe" in keys:
        return MachineStatus.ENERGY_SAVING
    return MachineStatus.READY
