"""Decoders for ERDs made only of one-bit fields (the ovens' available cook modes, 100+).

The reading starts as a copy of the all-zero reading (same keys, same order) and only the
set bits are written over it: zero bytes, most of such a bitmap, are skipped in C. Even with
every bit set this is about as fast as reading field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress
from typing import Any

from .shapes import TooShort

type Decoder = Callable[[bytes], dict[str, Any]]
# A field of one bit: its key, byte index, bit (from the LSB), and how 0 and 1 read.
type OneBit = tuple[str, int, int, Any, Any]

# The set bits of each byte, least significant first.
_SET_BITS: tuple[tuple[int, ...], ...] = tuple(
    tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256)
)


def bitmap_decoder(fields: tuple[OneBit, ...], size: int, too_short: TooShort) -> Decoder | None:
    """The decoder of one-bit ``fields``; None if two of them read the same bit."""
    at = {(index, bit): (key, one) for key, index, bit, _zero, one in fields}
    if len(at) < len(fields):  # one key per bit is all this decoder knows
        return None
    zeros = {key: zero for key, _index, _bit, zero, _one in fields}
    # Per byte: the key and the set reading of each bit (unread bits are masked off by
    # ``used`` and never looked up).
    byte_keys = tuple(
        tuple(at.get((index, bit), ("", 0))[0] for bit in range(8)) for index in range(size)
    )
    byte_ones = tuple(
        tuple(at.get((index, bit), ("", 0))[1] for bit in range(8)) for index in range(size)
    )
    used = bytes(sum(1 << bit for bit in range(8) if (index, bit) in at) for index in range(size))
    indices = range(size)

    def decode_bitmap(data: bytes) -> dict[str, Any]:
        if len(data) < size:
            raise too_short(data)
        values = zeros.copy()
        for index in compress(indices, data):
            keys_here, ones_here = byte_keys[index], byte_ones[index]
            for bit in _SET_BITS[data[index] & used[index]]:
                values[keys_here[bit]] = ones_here[bit]
        return values

    return decode_bitmap
