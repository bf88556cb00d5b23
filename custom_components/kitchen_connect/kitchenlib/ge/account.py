"""The account-level call outside the websocket: where to connect and whose account it is."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http import HTTPStatus

import aiohttp

from ..errors import AuthError, ConnectionFailedError, ProtocolError
from .endpoints import Endpoints

ENDPOINT_TIMEOUT = 15.0


class TokenRejectedError(AuthError):
    """The API refused the access token (401/403): refresh it, then sign in again."""


@dataclass(frozen=True, slots=True)
class WebsocketEndpoint:
    """A single-use websocket address and the account's user id."""

    url: str
    user_id: str

    def __repr__(self) -> str:
        # The URL carries a credential in its query string.
        return f"WebsocketEndpoint(user_id={self.user_id!r})"


async def async_fetch_websocket_endpoint(
    session: aiohttp.ClientSession, endpoints: Endpoints, access_token: str
) -> WebsocketEndpoint:
    """Ask the API for a fresh websocket address; every connection needs a new one."""
    try:
        async with asyncio.timeout(ENDPOINT_TIMEOUT):
            async with session.get(
                f"{endpoints.api_url}/v1/websocket",
                headers={"Authorization": f"Bearer {access_token}"},
                allow_redirects=False,
            ) as response:
                if response.status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
                    raise TokenRejectedError(f"websocket endpoint refused: {response.status}")
                if response.status != HTTPStatus.OK:
                    raise ConnectionFailedError(f"websocket endpoint answered {response.status}")
                body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as err:
        raise ConnectionFailedError(
            f"websocket endpoint unreachable: {type(err).__name__}"
        ) from err
    except (ValueError, RecursionError) as err:
        # ValueError also covers integers too long to read; RecursionError, deep nesting.
        raise ProtocolError("websocket endpoint reply is not JSON") from err
    if not isinstance(body, dict):
        raise ProtocolError("websocket endpoint reply is not an object")
    url, user_id = body.get("endpoint"), body.get("userId")
    if not isinstance(url, str) or not url.startswith(("wss://", "ws://")):
        raise ProtocolError("websocket endpoint reply has no endpoint")
    if not isinstance(user_id, str) or not user_id:
        raise ProtocolError("websocket endpoint reply has no userId")
    return WebsocketEndpoint(url, user_id)
