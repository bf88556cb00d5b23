"""Faults on the simulated Bluetooth links of every brand (``simulators.fake_bleak``).

``BluetoothFaultInjector`` registers itself for one address on ``FakeBleakBackend``'s
hook and, before each GATT operation, drops the link, leaves a read unanswered (the
caller's timeout fires) or refuses a write with an ATT error, as a test or a
``FaultSchedule`` asked. Given the airwaves the peripheral advertises on (a simulated
scanner), it also takes the peripheral out of range for a while: no adverts, no links.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
import math
from types import TracebackType
from typing import Any, Protocol, Self

from bleak.exc import BleakError, BleakGATTProtocolError

from ..fake_bleak import FakeBleakBackend
from .schedule import SCHEDULED_FAULT_WAITS, Fault, FaultKind

ATT_UNLIKELY_ERROR = 0x0E  # "Unlikely Error": the peripheral refused for its own reasons


class Airwaves(Protocol):
    """Where peripherals advertise (``simulators.ha_bluetooth.SimulatedScanner``)."""

    @property
    def peripherals(self) -> Mapping[str, Any]:
        """The peripherals on the air, by upper-case address."""

    def add(self, peripheral: Any) -> None:
        """Put a peripheral on the air."""

    def remove(self, address: str) -> None:
        """Take a peripheral off the air."""


class BluetoothFaultInjector:
    """Faults on the links to one simulated peripheral; a context manager."""

    def __init__(self, address: str, airwaves: Airwaves | None = None) -> None:
        self.address = address.upper()
        self.airwaves = airwaves
        self.link: FakeBleakBackend[Any] | None = None
        self.stats: Counter[FaultKind] = Counter()
        self._timeouts = 0
        self._refusals = 0
        self._drops = 0
        self._away: Any = None  # the peripheral while it is out of range
        self._armed_until = math.inf  # when armed faults lapse (scripted ones never do)
        self._return: asyncio.TimerHandle | None = None

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
        self._armed_until = math.inf
        return False

    def time_out_next_read(self, count: int = 1) -> None:
        """The next ``count`` reads never answer; the caller's timeout ends them."""
        self._timeouts += count
        self._armed_until = math.inf

    def refuse_next_write(self, count: int = 1) -> None:
        """The next ``count`` writes get an ATT error."""
        self._refusals += count
        self._armed_until = math.inf

    def out_of_range(self, seconds: float) -> None:
        """No adverts and no links for ``seconds`` (longer if it is away already)."""
        if self.airwaves is None:
            raise ValueError("taking a peripheral out of range needs its airwaves")
        self.stats[FaultKind.OUT_OF_RANGE] += 1
        if self._away is None:
            self._away = self.airwaves.peripherals.get(self.address)
            self.airwaves.remove(self.address)
            if self.link is not None and self.link.is_connected:
                self.link.lost()
        if self._return is not None:
            self._return.cancel()
        self._return = asyncio.get_running_loop().call_later(seconds, self.back_in_range)

    def back_in_range(self) -> None:
        """The peripheral advertises again (from its next advert on)."""
        if self._return is not None:
            self._return.cancel()
            self._return = None
        if self._away is not None and self.airwaves is not None:
            self.airwaves.add(self._away)
        self._away = None

    def clear(self) -> None:
        """No more faults armed, and the peripheral back in range."""
        self._timeouts = self._refusals = self._drops = 0
        self.back_in_range()

    def apply(self, fault: Fault) -> None:
        """Inflict one scheduled fault.

        A fault that finds no link waits for the next operation, but only for a while and
        never behind one already waiting (``SCHEDULED_FAULT_WAITS``).
        """
        self._lapse_if_due()
        self._apply(fault)
        if self._drops or self._timeouts or self._refusals:
            self._armed_until = asyncio.get_running_loop().time() + SCHEDULED_FAULT_WAITS

    def _lapse_if_due(self) -> None:
        if asyncio.get_running_loop().time() > self._armed_until:
            self._timeouts = self._refusals = self._drops = 0
            self._armed_until = math.inf

    def _apply(self, fault: Fault) -> None:
        match fault.kind:
            case FaultKind.DROP_LINK:
                if not self._drops:
                    self.drop_link()
            case FaultKind.READ_TIMEOUT:
                if not self._timeouts:
                    self.time_out_next_read()
            case FaultKind.WRITE_REFUSED:
                if not self._refusals:
                    self.refuse_next_write()
            case FaultKind.OUT_OF_RANGE:
                self.out_of_range(fault.seconds)
            case _:
                raise ValueError(f"{fault.kind} is no fault of a Bluetooth link")

    # --- the hook ------------------------------------------------------------------------

    async def before(self, backend: FakeBleakBackend[Any], operation: str) -> None:
        """Called by the backend before each GATT operation."""
        self.link = backend
        self._lapse_if_due()
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
