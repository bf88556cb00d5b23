"""SmartHQ OAuth tokens: the code exchange, and refreshing ahead of expiry.

Accounts with multi-factor sign-in cannot sign in again unattended, so once signed in the
refresh token is the account's lifeline: it is refreshed before it is needed, every new one
is handed to the owner to persist, and a refused refresh is reported as such rather than
answered with a password sign-in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import json
import logging
import re
import time
from typing import Any, Final

import aiohttp

from ..errors import AuthError, ConnectionFailedError, ProtocolError
from ..tokens import (
    TokenSet as TokenSet,  # noqa: PLC0414 - shared by every brand, imported from here too
    is_header_token,
)
from .endpoints import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, Endpoints

_LOGGER = logging.getLogger(__name__)

TOKEN_PATH: Final = "/oauth2/token"  # noqa: S105 - a URL path, not a secret
DEFAULT_EXPIRES_IN: Final = 3600.0
# GE issues hour-long tokens; anything beyond a year is not a lifetime but a broken reply.
MAX_EXPIRES_IN: Final = 366 * 24 * 3600.0
DEFAULT_REQUEST_TIMEOUT: Final = 30.0
# Throttling and request timeouts say nothing about the refresh token itself.
_TRANSIENT_STATUSES: Final = frozenset({408, 429})
_OAUTH_ERROR_CODE: Final = re.compile(r"[a-z_]{1,40}")


class RefreshRejectedError(AuthError):
    """SmartHQ refused the refresh token; the account has to be signed in again."""


async def async_exchange_code(
    session: aiohttp.ClientSession,
    endpoints: Endpoints,
    code: str,
    *,
    clock: Callable[[], float] = time.time,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
) -> TokenSet:
    """Trade an authorisation code from the sign-in for a token set."""
    form = {
        "code": code,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT_URI,
        "grant_type": "authorization_code",
    }
    status, body = await _post_token_request(session, endpoints, form, request_timeout)
    if status >= 400:
        raise AuthError(f"SmartHQ refused the sign-in code{_oauth_error_suffix(status, body)}")
    return parse_token_reply(body, previous_refresh_token=None, now=clock())


class TokenManager:
    """Keeps one account's access token fresh and hands out the current one."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoints: Endpoints,
        tokens: TokenSet,
        *,
        on_rotated: Callable[[TokenSet], None] | None = None,
        refresh_margin: float = 300.0,
        clock: Callable[[], float] = time.time,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        """Start from a stored or freshly issued token set; nothing is sent yet."""
        self._session = session
        self._endpoints = endpoints
        self._tokens = tokens
        self._on_rotated = on_rotated
        self._refresh_margin = refresh_margin
        self._clock = clock
        self._request_timeout = request_timeout
        self._lock = asyncio.Lock()
        self._generation = 0

    @property
    def tokens(self) -> TokenSet:
        """The newest token set."""
        return self._tokens

    async def async_access_token(self) -> str:
        """The access token to send now, refreshed first when it is about to lapse."""
        if self._is_due():
            generation = self._generation
            async with self._lock:
                if self._generation == generation and self._is_due():
                    await self._refresh_locked()
        return self._tokens.access_token

    async def async_refresh(self) -> TokenSet:
        """Refresh now, e.g. after the service refused the access token.

        Callers that arrive while another refresh is running get that refresh's result
        instead of spending the refresh token a second time.
        """
        generation = self._generation
        async with self._lock:
            if self._generation == generation:
                await self._refresh_locked()
        return self._tokens

    def _is_due(self) -> bool:
        return self._tokens.seconds_left(self._clock()) <= self._refresh_margin

    async def _refresh_locked(self) -> None:
        old = self._tokens
        form = {
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "grant_type": "refresh_token",
            "refresh_token": old.refresh_token,
        }
        status, body = await _post_token_request(
            self._session, self._endpoints, form, self._request_timeout
        )
        if status >= 400 or _oauth_error(body) == "invalid_grant":
            raise RefreshRejectedError(
                f"SmartHQ refused the refresh token{_oauth_error_suffix(status, body)}"
            )
        new = parse_token_reply(body, previous_refresh_token=old.refresh_token, now=self._clock())
        self._tokens = new
        self._generation += 1
        _LOGGER.debug(
            "SmartHQ access token refreshed (valid for %.0f s, refresh token %s)",
            new.seconds_left(self._clock()),
            "rotated" if new.refresh_token != old.refresh_token else "kept",
        )
        if self._on_rotated is not None and new != old:
            self._on_rotated(new)


