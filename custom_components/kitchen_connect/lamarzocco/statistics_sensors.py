"""Statistics sensors: totals, the last shot (extraction time and dose) and coffees today."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfTime
from homeassistant.helpers.entity import Entity
from homeassistant.util import dt as dt_util

from .entity import SideEntity, SideEntityDescription, side_entities
from .runtime import LaMarzoccoRuntimeData
from .side import Statistics

type StatisticValue = int | float | datetime | None


@dataclass(frozen=True, kw_only=True)
class StatisticsSensorDescription(SideEntityDescription[Statistics], SensorEntityDescription):
    """A figure from the machine's statistics."""

    value_fn: Callable[[Statistics], StatisticValue]


def _last_time(stats: Statistics) -> datetime | None:
    if not stats.last_coffees:
        return None
    newest = max(stats.last_coffees, key=lambda coffee: coffee.time_ms)
    return dt_util.utc_from_timestamp(newest.time_ms / 1000)


def _last_extraction(stats: Statistics) -> float | None:
    if not stats.last_coffees:
        return None
    return max(stats.last_coffees, key=lambda coffee: coffee.time_ms).extraction_seconds


def _today(stats: Statistics) -> int | None:
    if stats.trend is None or not stats.trend.coffees:
        return None
    newest = max(stats.trend.coffees, key=lambda point: point.timestamp_ms)
    start = dt_util.start_of_local_day()
    if dt_util.utc_from_timestamp(newest.timestamp_ms / 1000) < start:
        return 0  # nothing counted for today yet
    return newest.value


STATISTICS_SENSORS: tuple[StatisticsSensorDescription, ...] = (
    StatisticsSensorDescription(
        key="total_coffees",
        translation_key="total_coffees",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda stats: stats.counter.total_coffees,
    ),
    StatisticsSensorDescription(
        key="total_flushes",
        translation_key="total_flushes",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda stats: stats.counter.total_flushes,
    ),
    StatisticsSensorDescription(
        key="coffees_today",
        translation_key="coffees_today",
        state_class=SensorStateClass.TOTAL,
        value_fn=_today,
    ),
    StatisticsSensorDescription(
        key="last_shot_time",
        translation_key="last_shot_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_last_time,
    ),
    StatisticsSensorDescription(
        key="last_shot_extraction",
        translation_key="last_shot_extraction",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=1,
        value_fn=_last_extraction,
    ),
)


class StatisticsSensor(SideEntity[Statistics], SensorEntity):
    """A figure from the statistics, read every 15 minutes."""

    entity_description: StatisticsSensorDescription

    @property
    def native_value(self) -> StatisticValue:
        """As last read."""
        return self.entity_description.value_fn(self.data)


def sensors(runtime: LaMarzoccoRuntimeData) -> list[Entity]:
    """The statistics sensors of a coffee machine."""
    return side_entities(runtime.statistics, STATISTICS_SENSORS, StatisticsSensor)
