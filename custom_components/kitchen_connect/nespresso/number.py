"""Nespresso numbers: capsule stock and its alert threshold, water hardness, auto-off."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfTime

from ..kitchenlib.nespresso.commands import CAPSULE_STOCK, HARDNESS_LEVELS, STANDBY_SECONDS
from ..kitchenlib.nespresso.models import Family
from .coordinator import NespressoCoordinator, NespressoRuntimeData
from .entity import (
    ORIGINAL_ONLY,
    NespressoEntity,
    NespressoEntityDescription,
    platform_setup,
    translate_machine_errors,
)
from .models import Snapshot

VERTUO_ONLY = frozenset({Family.VERTUO})


async def _set_capsules(coordinator: NespressoCoordinator, value: int) -> None:
    count = await coordinator.run(lambda: coordinator.client.set_capsule_stock(value))
    details = coordinator.data.details
    coordinator.show(
        capsules=count,
        details=None if details is None else replace(details, capsule_stock=count),
    )


async def _set_threshold(coordinator: NespressoCoordinator, value: int) -> None:
    count = await coordinator.run(lambda: coordinator.client.set_stock_threshold(value))
    if (details := coordinator.data.details) is not None:
        coordinator.show(details=replace(details, stock_threshold=count))


async def _set_hardness(coordinator: NespressoCoordinator, value: int) -> None:
    settings = await coordinator.run(lambda: coordinator.client.set_water_hardness(value))
    if (details := coordinator.data.details) is not None:
        coordinator.show(details=replace(details, settings=settings))


async def _set_auto_off(coordinator: NespressoCoordinator, value: int) -> None:
    settings = await coordinator.run(lambda: coordinator.client.set_auto_off(value))
    if (details := coordinator.data.details) is not None:
        coordinator.show(details=replace(details, settings=settings))


@dataclass(frozen=True, kw_only=True)
class NespressoNumberDescription(NespressoEntityDescription, NumberEntityDescription):
    """A settable value: how it is read and written."""

    value_fn: Callable[[Snapshot], int | None]
    set_fn: Callable[[NespressoCoordinator, int], Awaitable[None]]


def _threshold(snapshot: Snapshot) -> int | None:
    return None if snapshot.details is None else snapshot.details.stock_threshold


def _standby(snapshot: Snapshot) -> int | None:
    settings = snapshot.original_settings
    return None if settings is None else settings.standby_seconds


def _auto_off(snapshot: Snapshot) -> int | None:
    settings = snapshot.vertuo_settings
    return None if settings is None else settings.auto_off


NUMBERS: tuple[NespressoNumberDescription, ...] = (
    NespressoNumberDescription(
        key="capsule_stock",
        translation_key="capsule_stock",
        families=ORIGINAL_ONLY,
        native_min_value=CAPSULE_STOCK[0],
        native_max_value=CAPSULE_STOCK[1],
        native_step=1,
        mode=NumberMode.BOX,
        value_fn=lambda s: s.capsules,
        set_fn=_set_capsules,
    ),
    NespressoNumberDescription(
        key="stock_threshold",
        translation_key="stock_threshold",
        entity_category=EntityCategory.CONFIG,
        families=ORIGINAL_ONLY,
        needs_details=True,
        native_min_value=CAPSULE_STOCK[0],
        native_max_value=CAPSULE_STOCK[1],
        native_step=1,
        mode=NumberMode.BOX,
        value_fn=_threshold,
        set_fn=_set_threshold,
    ),
    NespressoNumberDescription(
        key="water_hardness",
        translation_key="water_hardness",
        entity_category=EntityCategory.CONFIG,
        needs_details=True,
        native_min_value=HARDNESS_LEVELS[0],
        native_max_value=HARDNESS_LEVELS[1],
        native_step=1,
        mode=NumberMode.SLIDER,
        value_fn=lambda s: s.hardness,
        set_fn=_set_hardness,
    ),
    NespressoNumberDescription(
        key="auto_off",
        translation_key="auto_off",
        entity_category=EntityCategory.CONFIG,
        families=ORIGINAL_ONLY,
        needs_details=True,
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        native_min_value=STANDBY_SECONDS[0],
        native_max_value=STANDBY_SECONDS[1],
        native_step=1,
        mode=NumberMode.BOX,
        value_fn=_standby,
        set_fn=_set_auto_off,
    ),
    # Vertuo's auto-off value has no documented unit, so it is shown as the machine gives it.
    NespressoNumberDescription(
        key="vertuo_auto_off",
        translation_key="auto_off",
        entity_category=EntityCategory.CONFIG,
        families=VERTUO_ONLY,
        needs_details=True,
        native_min_value=0,
        native_max_value=0xFFFF,
        native_step=1,
        mode=NumberMode.BOX,
        value_fn=_auto_off,
        set_fn=_set_auto_off,
    ),
)


class NespressoNumber(NespressoEntity, NumberEntity):
    """A machine value the user can change; the value read back is shown."""

    entity_description: NespressoNumberDescription

    @property
    def native_value(self) -> float | None:
        """The value last read from the machine."""
        value = self.entity_description.value_fn(self.snapshot)
        return None if value is None else float(value)

    async def async_set_native_value(self, value: float) -> None:
        """Write the value on a short connection and show what the machine read back."""
        async with translate_machine_errors(self.coordinator.title):
            await self.entity_description.set_fn(self.coordinator, int(value))


def build_entities(data: NespressoRuntimeData, family: Family) -> list[NespressoNumber]:
    """The numbers the machine's family has."""
    return [NespressoNumber(data, d) for d in NUMBERS if family in d.families]


async_setup_entry = platform_setup(build_entities)
