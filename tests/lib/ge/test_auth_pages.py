"""The loopback sign-in service refuses what GE refuses, so the sign-in tests mean something."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
import pytest

from custom_components.kitchen_connect.kitchenlib.ge.endpoints import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
)
from custom_components.kitchen_connect.kitchenlib.ge.html_page import parse_page
from simulators.ge.auth_pages import (
    AuthScenario,
    SimAccount,
    SimulatedAuth,
)

ACCOUNT = SimAccount("cook@example.com", "Sup3r secret pass!", "8iphzd059z7spke")
AUTHORIZE_QUERY = {
    "client_id": CLIENT_ID,
    "response_type": "code",
    "access_type": "offline",
    "redirect_uri": REDIRECT_URI,
}
APP_AUTH = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
TOKEN_FORM = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uri": REDIRECT_URI}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def scenario() -> AuthScenario:
    return AuthScenario(authorisation_page=False)


@pytest.fixture
def served() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def auth(scenario: AuthScenario, clock: Clock, served: list[tuple[str, str]]) -> SimulatedAuth:
    return SimulatedAuth(
        [ACCOUNT], scenario, clock=clock, log=lambda method, path: served.append((method, path))
    )


@pytest.fixture
async def client(auth: SimulatedAuth) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = web.Application()
    auth.add_routes(app)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def open_sign_in(client: TestClient[web.Request, web.Application]) -> str:
    """GET the sign-in page; returns its CSRF token (the client keeps the session cookie)."""
    response = await client.get("/oauth2/auth", params=AUTHORIZE_QUERY)
    assert response.status == 200
    csrf = parse_page(await response.text()).csrf
    assert csrf
    return csrf


async def signed_in(client: TestClient[web.Request, web.Application]) -> str:
    """Sign in with the password; returns the ``/oauth2/auth`` URL that shows the next step."""
    csrf = await open_sign_in(client)
    response = await client.post(
        "/oauth2/g_authenticate",
        data={"_csrf": csrf, "username": ACCOUNT.username, "password": ACCOUNT.password},
        allow_redirects=False,
    )
    assert response.status == 302
    return response.headers["Location"]


async def next_page(client: TestClient[web.Request, web.Application], url: str) -> str:
    response = await client.get(url, allow_redirects=False)
    assert response.status == 200
    return await response.text()


def code_of(location: str) -> str:
    assert location.startswith(REDIRECT_URI)
    return parse_qs(urlsplit(location).query)["code"][0]


async def test_every_request_is_logged(
    client: TestClient[web.Request, web.Application], served: list[tuple[str, str]]
) -> None:
    await signed_in(client)

    assert served == [("GET", "/oauth2/auth"), ("POST", "/oauth2/g_authenticate")]


async def test_foreign_app_is_refused(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/oauth2/auth", params={**AUTHORIZE_QUERY, "client_id": "x"})

    assert response.status == 400


FORM_PATHS = [
    "/oauth2/g_authenticate",
    "/oauth2/code",
    "/oauth2/terms/accept",
    "/account/active/redirect",
    "/account/active/security/verify/sendtotp",
    "/account/active/security/verify/sendtotp/process?emailType=MFA_VERIFICATION",
    "/account/active/security/verify/totpcode/process",
]


@pytest.mark.parametrize("path", FORM_PATHS)
@pytest.mark.parametrize("with_session", [False, True])
async def test_forms_without_the_right_csrf_token_are_refused(
    client: TestClient[web.Request, web.Application], with_session: bool, path: str
) -> None:
    if with_session:
        await signed_in(client)

    response = await client.post(
        path,
        data={"_csrf": "forged", "username": ACCOUNT.username, "password": ACCOUNT.password},
    )

    assert response.status == 403


@pytest.mark.parametrize("path", FORM_PATHS[1:])
async def test_steps_before_the_password_get_nowhere(
    client: TestClient[web.Request, web.Application], path: str
) -> None:
    csrf = await open_sign_in(client)

    response = await client.post(
        path, data={"_csrf": csrf, "authorized": "yes", "mfaType": "email"}, allow_redirects=False
    )

    assert response.status in (200, 302, 400)
    assert not response.headers.get("Location", "").startswith(REDIRECT_URI)


@pytest.mark.parametrize(
    "path", ["/account/active/security/add/mfamethod", "/account/active/security/verify/options"]
)
async def test_mfa_pages_need_a_password_first(
    client: TestClient[web.Request, web.Application], path: str
) -> None:
    assert (await client.get(path)).status == 400


async def test_declining_the_authorisation_returns_an_error(
    client: TestClient[web.Request, web.Application], scenario: AuthScenario
) -> None:
    scenario.authorisation_page = True
    page = parse_page(await next_page(client, await signed_in(client)))

    response = await client.post(
        "/oauth2/code", data={"_csrf": page.csrf or "", "authorized": "no"}, allow_redirects=False
    )

    assert response.headers["Location"] == f"{REDIRECT_URI}?error=access_denied"


async def test_terms_need_both_boxes_ticked(
    client: TestClient[web.Request, web.Application], scenario: AuthScenario
) -> None:
    scenario.terms = True
    page = parse_page(await next_page(client, await signed_in(client)))

    response = await client.post(
        "/oauth2/terms/accept",
        data={"_csrf": page.csrf or "", "developerTerms": "on"},
        allow_redirects=False,
    )

    assert response.status == 200
    assert parse_page(await response.text()).title == "Almost Finished..."


async def test_terms_without_a_form_cannot_be_accepted_by_posting(
    client: TestClient[web.Request, web.Application], scenario: AuthScenario
) -> None:
    scenario.terms = True
    scenario.terms_acceptable = False
    page = parse_page(await next_page(client, await signed_in(client)))
    assert not page.forms

    response = await client.post(
        "/oauth2/terms/accept",
        data={"_csrf": page.csrf or "", "developerTerms": "on", "connected_terms": "on"},
    )

    assert response.status == 400


async def test_mandatory_mfa_set_up_cannot_be_skipped_by_posting(
    client: TestClient[web.Request, web.Application], scenario: AuthScenario
) -> None:
    scenario.mfa_nudge = True
    scenario.mfa_nudge_skippable = False
    page = parse_page(await (await client.get(await signed_in(client))).text())
    assert page.title == "Multi-Factor Authentication"
    assert page.form("addMfaForm") is None

    response = await client.post("/account/active/redirect", data={"_csrf": page.csrf or ""})

    assert response.status == 400


async def test_code_delivery_needs_an_offered_method_and_the_right_order(
    client: TestClient[web.Request, web.Application], scenario: AuthScenario, auth: SimulatedAuth
) -> None:
    scenario.mfa = True
    scenario.mfa_methods = ("email",)
    await signed_in(client)
    page = parse_page(await next_page(client, "/account/active/security/verify/options"))
    csrf = page.csrf or ""

    refused = await client.post(
        "/account/active/security/verify/sendtotp", data={"_csrf": csrf, "mfaType": "sms"}
    )
    early = await client.post(
        "/account/active/security/verify/sendtotp/process?emailType=MFA_VERIFICATION",
        data={"_csrf": csrf, "mfaType": "email"},
    )

    assert refused.status == 400
    assert early.status == 400
    assert auth.sent_codes == []


async def test_token_endpoint_checks_the_app_credentials_both_ways(
    client: TestClient[web.Request, web.Application], auth: SimulatedAuth
) -> None:
    refresh_token = auth.issue_tokens_for(ACCOUNT.user_id)["refresh_token"]
    form = {**TOKEN_FORM, "grant_type": "refresh_token", "refresh_token": refresh_token}
    wrong_basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:nope".encode()).decode()
    attempts = [
        ({}, form),
        ({"Authorization": "Bearer x"}, form),
        ({"Authorization": "Basic !!!"}, form),
        ({"Authorization": wrong_basic}, form),
        ({"Authorization": APP_AUTH}, {**form, "client_secret": "nope"}),
    ]

    for headers, data in attempts:
        response = await client.post("/oauth2/token", headers=headers, data=data)
        assert response.status == 401
        assert await response.json() == {"error": "invalid_client"}

    accepted = await client.post("/oauth2/token", headers={"Authorization": APP_AUTH}, data=form)
    assert accepted.status == 200


async def test_authorisation_codes_are_single_use_and_short_lived(
    client: TestClient[web.Request, web.Application], auth: SimulatedAuth, clock: Clock
) -> None:
    codes = []
    for _ in range(2):
        response = await client.get(await signed_in(client), allow_redirects=False)
        codes.append(code_of(response.headers["Location"]))
        client.session.cookie_jar.clear()

    def exchange(code: str) -> dict[str, str]:
        return {**TOKEN_FORM, "grant_type": "authorization_code", "code": code}

    headers = {"Authorization": APP_AUTH}
    first = await client.post("/oauth2/token", headers=headers, data=exchange(codes[0]))
    reused = await client.post("/oauth2/token", headers=headers, data=exchange(codes[0]))
    clock.now += 301
    late = await client.post("/oauth2/token", headers=headers, data=exchange(codes[1]))

    assert first.status == 200
    assert auth.user_for_access_token((await first.json())["access_token"]) == ACCOUNT.user_id
    assert reused.status == 400
    assert late.status == 400
    assert await late.json() == {"error": "invalid_grant"}


async def test_unknown_grant_type_is_refused(
    client: TestClient[web.Request, web.Application],
) -> None:
    response = await client.post(
        "/oauth2/token",
        headers={"Authorization": APP_AUTH},
        data={**TOKEN_FORM, "grant_type": "password"},
    )

    assert response.status == 400
    assert await response.json() == {"error": "unsupported_grant_type"}


def test_access_tokens_lapse_with_the_clock(
    auth: SimulatedAuth, clock: Clock, scenario: AuthScenario
) -> None:
    reply = auth.issue_tokens_for(ACCOUNT.user_id)
    assert reply["expires_in"] == int(scenario.token_lifetime)
    assert auth.user_for_access_token(reply["access_token"]) == ACCOUNT.user_id
    assert auth.user_for_access_token("unknown") is None

    clock.now += scenario.token_lifetime
    assert auth.user_for_access_token(reply["access_token"]) is None
