"""Constants of the local transports of older La Marzocco gateways."""

from __future__ import annotations

from typing import Final

from homeassistant.const import CONF_HOST, CONF_PORT, CONF_USERNAME

__all__ = [
    "CONF_HOST",
    "CONF_KEY",
    "CONF_PORT",
    "CONF_TRANSPORT",
    "CONF_USERNAME",
    "DIRECT_PORT",
    "LOCAL_API_PORT",
    "OPTION_SESSION_INTERVAL",
    "TRANSPORT_DIRECT",
    "TRANSPORT_LOCAL_API",
]

# Which local transport an entry uses; cloud entries have no such key.
CONF_TRANSPORT: Final = "transport"
TRANSPORT_LOCAL_API: Final = "local_api"
TRANSPORT_DIRECT: Final = "direct"

# The machine's communicationKey, as the legacy customer endpoint handed it out.
CONF_KEY: Final = "key"

# How often a GS/3 or Linea Mini on the raw TCP protocol is visited, in seconds.
OPTION_SESSION_INTERVAL: Final = "session_interval"

# Gateway firmware before v5.0.9 serves its local API here.
LOCAL_API_PORT: Final = 8081
# The oldest gateways of GS/3 and Linea Mini speak the raw TCP protocol here.
DIRECT_PORT: Final = 1774
