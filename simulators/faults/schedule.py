"""Faults as values, and a seeded random schedule of them.

The same seed gives the same faults in the same order with the same gaps, so a red chaos
run can be replayed with its seed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
import random


class FaultKind(StrEnum):
    """What goes wrong."""

    CUT_RESET = "cut_reset"  # every open connection ends with a TCP reset
    CUT_CLOSE = "cut_close"  # every open connection ends with a clean close
    CUT_MID_FRAME = "cut_mid_frame"  # the next frame stops half way, then a reset
    STALL = "stall"  # nothing passes for a while; the connection stays open
    DELAY = "delay"  # every frame waits a while
    SPLIT = "split"  # frames arrive in small pieces
    JOIN = "join"  # frames are held back and arrive together
    GARBAGE = "garbage"  # a garbage text frame (or bytes) between two frames
    GARBAGE_BINARY = "garbage_binary"  # a garbage binary websocket message
    REFUSE = "refuse"  # the next connection attempt is reset at once
    HTTP_STATUS = "http_status"  # the next HTTP request is answered with ``status``
    DROP_LINK = "drop_link"  # Bluetooth: the link drops
    READ_TIMEOUT = "read_timeout"  # Bluetooth: the next read never answers
    WRITE_REFUSED = "write_refused"  # Bluetooth: the next write gets an ATT error
    OUT_OF_RANGE = "out_of_range"  # Bluetooth: no adverts and no links for ``seconds``


# Faults that end a connection: the client must notice and reconnect.
CUTTING = frozenset(
    {FaultKind.CUT_RESET, FaultKind.CUT_CLOSE, FaultKind.CUT_MID_FRAME, FaultKind.DROP_LINK}
)
HTTP_STATUSES = (429, 401, 403, 500, 502, 503)
OUT_OF_RANGE_LONGEST = 900.0
# How long a scheduled fault that waits for the next request, connection or GATT operation
# keeps waiting before its moment has passed; one waits at a time. Without this, a client
# that is quiet for hours (backing off, or connecting only now and then) would meet every
# fault of those hours in a row, which no network or radio does.
SCHEDULED_FAULT_WAITS = 30.0


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault; ``seconds`` is how long a lasting one lasts."""

    kind: FaultKind
    seconds: float = 0.0
    size: int = 0
    status: int = 0
    payload: bytes = b""


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A fault and the pause before it."""

    gap: float
    fault: Fault


class FaultSchedule:
    """Random faults of the given kinds (weighted), reproducible from ``seed``."""

    def __init__(
        self,
        seed: int,
        weights: Mapping[FaultKind, int],
        *,
        mean_gap: float = 60.0,
        longest: float = 20.0,
    ) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._kinds = tuple(weights)
        self._weights = tuple(weights.values())
        self._mean_gap = mean_gap
        self._longest = longest

    def __iter__(self) -> Iterator[Scheduled]:
        """An endless stream; take what the run needs."""
        while True:
            yield self.next()

    def next(self) -> Scheduled:
        """The next fault and the pause before it."""
        rng = self._rng
        kind = rng.choices(self._kinds, self._weights)[0]
        gap = rng.expovariate(1 / self._mean_gap)
        return Scheduled(gap, self._fault(kind))

    def _fault(self, kind: FaultKind) -> Fault:
        rng = self._rng
        match kind:
            case FaultKind.STALL:
                return Fault(kind, seconds=rng.uniform(0.5, self._longest))
            case FaultKind.DELAY | FaultKind.JOIN:
                return Fault(kind, seconds=rng.uniform(0.01, 0.5))
            case FaultKind.SPLIT:
                return Fault(kind, seconds=rng.uniform(1.0, self._longest), size=rng.randint(1, 7))
            case FaultKind.HTTP_STATUS:
                return Fault(kind, status=rng.choice(HTTP_STATUSES))
            case FaultKind.OUT_OF_RANGE:
                # From a walk past the kitchen door to a machine unplugged for a while.
                return Fault(kind, seconds=rng.uniform(10.0, OUT_OF_RANGE_LONGEST))
            case FaultKind.GARBAGE | FaultKind.GARBAGE_BINARY:
                text = kind is FaultKind.GARBAGE
                return Fault(kind, payload=self.garbage(rng.randint(1, 64), text=text))
            case _:
                return Fault(kind)

    def garbage(self, size: int, *, text: bool) -> bytes:
        """Random bytes (printable, without line ends, when ``text``)."""
        if text:
            alphabet = b'abcdefghijklmnopqrstuvwxyz{}[]:,"@#0123456789 '
            return bytes(self._rng.choice(alphabet) for _ in range(size))
        return self._rng.randbytes(size)
