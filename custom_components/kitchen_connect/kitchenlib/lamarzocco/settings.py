"""A thing's settings: firmware versions and updates, plumb-in, Wi-Fi, Bluetooth token.

``GET /things/{sn}/settings`` repeats the thing's fields and adds these; keys this module
does not know are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Any, Final

from .models import Firmware, FirmwareType, Thing, parse_firmwares, parse_thing
from .reader import Reader

# Home Assistant core raises its repair below this gateway version: the current cloud
# needs it (the local API left with it too).
MIN_GATEWAY_VERSION: Final = (5, 0, 9)
_VERSION: Final = re.compile(r"v?(\d{1,6})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?")


def version_tuple(version: str) -> tuple[int, int, int] | None:
    """``"v5.0.9"`` as (5, 0, 9); None for a version not in that form ("v5.1-rc3" is 5.1.0)."""
    match = _VERSION.match(version.strip())
    if match is None:
        return None
    major, minor, patch = (int(part) if part else 0 for part in match.groups())
    return major, minor, patch


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings of one thing."""

    thing: Thing
    firmwares: tuple[Firmware, ...]
    plumb_in_supported: bool
    plumbed_in: bool
    auto_update_supported: bool
    auto_update: bool
    wifi_rssi: int | None
    ble_auth_token: str | None = field(repr=False)

    def firmware(self, firmware_type: FirmwareType) -> Firmware | None:
        """The firmware of one part (gateway, machine), or None."""
        return next((f for f in self.firmwares if f.firmware_type is firmware_type), None)

    @property
    def gateway_version(self) -> str | None:
        """The gateway's installed build, such as ``v5.0.9``."""
        gateway = self.firmware(FirmwareType.GATEWAY)
        return gateway.version if gateway else None

    @property
    def gateway_too_old(self) -> bool:
        """Whether the gateway runs a build older than the current cloud needs.

        False when the version is unknown or unreadable: no repair is raised on a guess.
        """
        version = self.gateway_version
        parsed = version_tuple(version) if version else None
        return parsed is not None and parsed < MIN_GATEWAY_VERSION


def parse_settings(data: Any) -> Settings:
    """The settings reply; ProtocolError when the thing or a firmware entry is unusable."""
    reader = Reader(data, "settings")
    rssi = reader.opt_number("wifiRssi", -150, 50)
    return Settings(
        thing=parse_thing(data),
        firmwares=parse_firmwares(reader.items("actualFirmwares", optional=True)),
        plumb_in_supported=reader.opt_flag("plumbInSupported"),
        plumbed_in=reader.opt_flag("isPlumbedIn"),
        auto_update_supported=reader.opt_flag("autoUpdateSupported"),
        auto_update=reader.opt_flag("autoUpdate"),
        wifi_rssi=None if rssi is None else int(rssi),
        ble_auth_token=reader.opt_text("bleAuthToken"),
    )
