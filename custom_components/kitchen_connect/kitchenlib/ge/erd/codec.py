"""ERD codes and values: parse, format, decode and encode by table lookup."""

from __future__ import annotations

import binascii
from collections.abc import Mapping
import re
from typing import Any, Final, NamedTuple

from ...errors import ProtocolError
from .spec import ErdSpec
from .table import BYTE_READINGS, BYTE_TABLES, CODECS, DECODERS

_CODE = re.compile(r"0[xX]([0-9a-fA-F]{4})")


# The spellings the service uses for the codes we know: a dict lookup beats the pattern.
KNOWN_CODE_TEXT: Final[Mapping[str, int]] = {
    spelling: code
    for code in CODECS
    for spelling in (f"0x{code:04X}", f"0x{code:04x}", f"0X{code:04X}", f"0X{code:04x}")
}


def parse_erd_code(text: str) -> int:
    """``"0x7a00"`` or ``"0x7A00"`` as a number; ProtocolError for anything else."""
    if type(text) is str and (known := KNOWN_CODE_TEXT.get(text)) is not None:
        return known
    match = _CODE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ProtocolError(f"not an ERD code: {str(text)[:16]!r}")
    return int(match.group(1), 16)


def format_erd_code(code: int) -> str:
    """The wire form GE writes: lower-case ``0x``, upper-case digits (``"0x7A00"``)."""
    return f"0x{code:04X}"


class ErdValue(NamedTuple):
    """One ERD as last received: the raw hex (upper-case) and what it means.

    ``value`` is None for unknown codes, an empty value, or a field that is not applicable;
    one-field ERDs give the bare value, others a dict keyed by field key. A named tuple
    rather than a frozen dataclass: one is built for every ERD received, and a tuple is
    built several times faster.
    """

    code: int
    raw: str
    value: Any


def erd_spec(code: int) -> ErdSpec | None:
    """The layout of ``code``, or None if the table does not know it."""
    codec = CODECS.get(code)
    return codec.spec if codec is not None else None


def known_erd_codes() -> tuple[int, ...]:
    """Every code the table can decode, in ascending order."""
    return tuple(CODECS)


def _bad_value(code: int, raw: object) -> ProtocolError:
    if not isinstance(raw, str):
        return ProtocolError(f"{format_erd_code(code)} value is not text: {type(raw).__name__}")
    # The text is left out: it may hold a serial number, which no log line may show.
    return ProtocolError(
        f"{format_erd_code(code)} value is not an even run of hex digits ({len(raw)} characters)"
    )


# Every spelling of one byte in hex ("0a", "0A", ...) and the byte: most ERDs are one byte
# long, and one lookup checks such a value and reads it.
_BYTE_OF_TEXT: Final[Mapping[str, int]] = {
    high + low: int(high + low, 16)
    for high in "0123456789abcdefABCDEF"
    for low in "0123456789abcdefABCDEF"
}
_unhexlify: Final = binascii.a2b_hex


def decode_erd_value(code: int, raw: str) -> Any:
    """What ``raw`` hex means for ``code``.

    Unknown codes and empty values give None; so does a field that is not applicable.
    One-field ERDs give the bare value, others a dict keyed by field key. Bad hex, or fewer
    bytes than a known layout needs, raise ProtocolError; extra trailing bytes are ignored.
    """
    # This runs for every ERD received: a one-byte value of a one-byte ERD (most of the
    # traffic) is read from tables without a call. Anything else there (longer, no hex, no
    # text) raises KeyError or TypeError and takes the general path, which tells them apart.
    if code in BYTE_TABLES:
        try:
            return BYTE_TABLES[code][_BYTE_OF_TEXT[raw]]
        except KeyError, TypeError:
            pass
    elif code in BYTE_READINGS:
        try:
            reading = BYTE_READINGS[code][_BYTE_OF_TEXT[raw]]
        except KeyError, TypeError:
            pass
        else:  # the table's dicts are shared: each caller gets a copy
            return reading.copy()
    if type(raw) is not str:  # a2b_hex would read bytes too
        raise _bad_value(code, raw)
    try:
        # Unlike bytes.fromhex, this refuses whitespace between bytes, which the wire never has.
        data = _unhexlify(raw)
    except ValueError:  # binascii.Error; a str of other than ASCII is one too
        raise _bad_value(code, raw) from None
    if not data:
        return None
    try:
        decode = DECODERS[code]
    except KeyError:  # a code the table does not know: rare, so the known ones go first
        return None
    return decode(data)


def decode_erd(code: int, raw: str) -> ErdValue:
    """``raw`` for ``code`` as kept: the code, the hex in upper case and what it means.

    Raises what ``decode_erd_value`` raises.
    """
    value = decode_erd_value(code, raw)
    return ErdValue(code, raw.upper(), value)


def encode_erd(code: int, value: Any) -> str:
    """The upper-case hex (no ``0x``) to write ``value`` to ``code``.

    ``value`` is what ``decode_erd`` gives for the ERD. Raises ProtocolError for unknown or
    read-only codes and InvalidValueError for a value the layout cannot hold.
    """
    codec = CODECS.get(code)
    if codec is None:
        raise ProtocolError(f"{format_erd_code(code)} is not in the ERD table")
    return codec.encode(value).hex().upper()
