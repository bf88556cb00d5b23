"""Reconnect and retry delays: exponential backoff with full jitter."""

from __future__ import annotations

import random
from typing import Final

# Enough doublings to reach any ceiling; capped so the power cannot overflow a float.
_MAX_DOUBLINGS: Final = 40


def backoff_delay(attempt: int, initial: float, maximum: float, rng: random.Random) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): random, at least ``initial``.

    The ceiling doubles with every attempt up to ``maximum``; spreading the delay over the
    whole range keeps many clients from coming back in step after an outage.
    """
    doublings = min(attempt + 1, _MAX_DOUBLINGS)
    ceiling = max(initial, min(maximum, initial * 2**doublings))
    return rng.uniform(initial, ceiling)
