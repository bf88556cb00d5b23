"""La Marzocco numbers: boiler targets, prebrew times, brew-by-weight, GS3 AV and grinder doses.

Every range comes from the machine's own widget (a Micra's coffee boiler goes to 100 °C,
a GS3's to 110 °C); the library checks a value against it before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfMass, UnitOfTemperature, UnitOfTime
from homeassistant.helpers.entity import Entity

from ..kitchenlib import InvalidValueError
from ..kitchenlib.lamarzocco import commands
from ..kitchenlib.lamarzocco.commands import (
    BREW_BY_WEIGHT_GRAMS,
    COFFEE_TEMPERATURE,
    PREBREW_SECONDS,
    STEAM_TEMPERATURE,
    Command,
    GrinderDoseMode,
    PreBrewMode,
    Range,
)
from ..kitchenlib.lamarzocco.dashboard import (
    Dashboard,
    Dose,
    GrinderDoses,
    GroupDoses,
    PreBrewingDose,
)
from . import schedules, widgets
from .entity import LaMarzoccoEntity, LaMarzoccoEntityDescription, platform_setup
from .runtime import LaMarzoccoRuntimeData


@dataclass(frozen=True, kw_only=True)
class LaMarzoccoNumberEntityDescription(LaMarzoccoEntityDescription, NumberEntityDescription):
    """A number: its value and range from the dashboard, and the command that sets it."""

    value_fn: Callable[[Dashboard], float | None]
    range_fn: Callable[[Dashboard], Range | None]
    command_fn: Callable[[Dashboard, float], Command]


def _coffee_target(dashboard: Dashboard) -> float | None:
    boiler = widgets.coffee_boiler(dashboard)
    return None if boiler is None else boiler.target_temperature


def _coffee_range(dashboard: Dashboard) -> Range | None:
    boiler = widgets.coffee_boiler(dashboard)
    if boiler is None:
        return None
    return Range.of(boiler.target_min, boiler.target_max, boiler.target_step, COFFEE_TEMPERATURE)


def _settable_steam(dashboard: Dashboard) -> bool:
    boiler = widgets.steam_temperature(dashboard)
    return boiler is not None and boiler.target_temperature_supported


def _steam_target(dashboard: Dashboard) -> float | None:
    boiler = widgets.steam_temperature(dashboard)
    return None if boiler is None else boiler.target_temperature


def _steam_range(dashboard: Dashboard) -> Range | None:
    boiler = widgets.steam_temperature(dashboard)
    if boiler is None:
        return None
    return Range.of(boiler.target_min, boiler.target_max, boiler.target_step, STEAM_TEMPERATURE)


def _prebrew_dose(dashboard: Dashboard, mode: str) -> PreBrewingDose | None:
    prebrew = widgets.prebrewing(dashboard)
    if prebrew is None:
        return None
    doses = prebrew.times.get(mode) or ()
    return doses[0] if doses else None


def _in_mode(mode: str) -> Callable[[Dashboard], bool]:
    def check(dashboard: Dashboard) -> bool:
        prebrew = widgets.prebrewing(dashboard)
        return prebrew is not None and prebrew.mode == mode

    return check


def _offers(mode: str) -> Callable[[Dashboard], bool]:
    def check(dashboard: Dashboard) -> bool:
        prebrew = widgets.prebrewing(dashboard)
        return (
            prebrew is not None
            and mode in prebrew.available_modes
            and _prebrew_dose(dashboard, mode) is not None
        )

    return check


def _prebrew_value(mode: str, part: str) -> Callable[[Dashboard], float | None]:
    def value(dashboard: Dashboard) -> float | None:
        dose = _prebrew_dose(dashboard, mode)
        if dose is None:
            return None
        return (dose.in_time if part == "in" else dose.out_time).seconds

    return value


def _prebrew_range(mode: str, part: str) -> Callable[[Dashboard], Range | None]:
    def limits(dashboard: Dashboard) -> Range | None:
        dose = _prebrew_dose(dashboard, mode)
        if dose is None:
            return None
        time = dose.in_time if part == "in" else dose.out_time
        return Range.of(time.minimum, time.maximum, time.step, PREBREW_SECONDS)

    return limits


def _prebrew_command(part: str) -> Callable[[Dashboard, float], Command]:
    """Both prebrew times go together; the one not being set keeps its value."""

    def command(dashboard: Dashboard, value: float) -> Command:
        dose = _prebrew_dose(dashboard, PreBrewMode.PREBREWING)
        assert dose is not None  # the entity exists only with it
        limits = _prebrew_range(PreBrewMode.PREBREWING, part)(dashboard) or PREBREW_SECONDS
        in_seconds = value if part == "in" else dose.in_time.seconds
        out_seconds = value if part == "out" else dose.out_time.seconds
        return commands.prebrew_times(in_seconds, out_seconds, limits=limits)

    return command


def _preinfusion_command(dashboard: Dashboard, value: float) -> Command:
    limits = _prebrew_range(PreBrewMode.PREINFUSION, "out")(dashboard) or PREBREW_SECONDS
    return commands.prebrew_times(0, value, limits=limits)


def _bbw_dose(name: str) -> Callable[[Dashboard], Dose | None]:
    def dose(dashboard: Dashboard) -> Dose | None:
        by_weight = widgets.brew_by_weight(dashboard)
        return None if by_weight is None else by_weight.doses.get(name)

    return dose


def _scale_connected(dashboard: Dashboard) -> bool:
    by_weight = widgets.brew_by_weight(dashboard)
    return by_weight is not None and by_weight.scale_connected


def _bbw_command(name: str) -> Callable[[Dashboard, float], Command]:
    """The cloud wants both doses; the other keeps its value."""

    def command(dashboard: Dashboard, value: float) -> Command:
        first, second = _bbw_dose("Dose1")(dashboard), _bbw_dose("Dose2")(dashboard)
        assert first is not None
        assert second is not None
        limits = Range.of_dose(first if name == "Dose1" else second, BREW_BY_WEIGHT_GRAMS)
        return commands.brew_by_weight_doses(
            value if name == "Dose1" else first.dose,
            value if name == "Dose2" else second.dose,
            limits,
        )

    return command


def _dose_value(dose_fn: Callable[[Dashboard], Dose | None]) -> Callable[[Dashboard], float | None]:
    def value(dashboard: Dashboard) -> float | None:
        dose = dose_fn(dashboard)
        return None if dose is None else dose.dose

    return value


def _dose_range(
    dose_fn: Callable[[Dashboard], Dose | None], fallback: Range | None = None
) -> Callable[[Dashboard], Range | None]:
    def limits(dashboard: Dashboard) -> Range | None:
        dose = dose_fn(dashboard)
        return None if dose is None else Range.of_dose(dose, fallback)

    return limits


def _hot_water(dashboard: Dashboard) -> Dose | None:
    water = widgets.hot_water(dashboard)
    return water.doses[0] if water is not None and water.doses else None


def _hot_water_command(dashboard: Dashboard, value: float) -> Command:
    dose = _hot_water(dashboard)
    assert dose is not None
    return commands.hot_water_dose(dose.dose_index, value, Range.of_dose(dose))


NUMBERS: tuple[LaMarzoccoNumberEntityDescription, ...] = (
    LaMarzoccoNumberEntityDescription(
        key="coffee_temperature",
        translation_key="coffee_temperature",
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        exists_fn=lambda dashboard: widgets.coffee_boiler(dashboard) is not None,
        value_fn=_coffee_target,
        range_fn=_coffee_range,
        command_fn=lambda dashboard, value: commands.coffee_temperature(
            value, _coffee_range(dashboard) or COFFEE_TEMPERATURE
        ),
    ),
    LaMarzoccoNumberEntityDescription(
        key="steam_temperature",
        translation_key="steam_temperature",
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        exists_fn=_settable_steam,
        value_fn=_steam_target,
        range_fn=_steam_range,
        command_fn=lambda dashboard, value: commands.steam_temperature(
            value, _steam_range(dashboard) or STEAM_TEMPERATURE
        ),
    ),
    LaMarzoccoNumberEntityDescription(
        key="prebrew_time_on",
        translation_key="prebrew_time_on",
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        entity_category=EntityCategory.CONFIG,
        exists_fn=_offers(PreBrewMode.PREBREWING),
        available_fn=_in_mode(PreBrewMode.PREBREWING),
        value_fn=_prebrew_value(PreBrewMode.PREBREWING, "in"),
        range_fn=_prebrew_range(PreBrewMode.PREBREWING, "in"),
        command_fn=_prebrew_command("in"),
    ),
    LaMarzoccoNumberEntityDescription(
        key="prebrew_time_off",
        translation_key="prebrew_time_off",
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        entity_category=EntityCategory.CONFIG,
        exists_fn=_offers(PreBrewMode.PREBREWING),
        available_fn=_in_mode(PreBrewMode.PREBREWING),
        value_fn=_prebrew_value(PreBrewMode.PREBREWING, "out"),
        range_fn=_prebrew_range(PreBrewMode.PREBREWING, "out"),
        command_fn=_prebrew_command("out"),
    ),
    LaMarzoccoNumberEntityDescription(
        key="preinfusion_time",
        translation_key="preinfusion_time",
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        entity_category=EntityCategory.CONFIG,
        exists_fn=_offers(PreBrewMode.PREINFUSION),
        available_fn=_in_mode(PreBrewMode.PREINFUSION),
        value_fn=_prebrew_value(PreBrewMode.PREINFUSION, "out"),
        range_fn=_prebrew_range(PreBrewMode.PREINFUSION, "out"),
        command_fn=_preinfusion_command,
    ),
    LaMarzoccoNumberEntityDescription(
        key="brew_by_weight_dose_1",
        translation_key="brew_by_weight_dose_1",
        device_class=NumberDeviceClass.WEIGHT,
        native_unit_of_measurement=UnitOfMass.GRAMS,
        exists_fn=lambda dashboard: _bbw_dose("Dose1")(dashboard) is not None,
        available_fn=_scale_connected,
        value_fn=_dose_value(_bbw_dose("Dose1")),
        range_fn=_dose_range(_bbw_dose("Dose1"), BREW_BY_WEIGHT_GRAMS),
        command_fn=_bbw_command("Dose1"),
    ),
    LaMarzoccoNumberEntityDescription(
        key="brew_by_weight_dose_2",
        translation_key="brew_by_weight_dose_2",
        device_class=NumberDeviceClass.WEIGHT,
        native_unit_of_measurement=UnitOfMass.GRAMS,
        exists_fn=lambda dashboard: _bbw_dose("Dose2")(dashboard) is not None,
        available_fn=_scale_connected,
        value_fn=_dose_value(_bbw_dose("Dose2")),
        range_fn=_dose_range(_bbw_dose("Dose2"), BREW_BY_WEIGHT_GRAMS),
        command_fn=_bbw_command("Dose2"),
    ),
    LaMarzoccoNumberEntityDescription(
        key="hot_water_dose",
        translation_key="hot_water_dose",
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        entity_category=EntityCategory.CONFIG,
        exists_fn=lambda dashboard: _hot_water(dashboard) is not None,
        value_fn=_dose_value(_hot_water),
        range_fn=_dose_range(_hot_water),
        command_fn=_hot_water_command,
    ),
)


# --- doses the machine lists by index: one entity per index ----------------------------------

_DOSE_LETTERS = {f"Dose{letter}": letter for letter in "ABCDEFGH"}


def _dose_number(index: str) -> str:
    """``DoseA`` -> ``1``; other names as they are."""
    letter = _DOSE_LETTERS.get(index)
    return str(ord(letter) - ord("A") + 1) if letter else index


type DoseWidget = Callable[[Dashboard], GroupDoses | GrinderDoses | None]


def _listed_dose(widget: DoseWidget, mode: str, index: str) -> Callable[[Dashboard], Dose | None]:
    """One dose of a widget that lists its doses by mode and index."""

    def dose(dashboard: Dashboard) -> Dose | None:
        doses = widget(dashboard)
        found = doses.doses.get(mode, ()) if doses is not None else ()
        return next((item for item in found if item.dose_index == index), None)

    return dose


def _in_dose_mode(widget: DoseWidget, mode: str) -> Callable[[Dashboard], bool]:
    """Whether the widget's current dose mode is ``mode``."""

    def check(dashboard: Dashboard) -> bool:
        doses = widget(dashboard)
        return doses is not None and doses.mode == mode

    return check


