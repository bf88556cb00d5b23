"""What the whole-ERD decoders share: their shape, and which readings may be handed out twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import ProtocolError

type Decoder = Callable[[bytes], Any]
"""Reads a whole ERD from non-empty bytes; ProtocolError if they are fewer than its layout."""

type TooShort = Callable[[bytes], ProtocolError]
"""The error for a value shorter than its layout."""

type ByteTable = tuple[Any, ...]
"""What one field, or a whole one-byte ERD, reads as by its byte."""

_IMMUTABLE: frozenset[type] = frozenset({bool, int, float, str, type(None)})


def immutable(value: object) -> bool:
    """Whether ``value`` may sit in a table that serves every reading of it."""
    return type(value) in _IMMUTABLE


# Filled while the ERD table is built at import. The types are part of the key: True == 1,
# but they do not read alike.
_SHARED: dict[tuple[tuple[type, ...], ByteTable], ByteTable] = {}


def shared(table: ByteTable) -> ByteTable:
    """``table``, or an equal one of the same types kept before: many ERDs share theirs."""
    return _SHARED.setdefault((tuple(map(type, table)), table), table)
