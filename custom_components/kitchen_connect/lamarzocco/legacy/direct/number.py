"""Numbers of a machine on port 1774: boiler targets, prebrew and pre-infusion per key, doses.

Key 1 carries the cloud's keys (the cloud shows the first key's times); keys 2-4 and the
continuous dose are the GS/3's own. Every value is checked against the machine's range
before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfTemperature, UnitOfTime

from ....kitchenlib.lamarzocco.direct import Snapshot, writes
from ....kitchenlib.lamarzocco.direct.memory import Config, PrebrewMode
from ....kitchenlib.lamarzocco.direct.writes import Limits, Write
from ..number import BoundedNumber, BoundedNumberDescription
from .coordinator import DirectState
from .entity import DirectEntity, DirectEntityDescription, check_limits, direct_platform


@dataclass(frozen=True, kw_only=True)
class DirectNumberDescription(DirectEntityDescription, BoundedNumberDescription):
    """A number: its value, its range and the write that sets it."""

    limits: Limits
    value_fn: Callable[[DirectState], float | None]
    write_fn: Callable[[float], Write]


@dataclass(frozen=True)
class _KeyTime:
    """One time each key has: where it is read, how it is written, in which mode it counts."""

    name: str
    limits: Limits
    mode: PrebrewMode
    times: Callable[[Snapshot], tuple[float, ...]]
    write: Callable[[int, float], Write]
    needs_preinfusion: bool = False


KEY_TIMES = (
    _KeyTime(
        "prebrew_time_on",
        writes.PREBREW_SECONDS,
        PrebrewMode.PREBREW,
        lambda snapshot: snapshot.config.prebrew_on,
        writes.prebrew_on,
    ),
    _KeyTime(
        "prebrew_time_off",
        writes.PREBREW_SECONDS,
        PrebrewMode.PREBREW,
        lambda snapshot: snapshot.config.prebrew_off,
        writes.prebrew_off,
    ),
    _KeyTime(
        "preinfusion_time",
        writes.PREINFUSION_SECONDS,
        PrebrewMode.PREINFUSION,
        lambda snapshot: snapshot.preinfusion.seconds,
        writes.preinfusion,
        needs_preinfusion=True,
    ),
)


def _key_time(time: _KeyTime, key: int) -> DirectNumberDescription:
    """Key 1 is the cloud's entity; the others carry their number."""
    suffix, translation, placeholders = (
        ("", "", None) if key == 1 else (f"_key_{key}", "_key", {"key": str(key)})
    )
    return DirectNumberDescription(
        key=f"{time.name}{suffix}",
        translation_key=f"{time.name}{translation}",
        translation_placeholders=placeholders,
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        entity_category=EntityCategory.CONFIG,
        limits=time.limits,
        exists_fn=lambda machine: (
            key <= machine.keys and (machine.preinfusion or not time.needs_preinfusion)
        ),
        available_fn=lambda state: state.snapshot.config.prebrew_mode is time.mode,
        value_fn=lambda state: time.times(state.snapshot)[key - 1],
        write_fn=lambda seconds: time.write(key, seconds),
    )


def _dose(key: int) -> DirectNumberDescription:
    """Keys 1-4 as the cloud's GS3 AV doses (A-D); key 5 is the continuous one."""
    continuous = key == 5
    return DirectNumberDescription(
        key="dose_pulsestype_continuous"
        if continuous
        else f"dose_pulsestype_dose{'abcd'[key - 1]}",
        translation_key="continuous_dose" if continuous else "pulses_dose",
        translation_placeholders=None if continuous else {"dose": str(key)},
        entity_category=EntityCategory.CONFIG,
        mode=NumberMode.BOX,
        limits=writes.DOSE_PULSES,
        exists_fn=lambda machine: machine.volumetric,
        value_fn=lambda state: state.snapshot.config.doses[key - 1],
        write_fn=lambda pulses: writes.dose(key, round(pulses)),
    )


def _boiler_target(
    key: str,
    limits: Limits,
    target: Callable[[Config], float],
    write_fn: Callable[[float], Write],
) -> DirectNumberDescription:
    return DirectNumberDescription(
        key=key,
        translation_key=key,
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        limits=limits,
        value_fn=lambda state: target(state.snapshot.config),
        write_fn=write_fn,
    )


NUMBERS: tuple[DirectNumberDescription, ...] = (
    _boiler_target(
        "coffee_temperature",
        writes.COFFEE_TEMPERATURE,
        lambda config: config.coffee_target,
        writes.coffee_temperature,
    ),
    _boiler_target(
        "steam_temperature",
        writes.STEAM_TEMPERATURE,
        lambda config: config.steam_target,
        writes.steam_temperature,
    ),
    *(_key_time(time, key) for time in KEY_TIMES for key in writes.PREBREW_KEYS),
    *(_dose(key) for key in writes.DOSE_KEYS),
    DirectNumberDescription(
        key="hot_water_dose",
        translation_key="hot_water_dose",
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        entity_category=EntityCategory.CONFIG,
        limits=writes.HOT_WATER_SECONDS,
        exists_fn=lambda machine: machine.volumetric,
        value_fn=lambda state: state.snapshot.config.hot_water_seconds,
        write_fn=lambda seconds: writes.hot_water(round(seconds)),
    ),
)


class DirectNumber(DirectEntity, BoundedNumber):
    """A setting in a fixed range of the machine."""

    entity_description: DirectNumberDescription

    @property
    def native_value(self) -> float | None:
        """As the last session read it."""
        return self.entity_description.value_fn(self.state_data)

    async def async_set_native_value(self, value: float) -> None:
        """Checked against the range (nothing sent when outside), then written."""
        description = self.entity_description
        check_limits(description.limits, value)
        await self.async_write(lambda: description.write_fn(value))


async_setup_entry = direct_platform(NUMBERS, DirectNumber)
