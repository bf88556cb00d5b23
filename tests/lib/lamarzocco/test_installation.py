"""Installation key, proof and request signatures, checked by the simulated cloud."""

from __future__ import annotations

import base64
import json
import logging

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import (
    HEADER_NONCE,
    HEADER_PROOF,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    InstallationKey,
    InstallationKeyError,
    derive_secret,
    init_proof,
    proof,
    verify_signature,
)
from simulators.lamarzocco.auth import (
    BAD_PROOF,
    BAD_SIGNATURE,
    MISSING_HEADERS,
    REUSED_NONCE,
    STALE_TIMESTAMP,
    UNKNOWN_INSTALLATION,
    CloudAuth,
)

NOW = 1_700_000_000.0
NOW_MS = 1_700_000_000_000


def test_proof_vector_zero_secret() -> None:
    """Reference vector 1: 32 zero bytes, "abc"."""
    assert proof("abc", bytes(32)) == "P5ynD3LZU7oRYIN0D2ZtOlbpepJdBXQH9vdqJGOfq/o="


def test_proof_vector_counting_secret() -> None:
    """Reference vector 2: bytes 0x00..0x1F, an id.nonce.timestamp string."""
    message = "test-install.00000000-0000-0000-0000-000000000000.1700000000000"
    assert proof(message, bytes(range(32))) == "jpAgSz0XqnjFliH7trJSbyJ2ioTkdypw/oTXgTZqetY="


def test_proof_needs_a_32_byte_secret() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        proof("abc", bytes(31))


@pytest.fixture
def cloud() -> CloudAuth:
    return CloudAuth(clock=lambda: NOW)


@pytest.fixture
def key(cloud: CloudAuth) -> InstallationKey:
    key = InstallationKey.generate()
    headers, body = key.init_request()
    assert cloud.register(headers, json.loads(json.dumps(body))) is None
    return key


def test_registration_is_accepted_and_recorded(cloud: CloudAuth, key: InstallationKey) -> None:
    assert cloud.is_registered(key.installation_id)
    _headers, body = key.init_request()
    assert base64.b64decode(body["pk"]) == key.public_der


def test_registration_with_a_wrong_proof_is_refused(cloud: CloudAuth) -> None:
    key = InstallationKey.generate()
    headers, body = key.init_request()
    headers[HEADER_PROOF] = proof("something else", key.secret)
    assert cloud.register(headers, body) == BAD_PROOF
    assert not cloud.is_registered(key.installation_id)


@pytest.mark.parametrize(
    "body",
    [None, {}, {"pk": 5}, {"pk": "not base64!"}, {"pk": base64.b64encode(b"junk").decode()}],
)
def test_registration_without_a_usable_key_is_refused(cloud: CloudAuth, body: object) -> None:
    headers, _body = InstallationKey.generate().init_request()
    assert cloud.register(headers, body) == BAD_PROOF


def test_registration_of_a_non_p256_key_is_refused(cloud: CloudAuth) -> None:
    """The proof matches, but the key is no P-256 key: the cloud cannot verify with it."""
    der = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    installation_id = "0f0e0d0c-0b0a-4908-8706-050403020100"
    headers = {
        "X-App-Installation-Id": installation_id,
        HEADER_PROOF: init_proof(installation_id, der, derive_secret(installation_id, der)),
    }
    assert cloud.register(headers, {"pk": base64.b64encode(der).decode()}) == BAD_PROOF


def test_signed_request_verifies(cloud: CloudAuth, key: InstallationKey) -> None:
    headers = key.signed_headers(timestamp_ms=NOW_MS, nonce="6d1f6a3e-0d3c-4f6e-9b1a-2c3d4e5f6a7b")
    assert headers[HEADER_TIMESTAMP] == str(NOW_MS)
    assert cloud.verify_request(headers) is None


