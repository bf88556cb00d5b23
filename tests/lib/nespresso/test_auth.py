"""Keys, key state and the three shapes in which an auth failure arrives."""

from __future__ import annotations

import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    AuthError,
    ConnectionFailedError,
    InvalidValueError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.nespresso import auth
from custom_components.kitchen_connect.kitchenlib.nespresso.errors import (
    BondRequiredError,
    KeyRejectedError,
)
from custom_components.kitchen_connect.kitchenlib.nespresso.models import KeyState

KEY = "888cd4d9403865e1"


@pytest.mark.parametrize(
    "text", [KEY, KEY.upper(), "88 8c d4 d9 40 38 65 e1", "88:8c:d4:d9:40:38:65:e1", f" 0x{KEY} "]
)
def test_key_formats(text: str) -> None:
    """A key pasted in the usual hex spellings."""
    assert auth.parse_key(text) == bytes.fromhex(KEY)
    assert auth.key_from_credential(text) == bytes.fromhex(KEY)


@pytest.mark.parametrize("text", ["", "888cd4d9403865", "888cd4d9403865e1aa", "zz8cd4d9403865e1"])
def test_bad_keys(text: str) -> None:
    """Wrong length or not hex: a clear error that does not repeat the input."""
    with pytest.raises(InvalidValueError) as caught:
        auth.parse_key(text)
    assert text == "" or text not in str(caught.value)


@pytest.mark.parametrize("seed", ["0123", "0123456789abcdef0123456789abcdef00", "g" * 32])
def test_bad_seeds(seed: str) -> None:
    """A seed is exactly 32 hex digits."""
    with pytest.raises(InvalidValueError):
        auth.derive_key(seed)


def test_credential_of_other_length() -> None:
    """Neither a seed nor a key."""
    with pytest.raises(InvalidValueError, match="seed or a 16-digit key"):
        auth.key_from_credential("0123456789")


@pytest.mark.parametrize(
    ("data", "state"),
    [
        (b"\x00", KeyState.NONE),
        (b"\x01", KeyState.TEMPORARY),
        (b"\x02", KeyState.FINAL),
        (b"\x03", KeyState.UNDEFINED),
        (b"\xff", KeyState.UNKNOWN),
    ],
)
def test_key_state(data: bytes, state: KeyState) -> None:
    """06aa3a51 values."""
    assert auth.decode_key_state(data) is state


@pytest.mark.parametrize("data", [b"", b"\x02\x00", b"\x04", b"\xfe"])
def test_bad_key_state(data: bytes) -> None:
    """Other lengths and values are protocol errors."""
    with pytest.raises(ProtocolError):
        auth.decode_key_state(data)


@pytest.mark.parametrize(
    ("error_type", "code", "message", "expected"),
    [
        # BlueZ through bleak 3: a GATT protocol error with the ATT code.
        (
            "BleakGATTProtocolError",
            0x05,
            "Insufficient Authentication",
            auth.AuthFailure.NOT_BONDED,
        ),
        ("BleakGATTProtocolError", 0x0F, "", auth.AuthFailure.NOT_BONDED),
        ("BleakGATTProtocolError", 0x0E, "Unlikely Error", auth.AuthFailure.KEY_REJECTED),
        ("BleakGATTProtocolError", 0x02, "Read Not Permitted", auth.AuthFailure.KEY_REJECTED),
        # BlueZ D-Bus errors.
        (
            "BleakDBusError",
            None,
            "[org.bluez.Error.NotPermitted] Not paired",
            auth.AuthFailure.NOT_BONDED,
        ),
        (
            "BleakDBusError",
            None,
            "[org.bluez.Error.AuthenticationFailed]",
            auth.AuthFailure.NOT_BONDED,
        ),
        (
            "BleakDBusError",
            None,
            "[org.bluez.Error.NotPermitted] Not permitted",
            auth.AuthFailure.KEY_REJECTED,
        ),
        # ESPHome proxy: a plain error with text.
        (
            "BleakError",
            None,
            "Bluetooth GATT Error address=AA handle=20 error=5 description=x",
            auth.AuthFailure.NOT_BONDED,
        ),
        ("BleakError", None, "GATT error: 0x0e", auth.AuthFailure.KEY_REJECTED),
        ("BleakError", None, "Insufficient authentication", auth.AuthFailure.NOT_BONDED),
        ("BleakError", None, "unlikely error", auth.AuthFailure.KEY_REJECTED),
        # Not about the key at all.
        ("BleakError", None, "Disconnected", None),
        ("TimeoutError", None, "", None),
        ("BleakGATTProtocolError", 0x0A, "Attribute Not Found", None),
    ],
)
def test_failure_shapes(
    error_type: str, code: int | None, message: str, expected: auth.AuthFailure | None
) -> None:
    """All three shapes map to one small set of meanings."""
    assert auth.classify_failure(error_type, code, message) is expected


def test_failure_errors() -> None:
    """The meanings become library errors; the rest are connection errors."""
    assert isinstance(auth.failure_error("X", 0x05, ""), BondRequiredError)
    rejected = auth.failure_error("X", 0x0E, "")
    assert isinstance(rejected, KeyRejectedError)
    assert isinstance(rejected, AuthError)
    other = auth.failure_error("BleakError", None, "Disconnected")
    assert isinstance(other, ConnectionFailedError)
    assert "BleakError" in str(other)


def test_normalise_seed() -> None:
    """A seed as the user pastes it is stored in one form; a key is no seed."""
    assert auth.normalise_seed("A1B2C3D4-E5F60718 293A4B5C:6D7E8F90") == (
        "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    )
    with pytest.raises(InvalidValueError):
        auth.normalise_seed("888cd4d9403865e1")
