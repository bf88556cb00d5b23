"""Typed, range-checked reads from decoded JSON; anything unexpected is a ProtocolError."""

from __future__ import annotations

from collections.abc import Mapping
import math
from typing import Any, Final

from ..errors import ProtocolError

# Epoch milliseconds up to the year 2286; seconds, temperatures and doses have their own.
MAX_EPOCH_MS: Final = 10**13
_MAX_TEXT: Final = 1024


class Reader:
    """One JSON object of a reply, read field by field."""

    __slots__ = ("_data", "_where")

    def __init__(self, data: Any, where: str) -> None:
        """Wrap ``data``, which must be a JSON object; ``where`` names it in errors."""
        if not isinstance(data, Mapping):
            raise ProtocolError(f"{where} is not a JSON object")
        self._data: Mapping[str, Any] = data
        self._where = where

    @property
    def raw(self) -> Mapping[str, Any]:
        """The object as decoded."""
        return self._data

    def has(self, key: str) -> bool:
        """Whether ``key`` is present and not null."""
        return self._data.get(key) is not None

    def _fail(self, key: str, what: str) -> ProtocolError:
        return ProtocolError(f"{self._where}.{key} {what}")

    def text(self, key: str) -> str:
        """A required, non-empty string."""
        value = self._data.get(key)
        if not isinstance(value, str) or not 0 < len(value) <= _MAX_TEXT:
            raise self._fail(key, "is not a text")
        return value

    def opt_text(self, key: str) -> str | None:
        """A string, or None when absent or null."""
        return self.text(key) if self.has(key) else None

    def flag(self, key: str) -> bool:
        """A required boolean."""
        value = self._data.get(key)
        if not isinstance(value, bool):
            raise self._fail(key, "is not a boolean")
        return value

    def opt_flag(self, key: str, default: bool = False) -> bool:
        """A boolean, ``default`` when absent or null."""
        return self.flag(key) if self.has(key) else default

    def number(self, key: str, low: float, high: float) -> float:
        """A required number within ``[low, high]``."""
        value = self._data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, "is not a number")
        # Compared before converting: a huge integer would overflow a float.
        if not low <= value <= high or (isinstance(value, float) and not math.isfinite(value)):
            raise self._fail(key, "is out of range")
        return float(value)

    def opt_number(self, key: str, low: float, high: float) -> float | None:
        """A number within range, or None when absent or null."""
        return self.number(key, low, high) if self.has(key) else None

    def integer(self, key: str, low: int, high: int) -> int:
        """A required integer within ``[low, high]``."""
        value = self._data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "is not an integer")
        if not low <= value <= high:
            raise self._fail(key, "is out of range")
        return value

    def opt_epoch_ms(self, key: str) -> int | None:
        """An epoch-milliseconds time, or None (the cloud sends null for "not known")."""
        return self.integer(key, 0, MAX_EPOCH_MS) if self.has(key) else None

    def obj(self, key: str) -> Reader:
        """A required nested object."""
        return Reader(self._data.get(key), f"{self._where}.{key}")

    def opt_obj(self, key: str) -> Reader | None:
        """A nested object, or None when absent or null."""
        return self.obj(key) if self.has(key) else None

    def items(self, key: str, *, optional: bool = False) -> list[Any]:
        """A list (empty when ``optional`` and absent or null)."""
        value = self._data.get(key)
        if value is None and optional:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "is not a list")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings (empty when absent or null)."""
        values = self.items(key, optional=True)
        if not all(isinstance(value, str) and 0 < len(value) <= _MAX_TEXT for value in values):
            raise self._fail(key, "is not a list of texts")
        return tuple(values)
