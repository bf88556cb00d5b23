"""Whole-ERD decoders: one call reads every field of a value, built once per ERD.

Each decoder reads what the per-field readers of ``fields.py`` read, only faster: the length
check and the reading share one call, and many-field layouts read from one pass over the
bytes. Callers pass non-empty bytes; a value shorter than its layout is a ProtocolError.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from ...errors import ProtocolError
from .fields import WHOLE, Reader, field_plan, read_identity, version_format
from .spec import INTEGER_KINDS, ErdField, ErdSpec

type Decoder = Callable[[bytes], Any]
type TooShort = Callable[[bytes], ProtocolError]
# A field's key and its FieldPlan.
type Step = tuple[str, int, int, int, Callable[[Any], Any] | None]

# The bits of each byte, least significant first, one byte (0 or 1) per bit.
_BITS: tuple[bytes, ...] = tuple(bytes(byte >> bit & 1 for bit in range(8)) for byte in range(256))
_IMMUTABLE: frozenset[type] = frozenset({bool, int, float, str})


def build_decoder(spec: ErdSpec, label: str, readers: tuple[tuple[str, Reader], ...]) -> Decoder:
    """One function reading the whole ERD from non-empty bytes."""
    size = spec.size

    def too_short(data: bytes) -> ProtocolError:
        return ProtocolError(f"{label} needs {size} bytes for its layout, got {len(data)}")

    if len(readers) == 1:
        return _single(spec.fields[0], size, readers[0][1], too_short)
    plan: tuple[Step, ...] = tuple((field.key, *field_plan(field, size)) for field in spec.fields)
    if all(index >= 0 and mask == 1 and meaning is None for _k, index, _s, mask, meaning in plan):
        return _bitmap(plan, size, too_short)
    needs_whole = any(index == WHOLE for _key, index, _shift, _mask, _meaning in plan)
    if all(index >= 0 and meaning is None for _key, index, _shift, _mask, meaning in plan):
        numbers = tuple((key, index, shift, mask) for key, index, shift, mask, _meaning in plan)

        def decode_numbers(data: bytes) -> dict[str, Any]:
            if len(data) < size:
                raise too_short(data)
            return {key: data[index] >> shift & mask for key, index, shift, mask in numbers}

        return decode_numbers

    def decode_many(data: bytes) -> dict[str, Any]:
        if len(data) < size:
            raise too_short(data)
        whole = int.from_bytes(data[:size]) if needs_whole else 0
        values: dict[str, Any] = {}
        for key, index, shift, mask, meaning in plan:
            if index >= 0:
                number = data[index] >> shift & mask
            elif index == WHOLE:
                number = whole >> shift & mask
            else:  # BYTES: text-like, its "meaning" reads the bytes (never None)
                values[key] = meaning(data)  # type: ignore[misc]
                continue
            values[key] = number if meaning is None else meaning(number)
        return values

    return decode_many


def byte_table(spec: ErdSpec, decode: Decoder) -> tuple[Any, ...] | None:
    """What a one-byte, one-field ERD reads as, by its byte; None for any other layout."""
    if spec.size != 1 or len(spec.fields) != 1:
        return None
    table = tuple(decode(bytes((byte,))) for byte in range(256))
    # One table serves every reading, so its values must be immutable.
    if not all(value is None or type(value) in _IMMUTABLE for value in table):
        return None
    return table


def _single(field: ErdField, size: int, read: Reader, too_short: TooShort) -> Decoder:
    if size == 1:
        return read  # non-empty bytes are long enough
    start, end = field.offset, field.offset + field.size
    if field.kind == "identity_string":

        def decode_identity(data: bytes) -> str | None:
            if len(data) < size:
                raise too_short(data)
            return read_identity(data[start:end])

        return decode_identity
    if field.kind == "version":
        template = version_format(field.size)

        def decode_version(data: bytes) -> str:
            if len(data) < size:
                raise too_short(data)
            return template % tuple(data[start:end])

        return decode_version
    if field.kind in INTEGER_KINDS and field.none_value is None and field.scale == 1:
        index, shift, mask, _meaning = field_plan(field, size)
        if index == WHOLE:  # the usual number of two or four bytes, signed or not
            sign = 1 << (field.width - 1) if field.signed else 0

            def decode_number(data: bytes) -> int:
                if len(data) < size:
                    raise too_short(data)
                return ((int.from_bytes(data[:size]) >> shift & mask) ^ sign) - sign

            return decode_number

    def decode_one(data: bytes) -> Any:
        if len(data) < size:
            raise too_short(data)
        return read(data)

    return decode_one


def _bitmap(plan: tuple[Step, ...], size: int, too_short: TooShort) -> Decoder:
    """Layouts of one-bit numbers (the ovens' available cook modes, 100+ of them).

    The bytes are spread into one byte per bit, one C-level call picks every field's bit
    and they overwrite a copy of the all-zero reading (same keys, same order): about a third
    faster than shifting and masking field by field, however many bits are set.
    """
    keys = tuple(key for key, *_rest in plan)
    pick = itemgetter(*(index * 8 + shift for _key, index, shift, _mask, _meaning in plan))
    zeros = dict.fromkeys(keys, 0)
    spread = _BITS.__getitem__

    def decode_bitmap(data: bytes) -> dict[str, int]:
        if len(data) < size:
            raise too_short(data)
        values = zeros.copy()
        values.update(zip(keys, pick(b"".join(map(spread, data[:size]))), strict=True))
        return values

    return decode_bitmap
