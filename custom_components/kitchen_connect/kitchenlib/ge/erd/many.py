"""Decoders for ERDs of several fields, reading every field in one pass.

A field inside one byte (an option, a flag, a small number) reads from a table of what each
byte means for it, built once: an index instead of a call. Numbers over several bytes are
shifted out of one integer made of the whole value, and text is read by its own reader.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from .fields import WHOLE, FieldPlan, field_plan
from .shapes import ByteTable, TooShort, immutable, shared
from .spec import ErdSpec

type Decoder = Callable[[bytes], dict[str, Any]]

_from_bytes = int.from_bytes


def many_fields_decoder(spec: ErdSpec, too_short: TooShort) -> Decoder:
    """The decoder of ``spec``, a layout of two or more fields."""
    plans = tuple(field_plan(field, spec.size) for field in spec.fields)
    tables = tuple(_byte_table(plan) for plan in plans)
    keys = tuple(field.key for field in spec.fields)
    in_bytes = tuple(
        (key, index, table)
        for key, (index, *_rest), table in zip(keys, plans, tables, strict=True)
        if table is not None
    )
    if len(in_bytes) == len(keys):
        return _bytes_decoder(in_bytes, spec.size, too_short)
    steps = tuple((key, *plan, table) for key, plan, table in zip(keys, plans, tables, strict=True))
    return _mixed_decoder(steps, spec.size, too_short)


def _bytes_decoder(
    fields: tuple[tuple[str, int, ByteTable], ...], size: int, too_short: TooShort
) -> Decoder:
    """Every field sits inside one byte: (key, byte index, table) each."""

    def decode_bytes(data: bytes) -> dict[str, Any]:
        if len(data) < size:
            raise too_short(data)
        return {key: table[data[index]] for key, index, table in fields}

    return decode_bytes


def _mixed_decoder(
    steps: tuple[tuple[str, int, int, int, Callable[[Any], Any] | None, ByteTable | None], ...],
    size: int,
    too_short: TooShort,
) -> Decoder:
    """Fields of any kind: (key, *FieldPlan, table or None) each."""
    needs_whole = any(index == WHOLE for _key, index, *_rest in steps)

    def decode_fields(data: bytes) -> dict[str, Any]:
        if len(data) < size:
            raise too_short(data)
        whole = _from_bytes(data[:size]) if needs_whole else 0
        values: dict[str, Any] = {}
        for key, index, shift, mask, meaning, table in steps:
            if table is not None:
                values[key] = table[data[index]]
            elif index == WHOLE:
                number = whole >> shift & mask
                values[key] = number if meaning is None else meaning(number)
            else:  # text-like (BYTES): the "meaning" reads the bytes
                values[key] = meaning(data)  # type: ignore[misc]
        return values

    return decode_fields


def _byte_table(plan: FieldPlan) -> ByteTable | None:
    """What the field reads as, by the byte it sits in; None if it spans bytes."""
    index, shift, mask, meaning = plan
    if index < 0:
        return None
    numbers = _numbers_in_byte(shift, mask)
    table = numbers if meaning is None else tuple(map(meaning, numbers))
    # The table's values are handed out again and again: only immutable ones may be.
    if not all(map(immutable, table)):
        return None
    # Equal tables, such as every one-bit flag's, are kept once.
    return shared(table)


@cache
def _numbers_in_byte(shift: int, mask: int) -> tuple[int, ...]:
    """The number each byte holds at ``shift`` under ``mask``: a few dozen layouts share it."""
    return tuple(byte >> shift & mask for byte in range(256))