def test_default_timestamp_and_nonce_are_fresh() -> None:
    cloud = CloudAuth()
    key = InstallationKey.generate()
    cloud.register(*key.init_request())
    first, second = key.signed_headers(), key.signed_headers()
    assert first[HEADER_NONCE] != second[HEADER_NONCE]
    assert cloud.verify_request(first) is None
    assert cloud.verify_request(second) is None


def test_header_names_are_case_insensitive(cloud: CloudAuth, key: InstallationKey) -> None:
    headers = key.signed_headers(timestamp_ms=NOW_MS)
    assert cloud.verify_request({name.lower(): value for name, value in headers.items()}) is None


def test_wrong_signature_is_refused(cloud: CloudAuth, key: InstallationKey) -> None:
    other = InstallationKey.generate()
    headers = key.signed_headers(timestamp_ms=NOW_MS)
    headers[HEADER_SIGNATURE] = other.signed_headers(
        timestamp_ms=NOW_MS, nonce=headers[HEADER_NONCE]
    )[HEADER_SIGNATURE]
    assert cloud.verify_request(headers) == BAD_SIGNATURE
    assert BAD_SIGNATURE.status == 403


def test_signature_over_another_timestamp_is_refused(
    cloud: CloudAuth, key: InstallationKey
) -> None:
    headers = key.signed_headers(timestamp_ms=NOW_MS)
    headers[HEADER_TIMESTAMP] = str(NOW_MS + 1)
    assert cloud.verify_request(headers) == BAD_SIGNATURE


@pytest.mark.parametrize("signature", ["not base64!", ""])
def test_unreadable_signature_is_refused(
    cloud: CloudAuth, key: InstallationKey, signature: str
) -> None:
    headers = key.signed_headers(timestamp_ms=NOW_MS)
    headers[HEADER_SIGNATURE] = signature
    assert cloud.verify_request(headers) in (BAD_SIGNATURE, MISSING_HEADERS)


def test_nonce_that_is_no_uuid_is_refused(cloud: CloudAuth, key: InstallationKey) -> None:
    assert cloud.verify_request(key.signed_headers(timestamp_ms=NOW_MS, nonce="1")) == (
        BAD_SIGNATURE
    )


@pytest.mark.parametrize("offset_ms", [-301_000, 301_000])
def test_stale_timestamp_is_refused(cloud: CloudAuth, key: InstallationKey, offset_ms: int) -> None:
    headers = key.signed_headers(timestamp_ms=NOW_MS + offset_ms)
    assert cloud.verify_request(headers) == STALE_TIMESTAMP


def test_timestamp_within_the_window_is_accepted(cloud: CloudAuth, key: InstallationKey) -> None:
    assert cloud.verify_request(key.signed_headers(timestamp_ms=NOW_MS - 299_000)) is None


def test_unreadable_timestamp_is_refused(cloud: CloudAuth, key: InstallationKey) -> None:
    headers = key.signed_headers(timestamp_ms=NOW_MS)
    headers[HEADER_TIMESTAMP] = "soon"
    assert cloud.verify_request(headers) == STALE_TIMESTAMP


def test_reused_nonce_is_refused(cloud: CloudAuth, key: InstallationKey) -> None:
    nonce = "6d1f6a3e-0d3c-4f6e-9b1a-2c3d4e5f6a7b"
    assert cloud.verify_request(key.signed_headers(timestamp_ms=NOW_MS, nonce=nonce)) is None
    again = key.signed_headers(timestamp_ms=NOW_MS + 1, nonce=nonce)
    assert cloud.verify_request(again) == REUSED_NONCE


def test_old_nonces_are_forgotten_once_their_timestamps_are_stale() -> None:
    now = [NOW]
    cloud = CloudAuth(clock=lambda: now[0])
    key = InstallationKey.generate()
    cloud.register(*key.init_request())
    nonce = "6d1f6a3e-0d3c-4f6e-9b1a-2c3d4e5f6a7b"
    assert cloud.verify_request(key.signed_headers(timestamp_ms=NOW_MS, nonce=nonce)) is None
    now[0] += 3600
    fresh = key.signed_headers(timestamp_ms=NOW_MS + 3_600_000, nonce=nonce)
    assert cloud.verify_request(fresh) is None


