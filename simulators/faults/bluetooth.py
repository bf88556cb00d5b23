"""Faults on the simulated Bluetooth links of every brand (``simulators.fake_bleak``).

``BluetoothFaultInjector`` registers itself for one address on ``FakeBleakBackend``'s
hook and, before each GATT operation, drops the link, leaves a read unanswered (the
caller's timeout fires) or refuses a write with an ATT error, as a test or a
``FaultSchedule`` asked.
"""

from __future__ import annotations

from collections import Counter
from types import TracebackType
from typing import Any, Self

from bleak.exc import BleakError, BleakGATTProtocolError

from ..fake_bleak import FakeBleakBackend
from .schedule import Fault, FaultKind

ATT_UNLIKELY_ERROR = 0x0E  # "Unlikely Error": the peripheral refused for its own reasons


class BluetoothFaultInjector:
    """Faults on the links to one simulated peripheral; a context manager."""

    def __init__(self, address: str) -> None:
        self.address = address.upper()
        self.link: FakeBleakBackend[Any] | None = None
        self.stats: Counter[FaultKind] = Counter()
        self._timeouts = 0
        self._refusals = 0
        self._drops = 0

    def __enter__(self) -> Self:
        FakeBleakBackend.link_faults[self.address] = self
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if FakeBleakBackend.link_faults.get(self.address) is self:
            del FakeBleakBackend.link_faults[self.address]

    # --- scripted faults -----------------------------------------------------------------

    def drop_link(self) -> bool:
        """Drop the link now if one is up (else at the next GATT operation)."""
        link = self.link
        if link is not None and link.is_connected:
            link.lost()
            self.stats[FaultKind.DROP_LINK] += 1
            return True
        self._drops += 1
        return False

    def time_out_next_read(self, count: int = 1) -> None:
        """The next ``count`` reads never answer; the caller's timeout ends them."""
        self._timeouts += count

    def refuse_next_write(self, count: int = 1) -> None:
        """The next ``count`` writes get an ATT error."""
        self._refusals += count

    def clear(self) -> None:
        """No more faults armed."""
        self._timeouts = self._refusals = self._drops = 0

    def apply(self, fault: Fault) -> None:
        """Inflict one scheduled fault."""
        match fault.kind:
            case FaultKind.DROP_LINK:
                self.drop_link()
            case FaultKind.READ_TIMEOUT:
                self.time_out_next_read()
            case FaultKind.WRITE_REFUSED:
                self.refuse_next_write()
            case _:
                raise ValueError(f"{fault.kind} is no fault of a Bluetooth link")

    # --- the hook ------------------------------------------------------------------------

    async def before(self, backend: FakeBleakBackend[Any], operation: str) -> None:
        """Called by the backend before each GATT operation."""
        self.link = backend
        if self._drops:
            self._drops -= 1
            self.stats[FaultKind.DROP_LINK] += 1
            backend.lost()
            raise BleakError("Not connected")
        if operation == "read_gatt_char" and self._timeouts:
            self._timeouts -= 1
            self.stats[FaultKind.READ_TIMEOUT] += 1
            await backend._wait_forever()
        if operation == "write_gatt_char" and self._refusals:
            self._refusals -= 1
            self.stats[FaultKind.WRITE_REFUSED] += 1
            raise BleakGATTProtocolError(ATT_UNLIKELY_ERROR)