async def _post_token_request(
    session: aiohttp.ClientSession,
    endpoints: Endpoints,
    form: Mapping[str, str],
    request_timeout: float,
) -> tuple[int, Any]:
    """POST to the token endpoint; returns the status and the decoded JSON (or None)."""
    url = endpoints.login_url.rstrip("/") + TOKEN_PATH
    try:
        async with session.post(
            url,
            data=dict(form),
            headers={
                "Accept": "application/json",
                "Authorization": aiohttp.encode_basic_auth(CLIENT_ID, CLIENT_SECRET),
            },
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=request_timeout),
        ) as response:
            status = response.status
            raw = await response.read()
    except TimeoutError as err:
        raise ConnectionFailedError("SmartHQ token service did not answer in time") from err
    except aiohttp.ClientError as err:
        raise ConnectionFailedError(
            f"cannot reach the SmartHQ token service ({type(err).__name__})"
        ) from err
    if status >= 500 or status in _TRANSIENT_STATUSES:
        raise ConnectionFailedError(f"SmartHQ token service is unavailable (HTTP {status})")
    try:
        body: Any = json.loads(raw)
    except ValueError, RecursionError:
        # ValueError also covers bytes that are not UTF-8 and integers too long to read.
        body = None
    if status < 400 and body is None:
        raise ProtocolError(f"SmartHQ token service sent no JSON (HTTP {status})")
    return status, body


def _oauth_error(body: Any) -> str | None:
    """The OAuth ``error`` code of a reply, when it is a plain code (never free text)."""
    if isinstance(body, dict):
        code = body.get("error")
        if isinstance(code, str) and _OAUTH_ERROR_CODE.fullmatch(code):
            return code
    return None


def _oauth_error_suffix(status: int, body: Any) -> str:
    code = _oauth_error(body)
    return f" (HTTP {status}, {code})" if code else f" (HTTP {status})"


def parse_token_reply(body: Any, *, previous_refresh_token: str | None, now: float) -> TokenSet:
    """The token set of a token endpoint reply; ProtocolError for anything unusable.

    A reply without a refresh token keeps ``previous_refresh_token``; one without a lifetime
    is taken to last an hour.
    """
    if not isinstance(body, dict):
        raise ProtocolError("SmartHQ token reply is not a JSON object")
    access_token = body.get("access_token")
    if not is_header_token(access_token):
        raise ProtocolError("SmartHQ token reply has no usable access token")
    refresh_token = body.get("refresh_token")
    if refresh_token is None or refresh_token == "":
        refresh_token = previous_refresh_token
    if not is_header_token(refresh_token):
        raise ProtocolError("SmartHQ token reply has no usable refresh token")
    expires_in = _lifetime(body.get("expires_in", DEFAULT_EXPIRES_IN))
    return TokenSet(access_token, refresh_token, now + expires_in)


def _lifetime(value: Any) -> float:
    """Seconds from an ``expires_in`` of a number or numeric text, range-checked."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError("SmartHQ token reply has an unreadable lifetime")
    # Compared before any conversion: a huge integer would overflow a float, and NaN fails.
    if not 0 <= value <= MAX_EXPIRES_IN:
        raise ProtocolError("SmartHQ token reply has an out-of-range lifetime")
    return float(value)