def _group_dose_description(mode: str, index: str) -> LaMarzoccoNumberEntityDescription:
    dose_fn = _listed_dose(widgets.group_doses, mode, index)

    def command(dashboard: Dashboard, value: float) -> Command:
        dose = dose_fn(dashboard)
        assert dose is not None
        return commands.group_dose(mode, index, value, Range.of_dose(dose))

    return LaMarzoccoNumberEntityDescription(
        key=f"dose_{mode}_{index}".lower(),
        translation_key="pulses_dose" if mode == "PulsesType" else "group_dose",
        translation_placeholders={"dose": _dose_number(index)},
        entity_category=EntityCategory.CONFIG,
        mode=NumberMode.BOX,
        exists_fn=lambda dashboard: dose_fn(dashboard) is not None,
        available_fn=_in_dose_mode(widgets.group_doses, mode),
        value_fn=_dose_value(dose_fn),
        range_fn=_dose_range(dose_fn),
        command_fn=command,
    )


_GRINDER_MODES = {
    GrinderDoseMode.TIME: ("grinder_dose_time", UnitOfTime.SECONDS, NumberDeviceClass.DURATION),
    GrinderDoseMode.MASS: ("grinder_dose_mass", UnitOfMass.GRAMS, NumberDeviceClass.WEIGHT),
}


