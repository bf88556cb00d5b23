"""Decoders for ERDs of one field longer than a byte: numbers, model numbers, versions.

Each reads what the field's reader of ``fields.py`` reads; the usual shapes (a value exactly
as long as its layout, a plain alphanumeric model number) are read without a nested call.
"""

from __future__ import annotations

from typing import Any

from .fields import Reader, read_identity, version_format
from .shapes import Decoder, TooShort
from .spec import INTEGER_KINDS, ErdField

_from_bytes = int.from_bytes


def single_decoder(field: ErdField, size: int, read: Reader, too_short: TooShort) -> Decoder:
    """The decoder of an ERD of ``size`` bytes holding only ``field``."""
    if field.kind == "identity_string":
        return _identity(field, size, too_short)
    if field.kind == "version":
        return _version(field, size, too_short)
    whole = field.offset == 0 and field.size == size and field.bits is None
    if field.kind in INTEGER_KINDS and whole:
        if field.scale != 1 and field.none_value is None:
            return _scaled_number(field, size, too_short)
        if field.scale == 1:
            return _whole_number(field, size, too_short)

    def decode_one(data: bytes) -> Any:
        if len(data) < size:
            raise too_short(data)
        return read(data)

    return decode_one


def _whole_number(field: ErdField, size: int, too_short: TooShort) -> Decoder:
    """A big-endian number filling the ERD, the usual value of two or four bytes."""
    none_value = field.none_value
    if field.signed:  # sentinels are unsigned only

        def decode_signed(data: bytes) -> int:
            if len(data) != size:
                if len(data) < size:
                    raise too_short(data)
                data = data[:size]
            return _from_bytes(data, signed=True)

        return decode_signed
    if none_value is None:

        def decode_unsigned(data: bytes) -> int:
            if len(data) != size:
                if len(data) < size:
                    raise too_short(data)
                data = data[:size]
            return _from_bytes(data)

        return decode_unsigned

    def decode_unless_none(data: bytes) -> int | None:
        if len(data) != size:
            if len(data) < size:
                raise too_short(data)
            data = data[:size]
        number = _from_bytes(data)
        return None if number == none_value else number

    return decode_unless_none


def _scaled_number(field: ErdField, size: int, too_short: TooShort) -> Decoder:
    """A number in tenths (or such) filling the ERD: a water heater's or espresso's °."""
    signed, scale = field.signed, field.scale

    def decode_scaled(data: bytes) -> float:
        if len(data) != size:
            if len(data) < size:
                raise too_short(data)
            data = data[:size]
        return _from_bytes(data, signed=signed) / scale

    return decode_scaled


def _identity(field: ErdField, size: int, too_short: TooShort) -> Decoder:
    start, end = field.offset, field.offset + field.size
    first = start + 1
    # The longest text a length byte can announce that still fits the field.
    longest = min(0x1F, field.size - 1)

    def decode_identity(data: bytes) -> str | None:
        if len(data) < size:
            raise too_short(data)
        # The usual model or serial number: a length byte, then letters and digits that fit.
        length = data[start]
        if 0 < length <= longest:
            body = data[first : first + length]
            # Both words hold an I: a body without one (most model numbers) needs no more
            # search. find, not ``in``: ``in`` on bytes takes a slower path (an int needle).
            if body.isalnum() and (
                body.find(b"I") < 0 or (body.find(b"BEGIN") < 0 and body.find(b"CERTIFICATE") < 0)
            ):
                return body.decode()
        return read_identity(data[start:end])

    return decode_identity


# Each byte in decimal, for the parts of a version.
_DECIMAL: tuple[str, ...] = tuple(str(byte) for byte in range(256))


def _version(field: ErdField, size: int, too_short: TooShort) -> Decoder:
    start, end = field.offset, field.offset + field.size
    template = version_format(field.size)
    if field.size == 4:  # the usual dotted quad: joining table strings beats %-formatting
        part = _DECIMAL

        def decode_quad(data: bytes) -> str:
            if len(data) < size:
                raise too_short(data)
            return ".".join(
                [
                    part[data[start]],
                    part[data[start + 1]],
                    part[data[start + 2]],
                    part[data[start + 3]],
                ]
            )

        return decode_quad

    def decode_version(data: bytes) -> str:
        if len(data) < size:
            raise too_short(data)
        return template % tuple(data[start:end])

    return decode_version
