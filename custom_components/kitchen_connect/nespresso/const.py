"""Constants of the Nespresso brand."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

BRAND_KEY: Final = "nespresso"
MANUFACTURER: Final = "Nespresso"

# Entry data. The key is stored as 16 hex digits; the seed too when the user gave one
# (or when we paired), since the app and the account keep the seed, not the key.
CONF_KEY: Final = "key"
CONF_SEED: Final = "seed"
CONF_FAMILY: Final = "family"
CONF_MODEL: Final = "model"  # the model name the machine announced, e.g. "Expert&Milk"

# The slow values (versions, settings, stock threshold) are read on a connection this
# often while the machine advertises; a failed read is retried sooner.
DETAILS_INTERVAL: Final = timedelta(minutes=15)
RETRY_INTERVAL: Final = timedelta(minutes=1)
