"""The plaintext messages: ``T AAAA LLLL DATA CC`` in upper-case ASCII hex.

``T`` is ``R`` (read), ``W`` (write) or ``Z`` (a stream the machine sends by itself);
``AAAA`` the address and ``LLLL`` the length in bytes; ``CC`` the sum of every preceding
character's code, modulo 256. Read replies carry the bytes read, write replies ``OK``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import string

from ...errors import ProtocolError

_HEX = frozenset(string.hexdigits.upper())
_HEADER = 9  # type and the address/length block
_CHECK = 2
WRITE_OK = "OK"


class Kind(StrEnum):
    """What a message is."""

    READ = "R"
    WRITE = "W"
    STREAM = "Z"


def check_byte(text: str) -> str:
    """The two hex digits that close a message: the character codes' sum, modulo 256."""
    return f"{sum(text.encode('ascii')) % 256:02X}"


def _preamble(kind: Kind, address: int, length: int) -> str:
    if not 0 <= address <= 0xFFFF or not 0 <= length <= 0xFFFF:
        raise ValueError("address and length are 16-bit")
    return f"{kind}{address:04X}{length:04X}"


def encode_read(address: int, length: int) -> str:
    """Ask for ``length`` bytes from ``address``."""
    text = _preamble(Kind.READ, address, length)
    return text + check_byte(text)


def encode_write(address: int, data: bytes) -> str:
    """Write ``data`` at ``address``."""
    text = _preamble(Kind.WRITE, address, len(data)) + data.hex().upper()
    return text + check_byte(text)


def encode_reply(kind: Kind, address: int, length: int, payload: str) -> str:
    """A message as the machine sends it: a read's data in hex, or a write's ``OK``."""
    text = _preamble(kind, address, length) + payload
    return text + check_byte(text)


@dataclass(frozen=True)
class Message:
    """One decoded message; ``payload`` is the text between the preamble and check byte."""

    kind: Kind
    address: int
    length: int
    payload: str

    @property
    def data(self) -> bytes:
        """The payload as bytes: exactly ``length`` of them (ProtocolError otherwise)."""
        if len(self.payload) != 2 * self.length or not set(self.payload) <= _HEX:
            raise ProtocolError(
                f"{self.kind}{self.address:04X}: expected {self.length} bytes in hex"
            )
        return bytes.fromhex(self.payload)

    @property
    def ok(self) -> bool:
        """Whether a write reply says the write was done."""
        return WRITE_OK in self.payload


def parse_message(text: str) -> Message:
    """A message from its plaintext; ProtocolError when it is malformed or its check fails."""
    if len(text) < _HEADER + _CHECK:
        raise ProtocolError("message too short")
    try:
        kind = Kind(text[0])
    except ValueError as err:
        raise ProtocolError(f"unknown message type {text[0]!r}") from err
    header, check = text[1:_HEADER], text[-_CHECK:]
    if not set(header) <= _HEX or not set(check) <= _HEX:
        raise ProtocolError("message preamble or check byte is not hex")
    if not text.isascii() or check_byte(text[:-_CHECK]) != check:
        raise ProtocolError("message check byte does not match")
    return Message(
        kind=kind,
        address=int(header[:4], 16),
        length=int(header[4:], 16),
        payload=text[_HEADER:-_CHECK],
    )
