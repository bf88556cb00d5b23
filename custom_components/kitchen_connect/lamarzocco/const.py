"""Constants of the La Marzocco part."""

from __future__ import annotations

from datetime import timedelta
import re
from typing import Final

from ..kitchenlib.lamarzocco.models import ModelCode

# The brand's key in entries, config-flow steps and translations.
BRAND_KEY: Final = "lamarzocco"
MANUFACTURER: Final = "La Marzocco"

# The names La Marzocco sells the models under (the cloud spells them in capitals).
MODEL_NAMES: Final = {
    ModelCode.LINEA_MICRA: "Linea Micra",
    ModelCode.LINEA_MINI: "Linea Mini",
    ModelCode.LINEA_MINI_R: "Linea Mini R",
    ModelCode.GS3: "GS3",
    ModelCode.GS3_AV: "GS3 AV",
    ModelCode.GS3_MP: "GS3 MP",
    ModelCode.STRADA_X: "Strada X",
    ModelCode.PICO_GRINDER: "Pico",
    ModelCode.SWAN_GRINDER: "Swan",
}

CONF_INSTALLATION_KEY: Final = "installation_key"
CONF_SERIAL: Final = "serial_number"
CONF_MODEL: Final = "model"
# Base URL of a lion-compatible cloud; only set for the loopback simulator.
CONF_SERVER: Final = "server"
# The machine's Bluetooth address (from discovery or reconfigure) and network MAC (DHCP).
CONF_BLUETOOTH_ADDRESS: Final = "bluetooth_address"
CONF_NETWORK_MAC: Final = "network_mac"
# The machine's Bluetooth token, from the cloud's settings, so offline mode can use it.
CONF_BLUETOOTH_TOKEN: Final = "bluetooth_token"  # noqa: S105 (a key name)

OPTION_USE_BLUETOOTH: Final = "use_bluetooth"
OPTION_OFFLINE_MODE: Final = "offline_mode"

# Bluetooth names are "<PREFIX>_<serial>"; DHCP host names are the serial in lower case.
BLUETOOTH_PREFIXES: Final = ("MICRA", "MINI", "LINEA", "LINEAR", "GS3", "GS3AV", "GS3MP")
DHCP_HOSTNAME: Final = re.compile(r"(gs|lm|mr)\d{6}", re.IGNORECASE)

# While the websocket is down the dashboard is read at this pace instead of pushed.
FALLBACK_POLL: Final = timedelta(seconds=60)
# Entries set up together join the account's one websocket after this pause, so it
# reconnects once for all of them rather than once per entry.
STREAM_SETTLE_SECONDS: Final = 0.5

ISSUE_PRIVACY_POLICY: Final = "lamarzocco_privacy_policy"
ISSUE_BLOCKED: Final = "lamarzocco_blocked"
ISSUE_GATEWAY_TOO_OLD: Final = "lamarzocco_gateway_too_old"
