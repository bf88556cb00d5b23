"""Readers and writers for single ERD fields, built once per field and reused per message.

A reader takes the ERD's whole value (already checked to be long enough) and returns the
field's Python value. A writer validates a Python value and ORs its bytes into a zeroed
buffer of the ERD's length, so bit fields sharing bytes combine.
"""

from __future__ import annotations

from collections.abc import Callable
import math
import re
from typing import Any

from ...errors import InvalidValueError
from .spec import INTEGER_KINDS, ErdField

type Reader = Callable[[bytes], Any]
type Writer = Callable[[Any, bytearray], None]
# Turns a field's wire number into its Python value.
type Meaning = Callable[[int], Any]
# Where a field's number sits: (byte index, shift, mask, meaning). A field inside one byte
# reads ``data[index] >> shift & mask``; one spanning bytes (index WHOLE) reads the same
# from the ERD taken as one big-endian integer. A meaning of None takes the number as it is.
# Text-like fields (index BYTES) have no number: their last item reads the ERD's bytes.
type FieldPlan = tuple[int, int, int, Callable[[Any], Any] | None]

WHOLE = -1
BYTES = -2

_BYTE_KINDS = frozenset({"string", "identity_string", "version", "hours_minutes"})

_IDENTITY_JUNK = re.compile(b"-----|BEGIN|CERTIFICATE")
_IDENTITY_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -._/"


def make_reader(field: ErdField) -> Reader:
    """The function that reads ``field`` out of an ERD value."""
    start, end = field.offset, field.offset + field.size
    match field.kind:
        case "string":
            return lambda data: read_text(data[start:end])
        case "identity_string":
            return lambda data: read_identity(data[start:end])
        case "version":
            template = version_format(field.size)
            return lambda data: template % tuple(data[start:end])
        case "hours_minutes":
            return lambda data: data[start] * 60 + data[start + 1]
    number = _number_reader(field)
    whole_byte = field.size == 1 and field.bits is None
    if field.kind == "enum":
        slugs = dict(zip(field.numbers, field.options, strict=True))
        if whole_byte:  # the usual enum, read without a nested call
            return lambda data: slugs.get(data[start])
        return lambda data: slugs.get(number(data))
    if field.kind == "bool":
        if field.bits is not None:
            return lambda data: number(data) != 0
        all_ones = (1 << field.width) - 1
        if whole_byte:
            return lambda data: _read_flag(data[start], all_ones)
        return lambda data: _read_flag(number(data), all_ones)
    if field.none_value is not None:
        number = _absent_as_none(number, field.none_value)
    if field.scale != 1:
        scale = field.scale
        return lambda data: _scaled(number(data), scale)
    return number


def version_format(size: int) -> str:
    """The %-format of a ``size``-byte version: one decimal part per byte, dot-separated."""
    return ".".join(["%d"] * size)


def field_plan(field: ErdField, erd_size: int) -> FieldPlan:
    """How to read ``field`` out of an ERD's first ``erd_size`` bytes taken as one integer.

    Reading every field of a many-field ERD from one integer costs one conversion, not one
    per field; the result equals :func:`make_reader`'s.
    """
    if field.kind in _BYTE_KINDS:
        return BYTES, 0, 0, make_reader(field)
    bit_shift = field.bits[0] if field.bits is not None else 0
    shift = (erd_size - field.offset - field.size) * 8 + bit_shift
    mask = (1 << field.width) - 1
    if shift // 8 == (shift + field.width - 1) // 8:
        # Small integers from one byte are much cheaper than shifting the whole ERD.
        return erd_size - 1 - shift // 8, shift % 8, mask, _meaning(field)
    return WHOLE, shift, mask, _meaning(field)


# The usual byte-wide meanings as tables, so that reading them is a C-level index.
_BYTE_FLAG: tuple[bool | None, ...] = (False, *(True,) * 254, None)
_SIGNED_BYTE: tuple[int, ...] = (*range(128), *range(-128, 0))


def _meaning(field: ErdField) -> Meaning | None:
    """What a numeric field's unsigned wire number reads as (None: the number itself)."""
    if field.kind == "enum":
        slugs = dict(zip(field.numbers, field.options, strict=True))
        return slugs.get
    if field.kind == "bool":
        if field.bits is not None:
            return bool
        if field.width == 8:
            return _BYTE_FLAG.__getitem__
        all_ones = (1 << field.width) - 1
        return lambda number: _read_flag(number, all_ones)
    signed: Meaning | None = None
    if field.signed:
        if field.width == 8:
            signed = _SIGNED_BYTE.__getitem__
        else:
            sign = 1 << (field.width - 1)
            signed = lambda number: (number ^ sign) - sign  # noqa: E731
    if field.none_value is None and field.scale == 1:
        return signed
    none_value, scale = field.none_value, field.scale

    def meaning(number: int) -> Any:
        value = signed(number) if signed is not None else number
        if value == none_value:
            return None
        return value / scale if scale != 1 else value

    return meaning


def _absent_as_none(number: Callable[[bytes], int], none_value: int) -> Callable[[bytes], Any]:
    def read(data: bytes) -> int | None:
        found = number(data)
        return None if found == none_value else found

    return read


def _scaled(number: int | None, scale: int) -> float | None:
    return None if number is None else number / scale


def _read_flag(number: int, all_ones: int) -> bool | None:
    # A whole-byte flag of FF (FFFF…) means "not applicable / not equipped".
    if number == all_ones:
        return None
    return number != 0


