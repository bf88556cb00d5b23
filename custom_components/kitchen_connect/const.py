"""Constants shared by every brand."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

DOMAIN: Final = "kitchen_connect"
MANUFACTURER_JURA: Final = "Jura"

CONF_BRAND: Final = "brand"
CONF_CONFIRM: Final = "confirm"


class Brand(StrEnum):
    """The appliance families a config entry can belong to."""

    JURA = "jura"
    GE = "ge"
