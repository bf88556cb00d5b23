"""The SmartHQ sign-in, run against the loopback sign-in service over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
import itertools
import logging
import secrets
import socket
from typing import cast

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    AuthError,
    ConnectionFailedError,
    InvalidValueError,
    KitchenError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.ge import login as login_module
from custom_components.kitchen_connect.kitchenlib.ge.endpoints import Endpoints, Region
from custom_components.kitchen_connect.kitchenlib.ge.login import (
    InvalidCredentialsError,
    LoginState,
    LoginStateError,
    LoginSucceeded,
    MfaRequired,
    MfaSetupRequiredError,
    SmartHqLogin,
    TermsRequiredError,
    UnknownPageError,
    WrongCodeError,
)
from simulators.ge.auth_pages import (
    BAD_CODE_ALERT,
    BAD_PASSWORD_ALERT,
    AuthScenario,
    SimAccount,
    SimulatedAuth,
)

from .fake_clock import FakeClock

US_ACCOUNT = SimAccount("cook@example.com", "Sup3r secret pass!", "8iphzd059z7spke")
EU_ACCOUNT = SimAccount("chef@example.eu", "Geheimes Passwort 7", "eu0user0000001", "eu-west-1")

type Middleware = Callable[
    [web.Request, Callable[[web.Request], Awaitable[web.StreamResponse]]],
    Awaitable[web.StreamResponse],
]


@dataclass
class SignInService:
    """The loopback sign-in service plus switches to make it misbehave."""

    auth: SimulatedAuth
    scenario: AuthScenario
    clock: FakeClock
    endpoints: Endpoints
    requests: list[tuple[str, str]]
    failing: dict[str, int] = field(default_factory=dict)
    slow: set[str] = field(default_factory=set)
    looping: set[str] = field(default_factory=set)
    sign_in_forms: list[dict[str, str]] = field(default_factory=list)
    canned: dict[str, Callable[[], web.Response]] = field(default_factory=dict)
    set_cookies: dict[str, str] = field(default_factory=dict)

    def posted(self, path: str) -> int:
        return self.requests.count(("POST", path))


@pytest.fixture
async def service() -> AsyncIterator[SignInService]:
    clock = FakeClock()
    scenario = AuthScenario(authorisation_page=False)
    requests: list[tuple[str, str]] = []
    auth = SimulatedAuth(
        [US_ACCOUNT, EU_ACCOUNT],
        scenario,
        clock=clock,
        log=lambda method, path: requests.append((method, path)),
    )
    holder: list[SignInService] = []

    @web.middleware
    async def misbehave(
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        svc = holder[0]
        if request.path in svc.failing:
            return web.Response(status=svc.failing[request.path], text="Service Unavailable")
        if request.path in svc.slow:
            await asyncio.sleep(5)
        if request.path == "/oauth2/g_authenticate":
            svc.sign_in_forms.append({k: str(v) for k, v in (await request.post()).items()})
        if request.path in svc.looping:
            return web.Response(status=302, headers={"Location": request.path})
        if request.path in svc.canned:
            return svc.canned[request.path]()
        response = await handler(request)
        if request.path in svc.set_cookies:
            response.headers.add("Set-Cookie", svc.set_cookies[request.path])
        return response

    app = web.Application(middlewares=[misbehave])
    auth.add_routes(app)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    svc = SignInService(
        auth, scenario, clock, Endpoints.for_server(str(server.make_url("/"))), requests
    )
    holder.append(svc)
    yield svc
    await server.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def predictable_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """One-time codes 100001, 100002, … so two codes in a test never coincide."""
    counter = itertools.count(100_001)
    monkeypatch.setattr(secrets, "randbelow", lambda _limit: next(counter))


def make_login(
    http: aiohttp.ClientSession, service: SignInService, **kwargs: float
) -> SmartHqLogin:
    return SmartHqLogin(http, Region.US, service.endpoints, **kwargs)


async def test_plain_sign_in_gives_working_tokens(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    login = make_login(http, service)

    result = await login.async_sign_in("  Cook@Example.COM ", US_ACCOUNT.password)

    assert isinstance(result, LoginSucceeded)
    assert result.used_mfa is False
    assert login.state is LoginState.DONE
    assert service.auth.user_for_access_token(result.tokens.access_token) == US_ACCOUNT.user_id
    assert result.tokens.refresh_token
    assert service.sign_in_forms[0]["username"] == "cook@example.com"


@pytest.mark.parametrize("jar_type", [aiohttp.CookieJar, aiohttp.DummyCookieJar])
async def test_sign_in_keeps_its_own_cookies(
    service: SignInService, jar_type: type[aiohttp.abc.AbstractCookieJar]
) -> None:
    async with aiohttp.ClientSession(cookie_jar=jar_type()) as session:
        result = await SmartHqLogin(session, Region.US, service.endpoints).async_sign_in(
            US_ACCOUNT.username, US_ACCOUNT.password
        )
        assert isinstance(result, LoginSucceeded)
        assert len(session.cookie_jar) == 0  # nothing came from the shared jar


async def test_authorisation_page_is_answered_with_yes(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.authorisation_page = True

    result = await make_login(http, service).async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)

    assert isinstance(result, LoginSucceeded)
    assert service.posted("/oauth2/code") == 1


async def test_new_terms_are_accepted_once(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.terms = True

    first = await make_login(http, service).async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    second = await make_login(http, service).async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)

    assert isinstance(first, LoginSucceeded)
    assert isinstance(second, LoginSucceeded)
    assert service.posted("/oauth2/terms/accept") == 1


async def test_terms_without_a_form_ask_the_user(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.terms = True
    service.scenario.terms_acceptable = False
    login = make_login(http, service)

    with pytest.raises(TermsRequiredError):
        await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    assert login.state is LoginState.FAILED
    assert service.posted("/oauth2/terms/accept") == 0


async def test_mfa_set_up_offer_is_skipped(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa_nudge = True

    result = await make_login(http, service).async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)

    assert isinstance(result, LoginSucceeded)
    assert result.used_mfa is False
    assert service.posted("/account/active/redirect") == 1


async def test_mandatory_mfa_set_up_is_reported(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa_nudge = True
    service.scenario.mfa_nudge_skippable = False

    with pytest.raises(MfaSetupRequiredError):
        await make_login(http, service).async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)


async def test_mfa_challenge_with_emailed_code(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa = True
    service.scenario.authorisation_page = True
    login = make_login(http, service)

    challenge = await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    assert challenge == MfaRequired(("email", "sms"))
    assert login.mfa_methods == ("email", "sms")
    states = [login.state]
    assert service.auth.sent_codes == []

    await login.async_send_code()
    assert len(service.auth.sent_codes) == 1
    result = await login.async_submit_code(f" {service.auth.sent_codes[-1]} ")
    states.append(login.state)

    assert isinstance(result, LoginSucceeded)
    assert result.used_mfa is True
    assert states == [LoginState.MFA_CHALLENGE, LoginState.DONE]
    assert service.auth.user_for_access_token(result.tokens.access_token) == US_ACCOUNT.user_id


@pytest.mark.usefixtures("predictable_codes")
async def test_resend_makes_only_the_newest_code_valid(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa = True
    login = make_login(http, service)
    await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)

    await login.async_send_code()
    await login.async_send_code("sms")
    first, newest = service.auth.sent_codes
    assert first != newest

    with pytest.raises(WrongCodeError):
        await login.async_submit_code(first)
    assert login.state is LoginState.MFA_CHALLENGE
    result = await login.async_submit_code(newest)
    assert isinstance(result, LoginSucceeded)


async def test_wrong_code_then_right_code(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa = True
    login = make_login(http, service)
    await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    await login.async_send_code("email")
    code = service.auth.sent_codes[-1]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    with pytest.raises(WrongCodeError, match=BAD_CODE_ALERT):
        await login.async_submit_code(wrong)
    assert login.state is LoginState.MFA_CHALLENGE

    # The wrong-code page carried a new CSRF token; a stale one would be refused with 403.
    result = await login.async_submit_code(code)
    assert isinstance(result, LoginSucceeded)


async def test_expired_code_is_refused_and_a_new_one_works(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa = True
    login = make_login(http, service)
    await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    await login.async_send_code()

    service.clock.advance(service.scenario.code_lifetime + 1)
    with pytest.raises(WrongCodeError):
        await login.async_submit_code(service.auth.sent_codes[-1])

    await login.async_send_code()
    result = await login.async_submit_code(service.auth.sent_codes[-1])
    assert isinstance(result, LoginSucceeded)


async def test_mfa_then_terms_walks_on_after_the_code(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa = True
    service.scenario.terms = True
    login = make_login(http, service)
    await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    await login.async_send_code()

    result = await login.async_submit_code(service.auth.sent_codes[-1])

    assert isinstance(result, LoginSucceeded)
    assert service.posted("/oauth2/terms/accept") == 1


async def test_code_steps_need_a_challenge_first(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    login = make_login(http, service)

    with pytest.raises(LoginStateError):
        await login.async_send_code()
    with pytest.raises(LoginStateError):
        await login.async_submit_code("123456")
    assert service.requests == []


async def test_unoffered_delivery_method_sends_nothing(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa = True
    service.scenario.mfa_methods = ("email",)
    login = make_login(http, service)
    assert await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password) == MfaRequired(
        ("email",)
    )

    with pytest.raises(InvalidValueError):
        await login.async_send_code("sms")
    assert service.auth.sent_codes == []
    assert login.state is LoginState.MFA_CHALLENGE


async def test_bad_password_shows_the_pages_message_and_allows_a_retry(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    login = make_login(http, service)

    with pytest.raises(InvalidCredentialsError) as caught:
        await login.async_sign_in(US_ACCOUNT.username, "wrong password")
    assert caught.value.alert_text == BAD_PASSWORD_ALERT
    assert str(caught.value) == BAD_PASSWORD_ALERT
    assert login.state is LoginState.FAILED

    result = await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    assert isinstance(result, LoginSucceeded)


async def test_password_is_sent_exactly_as_given(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    with pytest.raises(InvalidCredentialsError):
        await make_login(http, service).async_sign_in(
            US_ACCOUNT.username, f" {US_ACCOUNT.password} "
        )
    assert service.sign_in_forms[0]["password"] == f" {US_ACCOUNT.password} "
    # Every field of GE's form goes back with the credentials, the CSRF token included.
    assert service.sign_in_forms[0]["_csrf"]


async def test_unknown_page_is_named_by_its_title(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.unknown_page_title = "Security check"

    with pytest.raises(UnknownPageError) as caught:
        await make_login(http, service).async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    assert caught.value.title == "Security check"
    assert "Security check" in str(caught.value)


@pytest.mark.parametrize(
    ("region", "account", "cookie"),
    [(Region.US, US_ACCOUNT, "us-east-1"), (Region.EU, EU_ACCOUNT, "eu-west-1")],
)
async def test_region_cookie_is_sent_from_the_first_request(
    http: aiohttp.ClientSession,
    service: SignInService,
    region: Region,
    account: SimAccount,
    cookie: str,
) -> None:
    login = SmartHqLogin(http, region, service.endpoints)

    result = await login.async_sign_in(account.username, account.password)

    assert isinstance(result, LoginSucceeded)
    assert service.auth.regions_seen == [cookie]


async def test_account_in_the_other_region_is_refused(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    login = SmartHqLogin(http, Region.US, service.endpoints)

    with pytest.raises(InvalidCredentialsError):
        await login.async_sign_in(EU_ACCOUNT.username, EU_ACCOUNT.password)


@pytest.mark.parametrize("path", ["/oauth2/auth", "/oauth2/g_authenticate", "/oauth2/token"])
@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_connection_failures(
    http: aiohttp.ClientSession, service: SignInService, path: str, status: int
) -> None:
    service.failing[path] = status
    login = make_login(http, service)

    with pytest.raises(ConnectionFailedError):
        await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    assert login.state is LoginState.FAILED


@pytest.mark.parametrize("status", [400, 403, 404])
async def test_refused_authorize_request_is_an_auth_error(
    http: aiohttp.ClientSession, service: SignInService, status: int
) -> None:
    service.failing["/oauth2/auth"] = status

    with pytest.raises(AuthError):
        await make_login(http, service).async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)


async def test_network_failure_while_sending_a_code_keeps_the_challenge(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa = True
    login = make_login(http, service)
    await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)

    service.failing["/account/active/security/verify/sendtotp/process"] = 502
    with pytest.raises(ConnectionFailedError):
        await login.async_send_code()
    assert login.state is LoginState.MFA_CHALLENGE

    del service.failing["/account/active/security/verify/sendtotp/process"]
    await login.async_send_code()
    result = await login.async_submit_code(service.auth.sent_codes[-1])
    assert isinstance(result, LoginSucceeded)


async def test_refused_code_request_fails_the_sign_in(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa = True
    login = make_login(http, service)
    await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)

    service.failing["/account/active/security/verify/sendtotp"] = 403
    with pytest.raises(AuthError):
        await login.async_send_code()
    assert login.state is LoginState.FAILED


async def test_slow_service_times_out(http: aiohttp.ClientSession, service: SignInService) -> None:
    service.slow.add("/oauth2/g_authenticate")

    with pytest.raises(ConnectionFailedError):
        await make_login(http, service, request_timeout=0.2).async_sign_in(
            US_ACCOUNT.username, US_ACCOUNT.password
        )


async def test_unreachable_service_is_a_connection_failure(http: aiohttp.ClientSession) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    login = SmartHqLogin(http, Region.US, Endpoints.for_server(f"http://127.0.0.1:{port}"))

    with pytest.raises(ConnectionFailedError):
        await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)


async def test_endless_redirects_are_cut_off(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.looping.add("/oauth2/g_authenticate")

    with pytest.raises(ProtocolError):
        await make_login(http, service).async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    assert len(service.requests) <= login_module.MAX_HOPS + 2


async def test_no_secret_reaches_logs_or_errors(
    http: aiohttp.ClientSession, service: SignInService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    service.scenario.mfa = True
    service.scenario.terms = True
    service.scenario.authorisation_page = True
    errors: list[KitchenError] = []

    login = make_login(http, service)
    try:
        await login.async_sign_in(US_ACCOUNT.username, "a wrong Passw0rd")
    except KitchenError as err:
        errors.append(err)
    await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    await login.async_send_code()
    code = service.auth.sent_codes[-1]
    try:
        await login.async_submit_code(f"{(int(code) + 1) % 1_000_000:06d}")
    except KitchenError as err:
        errors.append(err)
    result = await login.async_submit_code(code)
    assert isinstance(result, LoginSucceeded)

    confidential = [
        "a wrong Passw0rd",
        US_ACCOUNT.password,
        *service.auth.sent_codes,
        result.tokens.access_token,
        result.tokens.refresh_token,
    ]
    published = [caplog.text, repr(result), str(result), *(str(err) for err in errors)]
    assert len(errors) == 2
    assert caplog.text  # the flow does log its steps
    for secret in confidential:
        for text in published:
            assert secret not in text


async def test_terms_that_cannot_be_accepted_after_the_code_fail_the_sign_in(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.scenario.mfa = True
    service.scenario.terms = True
    service.scenario.terms_acceptable = False
    login = make_login(http, service)
    await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    await login.async_send_code()

    with pytest.raises(TermsRequiredError):
        await login.async_submit_code(service.auth.sent_codes[-1])
    assert login.state is LoginState.FAILED


def html(title: str, body: str = "") -> Callable[[], web.Response]:
    page = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return lambda: web.Response(text=page, content_type="text/html")


def redirect(location: str | None, status: int = 302) -> Callable[[], web.Response]:
    headers = {"Location": location} if location is not None else {}
    return lambda: web.Response(status=status, headers=headers)


async def test_maintenance_instead_of_the_sign_in_page(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.canned["/oauth2/auth"] = redirect("/maintenance")
    service.canned["/maintenance"] = html("Under Maintenance", "<p>Back soon.</p>")

    with pytest.raises(UnknownPageError) as caught:
        await make_login(http, service).async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    assert caught.value.title == "Under Maintenance"
    assert service.posted("/oauth2/g_authenticate") == 0


@pytest.mark.parametrize(
    ("path", "reply", "error", "message"),
    [
        ("/oauth2/auth", lambda: web.Response(status=204), ProtocolError, "HTTP 204"),
        ("/oauth2/g_authenticate", lambda: web.Response(status=404), AuthError, "HTTP 404"),
        ("/oauth2/g_authenticate", lambda: web.Response(status=202), ProtocolError, "HTTP 202"),
        ("/oauth2/g_authenticate", redirect(None), ProtocolError, "without a target"),
        ("/oauth2/g_authenticate", redirect("ftp://127.0.0.1/x"), ProtocolError, "no browser"),
        (
            "/oauth2/g_authenticate",
            redirect(
                "brillion.4e617a766474657344444e562b5935566e51324a://oauth/redirect?error=access_denied"
            ),
            AuthError,
            "access_denied",
        ),
    ],
)
async def test_odd_answers_give_clear_errors(
    http: aiohttp.ClientSession,
    service: SignInService,
    path: str,
    reply: Callable[[], web.Response],
    error: type[KitchenError],
    message: str,
) -> None:
    service.canned[path] = reply
    login = make_login(http, service)

    with pytest.raises(error, match=message):
        await login.async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    assert login.state is LoginState.FAILED


async def test_cookie_deleted_by_the_service_is_no_longer_sent(
    http: aiohttp.ClientSession, service: SignInService
) -> None:
    service.set_cookies["/oauth2/g_authenticate"] = "JSESSIONID=; Max-Age=0; Path=/"

    # Without its session the service shows a fresh sign-in page instead of the next step.
    with pytest.raises(UnknownPageError) as caught:
        await make_login(http, service).async_sign_in(US_ACCOUNT.username, US_ACCOUNT.password)
    assert caught.value.title == "Sign In"


def test_unreadable_cookie_is_ignored() -> None:
    # aiohttp will not carry control characters, so the headers are handed over directly.
    login = SmartHqLogin(cast("aiohttp.ClientSession", None), Region.US)

    login._keep_cookies(['tracker=1; Path="\x01"', "session=abc", "gone=1", "gone=; Max-Age=0"])

    assert login._cookies == {"session": "abc"}
