"""Keys (CMIDs): derivation from the app's seed, parsing, key state, failure mapping.

Error messages never contain the seed or key the caller passed.
"""

from __future__ import annotations

from enum import StrEnum
import re

from ..errors import ConnectionFailedError, InvalidValueError, KitchenError, ProtocolError
from .errors import BondRequiredError, KeyRejectedError
from .models import KeyState

KEY_LENGTH = 8
SEED_HEX_LENGTH = 32
_HEX = re.compile(r"[0-9a-f]+")
_SEPARATORS = re.compile(r"[\s:\-]")

# ATT error codes seen on the key write and the verify read.
ATT_READ_NOT_PERMITTED = 0x02
ATT_INSUFFICIENT_AUTHENTICATION = 0x05
ATT_UNLIKELY_ERROR = 0x0E
ATT_INSUFFICIENT_ENCRYPTION = 0x0F


def _clean_hex(text: str) -> str:
    cleaned = _SEPARATORS.sub("", text.strip().lower())
    cleaned = cleaned.removeprefix("0x")
    if not _HEX.fullmatch(cleaned):
        raise InvalidValueError("expected hexadecimal digits")
    return cleaned


def derive_key(seed: str) -> bytes:
    """The 8-byte key from a 32-hex seed, as the app does: nibble 8 + the seed's first 15."""
    cleaned = _clean_hex(seed)
    if len(cleaned) != SEED_HEX_LENGTH:
        raise InvalidValueError(f"a seed has {SEED_HEX_LENGTH} hexadecimal digits")
    return bytes.fromhex("8" + cleaned[:15])


def normalise_seed(text: str) -> str:
    """A 32-hex seed in lower case without separators (InvalidValueError otherwise)."""
    cleaned = _clean_hex(text)
    if len(cleaned) != SEED_HEX_LENGTH:
        raise InvalidValueError(f"a seed has {SEED_HEX_LENGTH} hexadecimal digits")
    return cleaned


def parse_key(text: str) -> bytes:
    """An 8-byte key given as 16 hex digits (spaces, colons or dashes allowed)."""
    cleaned = _clean_hex(text)
    if len(cleaned) != KEY_LENGTH * 2:
        raise InvalidValueError(f"a key has {KEY_LENGTH * 2} hexadecimal digits")
    return bytes.fromhex(cleaned)


def key_from_credential(text: str) -> bytes:
    """A key from what a user can recover: a 32-hex seed or a 16-hex key."""
    cleaned = _clean_hex(text)
    if len(cleaned) == SEED_HEX_LENGTH:
        return derive_key(cleaned)
    if len(cleaned) == KEY_LENGTH * 2:
        return parse_key(cleaned)
    raise InvalidValueError(
        f"expected a {SEED_HEX_LENGTH}-digit seed or a {KEY_LENGTH * 2}-digit key"
    )


def decode_key_state(data: bytes) -> KeyState:
    """Decode the pairing-key state characteristic (06aa3a51, one byte)."""
    if len(data) != 1:
        raise ProtocolError(f"key state is 1 byte, got {len(data)}")
    try:
        return KeyState(data[0])
    except ValueError as err:
        raise ProtocolError(f"unknown key state {data[0]}") from err


class AuthFailure(StrEnum):
    """What a failed key write or protected access means."""

    NOT_BONDED = "not_bonded"  # the link is not encrypted: bond, then retry
    KEY_REJECTED = "key_rejected"  # the machine holds another key


NOT_BONDED_CODES = frozenset({ATT_INSUFFICIENT_AUTHENTICATION, ATT_INSUFFICIENT_ENCRYPTION})
_REJECTED_CODES = frozenset({ATT_UNLIKELY_ERROR, ATT_READ_NOT_PERMITTED})
# Compared with spaces, dots and underscores removed ("Not paired", "NotPermitted").
_NOT_BONDED_TEXT = (
    "notpaired",
    "insufficientauthentication",
    "insufficientencryption",
    "authenticationfailed",
)
_REJECTED_TEXT = ("unlikelyerror", "notpermitted")
_FILLER = re.compile(r"[\s._]")
_PROXY_CODE = re.compile(r"error[ =:]+(0x[0-9a-f]+|\d+)")


def _code_from_text(message: str) -> int | None:
    found = _PROXY_CODE.search(message)
    if found is None:
        return None
    return int(found.group(1), 0)


def classify_failure(error_type: str, att_code: int | None, message: str) -> AuthFailure | None:
    """Map a failure to what it means for the key, or None when it is not about the key.

    Three shapes arrive: a GATT protocol error with an ATT code (BlueZ), a D-Bus
    "Not paired" error (BlueZ), and a plain error with text (ESPHome proxy).
    """
    text = f"{error_type} {message}".lower()
    code = att_code if att_code is not None else _code_from_text(text)
    if code in NOT_BONDED_CODES:
        return AuthFailure.NOT_BONDED
    if code in _REJECTED_CODES:
        return AuthFailure.KEY_REJECTED
    # "Not paired" arrives as org.bluez.Error.NotPermitted, so test it first.
    compact = _FILLER.sub("", text)
    if any(fragment in compact for fragment in _NOT_BONDED_TEXT):
        return AuthFailure.NOT_BONDED
    if any(fragment in compact for fragment in _REJECTED_TEXT):
        return AuthFailure.KEY_REJECTED
    return None


def failure_error(error_type: str, att_code: int | None, message: str) -> KitchenError:
    """The library error for a failure; anything not about the key is a connection error."""
    match classify_failure(error_type, att_code, message):
        case AuthFailure.NOT_BONDED:
            return BondRequiredError("the link must be bonded before the key is accepted")
        case AuthFailure.KEY_REJECTED:
            return KeyRejectedError("the machine refused the key")
        case None:
            return ConnectionFailedError(f"Bluetooth operation failed ({error_type})")
