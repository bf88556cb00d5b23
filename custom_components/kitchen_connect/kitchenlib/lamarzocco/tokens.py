"""Sign-in and refresh replies, token lifetimes, and what a refused sign-in means.

Pure functions only: the HTTP client of a later part sends the requests and asks these
functions what the replies say and when to refresh.
"""

from __future__ import annotations

import base64
import binascii
from enum import StrEnum
import json
from typing import Any, Final

from ..errors import AuthError, ConnectionFailedError, KitchenError, ProtocolError
from ..tokens import TokenSet, is_header_token

SIGNIN_PATH: Final = "/auth/signin"
REFRESH_PATH: Final = "/auth/refreshtoken"
INIT_PATH: Final = "/auth/init"
# Not captured from the real service yet (pylamarzocco 2.5.2 has no acceptance and 2.5.3
# is not published where we can read it): our design, kept here with the detection below
# so the real shape replaces both in one place.
PRIVACY_POLICY_PATH: Final = "/auth/accept-privacy-policy"

# The sign-in reply carries no lifetime; tokens have lasted an hour.
DEFAULT_LIFETIME: Final = 3600.0
# pylamarzocco refreshes with ten minutes left; so do we.
REFRESH_MARGIN: Final = 600.0
# An expiry further out than this, or further back, is not a lifetime but a broken token.
MAX_LIFETIME: Final = 366 * 24 * 3600.0
MAX_AGE: Final = 24 * 3600.0
_MAX_JWT_PAYLOAD: Final = 8192


class PrivacyPolicyError(AuthError):
    """The account has to accept La Marzocco's current privacy policy before signing in."""


class RequestBlockedError(ConnectionFailedError):
    """The cloud's front end blocked the request (HTTP 403 without an account reason)."""


class TokenAction(StrEnum):
    """What to do about the current token before the next request."""

    USE = "use"
    REFRESH = "refresh"
    SIGN_IN = "sign_in"


def token_action(
    tokens: TokenSet | None, now: float, margin: float = REFRESH_MARGIN
) -> TokenAction:
    """Use the token, refresh it while it still works, or sign in again once it lapsed."""
    if tokens is None or tokens.expires_at <= now:
        return TokenAction.SIGN_IN
    if tokens.seconds_left(now) <= margin:
        return TokenAction.REFRESH
    return TokenAction.USE


def parse_token_reply(
    body: Any, *, now: float, previous_refresh_token: str | None = None
) -> TokenSet:
    """The token set of a sign-in or refresh reply; ProtocolError for anything unusable.

    A refresh reply without a refresh token keeps ``previous_refresh_token``.
    """
    if not isinstance(body, dict):
        raise ProtocolError("La Marzocco token reply is not a JSON object")
    token_type = body.get("tokenType", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise ProtocolError("La Marzocco token reply is not a bearer token")
    access_token = body.get("accessToken")
    if not is_header_token(access_token):
        raise ProtocolError("La Marzocco token reply has no usable access token")
    refresh_token = body.get("refreshToken") or previous_refresh_token
    if not is_header_token(refresh_token):
        raise ProtocolError("La Marzocco token reply has no usable refresh token")
    return TokenSet(access_token, refresh_token, token_expiry(access_token, now=now))


def token_expiry(access_token: str, *, now: float) -> float:
    """When the token lapses: its JWT ``exp`` (signature not checked), else an hour from now.

    A token that is not a readable JWT, or has no integer ``exp``, gets the hour; a readable
    ``exp`` that lies more than a year ahead or a day behind is a broken token: ProtocolError.
    """
    exp = _jwt_exp(access_token)
    if exp is None:
        return now + DEFAULT_LIFETIME
    if not now - MAX_AGE <= exp <= now + MAX_LIFETIME:
        raise ProtocolError("La Marzocco access token expires at an impossible time")
    return float(exp)


def _jwt_exp(token: str) -> int | None:
    parts = token.split(".")
    if len(parts) != 3 or not 0 < len(parts[1]) <= _MAX_JWT_PAYLOAD:
        return None
    payload = parts[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(raw)
    except binascii.Error, ValueError, RecursionError:
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, bool) or not isinstance(exp, int):
        return None
    return exp


def is_privacy_policy_refusal(status: int, body: Any) -> bool:
    """Whether a refusal asks the account to accept the privacy policy.

    The wire shape is not captured yet, so this is the one place that guesses it: a 4xx
    reply whose JSON names the privacy policy in one of its codes or messages.
    """
    if not 400 <= status < 500 or not isinstance(body, dict):
        return False
    for key in ("errorCode", "code", "error", "message", "type"):
        value = body.get(key)
        if isinstance(value, str) and len(value) <= 200:
            folded = value.casefold().replace("_", " ")
            if "privacy" in folded or "policy" in folded:
                return True
    return False


def privacy_policy_acceptance(
    username: str, password: str, *, profile_data: bool, commercial: bool
) -> dict[str, Any]:
    """The body that accepts the current privacy policy with the two optional consents.

    The credentials identify the account because a refused account has no token yet.
    """
    return {
        "username": username,
        "password": password,
        "privacyPolicyAccepted": True,
        "profileDataConsent": bool(profile_data),
        "commercialUseConsent": bool(commercial),
    }


def refusal_error(status: int, body: Any) -> KitchenError:
    """The error a refused sign-in or request stands for (status >= 400).

    Bad credentials and a refused token are AuthError; the privacy policy has its own error
    so the flow can offer to accept it; a 403 without it is the front end blocking us; 5xx,
    408 and 429 are the service being unavailable.
    """
    if is_privacy_policy_refusal(status, body):
        return PrivacyPolicyError("La Marzocco asks to accept its privacy policy")
    if status in (400, 401):
        return AuthError(f"La Marzocco refused the credentials (HTTP {status})")
    if status == 403:
        return RequestBlockedError("La Marzocco's cloud blocked the request (HTTP 403)")
    if status >= 500 or status in (408, 429):
        return ConnectionFailedError(f"La Marzocco's cloud is unavailable (HTTP {status})")
    return ProtocolError(f"La Marzocco's cloud refused the request (HTTP {status})")
