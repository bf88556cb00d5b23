"""What the numbers of both local transports share: a range given by their description."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from homeassistant.components.number import NumberEntity, NumberEntityDescription


class Bounds(Protocol):
    """The lowest and highest value a machine accepts, and its resolution."""

    @property
    def minimum(self) -> float:
        """The lowest value."""

    @property
    def maximum(self) -> float:
        """The highest value."""

    @property
    def step(self) -> float:
        """The resolution."""


@dataclass(frozen=True, kw_only=True)
class BoundedNumberDescription(NumberEntityDescription):
    """A number whose range is the machine's, as the library states it."""

    limits: Bounds


class BoundedNumber(NumberEntity):
    """A number that offers exactly the machine's range and resolution."""

    entity_description: BoundedNumberDescription

    @property
    def native_min_value(self) -> float:
        """The machine's lowest value."""
        return self.entity_description.limits.minimum

    @property
    def native_max_value(self) -> float:
        """The machine's highest value."""
        return self.entity_description.limits.maximum

    @property
    def native_step(self) -> float:
        """The machine's resolution."""
        return self.entity_description.limits.step
