"""Sign-in and refresh replies, token expiry and refusals, against the simulated cloud."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    AuthError,
    ConnectionFailedError,
    KitchenError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import (
    InstallationKey,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.tokens import (
    DEFAULT_LIFETIME,
    PrivacyPolicyError,
    RequestBlockedError,
    TokenAction,
    TokenSet,
    is_privacy_policy_refusal,
    parse_token_reply,
    refusal_error,
    token_action,
    token_expiry,
)
from simulators.lamarzocco.auth import CloudAuth

NOW = 1_700_000_000.0
USER = "barista@example.com"
PASSWORD = "crema-42"


def _jwt(claims: Any) -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return f"{part(b'{}')}.{part(json.dumps(claims).encode())}.sig"


class Cloud:
    """The simulated cloud with one account, one registered key and a settable clock."""

    def __init__(self) -> None:
        self.now = NOW
        self.auth = CloudAuth(clock=lambda: self.now)
        self.auth.add_account(USER, PASSWORD)
        self.key = InstallationKey.generate()
        assert self.auth.register(*self.key.init_request()) is None

    def sign_in(self, password: str = PASSWORD) -> tuple[int, Any]:
        headers = self.key.signed_headers(timestamp_ms=int(self.now * 1000))
        status, body = self.auth.sign_in(headers, {"username": USER, "password": password})
        return status, json.loads(json.dumps(body))

    def refresh(self, refresh_token: str) -> tuple[int, Any]:
        headers = self.key.signed_headers(timestamp_ms=int(self.now * 1000))
        body = {"username": USER, "refreshToken": refresh_token}
        status, reply = self.auth.refresh(headers, body)
        return status, json.loads(json.dumps(reply))


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def test_sign_in_gives_tokens_that_expire_when_the_jwt_says(cloud: Cloud) -> None:
    status, body = cloud.sign_in()
    assert status == 200
    tokens = parse_token_reply(body, now=NOW)
    assert tokens.expires_at == NOW + 3600
    assert cloud.auth.bearer_user(f"Bearer {tokens.access_token}") == USER
    assert tokens.access_token not in repr(tokens)
    assert tokens.refresh_token not in repr(tokens)


def test_shorter_token_lifetime_is_read_from_the_token() -> None:
    auth = CloudAuth(clock=lambda: NOW, token_lifetime=900)
    auth.add_account(USER, PASSWORD)
    key = InstallationKey.generate()
    auth.register(*key.init_request())
    _status, body = auth.sign_in(
        key.signed_headers(timestamp_ms=int(NOW * 1000)), {"username": USER, "password": PASSWORD}
    )
    assert parse_token_reply(body, now=NOW).expires_at == NOW + 900


def test_refresh_replaces_the_pair_and_spends_the_old_refresh_token(cloud: Cloud) -> None:
    tokens = parse_token_reply(cloud.sign_in()[1], now=NOW)
    cloud.now += 3000
    status, body = cloud.refresh(tokens.refresh_token)
    assert status == 200
    renewed = parse_token_reply(body, now=cloud.now, previous_refresh_token=tokens.refresh_token)
    assert renewed.expires_at == cloud.now + 3600
    assert renewed.refresh_token != tokens.refresh_token
    status, body = cloud.refresh(tokens.refresh_token)
    assert status == 401
    assert isinstance(refusal_error(status, body), AuthError)


def test_refused_refresh_after_revocation(cloud: Cloud) -> None:
    tokens = parse_token_reply(cloud.sign_in()[1], now=NOW)
    cloud.auth.revoke_refresh_tokens(USER)
    assert cloud.refresh(tokens.refresh_token)[0] == 401


def test_expired_access_token_is_refused_by_the_cloud(cloud: Cloud) -> None:
    tokens = parse_token_reply(cloud.sign_in()[1], now=NOW)
    cloud.now += 3600
    assert cloud.auth.bearer_user(f"Bearer {tokens.access_token}") is None
    assert cloud.auth.bearer_user(tokens.access_token) is None
    assert cloud.auth.bearer_user(None) is None


def test_refresh_without_new_refresh_token_keeps_the_old_one() -> None:
    body = {"accessToken": _jwt({"exp": int(NOW) + 60}), "tokenType": "Bearer"}
    tokens = parse_token_reply(body, now=NOW, previous_refresh_token="old-refresh")
    assert tokens.refresh_token == "old-refresh"


def test_bad_password_is_an_auth_error(cloud: Cloud) -> None:
    status, body = cloud.sign_in("wrong")
    error = refusal_error(status, body)
    assert type(error) is AuthError


def test_privacy_policy_refusal_is_its_own_error(cloud: Cloud) -> None:
    cloud.auth.require_privacy_policy = True
    status, body = cloud.sign_in()
    assert isinstance(refusal_error(status, body), PrivacyPolicyError)
    assert isinstance(refusal_error(status, body), AuthError)


def test_signin_with_bad_signature_is_a_blocked_request(cloud: Cloud) -> None:
    headers = cloud.key.signed_headers(timestamp_ms=int(NOW * 1000) - 3_600_000)
    status, body = cloud.auth.sign_in(headers, {"username": USER, "password": PASSWORD})
    assert isinstance(refusal_error(status, body), RequestBlockedError)


def test_refresh_with_bad_signature_is_refused(cloud: Cloud) -> None:
    headers = cloud.key.signed_headers(timestamp_ms=int(NOW * 1000) - 3_600_000)
    status, _body = cloud.auth.refresh(headers, {"username": USER, "refreshToken": "x"})
    assert status == 403


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, None, AuthError),
        (400, {"error": "bad"}, AuthError),
        (403, "<html>CloudFront</html>", RequestBlockedError),
        (412, {"errorCode": "PRIVACY_POLICY"}, PrivacyPolicyError),
        (403, {"message": "Please accept the new Privacy Policy"}, PrivacyPolicyError),
        (500, None, ConnectionFailedError),
        (429, None, ConnectionFailedError),
        (408, None, ConnectionFailedError),
        (404, {}, ProtocolError),
    ],
)
def test_refusal_classification(status: int, body: Any, kind: type[KitchenError]) -> None:
    assert type(refusal_error(status, body)) is kind


def test_privacy_policy_is_not_guessed_from_5xx_or_long_text() -> None:
    assert not is_privacy_policy_refusal(503, {"message": "privacy"})
    assert not is_privacy_policy_refusal(403, {"message": "privacy " * 100})
    assert not is_privacy_policy_refusal(403, ["privacy"])


@pytest.mark.parametrize(
    "token",
    [
        "opaque-token",
        "a.b",
        "a.!!!.c",
        f"a.{base64.urlsafe_b64encode(b'not json').decode()}.c",
        _jwt(["exp"]),
        _jwt({"iat": 1}),
        _jwt({"exp": "1700000600"}),
        _jwt({"exp": True}),
        _jwt({"exp": 1.5e9}),
    ],
)
def test_unreadable_expiry_falls_back_to_an_hour(token: str) -> None:
    assert token_expiry(token, now=NOW) == NOW + DEFAULT_LIFETIME


@pytest.mark.parametrize("exp", [0, int(NOW) - 2 * 86400, int(NOW) + 400 * 86400, 10**30])
def test_impossible_expiry_is_a_protocol_error(exp: int) -> None:
    with pytest.raises(ProtocolError):
        token_expiry(_jwt({"exp": exp}), now=NOW)


@pytest.mark.parametrize(
    ("left", "action"),
    [
        (3600, TokenAction.USE),
        (601, TokenAction.USE),
        (600, TokenAction.REFRESH),
        (1, TokenAction.REFRESH),
        (0, TokenAction.SIGN_IN),
        (-5, TokenAction.SIGN_IN),
    ],
)
def test_refresh_ahead_of_expiry(left: float, action: TokenAction) -> None:
    assert token_action(TokenSet("a", "r", NOW + left), NOW) is action


def test_no_tokens_means_sign_in() -> None:
    assert token_action(None, NOW) is TokenAction.SIGN_IN


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {},
        {"accessToken": "a"},
        {"accessToken": "a b", "refreshToken": "r"},
        {"accessToken": "a", "refreshToken": "r", "tokenType": "MAC"},
        {"accessToken": "a", "refreshToken": 5},
        {"accessToken": "x" * 9000, "refreshToken": "r"},
    ],
)
def test_unusable_token_reply_is_a_protocol_error(body: Any) -> None:
    with pytest.raises(ProtocolError):
        parse_token_reply(body, now=NOW)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@given(
    st.one_of(
        _JSON,
        st.fixed_dictionaries(
            {"accessToken": st.one_of(st.text(max_size=40), _JSON.map(_jwt))},
            optional={"refreshToken": _JSON | st.text(max_size=10), "tokenType": _JSON},
        ),
    )
)
def test_random_token_reply_parses_or_is_a_protocol_error(body: Any) -> None:
    try:
        tokens = parse_token_reply(body, now=NOW)
    except ProtocolError:
        return
    assert NOW - 86400 <= tokens.expires_at <= NOW + 366 * 86400


@given(st.integers(min_value=100, max_value=599), _JSON)
def test_any_refusal_is_classified_as_a_library_error(status: int, body: Any) -> None:
    assert isinstance(refusal_error(status, body), KitchenError)
