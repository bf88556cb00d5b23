"""What a GE config entry stores, and the library objects built from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..kitchenlib.ge.endpoints import Endpoints
from ..kitchenlib.ge.tokens import TokenSet
from .const import CONF_ACCESS_TOKEN, CONF_EXPIRES_AT, CONF_REFRESH_TOKEN, CONF_SERVER


def endpoints_from_data(data: Mapping[str, Any]) -> Endpoints:
    """GE's own hosts, or the one server of a loopback simulator."""
    server = data.get(CONF_SERVER)
    return Endpoints.for_server(server) if server else Endpoints()


def token_data(tokens: TokenSet) -> dict[str, Any]:
    """The entry data that keeps a token set across restarts."""
    return {
        CONF_ACCESS_TOKEN: tokens.access_token,
        CONF_REFRESH_TOKEN: tokens.refresh_token,
        CONF_EXPIRES_AT: tokens.expires_at,
    }


def tokens_from_data(data: Mapping[str, Any]) -> TokenSet:
    """The stored token set."""
    return TokenSet(
        access_token=data[CONF_ACCESS_TOKEN],
        refresh_token=data[CONF_REFRESH_TOKEN],
        expires_at=float(data[CONF_EXPIRES_AT]),
    )
