"""The nibble substitution cipher of the Smart Connect WiFi dongle.

The same function encodes and decodes. Every frame carries its own key byte;
only the key's low and high nibbles matter.
"""

from __future__ import annotations

import functools
import secrets

_TABLE_A = (1, 0, 3, 2, 15, 14, 8, 10, 6, 13, 7, 12, 11, 9, 5, 4)
_TABLE_B = (9, 12, 6, 11, 10, 15, 2, 14, 13, 0, 4, 3, 1, 8, 7, 5)


def _nibble(nibble: int, position: int, key_high: int, key_low: int) -> int:
    quarter = position >> 4
    step1 = (nibble + position + key_high) & 15
    step2 = (_TABLE_A[step1] + key_low + quarter - position - key_high) & 15
    step3 = (_TABLE_B[step2] + key_high + position - key_low - quarter) & 15
    return (_TABLE_A[step3] - position - key_high) & 15


@functools.cache
def _key_table(key: int) -> bytes:
    """Output nibble for every (position, nibble) under one key: 256 x 16 entries."""
    key_high, key_low = key >> 4, key & 15
    return bytes(
        _nibble(nibble, position, key_high, key_low)
        for position in range(256)
        for nibble in range(16)
    )


def crypt(data: bytes, key: int) -> bytes:
    """Encode or decode ``data`` with ``key`` (the operation is its own inverse)."""
    table = _key_table(key & 0xFF)
    out = bytearray(len(data))
    for index, value in enumerate(data):
        # The position effect repeats every 256 nibbles, i.e. every 128 bytes.
        high_base = ((2 * index) & 255) << 4
        out[index] = (table[high_base + (value >> 4)] << 4) | table[high_base + 16 + (value & 15)]
    return bytes(out)


def random_key() -> int:
    """A fresh key for one frame; the dongle's own sender never uses low nibble E or F."""
    while True:
        key = secrets.randbelow(256)
        if key & 0x0F < 0x0E:
            return key
