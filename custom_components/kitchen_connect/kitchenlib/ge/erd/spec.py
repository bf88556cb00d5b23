"""What an ERD holds: its fields, where they sit in the bytes and how they read in Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

type FieldKind = Literal[
    "u8",
    "u16",
    "u32",
    "i8",
    "i16",
    "i32",
    "bool",
    "enum",
    "string",
    "hours_minutes",
    "identity_string",
    "version",
]
"""How a field's bytes read.

``u*``/``i*`` are big-endian integers, ``enum`` a number shown as an option slug, ``string``
NUL-padded ASCII, ``hours_minutes`` an hours byte followed by a minutes byte (read as total
minutes), ``identity_string`` a model/serial number (length byte + ASCII, junk rejected) and
``version`` one dotted-quad byte per part.
"""

INTEGER_KINDS: frozenset[str] = frozenset({"u8", "u16", "u32", "i8", "i16", "i32"})
SIGNED_KINDS: frozenset[str] = frozenset({"i8", "i16", "i32"})


@dataclass(frozen=True, slots=True)
class ErdField:
    """One named value inside an ERD.

    ``bits`` is ``(offset, width)`` counted from the least-significant bit of the big-endian
    integer made of the field's ``size`` bytes at ``offset``; None for whole-byte fields.
    ``options`` are the enum slugs in wire-number order and ``numbers`` their wire numbers.
    Integers divided by ``scale`` (water-heater tenths of °F, espresso tenths of °C) read as
    floats. ``none_value`` is the wire number that means "no value" (FFFF for a duration that
    is not set); it reads as None and cannot be written as a number.
    """

    key: str
    kind: FieldKind
    offset: int
    size: int
    bits: tuple[int, int] | None = None
    unit: str | None = None
    scale: int = 1
    options: tuple[str, ...] = ()
    numbers: tuple[int, ...] = ()
    none_value: int | None = None

    @property
    def signed(self) -> bool:
        """Whether the wire integer is two's complement."""
        return self.kind in SIGNED_KINDS

    @property
    def width(self) -> int:
        """How many bits the field occupies on the wire."""
        return self.bits[1] if self.bits is not None else self.size * 8

    @property
    def minimum(self) -> float:
        """The smallest value an integer field can hold, in decoded units."""
        low = -(1 << (self.width - 1)) if self.signed else 0
        return low / self.scale if self.scale != 1 else low

    @property
    def maximum(self) -> float:
        """The largest value an integer field can hold, in decoded units."""
        if self.kind == "hours_minutes":
            # 255 h 255 min: the most the two bytes can say (minutes past 59 only at 255 h).
            return 255 * 60 + 255
        high = (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1
        if high == self.none_value:
            high -= 1
        return high / self.scale if self.scale != 1 else high


@dataclass(frozen=True, slots=True)
class ErdSpec:
    """An ERD's layout: GE's name, whether clients may write it, and its fields.

    ``size`` is the number of bytes the layout needs; a value with more bytes is accepted
    (newer firmware appends fields), one with fewer is a protocol error.
    """

    code: int
    name: str
    writable: bool
    fields: tuple[ErdField, ...]
    size: int

    @property
    def keys(self) -> tuple[str, ...]:
        """The field keys in layout order (the keys of a decoded dict)."""
        return tuple(field.key for field in self.fields)

    @property
    def single(self) -> bool:
        """True if the ERD decodes to a bare value rather than a dict."""
        return len(self.fields) == 1

    def field(self, key: str) -> ErdField:
        """The field called ``key``; KeyError if there is none."""
        for field in self.fields:
            if field.key == key:
                return field
        raise KeyError(key)
