"""Whole-ERD decoders: one call reads every field of a value, built once per ERD.

Each decoder reads what the per-field readers of ``fields.py`` read, only faster: the length
check and the reading share one call, and many-field layouts read from one pass over the
bytes. Callers pass non-empty bytes; a value shorter than its layout is a ProtocolError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import ProtocolError
from .bitmaps import OneBit, bitmap_decoder
from .fields import Reader, field_plan
from .many import many_fields_decoder
from .shapes import Decoder, immutable
from .single import single_decoder
from .spec import ErdSpec

# A field's key and its FieldPlan.
type Step = tuple[str, int, int, int, Callable[[Any], Any] | None]


def build_decoder(spec: ErdSpec, label: str, readers: tuple[tuple[str, Reader], ...]) -> Decoder:
    """One function reading the whole ERD from non-empty bytes."""
    size = spec.size

    def too_short(data: bytes) -> ProtocolError:
        return ProtocolError(f"{label} needs {size} bytes for its layout, got {len(data)}")

    if len(readers) == 1:
        if size == 1:
            return readers[0][1]  # non-empty bytes are long enough
        return single_decoder(spec.fields[0], size, readers[0][1], too_short)
    plan: tuple[Step, ...] = tuple((field.key, *field_plan(field, size)) for field in spec.fields)
    if all(index >= 0 and mask == 1 for _key, index, _shift, mask, _meaning in plan):
        bits = tuple(_one_bit(*step) for step in plan)
        if all(immutable(zero) and immutable(one) for *_where, zero, one in bits):
            decode_bitmap = bitmap_decoder(bits, size, too_short)
            if decode_bitmap is not None:
                return decode_bitmap
    return many_fields_decoder(spec, too_short)


def _one_bit(
    key: str, index: int, shift: int, _mask: int, meaning: Callable[[Any], Any] | None
) -> OneBit:
    if meaning is None:
        return key, index, shift, 0, 1
    return key, index, shift, meaning(0), meaning(1)


def byte_table(spec: ErdSpec, decode: Decoder) -> tuple[Any, ...] | None:
    """What a one-byte, one-field ERD reads as, by its byte; None for any other layout."""
    if spec.size != 1 or len(spec.fields) != 1:
        return None
    table = tuple(decode(bytes((byte,))) for byte in range(256))
    # One table serves every reading, so its values must be immutable.
    if not all(immutable(value) for value in table):
        return None
    return table


def byte_readings(spec: ErdSpec, decode: Decoder) -> tuple[dict[str, Any], ...] | None:
    """The dict a one-byte, many-field ERD reads as, by its byte; None for other layouts.

    Callers copy the dict they take: the copy is shallow, so every field value must be
    immutable.
    """
    if spec.size != 1 or len(spec.fields) == 1:
        return None
    # Bytes differing only in bits no field reads give equal dicts: each is kept once.
    distinct: dict[tuple[tuple[str, type, Any], ...], dict[str, Any]] = {}
    readings = []
    for byte in range(256):
        reading = decode(bytes((byte,)))
        if not all(immutable(value) for value in reading.values()):
            return None
        # The type is part of the key: True == 1, but they do not read alike.
        spelled = tuple((key, type(value), value) for key, value in reading.items())
        readings.append(distinct.setdefault(spelled, reading))
    return tuple(readings)