def _grinder_dose_description(
    mode: GrinderDoseMode, index: str
) -> LaMarzoccoNumberEntityDescription:
    dose_fn = _listed_dose(widgets.grinder_doses, mode, index)
    translation_key, unit, device_class = _GRINDER_MODES[mode]

    def command(dashboard: Dashboard, value: float) -> Command:
        dose = dose_fn(dashboard)
        assert dose is not None
        doses = widgets.grinder_doses(dashboard)
        speed = doses.speed_levels.get(index) if doses is not None else None
        return commands.grinder_dose(mode, index, value, Range.of_dose(dose), speed)

    return LaMarzoccoNumberEntityDescription(
        key=f"grinder_dose_{mode}_{index}".lower(),
        translation_key=translation_key,
        translation_placeholders={"dose": _dose_number(index)},
        device_class=device_class,
        native_unit_of_measurement=unit,
        mode=NumberMode.BOX,
        exists_fn=lambda dashboard: dose_fn(dashboard) is not None,
        available_fn=_in_dose_mode(widgets.grinder_doses, mode),
        value_fn=_dose_value(dose_fn),
        range_fn=_dose_range(dose_fn),
        command_fn=command,
    )


def dose_descriptions(dashboard: Dashboard) -> list[LaMarzoccoNumberEntityDescription]:
    """One number per dose the machine or grinder lists."""
    descriptions: list[LaMarzoccoNumberEntityDescription] = []
    if (group := widgets.group_doses(dashboard)) is not None:
        for mode, doses in group.doses.items():
            if mode == "PulsesType":
                descriptions += [_group_dose_description(mode, dose.dose_index) for dose in doses]
    if (grinder := widgets.grinder_doses(dashboard)) is not None:
        for mode, doses in grinder.doses.items():
            if mode in _GRINDER_MODES:
                member = GrinderDoseMode(mode)
                descriptions += [_grinder_dose_description(member, d.dose_index) for d in doses]
    return descriptions


