"""Jura selects: the machine's settings, and the product and strength to brew."""

from __future__ import annotations

from collections.abc import Callable
import dataclasses
from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.helpers.restore_state import RestoreEntity

from ..kitchenlib.jura.models import ChoiceParam, MachineProfile, SettingDef
from .coordinator import JuraRuntimeData
from .entity import (
    JuraEntity,
    JuraEntityDescription,
    JuraSettingEntity,
    platform_setup,
    translate_machine_errors,
)

ITEM_SETTING_KINDS = frozenset({"item_slider", "switch", "combobox"})


class JuraSettingSelect(JuraSettingEntity, SelectEntity):
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
            setting,
        )

    @property
    def current_option(self) -> str | None:
        """The value last read from the machine."""
        value = self.state_data.settings.get(self._setting.argument)
        return value if isinstance(value, str) else None

    async def async_select_option(self, option: str) -> None:
        """Write the setting and read it back."""
        async with translate_machine_errors(self.coordinator.config_entry.title):
            await self.runtime.product_counters.async_write_setting(self._setting.argument, option)


@dataclass(frozen=True, kw_only=True)
class JuraBrewChoiceDescription(JuraEntityDescription, SelectEntityDescription):
    """A brew choice: its options and its starting option come from the model."""

    options_fn: Callable[[MachineProfile], list[str]]
    default_fn: Callable[[MachineProfile], str | None]


class JuraBrewChoiceSelect(JuraEntity, SelectEntity, RestoreEntity):
    """A choice kept in Home Assistant and used by the brew action when a field is left out."""

    entity_description: JuraBrewChoiceDescription

    def __init__(self, data: JuraRuntimeData, description: JuraBrewChoiceDescription) -> None:
        super().__init__(
            data, dataclasses.replace(description, options=description.options_fn(data.profile))
        )

    async def async_added_to_hass(self) -> None:
        """Bring back the last choice after a restart; a new machine starts at its default."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is not None and last.state in self.options:
            self._remember(last.state)
        elif (default := self.entity_description.default_fn(self.profile)) is not None:
            self._remember(default)

    async def async_select_option(self, option: str) -> None:
        """Remember the choice; nothing is sent to the machine."""
        self._remember(option)
        self.async_write_ha_state()

    def _remember(self, option: str) -> None:
        self._attr_current_option = option
        self.runtime.brew_choices[self.entity_description.key] = option


def _products(profile: MachineProfile) -> list[str]:
    return [product.key for product in profile.products if product.active]


def _strengths(profile: MachineProfile) -> list[str]:
    options: dict[str, None] = {}
    for product in profile.products:
        param = product.param("coffee_strength")
        if isinstance(param, ChoiceParam):
            options.update(dict.fromkeys(name for name, _wire in param.items))
    return list(options)


def _default_strength(profile: MachineProfile) -> str | None:
    """The strength the first product that has one is made with unless told otherwise."""
    for product in profile.products:
        param = product.param("coffee_strength")
        if product.active and isinstance(param, ChoiceParam):
            return next((name for name, wire in param.items if wire == param.default), None)
    return None


BREW_CHOICES: tuple[JuraBrewChoiceDescription, ...] = (
    JuraBrewChoiceDescription(
        key="product",
        translation_key="product",
        options_fn=_products,
        # The profile keeps the machine's own product order; a new entry starts at the first.
        default_fn=lambda profile: next(iter(_products(profile)), None),
    ),
    JuraBrewChoiceDescription(
        key="strength",
        translation_key="strength",
        options_fn=_strengths,
        default_fn=_default_strength,
        supported_fn=lambda profile: bool(_strengths(profile)),
    ),
)


def build_entities(data: JuraRuntimeData) -> list[SelectEntity]:
    """The product and strength choices for brewing, plus the setting selects."""
    profile = data.profile
    entities: list[SelectEntity] = [
        JuraBrewChoiceSelect(data, description)
        for description in BREW_CHOICES
        if description.supported_fn(profile)
    ]
    entities += [
        JuraSettingSelect(data, setting)
        for setting in profile.settings
        if setting.kind in ITEM_SETTING_KINDS and setting.items
    ]
    return entities


async_setup_entry = platform_setup(build_entities)
