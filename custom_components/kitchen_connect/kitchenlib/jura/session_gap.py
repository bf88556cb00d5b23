"""When the last session to each dongle closed, for every client in the process.

A dongle resets a connection opened too soon after the previous one closed (about
3 s on an S8, 20 s on a Z10). A reloaded integration builds a new client, which must
still know when the old one hung up, so the times live here rather than in a client.
"""

from __future__ import annotations

import time

type Address = tuple[str, int]

_last_closed: dict[Address, float] = {}


def _address(host: str, port: int) -> Address:
    return host.lower(), port


def note_closed(host: str, port: int) -> None:
    """A session to ``host:port`` has just ended."""
    _last_closed[_address(host, port)] = time.monotonic()


def remaining_gap(host: str, port: int, gap: float) -> float:
    """Seconds still to wait before ``host:port`` takes a new session; 0 when none."""
    closed = _last_closed.get(_address(host, port))
    if closed is None:
        return 0.0
    # Never more than the gap itself, even if the clock seemed to run backwards since.
    return min(gap, max(0.0, closed + gap - time.monotonic()))


def forget_all() -> None:
    """Forget every address, as a fresh process would."""
    _last_closed.clear()
