"""One SmartHQ appliance as this client knows it: list facts plus every ERD received."""

from __future__ import annotations

from dataclasses import dataclass, field
import logging
import string
from typing import Any, Final

from ..errors import ProtocolError
from .erd import ErdValue, decode_erd_value, format_erd_code

_LOGGER = logging.getLogger(__name__)

ERD_MODEL: Final = 0x0001
ERD_SERIAL: Final = 0x0002
ERD_APPLIANCE_TYPE: Final = 0x0008
ERD_WIFI_FIRMWARE: Final = 0x0100

_HEX_DIGITS: Final = frozenset(string.hexdigits)
_new_tuple: Final = tuple.__new__


def _meaning(code: int, raw: str) -> Any:
    """What ``raw`` means for ``code``; None for a value the codec cannot read."""
    try:
        return decode_erd_value(code, raw)
    except ProtocolError:
        return None
    except Exception:
        # A codec bug must not take the connection down; the raw value is still worth keeping.
        _LOGGER.warning("Decoder of ERD %s failed", format_erd_code(code), exc_info=True)
        return None


@dataclass
class Appliance:
    """An appliance of the account; ``erds`` holds the last raw and decoded value per ERD."""

    mac: str
    nickname: str = ""
    label: str = ""  # the list's human type name; ERD 0x0008 decides the real type
    online: bool = False
    erds: dict[int, ErdValue] = field(default_factory=dict)
    initialised: bool = False  # a full ERD read has arrived

    def __post_init__(self) -> None:
        self.mac = self.mac.upper()

    def apply(self, code: int, raw: str) -> bool:
        """Store one received ERD value; True if its raw value differs from the one held."""
        upper = raw.upper()
        previous = self.erds.get(code)
        if previous is not None and previous.raw == upper:
            return False
        # Built without NamedTuple's Python-level __new__: this runs for every ERD received.
        self.erds[code] = _new_tuple(ErdValue, (code, upper, _meaning(code, raw)))
        return True

    def _decoded_text(self, code: int) -> str | None:
        entry = self.erds.get(code)
        if entry is None or entry.value is None:
            return None
        return entry.value if isinstance(entry.value, str) else str(entry.value)

    @property
    def appliance_type_raw(self) -> int | None:
        """The type byte of ERD 0x0008, or None before it arrived (or if unreadable)."""
        entry = self.erds.get(ERD_APPLIANCE_TYPE)
        if entry is None:
            return None
        first_byte = entry.raw[:2]
        if len(first_byte) != 2 or not set(first_byte) <= _HEX_DIGITS:
            return None
        return int(first_byte, 16)

    @property
    def model(self) -> str | None:
        """Model number from ERD 0x0001, if it arrived and decoded."""
        return self._decoded_text(ERD_MODEL)

    @property
    def serial(self) -> str | None:
        """Serial number from ERD 0x0002, if it arrived and decoded."""
        return self._decoded_text(ERD_SERIAL)

    @property
    def firmware(self) -> str | None:
        """Wi-Fi module firmware version from ERD 0x0100, if it arrived and decoded."""
        return self._decoded_text(ERD_WIFI_FIRMWARE)
