"""ERD codes and values: parse, format, decode and encode by table lookup."""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any, Final, NamedTuple

from ...errors import ProtocolError
from .spec import ErdSpec
from .table import BYTE_TABLES, CODECS, DECODERS

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


# Every spelling of one byte in hex ("0a", "0A", ...): most ERDs are one byte long, and one
# lookup both checks such a value and reads it.
_BYTE_TEXT: Final[Mapping[str, int]] = {
    high + low: int(high + low, 16)
    for high in "0123456789abcdefABCDEF"
    for low in "0123456789abcdefABCDEF"
}
_upper: Final = str.upper
_fromhex: Final = bytes.fromhex
_new_tuple: Final = tuple.__new__


def decode_erd(code: int, raw: str) -> ErdValue:
    """Decode ``raw`` hex for ``code``.

    Unknown codes and empty values give ``value=None``. Bad hex, or fewer bytes than a known
    layout needs, raise ProtocolError; extra trailing bytes are ignored.
    """
    # This runs for every ERD received: the ErdValue is built without NamedTuple's
    # Python-level __new__, and str.upper doubles as the check that ``raw`` is text.
    try:
        upper = _upper(raw)
    except TypeError:
        raise _bad_value(code, raw) from None
    table = BYTE_TABLES.get(code)
    if table is not None and (byte := _BYTE_TEXT.get(raw)) is not None:
        return _new_tuple(ErdValue, (code, upper, table[byte]))
    try:
        data = _fromhex(raw)
    except ValueError:
        raise _bad_value(code, raw) from None
    # fromhex skips whitespace between bytes; the wire never has any, so reject it too.
    if len(data) * 2 != len(raw):
        raise _bad_value(code, raw)
    if not data:
        value = None
    elif table is not None:
        value = table[data[0]]
    else:
        decode = DECODERS.get(code)
        value = None if decode is None else decode(data)
    return _new_tuple(ErdValue, (code, upper, value))


def encode_erd(code: int, value: Any) -> str:
    """The upper-case hex (no ``0x``) to write ``value`` to ``code``.

    ``value`` is what ``decode_erd`` gives for the ERD. Raises ProtocolError for unknown or
    read-only codes and InvalidValueError for a value the layout cannot hold.
    """
    codec = CODECS.get(code)
    if codec is None:
        raise ProtocolError(f"{format_erd_code(code)} is not in the ERD table")
    return codec.encode(value).hex().upper()
