"""Where a SmartHQ account lives: the sign-in host, the API host and the app identity."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Region(StrEnum):
    """The backend a SmartHQ account belongs to; it picks the region cookie."""

    US = "US"
    EU = "EU"


# The value of the ``abgea_region`` cookie GE's sign-in pages read.
REGION_COOKIE: Final = "abgea_region"
REGION_COOKIE_VALUES: Final = {Region.US: "us-east-1", Region.EU: "eu-west-1"}

# The public identity of GE's Android app, which every third-party SmartHQ client uses;
# it is the same for every user and is no secret of theirs.
CLIENT_ID: Final = "564c31616c4f7474434b307435412b4d2f6e7672"
CLIENT_SECRET: Final = "6476512b5246446d452f697154444941387052645938466e5671746e5847593d"  # noqa: S105
REDIRECT_URI: Final = "brillion.4e617a766474657344444e562b5935566e51324a://oauth/redirect"

GE_LOGIN_URL: Final = "https://accounts.brillion.geappliances.com"
GE_API_URL: Final = "https://api.brillion.geappliances.com"


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Base URLs of one SmartHQ service; a loopback simulator gets its own."""

    login_url: str = GE_LOGIN_URL
    api_url: str = GE_API_URL

    @property
    def api_host(self) -> str:
        """The ``host`` field the websocket's tunnelled API requests carry."""
        return self.api_url.split("://", 1)[-1].rstrip("/")

    @classmethod
    def for_server(cls, base_url: str) -> Endpoints:
        """A single server that answers both the sign-in and the API paths (the simulator)."""
        base = base_url.rstrip("/")
        return cls(login_url=base, api_url=base)
