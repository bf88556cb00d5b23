"""Nespresso sensors: machine state and descaling countdown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.helpers.typing import StateType

from ..kitchenlib.nespresso.models import (
    Family,
    OriginalState,
    OriginalStatus,
    VertuoState,
)
from .coordinator import NespressoRuntimeData
from .entity import ORIGINAL_ONLY, NespressoEntity, NespressoEntityDescription, platform_setup
from .models import Snapshot

_STATE_OPTIONS: dict[Family, list[str]] = {
    Family.ORIGINAL: [state.name.lower() for state in OriginalState],
    Family.VERTUO: [state.name.lower() for state in VertuoState],
}


def _state(snapshot: Snapshot) -> str | None:
    return None if snapshot.status is None else snapshot.status.state.name.lower()


def _countdown(snapshot: Snapshot) -> int | None:
    # Adverts carry status bytes 0-5 only; the countdown (6-7) comes from a connection.
    status = None if snapshot.details is None else snapshot.details.status
    return status.descaling_countdown if isinstance(status, OriginalStatus) else None


@dataclass(frozen=True, kw_only=True)
class NespressoSensorDescription(NespressoEntityDescription, SensorEntityDescription):
    """A sensor and how it reads the machine."""

    value_fn: Callable[[Snapshot], StateType]


SENSORS: tuple[NespressoSensorDescription, ...] = (
    NespressoSensorDescription(
        key="state",
        translation_key="state",
        device_class=SensorDeviceClass.ENUM,
        value_fn=_state,
    ),
    NespressoSensorDescription(
        key="descaling_countdown",
        translation_key="descaling_countdown",
        families=ORIGINAL_ONLY,
        needs_details=True,
        value_fn=_countdown,
    ),
)


class NespressoSensor(NespressoEntity, SensorEntity):
    """A value of the machine's status."""

    entity_description: NespressoSensorDescription

    def __init__(
        self, data: NespressoRuntimeData, description: NespressoSensorDescription, family: Family
    ) -> None:
        super().__init__(data, description)
        if description.device_class is SensorDeviceClass.ENUM:
            self._attr_options = _STATE_OPTIONS[family]

    @property
    def native_value(self) -> StateType:
        """The value from the latest advert or read."""
        return self.entity_description.value_fn(self.snapshot)


def build_entities(data: NespressoRuntimeData, family: Family) -> list[NespressoSensor]:
    """The sensors the machine's family has."""
    return [NespressoSensor(data, d, family) for d in SENSORS if family in d.families]


async_setup_entry = platform_setup(build_entities)
