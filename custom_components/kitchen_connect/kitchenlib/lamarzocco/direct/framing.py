"""The AES envelope: CBC with a zero IV, NUL padding, base64 between ``@`` and ``%``."""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ...errors import AuthError, ProtocolError

START = b"@"
END = b"%"
_BLOCK = 16
_ZERO_IV = bytes(_BLOCK)
# A frame longer than this is not the machine's (its longest reply is a few hundred bytes).
MAX_FRAME = 4096


class WrongKeyError(AuthError, ProtocolError):
    """A frame decrypted to bytes that are no message: the key is not the machine's.

    Also a ProtocolError: from the bytes alone, garbage and another key look the same.
    """


def key_bytes(key: str) -> bytes:
    """The AES key: the key string in latin-1; its length picks AES-128, -192 or -256."""
    try:
        raw = key.encode("latin-1")
    except UnicodeEncodeError as err:
        raise AuthError("the machine's key must be latin-1 text") from err
    if len(raw) not in (16, 24, 32):
        raise AuthError("the machine's key must be 16, 24 or 32 characters long")
    return raw


class FrameCipher:
    """Encrypts and decrypts the plaintext messages of one key."""

    def __init__(self, key: str) -> None:
        self._algorithm = algorithms.AES(key_bytes(key))

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(self._algorithm, modes.CBC(_ZERO_IV))

    def encode(self, text: str) -> bytes:
        """``@`` + base64 of the encrypted, NUL-padded ``text`` + ``%``."""
        plain = text.encode("ascii")
        plain += bytes(-len(plain) % _BLOCK)
        encryptor = self._cipher().encryptor()
        sealed = encryptor.update(plain) + encryptor.finalize()
        return START + base64.b64encode(sealed) + END

    def decode(self, frame: bytes) -> str:
        """The plaintext of one frame (with or without its ``@``/``%``), cut at the first NUL.

        ProtocolError when the frame is not base64 of whole AES blocks; WrongKeyError when
        it decrypts to something that is not ASCII text (another key sealed it).
        """
        body = frame.removeprefix(START).removesuffix(END)
        if not body or len(body) > MAX_FRAME:
            raise ProtocolError("empty or oversized frame")
        try:
            sealed = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as err:
            raise ProtocolError("frame is not base64") from err
        if not sealed or len(sealed) % _BLOCK:
            raise ProtocolError("frame is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(sealed) + decryptor.finalize()
        text = plain.split(b"\0", 1)[0]
        if not text or not all(0x20 < byte < 0x7F for byte in text):
            raise WrongKeyError("the machine's frame does not decrypt with this key")
        return text.decode("ascii")


class FrameSplitter:
    """Cuts a byte stream into frames; bytes outside ``@``…``%`` are dropped."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """The whole frames completed by ``data`` (ProtocolError when one grows too long)."""
        self._buffer += data
        frames: list[bytes] = []
        while True:
            start = self._buffer.find(START)
            if start < 0:
                self._buffer.clear()
                return frames
            del self._buffer[:start]
            end = self._buffer.find(END)
            if end < 0:
                if len(self._buffer) > MAX_FRAME:
                    self._buffer.clear()
                    raise ProtocolError("frame without its end mark")
                return frames
            frames.append(bytes(self._buffer[: end + 1]))
            del self._buffer[: end + 1]