def _number_reader(field: ErdField) -> Callable[[bytes], int]:
    start, end = field.offset, field.offset + field.size
    if field.bits is None:
        if field.size == 1 and not field.signed:
            return lambda data: data[start]
        signed = field.signed
        return lambda data: int.from_bytes(data[start:end], "big", signed=signed)
    shift, width = field.bits
    mask = (1 << width) - 1
    if field.signed:
        sign = 1 << (width - 1)
        return lambda data: (((int.from_bytes(data[start:end]) >> shift) & mask) ^ sign) - sign
    return lambda data: (int.from_bytes(data[start:end]) >> shift) & mask


def read_text(raw: bytes) -> str | None:
    """NUL-terminated, NUL/FF-padded ASCII; None if what remains is not printable."""
    text = raw.split(b"\x00", 1)[0].rstrip(b"\xff")
    if not text.isascii():
        return None
    decoded = text.decode("ascii")
    return decoded if decoded.isprintable() else None


def read_identity(raw: bytes) -> str | None:
    """A model or serial number, or None when the field holds nothing usable.

    Real values start with a length byte (``0A`` + ten characters); older firmware may send
    plain padded ASCII. All-zero fields, unprintable bytes and PEM certificate fragments
    (seen in some serial-number ERDs) give None so callers fall back to the MAC.
    """
    length = raw[0]
    if 0 < length < 0x20:
        body = raw[1 : 1 + length]
        if len(body) != length:
            return None
        # The usual model or serial number passes every check below: read it at once.
        if body.isalnum() and body.find(b"BEGIN") < 0 and body.find(b"CERTIFICATE") < 0:
            return body.decode("ascii")
        if body.strip(b"\x00\xff") != body:
            return None
    else:
        if not raw.strip(b"\x00\xff"):
            return None
        body = raw.split(b"\x00", 1)[0].rstrip(b"\xff")
        # Text filling the whole field with no padding is a slice of something longer.
        if len(body) == len(raw):
            return None
    # Deleting the allowed characters leaves nothing unless something else is there.
    if body.translate(None, _IDENTITY_BYTES) or _IDENTITY_JUNK.search(body):
        return None
    return body.decode("ascii").strip() or None


def make_writer(field: ErdField, label: str) -> Writer:
    """The function that validates a value for ``field`` and writes it into a buffer.

    ``label`` (such as ``"0x5100 cook_time"``) prefixes error messages.
    """
    if field.kind == "string":
        return _string_writer(field, label)
    if field.kind == "hours_minutes":
        return _hours_minutes_writer(field, label)
    if field.kind not in INTEGER_KINDS | {"enum", "bool"}:
        raise ValueError(f"{label}: {field.kind} fields are read-only")
    put = _number_writer(field)
    if field.kind == "enum":
        numbers = dict(zip(field.options, field.numbers, strict=True))

        def write_enum(value: Any, buffer: bytearray) -> None:
            if not isinstance(value, str) or value not in numbers:
                choices = ", ".join(field.options)
                raise InvalidValueError(f"{label}: {value!r} is not one of {choices}")
            put(numbers[value], buffer)

        return write_enum
    if field.kind == "bool":

        def write_bool(value: Any, buffer: bytearray) -> None:
            if not isinstance(value, bool):
                raise InvalidValueError(f"{label}: expected True or False, got {value!r}")
            put(int(value), buffer)

        return write_bool
    return _integer_writer(field, label, put)


def _integer_writer(field: ErdField, label: str, put: Callable[[int, bytearray], None]) -> Writer:
    scale = field.scale
    low = round(field.minimum * scale)
    high = round(field.maximum * scale)

    def write_integer(value: Any, buffer: bytearray) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidValueError(f"{label}: expected a number, got {value!r}")
        if isinstance(value, float) and (
            not math.isfinite(value) or (scale == 1 and not value.is_integer())
        ):
            raise InvalidValueError(f"{label}: {value!r} is not a whole number")
        number = round(value * scale)
        if not low <= number <= high or number == field.none_value:
            raise InvalidValueError(
                f"{label}: {value!r} is outside {field.minimum}..{field.maximum}"
            )
        put(number, buffer)

    return write_integer


def _number_writer(field: ErdField) -> Callable[[int, bytearray], None]:
    start, end, size = field.offset, field.offset + field.size, field.size
    if field.bits is None:
        signed = field.signed

        def put_whole(number: int, buffer: bytearray) -> None:
            buffer[start:end] = number.to_bytes(size, "big", signed=signed)

        return put_whole
    shift, width = field.bits
    mask = (1 << width) - 1

    def put_bits(number: int, buffer: bytearray) -> None:
        current = int.from_bytes(buffer[start:end])
        buffer[start:end] = (current | ((number & mask) << shift)).to_bytes(size)

    return put_bits


def _string_writer(field: ErdField, label: str) -> Writer:
    start, size = field.offset, field.size

    def write_string(value: Any, buffer: bytearray) -> None:
        if not isinstance(value, str):
            raise InvalidValueError(f"{label}: expected text, got {value!r}")
        if not (value.isascii() and value.isprintable()) or len(value) > size:
            raise InvalidValueError(f"{label}: needs printable ASCII of at most {size} characters")
        encoded = value.encode("ascii")
        buffer[start : start + len(encoded)] = encoded

    return write_string


def _hours_minutes_writer(field: ErdField, label: str) -> Writer:
    start = field.offset
    most = int(field.maximum)

    def write_hours_minutes(value: Any, buffer: bytearray) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValueError(f"{label}: expected whole minutes, got {value!r}")
        if not 0 <= value <= most:
            raise InvalidValueError(f"{label}: {value!r} minutes is outside 0..{most}")
        hours = min(value // 60, 255)
        buffer[start] = hours
        buffer[start + 1] = value - hours * 60

    return write_hours_minutes
