"""SmartHQ tokens: code exchange and refresh against the loopback token endpoint."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
import logging
import math
import socket

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    AuthError,
    ConnectionFailedError,
    KitchenError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.ge.endpoints import (
    CLIENT_ID,
    CLIENT_SECRET,
    Endpoints,
    Region,
)
from custom_components.kitchen_connect.kitchenlib.ge.login import LoginSucceeded, SmartHqLogin
from custom_components.kitchen_connect.kitchenlib.ge.tokens import (
    MAX_EXPIRES_IN,
    RefreshRejectedError,
    TokenManager,
    TokenSet,
    async_exchange_code,
    parse_token_reply,
)
from simulators.ge.auth_pages import (
    AuthScenario,
    SimAccount,
    SimulatedAuth,
)

from .fake_clock import FakeClock

ACCOUNT = SimAccount("cook@example.com", "Sup3r secret pass!", "8iphzd059z7spke")
TOKEN_PATH = "/oauth2/token"


@dataclass
class TokenService:
    """The loopback token endpoint, with a record of what reached it."""

    auth: SimulatedAuth
    scenario: AuthScenario
    clock: FakeClock
    endpoints: Endpoints
    token_requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    override: web.Response | None = None
    delay: float = 0.0

    def issue(self) -> TokenSet:
        """A token set for the account, as a finished sign-in would hold it."""
        reply = self.auth.issue_tokens_for(ACCOUNT.user_id)
        return TokenSet(
            reply["access_token"], reply["refresh_token"], self.clock() + reply["expires_in"]
        )


@pytest.fixture
async def service() -> AsyncIterator[TokenService]:
    clock = FakeClock()
    scenario = AuthScenario(authorisation_page=False)
    auth = SimulatedAuth([ACCOUNT], scenario, clock=clock)
    holder: list[TokenService] = []

    @web.middleware
    async def record(
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        svc = holder[0]
        if request.path == TOKEN_PATH:
            form = {name: str(value) for name, value in (await request.post()).items()}
            svc.token_requests.append((request.headers.get("Authorization", ""), form))
            await asyncio.sleep(svc.delay)
            if svc.override is not None:
                return svc.override
        return await handler(request)

    app = web.Application(middlewares=[record])
    auth.add_routes(app)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    svc = TokenService(auth, scenario, clock, Endpoints.for_server(str(server.make_url("/"))))
    holder.append(svc)
    yield svc
    await server.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def make_manager(
    http: aiohttp.ClientSession,
    service: TokenService,
    tokens: TokenSet,
    rotated: list[TokenSet] | None = None,
) -> TokenManager:
    return TokenManager(
        http,
        service.endpoints,
        tokens,
        on_rotated=rotated.append if rotated is not None else None,
        clock=service.clock,
    )


def test_token_set_repr_hides_the_tokens() -> None:
    tokens = TokenSet("access-XYZ", "refresh-XYZ", 1234.0)

    assert "XYZ" not in repr(tokens)
    assert "XYZ" not in str(tokens)
    assert "1234" in repr(tokens)
    assert tokens.seconds_left(1200.0) == 34.0


async def test_code_from_a_sign_in_is_exchanged_once(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    result = await SmartHqLogin(http, Region.US, service.endpoints).async_sign_in(
        ACCOUNT.username, ACCOUNT.password
    )
    assert isinstance(result, LoginSucceeded)
    _, form = service.token_requests[0]

    assert form["grant_type"] == "authorization_code"
    with pytest.raises(AuthError) as caught:
        await async_exchange_code(http, service.endpoints, form["code"])
    assert not isinstance(caught.value, RefreshRejectedError)
    assert form["code"] not in str(caught.value)


async def test_token_requests_carry_the_app_credentials_twice(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    await make_manager(http, service, service.issue()).async_refresh()

    authorization, form = service.token_requests[0]
    scheme, _, encoded = authorization.partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"
    assert form["client_id"] == CLIENT_ID
    assert form["client_secret"] == CLIENT_SECRET
    assert form["grant_type"] == "refresh_token"
    assert form["redirect_uri"].endswith("://oauth/redirect")


async def test_fresh_token_is_used_without_asking(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    tokens = service.issue()
    manager = make_manager(http, service, tokens)

    service.clock.advance(3600 - 301)
    assert await manager.async_access_token() == tokens.access_token
    assert service.token_requests == []


async def test_token_is_refreshed_ahead_of_expiry_and_persisted(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    tokens = service.issue()
    rotated: list[TokenSet] = []
    manager = make_manager(http, service, tokens, rotated)

    service.clock.advance(3600 - 299)
    access_token = await manager.async_access_token()

    assert access_token != tokens.access_token
    assert service.auth.user_for_access_token(access_token) == ACCOUNT.user_id
    assert rotated == [manager.tokens]
    assert manager.tokens.refresh_token != tokens.refresh_token
    assert manager.tokens.expires_at == service.clock() + 3600
    assert len(service.token_requests) == 1


async def test_old_refresh_token_is_refused_after_rotation(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    tokens = service.issue()
    await make_manager(http, service, tokens).async_refresh()

    stale = make_manager(http, service, tokens)
    with pytest.raises(RefreshRejectedError):
        await stale.async_refresh()
    assert stale.tokens == tokens


async def test_reply_without_refresh_token_keeps_the_old_one(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    service.scenario.rotate_refresh_tokens = False
    tokens = service.issue()
    rotated: list[TokenSet] = []
    manager = make_manager(http, service, tokens, rotated)

    new = await manager.async_refresh()
    again = await manager.async_refresh()

    assert new.refresh_token == tokens.refresh_token
    assert new.access_token != tokens.access_token
    assert again.refresh_token == tokens.refresh_token
    assert rotated == [new, again]


async def test_revoked_refresh_token_is_rejected(
    http: aiohttp.ClientSession, service: TokenService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tokens = service.issue()
    rotated: list[TokenSet] = []
    manager = make_manager(http, service, tokens, rotated)
    service.auth.revoke_refresh_tokens()
    service.clock.advance(3600)

    with pytest.raises(RefreshRejectedError, match="invalid_grant") as caught:
        await manager.async_access_token()

    assert rotated == []
    assert manager.tokens == tokens
    for secret in (tokens.access_token, tokens.refresh_token):
        assert secret not in str(caught.value)
        assert secret not in caplog.text


async def test_expired_access_token_comes_back_after_a_forced_refresh(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    tokens = service.issue()
    manager = make_manager(http, service, tokens)
    service.auth.expire_access_tokens()
    assert service.auth.user_for_access_token(tokens.access_token) is None

    renewed = await manager.async_refresh()

    assert service.auth.user_for_access_token(renewed.access_token) == ACCOUNT.user_id


async def test_concurrent_callers_share_one_refresh(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    rotated: list[TokenSet] = []
    manager = make_manager(http, service, service.issue(), rotated)
    service.clock.advance(3600)
    service.delay = 0.05

    access_tokens = await asyncio.gather(*(manager.async_access_token() for _ in range(5)))
    forced = await asyncio.gather(*(manager.async_refresh() for _ in range(3)))

    assert len(set(access_tokens)) == 1
    assert len(set(forced)) == 1
    assert len(service.token_requests) == 2
    assert len(rotated) == 2


async def test_failed_refresh_is_retried_on_next_use(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    manager = make_manager(http, service, service.issue())
    service.clock.advance(3600)
    service.override = web.Response(status=503)

    with pytest.raises(ConnectionFailedError):
        await manager.async_access_token()
    service.override = None

    assert service.auth.user_for_access_token(await manager.async_access_token())


@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_server_trouble_is_a_connection_failure(
    http: aiohttp.ClientSession, service: TokenService, status: int
) -> None:
    tokens = service.issue()
    manager = make_manager(http, service, tokens)
    service.override = web.Response(status=status)

    with pytest.raises(ConnectionFailedError):
        await manager.async_refresh()
    assert manager.tokens == tokens


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (web.Response(status=401, text="nope"), RefreshRejectedError),
        (web.json_response({"error": "invalid_grant"}, status=200), RefreshRejectedError),
        (web.Response(status=200, text="<html>maintenance</html>"), ProtocolError),
        (web.json_response({"token_type": "Bearer"}), ProtocolError),
        (web.json_response(["not", "an", "object"]), ProtocolError),
        (web.json_response({"access_token": "a", "expires_in": "soon"}), ProtocolError),
        (web.json_response({"access_token": "a", "expires_in": -5}), ProtocolError),
        (web.Response(status=200, text="[" * 100_000), ProtocolError),
    ],
)
async def test_odd_replies_give_clear_errors(
    http: aiohttp.ClientSession,
    service: TokenService,
    reply: web.Response,
    error: type[KitchenError],
) -> None:
    tokens = service.issue()
    manager = make_manager(http, service, tokens)
    service.override = reply

    with pytest.raises(error):
        await manager.async_refresh()
    assert manager.tokens == tokens


async def test_reply_without_lifetime_assumes_an_hour(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    manager = make_manager(http, service, service.issue())
    service.override = web.json_response({"access_token": "new-access", "expires_in": "1800"})

    assert (await manager.async_refresh()).expires_at == service.clock() + 1800
    service.override = web.json_response({"access_token": "newer-access"})
    assert (await manager.async_refresh()).expires_at == service.clock() + 3600


async def test_slow_token_service_times_out(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    service.delay = 5
    manager = TokenManager(
        http, service.endpoints, service.issue(), clock=service.clock, request_timeout=0.2
    )

    with pytest.raises(ConnectionFailedError):
        await manager.async_refresh()


async def test_unreachable_token_service_is_a_connection_failure(
    http: aiohttp.ClientSession,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoints = Endpoints.for_server(f"http://127.0.0.1:{port}")
    manager = TokenManager(http, endpoints, TokenSet("a", "r", 0.0))

    with pytest.raises(ConnectionFailedError):
        await manager.async_access_token()
    with pytest.raises(ConnectionFailedError):
        await async_exchange_code(http, endpoints, "some-code")


async def test_code_exchange_without_a_refresh_token_is_unusable(
    http: aiohttp.ClientSession, service: TokenService
) -> None:
    service.override = web.json_response({"access_token": "access", "expires_in": 3600})

    with pytest.raises(ProtocolError, match="refresh token"):
        await async_exchange_code(http, service.endpoints, "some-code")


# Lifetimes no token service would send; each must be a clear ProtocolError.
UNREADABLE_LIFETIMES = [
    10**400,
    -(10**400),
    10**20,
    float("nan"),
    float("inf"),
    -float("inf"),
    -1,
    True,
    False,
    "1e999",
    "nan",
    "-inf",
    "9" * 5000,
    None,
    [3600],
    {"seconds": 3600},
]


@pytest.mark.parametrize("expires_in", UNREADABLE_LIFETIMES, ids=lambda value: repr(value)[:16])
async def test_unreadable_lifetime_on_refresh_is_a_protocol_error(
    http: aiohttp.ClientSession, service: TokenService, expires_in: object
) -> None:
    tokens = service.issue()
    manager = make_manager(http, service, tokens)
    service.override = web.json_response(
        {"access_token": "new", "refresh_token": "newer", "expires_in": expires_in}
    )

    with pytest.raises(ProtocolError, match="lifetime"):
        await manager.async_refresh()
    assert manager.tokens == tokens


@pytest.mark.parametrize("expires_in", UNREADABLE_LIFETIMES, ids=lambda value: repr(value)[:16])
async def test_unreadable_lifetime_on_code_exchange_is_a_protocol_error(
    http: aiohttp.ClientSession, service: TokenService, expires_in: object
) -> None:
    service.override = web.json_response(
        {"access_token": "new", "refresh_token": "newer", "expires_in": expires_in}
    )

    with pytest.raises(ProtocolError, match="lifetime"):
        await async_exchange_code(http, service.endpoints, "some-code")


@pytest.mark.parametrize("token", ["", "has space", "line\nbreak", "\u00e9t\u00e9", 42, True])
async def test_tokens_that_cannot_be_sent_back_are_refused(
    http: aiohttp.ClientSession, service: TokenService, token: object
) -> None:
    service.override = web.json_response({"access_token": token, "refresh_token": "r"})

    with pytest.raises(ProtocolError, match="access token"):
        await async_exchange_code(http, service.endpoints, "some-code")


# --- property tests ------------------------------------------------------------------------

_numbers: st.SearchStrategy[object] = (
    st.integers()
    | st.integers(min_value=10**300, max_value=10**4000)
    | st.integers(max_value=-(10**300), min_value=-(10**4000))
    | st.floats()
    | st.booleans()
)
_lifetimes: st.SearchStrategy[object] = (
    _numbers | _numbers.map(str) | st.text(max_size=12) | st.none() | st.just([])
)
_tokens: st.SearchStrategy[object] = st.text(max_size=20) | _numbers | st.none()


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(["access_token", "refresh_token", "expires_in", "token_type"]),
        _lifetimes | _tokens,
    ),
    st.none() | st.text(min_size=1, max_size=8),
)
def test_any_token_reply_gives_a_token_set_or_a_protocol_error(
    body: dict[str, object], previous: str | None
) -> None:
    now = 1_800_000_000.0
    try:
        tokens = parse_token_reply(body, previous_refresh_token=previous, now=now)
    except ProtocolError:
        return
    assert math.isfinite(tokens.expires_at)
    assert now <= tokens.expires_at <= now + MAX_EXPIRES_IN
    assert tokens.access_token == body["access_token"]


@given(_lifetimes)
def test_any_lifetime_reads_or_is_a_protocol_error(expires_in: object) -> None:
    body = {"access_token": "a", "refresh_token": "r", "expires_in": expires_in}
    try:
        tokens = parse_token_reply(body, previous_refresh_token=None, now=0.0)
    except ProtocolError:
        return
    assert 0.0 <= tokens.expires_at <= MAX_EXPIRES_IN
