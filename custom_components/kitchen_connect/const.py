"""Constants shared by every brand."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "kitchen_connect"

# Which brand an entry belongs to: the ``key`` of a BrandSpec.
CONF_BRAND: Final = "brand"
CONF_CONFIRM: Final = "confirm"

# The version of the entries the config flow writes; async_migrate_entry brings older
# ones up to it. Minor 2: GE stores its region lower-case, and its lights replaced a
# select and a number.
ENTRY_VERSION: Final = 1
ENTRY_MINOR_VERSION: Final = 2
