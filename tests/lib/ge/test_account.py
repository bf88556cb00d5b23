"""The websocket-endpoint call against a loopback API that answers whatever a test says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.ge.account import (
    TokenRejectedError,
    async_fetch_websocket_endpoint,
)
from custom_components.kitchen_connect.kitchenlib.ge.endpoints import Endpoints


@dataclass
class Api:
    """The loopback API and the reply it gives to ``GET /v1/websocket``."""

    endpoints: Endpoints
    reply: web.Response | None = None


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    holder: list[Api] = []

    async def websocket(_: web.Request) -> web.Response:
        reply = holder[0].reply
        assert reply is not None
        return reply

    app = web.Application()
    app.router.add_get("/v1/websocket", websocket)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    holder.append(Api(Endpoints.for_server(str(server.make_url("/")))))
    yield holder[0]
    await server.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_a_good_reply_gives_the_address_and_user(
    api: Api, http: aiohttp.ClientSession
) -> None:
    api.reply = web.json_response({"endpoint": "wss://ws.example/?access_token=t", "userId": "u1"})

    endpoint = await async_fetch_websocket_endpoint(http, api.endpoints, "token")

    assert (endpoint.url, endpoint.user_id) == ("wss://ws.example/?access_token=t", "u1")
    assert "access_token" not in repr(endpoint)


async def test_a_refused_token_is_reported_as_such(api: Api, http: aiohttp.ClientSession) -> None:
    api.reply = web.json_response({}, status=401)

    with pytest.raises(TokenRejectedError):
        await async_fetch_websocket_endpoint(http, api.endpoints, "token")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "not json",
        "[]",
        '{"endpoint": "wss://x/", "userId": ' + "9" * 400 + "}",
        '{"endpoint": "wss://x/", "userId": ' + "9" * 5000 + "}",
        '{"endpoint": 1e400, "userId": "u1"}',
        '{"endpoint": NaN, "userId": "u1"}',
        '{"endpoint": "https://x/", "userId": "u1"}',
        '{"endpoint": "wss://x/", "userId": true}',
        '{"endpoint": "wss://x/", "userId": ""}',
    ],
    ids=lambda text: text[:24],
)
async def test_unusable_replies_are_protocol_errors(
    api: Api, http: aiohttp.ClientSession, text: str
) -> None:
    api.reply = web.Response(text=text, content_type="application/json")

    with pytest.raises(ProtocolError):
        await async_fetch_websocket_endpoint(http, api.endpoints, "token")
