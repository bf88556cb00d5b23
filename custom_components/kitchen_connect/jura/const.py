"""Jura-specific configuration keys and defaults."""

from __future__ import annotations

from typing import Final

CONF_CONN_ID: Final = "conn_id"
CONF_MODEL: Final = "model"
CONF_ARTICLE: Final = "article"
CONF_MACHINE_ID: Final = "machine_id"
CONF_PANEL_LOCK: Final = "panel_lock"  # the lock the user set, kept across restarts

OPTION_COUNTER_INTERVAL: Final = "counter_interval"  # minutes
OPTION_PRODUCT_COUNTER_INTERVAL: Final = "product_counter_interval"  # minutes
OPTION_RECONNECT_GAP: Final = "reconnect_gap"  # seconds

DEFAULT_COUNTER_INTERVAL: Final = 10
DEFAULT_PRODUCT_COUNTER_INTERVAL: Final = 60
DEFAULT_RECONNECT_GAP: Final = 10

MAX_BACKOFF_SECONDS: Final = 300.0
FIRST_STATUS_TIMEOUT: Final = 3.0
REFUSALS_BEFORE_REPAIR: Final = 3

# The brand's key in entries, config-flow steps and translations.
BRAND_KEY: Final = "jura"
MANUFACTURER_JURA: Final = "Jura"
