"""Jura selects: the machine's settings, and the product and strength to brew."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.helpers.restore_state import RestoreEntity

from ..kitchenlib.jura.models import ChoiceParam, SettingDef
from .coordinator import JuraRuntimeData
from .entity import JuraEntity, platform_setup, translate_machine_errors

ITEM_SETTING_KINDS = frozenset({"item_slider", "switch", "combobox"})


class JuraSettingSelect(JuraEntity, SelectEntity):
    """A machine setting with named values, written with the lock wrapper."""

    def __init__(self, data: JuraRuntimeData, setting: SettingDef) -> None:
        super().__init__(
            data,
            SelectEntityDescription(
                key=f"setting_{setting.argument:02x}",
                translation_key=setting.key,
                entity_category=EntityCategory.CONFIG,
                options=[name for name, _wire in setting.items],
            ),
            reads=data.product_counters,
        )
        self._setting = setting

    @property
    def current_option(self) -> str | None:
        """The value last read from the machine."""
        value = self.state_data.settings.get(self._setting.argument)
        return value if isinstance(value, str) else None

    async def async_select_option(self, option: str) -> None:
        """Write the setting and read it back."""
        async with translate_machine_errors(self.coordinator.config_entry.title):
            await self.runtime.product_counters.async_write_setting(self._setting.argument, option)


class JuraBrewChoiceSelect(JuraEntity, SelectEntity, RestoreEntity):
    """A choice kept in Home Assistant and used by the brew action when a field is left out."""

    async def async_added_to_hass(self) -> None:
        """Bring back the last choice after a restart."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is not None and last.state in self.options:
            self._remember(last.state)

    async def async_select_option(self, option: str) -> None:
        """Remember the choice; nothing is sent to the machine."""
        self._remember(option)
        self.async_write_ha_state()

    def _remember(self, option: str) -> None:
        self._attr_current_option = option
        self.runtime.brew_choices[self.entity_description.key] = option


def _strength_options(data: JuraRuntimeData) -> list[str]:
    options: dict[str, None] = {}
    for product in data.profile.products:
        param = product.param("coffee_strength")
        if isinstance(param, ChoiceParam):
            options.update(dict.fromkeys(name for name, _wire in param.items))
    return list(options)


def build_entities(data: JuraRuntimeData) -> list[SelectEntity]:
    """Setting selects, plus the product and strength choices for brewing."""
    profile = data.profile
    products = [product.key for product in profile.products if product.active]
    entities: list[SelectEntity] = [
        JuraBrewChoiceSelect(
            data,
            SelectEntityDescription(key="product", translation_key="product", options=products),
        )
    ]
    if strengths := _strength_options(data):
        entities.append(
            JuraBrewChoiceSelect(
                data,
                SelectEntityDescription(
                    key="strength", translation_key="strength", options=strengths
                ),
            )
        )
    entities += [
        JuraSettingSelect(data, setting)
        for setting in profile.settings
        if setting.kind in ITEM_SETTING_KINDS and setting.items
    ]
    return entities


async_setup_entry = platform_setup(build_entities)
