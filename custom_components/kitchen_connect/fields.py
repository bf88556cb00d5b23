"""Validators for action fields whose refusals say, in words, what would be accepted.

A brand's action schema uses these instead of bare ``vol.Range``/``vol.In``, so a
value out of range is refused with "at most 600 mL" rather than a validator's message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
import math
from typing import Any

import probatio as vol


class FieldValueInvalid(vol.Invalid):
    """A field's value is not accepted; carries the translated refusal to raise."""

    def __init__(self, refusal_key: str, **placeholders: str) -> None:
        super().__init__(refusal_key)
        self.refusal_key = refusal_key
        self.refusal_placeholders = placeholders


def _format(value: float, unit: str) -> str:
    number = f"{value:g}"
    return f"{number} {unit}" if unit else number


@dataclass(frozen=True, slots=True)
class Bounded:
    """A number from ``minimum`` to ``maximum`` (inclusive), in ``unit`` when given."""

    minimum: float
    maximum: float
    unit: str = ""
    coerce: Callable[[Any], float] = int

    def __call__(self, value: Any) -> float:
        if isinstance(value, bool):
            raise FieldValueInvalid("action_field_not_a_number")
        try:
            number = self.coerce(value)
        except (TypeError, ValueError, OverflowError) as err:
            raise FieldValueInvalid("action_field_not_a_number") from err
        if isinstance(number, float) and math.isnan(number):
            raise FieldValueInvalid("action_field_not_a_number")
        if number > self.maximum:
            raise FieldValueInvalid("action_field_too_high", limit=_format(self.maximum, self.unit))
        if number < self.minimum:
            raise FieldValueInvalid("action_field_too_low", limit=_format(self.minimum, self.unit))
        return number


@dataclass(frozen=True, slots=True)
class OneOf:
    """One of a fixed set of option keys."""

    options: tuple[str, ...]

    @classmethod
    def of(cls, options: Iterable[str]) -> OneOf:
        """The validator for these options, in the order given."""
        return cls(tuple(options))

    def __call__(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.options:
            raise FieldValueInvalid("action_field_not_an_option", options=", ".join(self.options))
        return value
