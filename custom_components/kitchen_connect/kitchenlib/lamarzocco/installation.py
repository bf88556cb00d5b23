"""The installation key every request to La Marzocco's cloud is signed with.

Since September 2025 the cloud refuses requests that do not carry headers signed with a key
pair the app registered once through ``/auth/init``. The key is generated once per config
entry and stored with it: a new key would have to be registered again.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
import hashlib
import re
import time
from typing import Any, Final
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ..errors import ProtocolError

HEADER_INSTALLATION_ID: Final = "X-App-Installation-Id"
HEADER_PROOF: Final = "X-Request-Proof"
HEADER_TIMESTAMP: Final = "X-Timestamp"
HEADER_NONCE: Final = "X-Nonce"
HEADER_SIGNATURE: Final = "X-Request-Signature"

SECRET_LENGTH: Final = 32
_UUID4: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
# A stored PKCS#8 P-256 key is about 140 bytes; anything far larger is not one.
_MAX_STORED_KEY_LENGTH: Final = 4096


class InstallationKeyError(ProtocolError):
    """Stored installation key data is unusable; a new key must be generated and registered."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as err:
        raise InstallationKeyError(f"stored {what} is not base64") from err


def proof(message: str, secret: bytes) -> str:
    """The cloud's keyed proof of ``message``: the secret stirred byte by byte, then hashed."""
    if len(secret) != SECRET_LENGTH:
        raise ValueError("the secret is 32 bytes")
    work = bytearray(secret)
    for byte in message.encode("utf-8"):
        index = byte % SECRET_LENGTH
        shift = work[(index + 1) % SECRET_LENGTH] & 7
        mixed = byte ^ work[index]
        work[index] = ((mixed << shift) | (mixed >> (8 - shift))) & 0xFF
    return _b64(hashlib.sha256(bytes(work)).digest())


def public_key_der(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The public key as DER SubjectPublicKeyInfo, the form the cloud hashes and stores."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def derive_secret(installation_id: str, public_der: bytes) -> bytes:
    """The shared secret both sides derive from the installation id and the public key."""
    id_hash = _b64(hashlib.sha256(installation_id.encode("utf-8")).digest())
    material = f"{installation_id}.{_b64(public_der)}.{id_hash}"
    return hashlib.sha256(material.encode("utf-8")).digest()


def signed_message(installation_id: str, nonce: str, timestamp: str, secret: bytes) -> bytes:
    """The bytes a request signature covers."""
    base = f"{installation_id}.{nonce}.{timestamp}"
    return f"{base}.{proof(base, secret)}".encode()


def init_proof(installation_id: str, public_der: bytes, secret: bytes) -> str:
    """The proof sent with ``/auth/init``."""
    key_hash = _b64(hashlib.sha256(public_der).digest())
    return proof(f"{installation_id}.{key_hash}", secret)


def _load_p256_public_key(public_der: bytes) -> ec.EllipticCurvePublicKey | None:
    try:
        key = serialization.load_der_public_key(public_der)
    except ValueError:
        return None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        return None
    return key


def is_p256_public_key(public_der: bytes) -> bool:
    """Whether ``public_der`` is a DER SubjectPublicKeyInfo of a P-256 key."""
    return _load_p256_public_key(public_der) is not None


def verify_signature(public_der: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is a valid ECDSA-SHA256 signature of ``message``."""
    key = _load_p256_public_key(public_der)
    if key is None:
        return False
    try:
        key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True, slots=True)
class InstallationKey:
    """One installation's identity: its id, key pair and the derived secret.

    The private key and the secret are left out of ``repr`` so the key never reaches a log.
    """

    installation_id: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    secret: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> InstallationKey:
        """A fresh key; it still has to be registered with ``/auth/init``."""
        installation_id = str(uuid.uuid4())
        private_key = ec.generate_private_key(ec.SECP256R1())
        secret = derive_secret(installation_id, public_key_der(private_key.public_key()))
        return cls(installation_id, private_key, secret)

    @property
    def public_der(self) -> bytes:
        """The public key as DER SubjectPublicKeyInfo."""
        return public_key_der(self.private_key.public_key())

    def to_dict(self) -> dict[str, str]:
        """JSON-safe data to store with the config entry (the shape pylamarzocco stores)."""
        private_der = self.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return {
            "installation_id": self.installation_id,
            "private_key": _b64(private_der),
            "secret": _b64(self.secret),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InstallationKey:
        """The key from stored data; InstallationKeyError when it is unusable or inconsistent."""
        installation_id = data.get("installation_id")
        stored_key = data.get("private_key")
        stored_secret = data.get("secret")
        if not isinstance(installation_id, str) or not _UUID4.fullmatch(installation_id):
            raise InstallationKeyError("stored installation id is not a lowercase UUID4")
        if not isinstance(stored_key, str) or not 0 < len(stored_key) <= _MAX_STORED_KEY_LENGTH:
            raise InstallationKeyError("stored private key is missing")
        try:
            private_key = serialization.load_der_private_key(
                _b64decode(stored_key, "private key"), password=None
            )
        except (ValueError, TypeError) as err:
            raise InstallationKeyError("stored private key is unreadable") from err
        if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(
            private_key.curve, ec.SECP256R1
        ):
            raise InstallationKeyError("stored private key is not a P-256 key")
        secret = derive_secret(installation_id, public_key_der(private_key.public_key()))
        # The secret is derivable; a stored one that differs means the data was mixed up.
        if stored_secret is not None and (
            not isinstance(stored_secret, str) or _b64decode(stored_secret, "secret") != secret
        ):
            raise InstallationKeyError("stored secret does not belong to the stored key")
        return cls(installation_id, private_key, secret)

    def init_request(self) -> tuple[dict[str, str], dict[str, str]]:
        """Headers and JSON body of the one-time ``POST /auth/init`` registration."""
        public_der = self.public_der
        headers = {
            HEADER_INSTALLATION_ID: self.installation_id,
            HEADER_PROOF: init_proof(self.installation_id, public_der, self.secret),
        }
        return headers, {"pk": _b64(public_der)}

    def signed_headers(
        self, *, timestamp_ms: int | None = None, nonce: str | None = None
    ) -> dict[str, str]:
        """The signing headers for one request (sign-in, refresh, REST, websocket upgrade)."""
        timestamp = str(time.time_ns() // 1_000_000 if timestamp_ms is None else timestamp_ms)
        nonce = str(uuid.uuid4()) if nonce is None else nonce
        message = signed_message(self.installation_id, nonce, timestamp, self.secret)
        signature = self.private_key.sign(message, ec.ECDSA(hashes.SHA256()))
        return {
            HEADER_INSTALLATION_ID: self.installation_id,
            HEADER_TIMESTAMP: timestamp,
            HEADER_NONCE: nonce,
            HEADER_SIGNATURE: _b64(signature),
        }
