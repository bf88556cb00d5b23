"""Signing in to a SmartHQ account through GE's HTML sign-in pages, MFA included.

The sign-in is an OAuth authorisation-code flow whose every step is a web page meant for a
person. The flow below walks it by hand: redirects are followed one at a time (the last one
points at the phone app's own URL scheme and carries the code), interstitial pages are
recognised by their markers and answered, and cookies are kept by the flow itself, because
the session it is given may be shared and its cookie jar may ignore the sign-in host.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from http.cookies import CookieError, SimpleCookie
import logging
from typing import Final
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import aiohttp

from ..errors import (
    AuthError,
    ConnectionFailedError,
    InvalidValueError,
    KitchenError,
    ProtocolError,
)
from .endpoints import (
    CLIENT_ID,
    REDIRECT_URI,
    REGION_COOKIE,
    REGION_COOKIE_VALUES,
    Endpoints,
    Region,
)
from .html_page import HtmlPage, parse_page
from .redact import mask_identifiers
from .tokens import DEFAULT_REQUEST_TIMEOUT, TokenSet, async_exchange_code

_LOGGER = logging.getLogger(__name__)

AUTHORIZE_PATH: Final = "/oauth2/auth"
AUTHENTICATE_PATH: Final = "/oauth2/g_authenticate"
AUTHORISE_APP_PATH: Final = "/oauth2/code"
TERMS_ACCEPT_PATH: Final = "/oauth2/terms/accept"
SKIP_MFA_SETUP_PATH: Final = "/account/active/redirect"
MFA_OPTIONS_PATH: Final = "/account/active/security/verify/options"
MFA_SEND_PATH: Final = "/account/active/security/verify/sendtotp"
MFA_SEND_PROCESS_PATH: Final = (
    "/account/active/security/verify/sendtotp/process?emailType=MFA_VERIFICATION"
)
MFA_VERIFY_PATH: Final = "/account/active/security/verify/totpcode/process"

SIGN_IN_FORM: Final = "frmsignin"
MFA_CHALLENGE_FORM: Final = "verifyOptionForm"
MFA_SETUP_FORM: Final = "addMfaForm"
MFA_SETUP_MARKERS: Final = (
    MFA_SETUP_FORM,
    "Multi-Factor Authentication",
    "/account/active/security/add/mfamethod",
)
DEFAULT_MFA_METHOD: Final = "email"
MAX_HOPS: Final = 10
GE_ENDPOINTS: Final = Endpoints()

_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})


class LoginState(StrEnum):
    """Where a sign-in stands."""

    START = "start"
    MFA_CHALLENGE = "mfa_challenge"
    DONE = "done"
    FAILED = "failed"


class InvalidCredentialsError(AuthError):
    """The sign-in page came back with an error, usually a wrong e-mail or password."""

    def __init__(self, alert_text: str) -> None:
        """Keep GE's own wording, which is what the user needs to see."""
        self.alert_text = alert_text
        super().__init__(alert_text or "SmartHQ did not accept the e-mail address or password")


class TermsRequiredError(AuthError):
    """New terms of use wait for the user, and the page offers no form to accept them here."""


class MfaSetupRequiredError(AuthError):
    """SmartHQ insists that multi-factor sign-in is set up first, in the app or website."""


class WrongCodeError(AuthError):
    """The one-time code was wrong or has expired; another try or a new code may follow."""


class UnknownPageError(AuthError):
    """The sign-in stopped at a page this client does not know (CAPTCHA, maintenance…)."""

    def __init__(self, title: str) -> None:
        """Name the page by its title, which is what tells the user what happened."""
        self.title = title
        super().__init__(f"SmartHQ sign-in stopped at an unexpected page: {title or 'untitled'}")


class LoginStateError(KitchenError):
    """A sign-in step was called out of order (e.g. a code before any challenge)."""


@dataclass(frozen=True, slots=True)
class LoginSucceeded:
    """The account is signed in; ``used_mfa`` says whether a one-time code was needed."""

    tokens: TokenSet
    used_mfa: bool


@dataclass(frozen=True, slots=True)
class MfaRequired:
    """SmartHQ asks for a one-time code; ``methods`` are the ways it can send one."""

    methods: tuple[str, ...]


LoginResult = LoginSucceeded | MfaRequired


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    url: str
    location: str | None
    text: str


