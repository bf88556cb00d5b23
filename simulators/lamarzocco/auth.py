"""The simulated cloud's authentication core: key registration, signed requests, tokens.

The real service's refusal bodies are not captured; the statuses follow the reference
(401 for a refused ``/auth/init`` or credentials, 412 when the signing headers are missing,
403 when they do not verify) and the bodies are short JSON objects with a ``code``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any, Final
import uuid

from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import (
    HEADER_INSTALLATION_ID,
    HEADER_NONCE,
    HEADER_PROOF,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    derive_secret,
    init_proof,
    is_p256_public_key,
    signed_message,
    verify_signature,
)

from .. import secrets_ledger

# How far a request's timestamp may stray from the simulator's clock.
DEFAULT_MAX_SKEW: Final = 300.0
DEFAULT_TOKEN_LIFETIME: Final = 3600
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIMESTAMP: Final = re.compile(r"[0-9]{1,16}")


@dataclass(frozen=True, slots=True)
class Refusal:
    """An HTTP refusal: status and JSON body."""

    status: int
    body: Mapping[str, Any]


def _refusal(status: int, code: str, message: str) -> Refusal:
    return Refusal(status, {"status": status, "code": code, "message": message})


MISSING_HEADERS: Final = _refusal(412, "MISSING_SIGNATURE", "Request signature headers missing")
UNKNOWN_INSTALLATION: Final = _refusal(403, "UNKNOWN_INSTALLATION", "Installation not registered")
BAD_SIGNATURE: Final = _refusal(403, "INVALID_SIGNATURE", "Request signature is invalid")
STALE_TIMESTAMP: Final = _refusal(403, "INVALID_TIMESTAMP", "Request timestamp out of window")
REUSED_NONCE: Final = _refusal(403, "NONCE_REUSED", "Request nonce already used")
BAD_PROOF: Final = _refusal(401, "INVALID_PROOF", "Installation proof is invalid")
BAD_CREDENTIALS: Final = _refusal(401, "INVALID_CREDENTIALS", "Bad credentials")
BAD_REFRESH_TOKEN: Final = _refusal(401, "INVALID_REFRESH_TOKEN", "Refresh token is invalid")
BAD_REQUEST: Final = _refusal(400, "BAD_REQUEST", "Request body is invalid")
PRIVACY_POLICY: Final = _refusal(
    403, "PRIVACY_POLICY_NOT_ACCEPTED", "The current privacy policy must be accepted"
)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    folded = name.casefold()
    for key, value in headers.items():
        if key.casefold() == folded:
            return value
    return None


def _text_field(body: Any, key: str) -> str:
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(slots=True)
class _Account:
    password: str
    refresh_tokens: set[str] = field(default_factory=set)


class CloudAuth:
    """Registered installations, the nonces they used, accounts and the tokens handed out."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        max_skew: float = DEFAULT_MAX_SKEW,
        token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
    ) -> None:
        """An empty cloud; add accounts with ``add_account``."""
        self._clock = clock
        self._max_skew = max_skew
        self._token_lifetime = token_lifetime
        self._keys: dict[str, bytes] = {}
        self._nonces: dict[tuple[str, str], float] = {}
        self._accounts: dict[str, _Account] = {}
        self._access: dict[str, tuple[str, float]] = {}
        self._jwt_key = secrets.token_bytes(32)
        self.require_privacy_policy = False
        # username -> (profile data, commercial use) as accepted; accepted accounts sign in.
        self.policy_consents: dict[str, tuple[bool, bool]] = {}

    def add_account(self, username: str, password: str) -> None:
        """An account that can sign in."""
        secrets_ledger.record("La Marzocco e-mail", username)
        secrets_ledger.record("La Marzocco password", password)
        self._accounts[username] = _Account(password)

    def is_registered(self, installation_id: str) -> bool:
        """Whether ``/auth/init`` accepted this installation."""
        return installation_id in self._keys

    def register(self, headers: Mapping[str, str], body: Any) -> Refusal | None:
        """``POST /auth/init``: record the public key when the proof matches it."""
        installation_id = _header(headers, HEADER_INSTALLATION_ID)
        sent_proof = _header(headers, HEADER_PROOF)
        encoded_key = body.get("pk") if isinstance(body, dict) else None
        if not installation_id or not sent_proof or not isinstance(encoded_key, str):
            return BAD_PROOF
        try:
            public_der = base64.b64decode(encoded_key, validate=True)
        except binascii.Error, ValueError:
            return BAD_PROOF
        if not is_p256_public_key(public_der):
            return BAD_PROOF
        secret = derive_secret(installation_id, public_der)
        if not hmac.compare_digest(init_proof(installation_id, public_der, secret), sent_proof):
            return BAD_PROOF
        secrets_ledger.record("La Marzocco installation secret", secret, base64.b64encode(secret))
        self._keys[installation_id] = public_der
        return None

    def verify_request(self, headers: Mapping[str, str]) -> Refusal | None:
        """Check a request's signing headers; a nonce is spent even when the request fails."""
        installation_id = _header(headers, HEADER_INSTALLATION_ID)
        timestamp = _header(headers, HEADER_TIMESTAMP)
        nonce = _header(headers, HEADER_NONCE)
        signature = _header(headers, HEADER_SIGNATURE)
        if not installation_id or not timestamp or not nonce or not signature:
            return MISSING_HEADERS
        public_der = self._keys.get(installation_id)
        if public_der is None:
            return UNKNOWN_INSTALLATION
        now = self._clock()
        if not _TIMESTAMP.fullmatch(timestamp) or abs(int(timestamp) / 1000 - now) > self._max_skew:
            return STALE_TIMESTAMP
        try:
            raw_signature = base64.b64decode(signature, validate=True)
        except binascii.Error, ValueError:
            return BAD_SIGNATURE
        secret = derive_secret(installation_id, public_der)
        message = signed_message(installation_id, nonce, timestamp, secret)
        if not _UUID.fullmatch(nonce) or not verify_signature(public_der, message, raw_signature):
            return BAD_SIGNATURE
        self._forget_old_nonces(now)
        if (installation_id, nonce) in self._nonces:
            return REUSED_NONCE
        self._nonces[installation_id, nonce] = now
        return None

    def _forget_old_nonces(self, now: float) -> None:
        # A nonce older than twice the window can no longer come with a valid timestamp.
        horizon = now - 2 * self._max_skew
        for key in [key for key, seen in self._nonces.items() if seen < horizon]:
            del self._nonces[key]

    def sign_in(self, headers: Mapping[str, str], body: Any) -> tuple[int, Mapping[str, Any]]:
        """``POST /auth/signin``: status and JSON reply."""
        refusal = self.verify_request(headers)
        if refusal is not None:
            return refusal.status, refusal.body
        username = _text_field(body, "username")
        account = self._accounts.get(username)
        if account is None or account.password != _text_field(body, "password"):
            return BAD_CREDENTIALS.status, BAD_CREDENTIALS.body
        if self.require_privacy_policy and username not in self.policy_consents:
            return PRIVACY_POLICY.status, PRIVACY_POLICY.body
        return 200, self._issue(username, account)

    def accept_privacy_policy(
        self, headers: Mapping[str, str], body: Any
    ) -> tuple[int, Mapping[str, Any]]:
        """Our design of the acceptance (the real one is not captured): credentials + consents."""
        refusal = self.verify_request(headers)
        if refusal is not None:
            return refusal.status, refusal.body
        username = _text_field(body, "username")
        account = self._accounts.get(username)
        if account is None or account.password != _text_field(body, "password"):
            return BAD_CREDENTIALS.status, BAD_CREDENTIALS.body
        consents = [body.get(key) for key in ("profileDataConsent", "commercialUseConsent")]
        if body.get("privacyPolicyAccepted") is not True or not all(
            isinstance(consent, bool) for consent in consents
        ):
            return BAD_REQUEST.status, BAD_REQUEST.body
        self.policy_consents[username] = (bool(consents[0]), bool(consents[1]))
        return 200, {"status": "accepted"}

    def refresh(self, headers: Mapping[str, str], body: Any) -> tuple[int, Mapping[str, Any]]:
        """``POST /auth/refreshtoken``: a new token pair for a refresh token handed out."""
        refusal = self.verify_request(headers)
        if refusal is not None:
            return refusal.status, refusal.body
        username = _text_field(body, "username")
        token = _text_field(body, "refreshToken")
        account = self._accounts.get(username)
        if account is None or token not in account.refresh_tokens:
            return BAD_REFRESH_TOKEN.status, BAD_REFRESH_TOKEN.body
        account.refresh_tokens.discard(token)
        return 200, self._issue(username, account)

    def revoke_refresh_tokens(self, username: str) -> None:
        """Make every refresh token of ``username`` invalid (a forced re-sign-in)."""
        self._accounts[username].refresh_tokens.clear()

    def bearer_user(self, authorization: str | None) -> str | None:
        """The user of a valid, unexpired ``Bearer`` access token, else None."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        entry = self._access.get(authorization.removeprefix("Bearer "))
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    def _issue(self, username: str, account: _Account) -> dict[str, Any]:
        now = int(self._clock())
        expires = now + self._token_lifetime
        access = self._jwt({"sub": username, "iat": now, "nbf": now, "exp": expires})
        refresh = secrets.token_urlsafe(32)
        user_id = str(uuid.uuid5(uuid.NAMESPACE_DNS, username))
        secrets_ledger.record("La Marzocco access token", access)
        secrets_ledger.record("La Marzocco refresh token", refresh)
        secrets_ledger.record("La Marzocco user id", user_id)
        self._access[access] = (username, expires)
        account.refresh_tokens.add(refresh)
        return {
            "id": user_id,
            "accessToken": access,
            "refreshToken": refresh,
            "tokenType": "Bearer",
            "username": username,
            "email": username,
        }

    def _jwt(self, claims: Mapping[str, Any]) -> str:
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64url(json.dumps({**claims, "jti": secrets.token_hex(8)}).encode())
        signing_input = f"{header}.{payload}".encode("ascii")
        signature = hmac.new(self._jwt_key, signing_input, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64url(signature)}"

    def expire_access_tokens(self) -> None:
        """Make every access token handed out invalid before its time (a revoked session)."""
        self._access.clear()
