"""Constants of the GE Appliances (SmartHQ) part."""

from __future__ import annotations

from typing import Final

from ..kitchenlib.ge.endpoints import Region

# The brand's key in entries, config-flow steps and translations.
BRAND_KEY: Final = "ge"
MANUFACTURER_GE: Final = "GE Appliances"
# The e-mail address stays out of entry titles: Home Assistant writes titles into its logs.
ENTRY_TITLE: Final = "GE Appliances"

CONF_REGION: Final = "region"
# The stored region and selector keys: lower-case, as translation keys must be.
REGIONS: Final = {region.value.lower(): region for region in Region}
DEFAULT_REGION: Final = "us"
# Base URL of a SmartHQ-compatible service; only set for the loopback simulator.
CONF_SERVER: Final = "server"
CONF_USER_ID: Final = "user_id"
CONF_ACCESS_TOKEN: Final = "access_token"  # noqa: S105 (a key name)
CONF_REFRESH_TOKEN: Final = "refresh_token"  # noqa: S105 (a key name)
CONF_EXPIRES_AT: Final = "expires_at"
CONF_CODE: Final = "code"
CONF_RESEND: Final = "resend"

# How long the first connection may take before setup is retried later.
FIRST_CONNECT_TIMEOUT: Final = 30.0

ISSUE_TERMS: Final = "ge_terms_required"
ISSUE_MFA_SETUP: Final = "ge_mfa_setup_required"