class SmartHqLogin:
    """One sign-in attempt, step by step, over a session owned by the caller."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        region: Region,
        endpoints: Endpoints = GE_ENDPOINTS,
        *,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        """Prepare a sign-in; nothing is sent until :meth:`async_sign_in`."""
        self._session = session
        self._region = region
        self._endpoints = endpoints
        self._login_url = endpoints.login_url.rstrip("/")
        self._login_origin = _origin(self._login_url)
        self._request_timeout = request_timeout
        self._state = LoginState.START
        self._cookies: dict[str, str] = {}
        self._csrf: str | None = None
        self._mfa_methods: tuple[str, ...] = ()
        self._mfa_method = DEFAULT_MFA_METHOD
        self._used_mfa = False

    @property
    def state(self) -> LoginState:
        """The step the sign-in has reached."""
        return self._state

    @property
    def mfa_methods(self) -> tuple[str, ...]:
        """The ways SmartHQ offered to send a one-time code (empty before a challenge)."""
        return self._mfa_methods

    async def async_sign_in(self, username: str, password: str) -> LoginResult:
        """Submit the e-mail address and password; starts afresh each time it is called."""
        self._reset()
        try:
            page = await self._async_open_sign_in_page()
            form = page.form(SIGN_IN_FORM)
            if form is None:
                raise UnknownPageError(page.title)
            fields = form.values()
            fields["username"] = username.strip().lower()
            fields["password"] = password
            reply = await self._async_request("POST", self._url(AUTHENTICATE_PATH), fields)
            return await self._async_walk(reply)
        except KitchenError:
            self._state = LoginState.FAILED
            raise

    async def async_send_code(self, method: str | None = None) -> None:
        """Ask SmartHQ to send a one-time code (again), by default the first way offered."""
        self._require_challenge()
        chosen = method or (self._mfa_methods[0] if self._mfa_methods else DEFAULT_MFA_METHOD)
        if self._mfa_methods and chosen not in self._mfa_methods:
            raise InvalidValueError(f"SmartHQ offers no {chosen!r} code delivery")
        self._mfa_method = chosen
        try:
            for path in (MFA_SEND_PATH, MFA_SEND_PROCESS_PATH):
                reply = await self._async_request("POST", self._url(path), self._mfa_fields())
                self._raise_for_refusal(reply, "the request for a code")
                self._csrf = parse_page(reply.text).csrf or self._csrf
        except KitchenError as err:
            # After a network failure the challenge is still open; the user may try again.
            if not isinstance(err, ConnectionFailedError):
                self._state = LoginState.FAILED
            raise
        _LOGGER.debug("SmartHQ sent a one-time code by %s", chosen)

    async def async_submit_code(self, code: str) -> LoginResult:
        """Answer the challenge; a wrong or expired code leaves it open for another try."""
        self._require_challenge()
        fields = self._mfa_fields()
        fields["totpCode"] = code.strip()
        try:
            reply = await self._async_request("POST", self._url(MFA_VERIFY_PATH), fields)
            if reply.status == 200:
                page = parse_page(reply.text)
                self._csrf = page.csrf or self._csrf
                raise WrongCodeError(
                    page.alert_text or "SmartHQ did not accept the code; it may have expired"
                )
            self._raise_for_refusal(reply, "the one-time code")
            self._used_mfa = True
            return await self._async_walk(reply)
        except KitchenError as err:
            if not isinstance(err, WrongCodeError | ConnectionFailedError):
                self._state = LoginState.FAILED
            raise

    def _reset(self) -> None:
        self._state = LoginState.START
        self._cookies = {REGION_COOKIE: REGION_COOKIE_VALUES[self._region]}
        self._csrf = None
        self._mfa_methods = ()
        self._mfa_method = DEFAULT_MFA_METHOD
        self._used_mfa = False

    def _require_challenge(self) -> None:
        if self._state is not LoginState.MFA_CHALLENGE:
            raise LoginStateError(f"no one-time code is awaited (sign-in is {self._state})")

    def _mfa_fields(self) -> dict[str, str]:
        return {"mfaType": self._mfa_method, "_csrf": self._csrf or ""}

    def _url(self, path: str) -> str:
        return self._login_url + path

    async def _async_open_sign_in_page(self) -> HtmlPage:
        query = {
            "client_id": CLIENT_ID,
            "response_type": "code",
            "access_type": "offline",
            "redirect_uri": REDIRECT_URI,
        }
        reply = await self._async_request(
            "GET", f"{self._url(AUTHORIZE_PATH)}?{urlencode(query, safe=':/')}"
        )
        for _ in range(MAX_HOPS):
            if reply.status not in _REDIRECT_STATUSES:
                break
            reply = await self._async_request("GET", self._next_url(reply))
        self._raise_for_refusal(reply, "the sign-in request")
        if reply.status != 200:
            raise ProtocolError(f"SmartHQ sign-in page answered HTTP {reply.status}")
        return parse_page(reply.text)

    async def _async_walk(self, reply: _Reply) -> LoginResult:
        """Follow redirects and answer interstitial pages until a code or a question turns up."""
        for _ in range(MAX_HOPS + 1):
            if reply.status in _REDIRECT_STATUSES:
                code = self._code_from_redirect(reply)
                if code is not None:
                    return await self._async_finish(code)
                reply = await self._async_request("GET", self._next_url(reply))
            elif reply.status == 200:
                page = parse_page(reply.text)
                next_step = self._answer_page(page)
                if isinstance(next_step, MfaRequired):
                    return next_step
                path, fields = next_step
                reply = await self._async_request("POST", self._url(path), fields)
            else:
                self._raise_for_refusal(reply, "the sign-in")
                raise ProtocolError(f"SmartHQ sign-in answered HTTP {reply.status}")
        raise ProtocolError(f"SmartHQ sign-in did not finish within {MAX_HOPS} steps")

    def _answer_page(self, page: HtmlPage) -> MfaRequired | tuple[str, dict[str, str]]:
        """Recognise an interstitial page, in GE's order, and say what to post next."""
        if page.mentions(MFA_OPTIONS_PATH, MFA_CHALLENGE_FORM):
            self._mfa_methods = page.mfa_methods or (DEFAULT_MFA_METHOD,)
            self._csrf = page.csrf
            self._state = LoginState.MFA_CHALLENGE
            _LOGGER.debug("SmartHQ asks for a one-time code (%s)", ", ".join(self._mfa_methods))
            return MfaRequired(self._mfa_methods)
        if page.mentions(*MFA_SETUP_MARKERS):
            setup_form = page.form(MFA_SETUP_FORM)
            if setup_form is None:
                raise MfaSetupRequiredError(
                    "SmartHQ requires multi-factor sign-in to be set up in the SmartHQ app first"
                )
            _LOGGER.debug("Skipping SmartHQ's offer to set up multi-factor sign-in")
            return SKIP_MFA_SETUP_PATH, setup_form.values()
        if page.mentions(TERMS_ACCEPT_PATH):
            if not page.forms:
                raise TermsRequiredError(
                    "SmartHQ wants new terms of use accepted in the SmartHQ app or website"
                )
            fields = page.forms[0].values()
            fields["developerTerms"] = "on"
            fields["connected_terms"] = "on"
            _LOGGER.debug("Accepting SmartHQ's terms of use")
            return TERMS_ACCEPT_PATH, fields
        sign_in_form = page.form(SIGN_IN_FORM)
        if sign_in_form is not None and "authorized" in sign_in_form.inputs:
            fields = sign_in_form.values()
            fields["authorized"] = "yes"
            _LOGGER.debug("Authorising the app for the SmartHQ account")
            return AUTHORISE_APP_PATH, fields
        if page.has_alert:
            raise InvalidCredentialsError(page.alert_text or "")
        raise UnknownPageError(page.title)

    def _code_from_redirect(self, reply: _Reply) -> str | None:
        """The authorisation code of a redirect, or None when it leads to another page."""
        location = reply.location or ""
        query = parse_qs(urlsplit(location).query)
        codes = query.get("code")
        if codes and codes[0]:
            return codes[0]
        if location.startswith(REDIRECT_URI.split("://", 1)[0] + ":"):
            error = query.get("error", ["no code"])[0]
            raise AuthError(f"SmartHQ ended the sign-in without a code ({error[:40]})")
        return None

    def _next_url(self, reply: _Reply) -> str:
        if not reply.location:
            raise ProtocolError(f"SmartHQ sign-in sent HTTP {reply.status} without a target")
        target = urljoin(reply.url, reply.location)
        if urlsplit(target).scheme not in ("http", "https"):
            raise ProtocolError("SmartHQ sign-in redirected somewhere no browser could follow")
        return target

    async def _async_finish(self, code: str) -> LoginSucceeded:
        tokens = await async_exchange_code(
            self._session, self._endpoints, code, request_timeout=self._request_timeout
        )
        self._state = LoginState.DONE
        _LOGGER.debug("SmartHQ sign-in complete (one-time code used: %s)", self._used_mfa)
        return LoginSucceeded(tokens, self._used_mfa)

    @staticmethod
    def _raise_for_refusal(reply: _Reply, what: str) -> None:
        if 400 <= reply.status < 500:
            raise AuthError(f"SmartHQ refused {what} (HTTP {reply.status})")

    async def _async_request(
        self, method: str, url: str, form: Mapping[str, str] | None = None
    ) -> _Reply:
        """One request without automatic redirects, carrying the flow's own cookies."""
        same_origin = _origin(url) == self._login_origin
        headers = {"Accept": "text/html,application/xhtml+xml"}
        if same_origin and self._cookies:
            headers["Cookie"] = "; ".join(
                f"{name}={value}" for name, value in self._cookies.items()
            )
        path = urlsplit(url).path
        try:
            async with self._session.request(
                method,
                url,
                data=dict(form) if form is not None else None,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self._request_timeout),
            ) as response:
                if same_origin:
                    self._keep_cookies(response.headers.getall("Set-Cookie", []))
                text = await response.text(errors="replace")
                reply = _Reply(
                    response.status, str(response.url), response.headers.get("Location"), text
                )
        except TimeoutError as err:
            raise ConnectionFailedError("SmartHQ sign-in did not answer in time") from err
        except aiohttp.ClientError as err:
            raise ConnectionFailedError(
                f"cannot reach the SmartHQ sign-in ({type(err).__name__})"
            ) from err
        _LOGGER.debug(
            "SmartHQ sign-in %s %s -> HTTP %d", method, mask_identifiers(path), reply.status
        )
        if reply.status >= 500:
            raise ConnectionFailedError(f"SmartHQ sign-in is unavailable (HTTP {reply.status})")
        return reply

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if not morsel.value or morsel["max-age"] == "0":
                    self._cookies.pop(name, None)
                else:
                    self._cookies[name] = morsel.coded_value


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
