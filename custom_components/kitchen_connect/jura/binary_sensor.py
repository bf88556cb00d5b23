"""Jura binary sensors: one per alert the machine's model declares."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from ..kitchenlib.jura.models import AlertDef
from .coordinator import JuraRuntimeData
from .entity import JuraEntity, platform_setup

# Alerts that only narrate what the machine is doing; the status sensor covers them.
_NARRATION = frozenset(
    {
        "welcome",
        "goodbye",
        "heating_up",
        "coffee_ready",
        "enjoy_product",
        "please_wait",
        "energy_safe",
        "remote_screen",
        "locked_keys",
        "program_mode_status",
        "switch_off_delay_active",
        "system_filling",
        "system_emptying",
        "coffee_rinsing",
        "press_rinse",
        "powder_product",
        "steam_ready",
        "ml_oz_status",
        "active_rf_filter",
        "coffee_eye_cup_detected",
    }
)
# Alerts raised while a cover or the tap is open, so that "on" reads "Open". Those that
# ask for something to be opened ("ventilation_closed", "open_tab") are raised while it
# is shut: problems, which as openings would read "Open" exactly when it is closed.
_OPENINGS = frozenset({"close_tab", "close_front_cover", "close_powder_cover"})


def alert_description(alert: AlertDef) -> BinarySensorEntityDescription:
    """How one alert bit is shown: device class, category and default visibility."""
    narration = alert.key in _NARRATION
    return BinarySensorEntityDescription(
        key=f"alert_{alert.bit}",
        translation_key=alert.key,
        device_class=(
            BinarySensorDeviceClass.OPENING
            if alert.key in _OPENINGS
            else None
            if narration
            else BinarySensorDeviceClass.PROBLEM
        ),
        entity_category=EntityCategory.DIAGNOSTIC if narration else None,
        entity_registry_enabled_default=not narration,
    )


class JuraAlertBinarySensor(JuraEntity, BinarySensorEntity):
    """On while the machine raises one alert."""

    def __init__(self, data: JuraRuntimeData, alert: AlertDef) -> None:
        super().__init__(data, alert_description(alert))
        self._bit = alert.bit

    @property
    def is_on(self) -> bool:
        """Whether the alert bit is set in the latest status."""
        return self._bit in self.state_data.alerts


def build_entities(data: JuraRuntimeData) -> list[JuraAlertBinarySensor]:
    """One binary sensor per alert of this model."""
    return [JuraAlertBinarySensor(data, alert) for alert in data.profile.alerts]


async_setup_entry = platform_setup(build_entities)
