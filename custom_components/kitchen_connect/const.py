"""Constants shared by every brand."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "kitchen_connect"

# Which brand an entry belongs to: the ``key`` of a BrandSpec.
CONF_BRAND: Final = "brand"
CONF_CONFIRM: Final = "confirm"
