"""The loopback simulator's sign-in service: GE's sign-in pages, MFA and the token endpoint.

It serves pages shaped like GE's (the markers, form ids and paths a client recognises), keeps
its own sessions by a ``JSESSIONID`` cookie, checks the CSRF token on every form and the app
credentials on every token request, and can be switched into each interstitial GE is known to
show: MFA challenge, MFA set-up nudge, new terms, the app authorisation page, or an unknown
page such as a CAPTCHA.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from html import escape
import math
import secrets
import time
from typing import Any, Final
from urllib.parse import urlencode

from aiohttp import web

from custom_components.kitchen_connect.kitchenlib.ge.endpoints import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    REGION_COOKIE,
    REGION_COOKIE_VALUES,
    Region as _Region,
)

from .. import secrets_ledger

SESSION_COOKIE: Final = "JSESSIONID"
DEFAULT_REGION_VALUE: Final = REGION_COOKIE_VALUES[_Region.US]
BAD_PASSWORD_ALERT: Final = "The email address or password you entered is incorrect."  # noqa: S105
BAD_CODE_ALERT: Final = "The verification code is incorrect or has expired."

_AUTH = "/oauth2/auth"
_AUTHENTICATE = "/oauth2/g_authenticate"
_CODE = "/oauth2/code"
_TERMS_ACCEPT = "/oauth2/terms/accept"
_TOKEN = "/oauth2/token"  # noqa: S105 - a URL path, not a secret
_SKIP_MFA_SETUP = "/account/active/redirect"
_MFA_SETUP = "/account/active/security/add/mfamethod"
_VERIFY = "/account/active/security/verify"
_VERIFY_OPTIONS = f"{_VERIFY}/options"
_SEND_CODE = f"{_VERIFY}/sendtotp"
_SEND_CODE_PROCESS = f"{_VERIFY}/sendtotp/process"
_CHECK_CODE = f"{_VERIFY}/totpcode/process"

type _Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class SimAccount:
    """A SmartHQ account the simulator knows; ``region`` is its ``abgea_region`` value."""

    username: str
    password: str
    user_id: str
    region: str = DEFAULT_REGION_VALUE


@dataclass
class AuthScenario:
    """Switches for what the sign-in shows; tests may flip them between sign-ins."""

    mfa: bool = False
    mfa_methods: tuple[str, ...] = ("email", "sms")
    mfa_nudge: bool = False
    mfa_nudge_skippable: bool = True
    terms: bool = False
    terms_acceptable: bool = True
    authorisation_page: bool = True
    unknown_page_title: str | None = None
    token_lifetime: float = 3600.0
    rotate_refresh_tokens: bool = True
    # Lifetime of both the e-mailed one-time code and the OAuth authorisation code.
    code_lifetime: float = 300.0


@dataclass
class _SignIn:
    """One browser session on the sign-in pages."""

    csrf: str
    resume_query: str
    region: str
    account: SimAccount | None = None
    mfa_passed: bool = False
    mfa_method: str | None = None
    mfa_code: str | None = None
    mfa_code_sent_at: float = -math.inf
    mfa_setup_skipped: bool = False
    app_authorised: bool = False
    terms_accepted: bool = False


@dataclass
class _AccessGrant:
    user_id: str
    expires_at: float


@dataclass
class _IssuedCode:
    user_id: str
    issued_at: float


class SimulatedAuth:
    """GE's sign-in and token service, for one simulator app."""

    def __init__(
        self,
        accounts: Sequence[SimAccount],
        scenario: AuthScenario,
        *,
        clock: Callable[[], float] = time.time,
        log: Callable[[str, str], None] | None = None,
    ) -> None:
        """Serve these accounts; ``log(method, path)`` hears of every request served."""
        self.accounts = list(accounts)
        for account in self.accounts:
            secrets_ledger.record("GE e-mail", account.username)
            secrets_ledger.record("GE password", account.password)
            secrets_ledger.record("GE user id", account.user_id)
        self.scenario = scenario
        self.sent_codes: list[str] = []
        # Hears (method, code) of every one-time code "sent", e.g. to show it on a console.
        self.code_listener: Callable[[str, str], None] | None = None
        self.regions_seen: list[str | None] = []
        self._clock = clock
        self._log = log
        self._sessions: dict[str, _SignIn] = {}
        self._auth_codes: dict[str, _IssuedCode] = {}
        self._access: dict[str, _AccessGrant] = {}
        self._refresh: dict[str, str] = {}
        self._terms_accepted_by: set[str] = set()

    def add_routes(self, app: web.Application) -> None:
        """Register the sign-in and token paths on the simulator's app."""
        routes: list[tuple[str, str, _Handler]] = [
            ("GET", _AUTH, self._authorize),
            ("POST", _AUTHENTICATE, self._authenticate),
            ("POST", _CODE, self._authorise_app),
            ("POST", _TERMS_ACCEPT, self._accept_terms),
            ("GET", _MFA_SETUP, self._mfa_setup_page),
            ("POST", _SKIP_MFA_SETUP, self._skip_mfa_setup),
            ("GET", _VERIFY_OPTIONS, self._verify_options_page),
            ("POST", _SEND_CODE, self._choose_method),
            ("POST", _SEND_CODE_PROCESS, self._send_code),
            ("POST", _CHECK_CODE, self._check_code),
            ("POST", _TOKEN, self._token),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, self._logged(handler))

    def user_for_access_token(self, token: str) -> str | None:
        """The user an access token belongs to, if it is known and has not expired."""
        grant = self._access.get(token)
        if grant is None or grant.expires_at <= self._clock():
            return None
        return grant.user_id

    def revoke_refresh_tokens(self) -> None:
        """Forget every refresh token, as when the user signs out everywhere."""
        self._refresh.clear()

    def expire_access_tokens(self) -> None:
        """Let every access token lapse now."""
        for grant in self._access.values():
            grant.expires_at = -math.inf

    def issue_tokens_for(self, user_id: str) -> dict[str, Any]:
        """A fresh token reply for a user, as ``/oauth2/token`` would send it."""
        refresh_token = secrets.token_urlsafe(32)
        secrets_ledger.record("GE refresh token", refresh_token)
        self._refresh[refresh_token] = user_id
        return self._access_reply(user_id, refresh_token)

    # --- request plumbing ------------------------------------------------------------

    def _logged(self, handler: _Handler) -> _Handler:
        async def serve(request: web.Request) -> web.StreamResponse:
            if self._log is not None:
                self._log(request.method, request.path)
            return await handler(request)

        return serve

    def _session_of(self, request: web.Request) -> _SignIn | None:
        sid = request.cookies.get(SESSION_COOKIE)
        return self._sessions.get(sid) if sid else None

    async def _checked_form(
        self, request: web.Request
    ) -> tuple[_SignIn, dict[str, str]] | web.Response:
        """The session and form of a POST, or a 403 when the session or CSRF token is off."""
        session = self._session_of(request)
        form = {name: str(value) for name, value in (await request.post()).items()}
        if session is None or not secrets.compare_digest(form.get("_csrf", ""), session.csrf):
            return _page(
                "Forbidden", "<p>Invalid CSRF token or session.</p>", session=None, status=403
            )
        return session, form

    @staticmethod
    def _resume(session: _SignIn) -> web.Response:
        """Send the browser back to ``/oauth2/auth``, which shows whatever comes next."""
        return _redirect(f"{_AUTH}?{session.resume_query}")

    # --- /oauth2/auth and the password -----------------------------------------------

    async def _authorize(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        if (
            query.get("client_id") != CLIENT_ID
            or query.get("redirect_uri") != REDIRECT_URI
            or query.get("response_type") != "code"
        ):
            return web.Response(status=400, text="invalid_request")
        session = self._session_of(request)
        if session is not None and session.account is not None:
            return self._next_step(session)
        region = request.cookies.get(REGION_COOKIE)
        self.regions_seen.append(region)
        session = _SignIn(
            csrf=secrets.token_hex(16),
            resume_query=request.query_string,
            region=region or DEFAULT_REGION_VALUE,
        )
        sid = secrets.token_hex(16)
        self._sessions[sid] = session
        response = _sign_in_page(session, alert=None)
        response.set_cookie(SESSION_COOKIE, sid, path="/", httponly=True)
        response.set_cookie(REGION_COOKIE, session.region, path="/", httponly=True)
        return response

    async def _authenticate(self, request: web.Request) -> web.StreamResponse:
        checked = await self._checked_form(request)
        if isinstance(checked, web.Response):
            return checked
        session, form = checked
        username = form.get("username", "").strip().lower()
        password = form.get("password", "")
        account = next(
            (
                candidate
                for candidate in self.accounts
                if candidate.username.strip().lower() == username
                and secrets.compare_digest(candidate.password, password)
                and candidate.region == session.region
            ),
            None,
        )
        if account is None:
            return _sign_in_page(session, alert=BAD_PASSWORD_ALERT)
        session.account = account
        return self._resume(session)

    def _next_step(self, session: _SignIn) -> web.Response:
        """What a signed-in browser sees next, in the order GE shows it."""
        account = session.account
        assert account is not None
        scenario = self.scenario
        if scenario.unknown_page_title is not None:
            return _page(
                scenario.unknown_page_title,
                "<p>Please confirm you are a person.</p>",
                session=None,
            )
        if scenario.mfa and not session.mfa_passed:
            return _redirect(_VERIFY_OPTIONS)
        if scenario.mfa_nudge and not scenario.mfa and not session.mfa_setup_skipped:
            return _redirect(_MFA_SETUP)
        if scenario.terms and account.user_id not in self._terms_accepted_by:
            return _terms_page(session, acceptable=scenario.terms_acceptable)
        if scenario.authorisation_page and not session.app_authorised:
            return _authorisation_page(session)
        return self._redirect_with_code(account.user_id)

    def _redirect_with_code(self, user_id: str) -> web.Response:
        code = secrets.token_urlsafe(24)
        secrets_ledger.record("GE authorisation code", code)
        self._auth_codes[code] = _IssuedCode(user_id, self._clock())
        return _redirect(f"{REDIRECT_URI}?{urlencode({'code': code})}")

    # --- interstitial pages ----------------------------------------------------------

    async def _authorise_app(self, request: web.Request) -> web.StreamResponse:
        checked = await self._checked_form(request)
        if isinstance(checked, web.Response):
            return checked
        session, form = checked
        if session.account is None:
            return self._resume(session)
        if form.get("authorized") != "yes":
            return _redirect(f"{REDIRECT_URI}?{urlencode({'error': 'access_denied'})}")
        session.app_authorised = True
        return self._resume(session)

    async def _accept_terms(self, request: web.Request) -> web.StreamResponse:
        checked = await self._checked_form(request)
        if isinstance(checked, web.Response):
            return checked
        session, form = checked
        if session.account is None or not self.scenario.terms_acceptable:
            return web.Response(status=400, text="terms cannot be accepted here")
        if form.get("developerTerms") != "on" or form.get("connected_terms") != "on":
            return _terms_page(session, acceptable=True)
        self._terms_accepted_by.add(session.account.user_id)
        return self._resume(session)

    async def _mfa_setup_page(self, request: web.Request) -> web.StreamResponse:
        session = self._session_of(request)
        if session is None or session.account is None:
            return web.Response(status=400, text="sign in first")
        return _mfa_setup_page(session, skippable=self.scenario.mfa_nudge_skippable)

    async def _skip_mfa_setup(self, request: web.Request) -> web.StreamResponse:
        checked = await self._checked_form(request)
        if isinstance(checked, web.Response):
            return checked
        session, _ = checked
        if session.account is None or not self.scenario.mfa_nudge_skippable:
            return web.Response(status=400, text="multi-factor set-up cannot be skipped")
        session.mfa_setup_skipped = True
        return self._resume(session)

    # --- the one-time code -----------------------------------------------------------

    async def _verify_options_page(self, request: web.Request) -> web.StreamResponse:
        session = self._session_of(request)
        if session is None or session.account is None:
            return web.Response(status=400, text="sign in first")
        return _verify_options_page(session, self.scenario.mfa_methods)

    async def _choose_method(self, request: web.Request) -> web.StreamResponse:
        checked = await self._checked_form(request)
        if isinstance(checked, web.Response):
            return checked
        session, form = checked
        method = form.get("mfaType", "")
        if session.account is None or method not in self.scenario.mfa_methods:
            return web.Response(status=400, text="unknown delivery method")
        session.mfa_method = method
        return _send_code_page(session, method)

    async def _send_code(self, request: web.Request) -> web.StreamResponse:
        checked = await self._checked_form(request)
        if isinstance(checked, web.Response):
            return checked
        session, form = checked
        if (
            request.query.get("emailType") != "MFA_VERIFICATION"
            or session.account is None
            or session.mfa_method is None
            or form.get("mfaType") != session.mfa_method
        ):
            return web.Response(status=400, text="choose a delivery method first")
        session.mfa_code = f"{secrets.randbelow(1_000_000):06d}"
        secrets_ledger.record("GE one-time code", session.mfa_code)
        session.mfa_code_sent_at = self._clock()
        self.sent_codes.append(session.mfa_code)
        if self.code_listener is not None:
            self.code_listener(session.mfa_method, session.mfa_code)
        return _code_entry_page(session, alert=None)

    async def _check_code(self, request: web.Request) -> web.StreamResponse:
        checked = await self._checked_form(request)
        if isinstance(checked, web.Response):
            return checked
        session, form = checked
        expected = session.mfa_code
        fresh = self._clock() - session.mfa_code_sent_at <= self.scenario.code_lifetime
        if (
            session.account is None
            or expected is None
            or not fresh
            or not secrets.compare_digest(form.get("totpCode", ""), expected)
        ):
            return _code_entry_page(session, alert=BAD_CODE_ALERT)
        session.mfa_code = None
        session.mfa_passed = True
        return self._resume(session)

    # --- /oauth2/token ---------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.StreamResponse:
        form = {name: str(value) for name, value in (await request.post()).items()}
        if not (
            _basic_auth_matches(request.headers.get("Authorization", ""))
            and form.get("client_id") == CLIENT_ID
            and secrets.compare_digest(form.get("client_secret", ""), CLIENT_SECRET)
            and form.get("redirect_uri") == REDIRECT_URI
        ):
            return _oauth_error(401, "invalid_client")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            issued = self._auth_codes.pop(form.get("code", ""), None)
            if issued is None or self._clock() - issued.issued_at > self.scenario.code_lifetime:
                return _oauth_error(400, "invalid_grant")
            return web.json_response(self.issue_tokens_for(issued.user_id))
        if grant_type == "refresh_token":
            old = form.get("refresh_token", "")
            user_id = self._refresh.get(old)
            if user_id is None:
                return _oauth_error(400, "invalid_grant")
            if not self.scenario.rotate_refresh_tokens:
                return web.json_response(self._access_reply(user_id, refresh_token=None))
            del self._refresh[old]
            return web.json_response(self.issue_tokens_for(user_id))
        return _oauth_error(400, "unsupported_grant_type")

    def _access_reply(self, user_id: str, refresh_token: str | None) -> dict[str, Any]:
        access_token = secrets.token_urlsafe(32)
        secrets_ledger.record("GE access token", access_token)
        lifetime = self.scenario.token_lifetime
        self._access[access_token] = _AccessGrant(user_id, self._clock() + lifetime)
        reply: dict[str, Any] = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": int(lifetime),
        }
        if refresh_token is not None:
            reply["refresh_token"] = refresh_token
        return reply