class LaMarzoccoNumber(LaMarzoccoEntity, NumberEntity):
    """A setting with a value in a range the machine reports."""

    entity_description: LaMarzoccoNumberEntityDescription

    @property
    def native_value(self) -> float | None:
        """As last read or pushed."""
        return self.entity_description.value_fn(self.dashboard)

    def _limits(self) -> Range | None:
        try:
            return self.entity_description.range_fn(self.dashboard)
        except InvalidValueError:
            return None  # the widget reports no usable range: Home Assistant's defaults

    @property
    def native_min_value(self) -> float:
        """From the machine's widget."""
        limits = self._limits()
        return super().native_min_value if limits is None else limits.minimum

    @property
    def native_max_value(self) -> float:
        """From the machine's widget."""
        limits = self._limits()
        return super().native_max_value if limits is None else limits.maximum

    @property
    def native_step(self) -> float | None:
        """From the machine's widget."""
        limits = self._limits()
        return super().native_step if limits is None else limits.step

    async def async_set_native_value(self, value: float) -> None:
        """Checked against the machine's range, then sent."""
        dashboard = self.dashboard
        await self.async_send(lambda: self.entity_description.command_fn(dashboard, value))


def _dose_entities(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
    coordinator = runtime.coordinator
    return [LaMarzoccoNumber(coordinator, d) for d in dose_descriptions(coordinator.data)]


async_setup_entry = platform_setup(NUMBERS, LaMarzoccoNumber, _dose_entities, schedules.numbers)
