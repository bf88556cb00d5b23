"""Jura sensors: status, progress, maintenance and product counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.helpers.typing import StateType

from ..kitchenlib.jura.models import MachineProfile, MachineState, Process
from ..kitchenlib.jura.status import MachineStatus, machine_status
from .coordinator import JuraRuntimeData
from .entity import JuraEntity, JuraEntityDescription, platform_setup


@dataclass(frozen=True, kw_only=True)
class JuraSensorEntityDescription(JuraEntityDescription, SensorEntityDescription):
    """A sensor computed from the machine state."""

    value_fn: Callable[[MachineProfile, MachineState], StateType]


def _progress(_profile: MachineProfile, state: MachineState) -> StateType:
    return state.progress.percent if state.brewing and state.progress else None


def _counter(process: Process) -> JuraSensorEntityDescription:
    return JuraSensorEntityDescription(
        key=f"{process}_count",
        translation_key=f"{process}_count",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda _profile, state: state.maintenance_counters.get(process),
        supported_fn=lambda profile: process in profile.maintenance_counter_fields,
    )


def _need(process: Process) -> JuraSensorEntityDescription:
    return JuraSensorEntityDescription(
        key=f"{process}_need",
        translation_key=f"{process}_need",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda _profile, state: state.maintenance_percent.get(process),
        supported_fn=lambda profile: process in profile.maintenance_percent_fields,
    )


# Fed by the session's pushes.
STATUS_SENSORS: tuple[JuraSensorEntityDescription, ...] = (
    JuraSensorEntityDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in MachineStatus],
        value_fn=lambda profile, state: machine_status(profile, state).value,
    ),
    JuraSensorEntityDescription(
        key="progress",
        translation_key="progress",
        native_unit_of_measurement=PERCENTAGE,
        value_fn=_progress,
    ),
)

# Fed by the counter read.
COUNTER_SENSORS: tuple[JuraSensorEntityDescription, ...] = (
    *(_counter(process) for process in Process),
    *(_need(process) for process in Process),
)

# Fed by the product counter read, with one more per product of the model.
TOTAL_PRODUCTS = JuraSensorEntityDescription(
    key="total_products",
    translation_key="total_products",
    state_class=SensorStateClass.TOTAL_INCREASING,
    value_fn=lambda _profile, state: state.product_counters.get(0),
)


def _product_counter(code: int, product_key: str) -> JuraSensorEntityDescription:
    return JuraSensorEntityDescription(
        key=f"product_{code:02x}_count",
        translation_key=f"{product_key}_count",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_registry_enabled_default=False,
        value_fn=lambda _profile, state: state.product_counters.get(code),
    )


class JuraSensor(JuraEntity, SensorEntity):
    """A sensor of a Jura machine."""

    entity_description: JuraSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """The value from the latest state."""
        return self.entity_description.value_fn(self.profile, self.state_data)


def build_entities(data: JuraRuntimeData) -> list[JuraSensor]:
    """Sensors for everything this model reports, each fed by where its value comes from."""
    profile = data.profile
    products = [_product_counter(product.code, product.key) for product in profile.products]
    entities = [
        JuraSensor(data, description)
        for description in STATUS_SENSORS
        if description.supported_fn(profile)
    ]
    entities += [
        JuraSensor(data, description, reads=data.counters)
        for description in COUNTER_SENSORS
        if description.supported_fn(profile)
    ]
    entities += [
        JuraSensor(data, description, reads=data.product_counters)
        for description in (TOTAL_PRODUCTS, *products)
    ]
    return entities


async_setup_entry = platform_setup(build_entities)
