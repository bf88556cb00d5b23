"""What a La Marzocco entry stores, and the library objects built from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME

from ..kitchenlib.lamarzocco.cloud import CLOUD, Endpoints
from ..kitchenlib.lamarzocco.installation import InstallationKey
from .const import CONF_INSTALLATION_KEY, CONF_SERVER

type AccountId = tuple[str, str]


def endpoints_from_data(data: Mapping[str, Any]) -> Endpoints:
    """La Marzocco's own cloud, or a loopback simulator."""
    server = data.get(CONF_SERVER)
    return Endpoints.for_server(server) if server else CLOUD


def account_id(data: Mapping[str, Any]) -> AccountId:
    """Entries of one account on one cloud share a client and a websocket."""
    return (str(data.get(CONF_SERVER) or ""), str(data[CONF_USERNAME]).strip().lower())


def installation_key(data: Mapping[str, Any]) -> InstallationKey:
    """The entry's installation key."""
    return InstallationKey.from_dict(data[CONF_INSTALLATION_KEY])


def credentials(data: Mapping[str, Any]) -> tuple[str, str]:
    """E-mail address and password."""
    return str(data[CONF_USERNAME]), str(data[CONF_PASSWORD])
