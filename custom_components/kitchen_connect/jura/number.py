"""Jura numbers: numeric machine settings such as water hardness."""

from __future__ import annotations

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import EntityCategory

from ..kitchenlib.jura.models import SettingDef
from .coordinator import JuraRuntimeData
from .entity import JuraSettingEntity, platform_setup, translate_machine_errors

# Units for the numeric settings we know; others are unit-less.
_UNITS = {"hardness": "°dH"}


class JuraSettingNumber(JuraSettingEntity, NumberEntity):
    """A numeric setting, validated against the model's range before it is written."""

    def __init__(self, data: JuraRuntimeData, setting: SettingDef) -> None:
        super().__init__(
            data,
            NumberEntityDescription(
                key=f"setting_{setting.argument:02x}",
                translation_key=setting.key,
                entity_category=EntityCategory.CONFIG,
                native_min_value=float(setting.minimum or 0),
                native_max_value=float(setting.maximum or 0),
                native_step=float(setting.step or 1),
                native_unit_of_measurement=_UNITS.get(setting.key),
                mode=NumberMode.BOX,
            ),
            setting,
        )

    @property
    def native_value(self) -> float | None:
        """The value last read from the machine."""
        value = self.state_data.settings.get(self._setting.argument)
        return float(value) if isinstance(value, int) else None

    async def async_set_native_value(self, value: float) -> None:
        """Write the setting and read it back."""
        async with translate_machine_errors(self.coordinator.config_entry.title):
            await self.runtime.product_counters.async_write_setting(
                self._setting.argument, int(value)
            )


def build_entities(data: JuraRuntimeData) -> list[JuraSettingNumber]:
    """One number per numeric setting of this model."""
    return [
        JuraSettingNumber(data, setting)
        for setting in data.profile.settings
        if setting.kind == "step_slider" and setting.minimum is not None
    ]


async_setup_entry = platform_setup(build_entities)