def _basic_auth_matches(header: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except ValueError:  # bad base64 or not UTF-8
        return False
    return secrets.compare_digest(decoded, f"{CLIENT_ID}:{CLIENT_SECRET}")


def _redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location})


def _oauth_error(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


# --- page templates (shaped like GE's: same ids, names and paths) ---------------------


def _page(title: str, body: str, *, session: _SignIn | None, status: int = 200) -> web.Response:
    meta = f'<meta name="_csrf" content="{escape(session.csrf)}">' if session else ""
    document = (
        "<!DOCTYPE html><html><head>"
        f'<meta charset="utf-8"><title>{escape(title)}</title>{meta}'
        f"</head><body>{body}</body></html>"
    )
    return web.Response(status=status, text=document, content_type="text/html")


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def _rotate_csrf(session: _SignIn) -> str:
    session.csrf = secrets.token_hex(16)
    return session.csrf


def _sign_in_page(session: _SignIn, *, alert: str | None) -> web.Response:
    alert_html = f'<div id="alert_pane" class="alert">{escape(alert)}</div>' if alert else ""
    body = (
        f"<h1>Sign In</h1>{alert_html}"
        f'<form id="frmsignin" action="{_AUTHENTICATE}" method="post">'
        f"{_hidden('_csrf', session.csrf)}{_hidden('client_id', CLIENT_ID)}"
        f"{_hidden('redirect_uri', REDIRECT_URI)}"
        '<input type="email" name="username" value="">'
        '<input type="password" name="password" value="">'
        '<button type="submit" name="signin">Sign In</button></form>'
        f'<a href="{_AUTH}?region=eu">Change login region</a>'
    )
    return _page("Sign In", body, session=session)


def _terms_page(session: _SignIn, *, acceptable: bool) -> web.Response:
    if acceptable:
        body = (
            "<h1>Almost Finished...</h1><p>Please review and accept the updated terms.</p>"
            f'<form id="termsForm" action="{_TERMS_ACCEPT}" method="post">'
            f"{_hidden('_csrf', session.csrf)}"
            '<input type="checkbox" name="developerTerms">'
            '<input type="checkbox" name="connected_terms">'
            '<button type="submit">Accept</button></form>'
        )
    else:
        body = (
            "<h1>Almost Finished...</h1>"
            "<p>Please accept the updated terms in the SmartHQ app.</p>"
            f"<script>var acceptUrl = '{_TERMS_ACCEPT}';</script>"
        )
    return _page("Almost Finished...", body, session=session)


def _authorisation_page(session: _SignIn) -> web.Response:
    body = (
        "<h1>Authorize access</h1><p>SmartHQ would like to access your appliances.</p>"
        f'<form id="frmsignin" action="{_CODE}" method="post">'
        f"{_hidden('_csrf', session.csrf)}{_hidden('authorized', 'no')}"
        '<button type="submit">Allow</button></form>'
    )
    return _page("Authorize", body, session=session)


def _mfa_setup_page(session: _SignIn, *, skippable: bool) -> web.Response:
    body = "<h1>Multi-Factor Authentication</h1><p>Protect your account with a second step.</p>"
    if skippable:
        body += (
            f'<form id="addMfaForm" action="{_SKIP_MFA_SETUP}" method="post">'
            f"{_hidden('_csrf', session.csrf)}{_hidden('skip', 'true')}"
            '<button type="submit">Not now</button></form>'
        )
    else:
        body += "<p>Set up multi-factor authentication in the SmartHQ app to continue.</p>"
    return _page("Multi-Factor Authentication", body, session=session)


def _verify_options_page(session: _SignIn, methods: Sequence[str]) -> web.Response:
    csrf = _rotate_csrf(session)
    buttons = "".join(
        f'<button type="submit" name="{escape(method)}_btn" value="{escape(method)}">'
        f"Send a code by {escape(method)}</button>"
        for method in methods
    )
    body = (
        "<h1>Verify your identity</h1>"
        f'<form id="verifyOptionForm" action="{_SEND_CODE}" method="post">'
        f"{_hidden('_csrf', csrf)}{buttons}</form>"
    )
    return _page("Verify your identity", body, session=session)


def _send_code_page(session: _SignIn, method: str) -> web.Response:
    csrf = _rotate_csrf(session)
    body = (
        f"<h1>We will send a code by {escape(method)}</h1>"
        f'<form id="sendCodeForm" action="{_SEND_CODE_PROCESS}?emailType=MFA_VERIFICATION" '
        f'method="post">{_hidden("_csrf", csrf)}{_hidden("mfaType", method)}'
        '<button type="submit">Send code</button></form>'
    )
    return _page("Verify your identity", body, session=session)


def _code_entry_page(session: _SignIn, *, alert: str | None) -> web.Response:
    csrf = _rotate_csrf(session)
    alert_html = f'<div id="alert_pane" class="alert">{escape(alert)}</div>' if alert else ""
    body = (
        f"<h1>Enter your code</h1>{alert_html}"
        f'<form id="verifyCodeForm" action="{_CHECK_CODE}" method="post">'
        f"{_hidden('_csrf', csrf)}{_hidden('mfaType', session.mfa_method or '')}"
        '<input type="text" name="totpCode" value="">'
        '<button type="submit">Verify</button></form>'
        f'<a href="{_VERIFY_OPTIONS}">Use another method</a>'
    )
    return _page("Verify your identity", body, session=session)
