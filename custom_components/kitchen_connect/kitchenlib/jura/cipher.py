"""The nibble substitution cipher of the Smart Connect WiFi dongle.

The same function encodes and decodes. Every frame carries its own key byte;
only the key's low and high nibbles matter.
"""

from __future__ import annotations

import functools
from itertools import cycle
import secrets

_TABLE_A = (1, 0, 3, 2, 15, 14, 8, 10, 6, 13, 7, 12, 11, 9, 5, 4)
_TABLE_B = (9, 12, 6, 11, 10, 15, 2, 14, 13, 0, 4, 3, 1, 8, 7, 5)
# The position effect repeats every 256 nibbles, i.e. every 128 bytes.
_PERIOD_BYTES = 128
_byte_at = bytes.__getitem__


def _nibble(nibble: int, shift: int, twist: int) -> int:
    """One nibble through the tables.

    The key and the nibble's position only ever enter as two sums mod 16:
    ``shift`` = position + key high nibble, and ``twist`` = key low nibble +
    position // 16 - shift.
    """
    step1 = (nibble + shift) & 15
    step2 = (_TABLE_A[step1] + twist) & 15
    step3 = (_TABLE_B[step2] - twist) & 15
    return (_TABLE_A[step3] - shift) & 15


@functools.cache
def _byte_table(shift: int, twist: int) -> bytes:
    """Output byte for every input byte whose high nibble sits at (shift, twist).

    Its low nibble is one position further: shift + 1 and twist - 1 (a byte never
    straddles a multiple of 16 nibbles, so position // 16 is the same for both).
    """
    high = [_nibble(nibble, shift, twist) << 4 for nibble in range(16)]
    low = [_nibble(nibble, (shift + 1) & 15, (twist - 1) & 15) for nibble in range(16)]
    return bytes(first | second for first in high for second in low)


@functools.cache
def _key_tables(key: int) -> tuple[bytes, ...]:
    """The byte table for each of the 128 byte positions of one key's period."""
    key_high, key_low = key >> 4, key & 15
    tables = []
    for index in range(_PERIOD_BYTES):
        shift = (2 * index + key_high) & 15
        tables.append(_byte_table(shift, (key_low + (index >> 3) - shift) & 15))
    return tuple(tables)


def crypt(data: bytes, key: int) -> bytes:
    """Encode or decode ``data`` with ``key`` (the operation is its own inverse)."""
    tables = _key_tables(key & 0xFF)
    positions = tables if len(data) <= _PERIOD_BYTES else cycle(tables)
    return bytes(map(_byte_at, positions, data, strict=False))


def random_key() -> int:
    """A fresh key for one frame; the dongle's own sender never uses low nibble E or F."""
    while True:
        key = secrets.randbelow(256)
        if key & 0x0F < 0x0E:
            return key