def test_unregistered_installation_is_refused(cloud: CloudAuth) -> None:
    stranger = InstallationKey.generate()
    assert cloud.verify_request(stranger.signed_headers(timestamp_ms=NOW_MS)) == (
        UNKNOWN_INSTALLATION
    )


@pytest.mark.parametrize("missing", [HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE])
def test_missing_signing_header_is_refused(
    cloud: CloudAuth, key: InstallationKey, missing: str
) -> None:
    headers = key.signed_headers(timestamp_ms=NOW_MS)
    del headers[missing]
    assert cloud.verify_request(headers) == MISSING_HEADERS
    assert MISSING_HEADERS.status == 412


def test_stored_key_round_trips_and_still_signs(cloud: CloudAuth, key: InstallationKey) -> None:
    stored = json.loads(json.dumps(key.to_dict()))
    restored = InstallationKey.from_dict(stored)
    assert restored.to_dict() == key.to_dict()
    assert cloud.verify_request(restored.signed_headers(timestamp_ms=NOW_MS)) is None


def test_stored_key_without_secret_is_derived_again(key: InstallationKey) -> None:
    stored = key.to_dict()
    del stored["secret"]
    assert InstallationKey.from_dict(stored).secret == key.secret


def test_key_never_shows_in_repr_or_logs(
    key: InstallationKey, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").debug("key %s %r", key, key)
    stored = key.to_dict()
    for secret in (stored["private_key"], stored["secret"]):
        assert secret not in repr(key)
        assert secret not in caplog.text


def _p256_pkcs8() -> str:
    der = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return base64.b64encode(der).decode()


@pytest.mark.parametrize(
    "change",
    [
        {"installation_id": "NOT-A-UUID"},
        {"installation_id": None},
        {"private_key": None},
        {"private_key": ""},
        {"private_key": "not base64!"},
        {"private_key": base64.b64encode(b"junk").decode()},
        {
            "private_key": base64.b64encode(
                ec.generate_private_key(ec.SECP384R1()).private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ).decode()
        },
        {"secret": base64.b64encode(bytes(32)).decode()},
        {"secret": 12},
        {"secret": "é"},
    ],
)
def test_unusable_stored_key_is_a_protocol_error(
    key: InstallationKey, change: dict[str, object]
) -> None:
    stored: dict[str, object] = {**key.to_dict(), **change}
    with pytest.raises(InstallationKeyError):
        InstallationKey.from_dict(stored)


def test_stored_key_of_another_installation_is_refused(key: InstallationKey) -> None:
    stored = {**key.to_dict(), "private_key": _p256_pkcs8()}
    with pytest.raises(InstallationKeyError, match="does not belong"):
        InstallationKey.from_dict(stored)


_STORED_VALUES = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda raw: base64.b64encode(raw).decode()),
)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "installation_id": _STORED_VALUES,
            "private_key": _STORED_VALUES,
            "secret": _STORED_VALUES,
        },
    )
)
def test_random_stored_data_is_a_protocol_error(stored: dict[str, object]) -> None:
    with pytest.raises(ProtocolError):
        InstallationKey.from_dict(stored)


def test_signature_check_with_an_unusable_public_key_fails(key: InstallationKey) -> None:
    message = b"message"
    assert not verify_signature(b"junk", message, b"")
    assert not verify_signature(key.public_der, message, b"not a signature")


_SIGNING_KEY = InstallationKey.generate()


@given(
    st.sampled_from(["X-App-Installation-Id", HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE]),
    st.text(max_size=60),
)
def test_any_changed_signing_header_is_refused(name: str, value: str) -> None:
    cloud = CloudAuth(clock=lambda: NOW)
    cloud.register(*_SIGNING_KEY.init_request())
    headers = _SIGNING_KEY.signed_headers(timestamp_ms=NOW_MS)
    if headers[name] == value:
        return
    headers[name] = value
    assert cloud.verify_request(headers) is not None
