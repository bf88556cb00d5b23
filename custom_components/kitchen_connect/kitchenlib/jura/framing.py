"""TCP framing: ``*`` + key + encoded body + CRLF, with byte escaping.

The plaintext always ends in its own CRLF (the dongle ignores some writes
without it). Only CRLF delimits frames: ``*`` is not reserved and may appear
inside an encoded body, so a reader must never resynchronise on it.
"""

from __future__ import annotations

from ..errors import ProtocolError
from .cipher import crypt, random_key

FRAME_START = 0x2A
TERMINATOR = b"\r\n"
ESCAPE = 0x1B
RESERVED = frozenset({0x00, 0x0A, 0x0D, 0x1B, 0x26})
MAX_FRAME_BYTES = 4096


def escape(data: bytes) -> bytes:
    """Replace every reserved byte by ESC + (byte XOR 0x80)."""
    out = bytearray()
    for value in data:
        if value in RESERVED:
            out += bytes((ESCAPE, value ^ 0x80))
        else:
            out.append(value)
    return bytes(out)


def unescape(data: bytes) -> bytes:
    """Undo :func:`escape`; a dangling or pointless escape is a protocol error."""
    out = bytearray()
    pending = False
    for value in data:
        if pending:
            original = value ^ 0x80
            if original not in RESERVED:
                raise ProtocolError(f"escape of a byte that needs none: {value:#04x}")
            out.append(original)
            pending = False
        elif value == ESCAPE:
            pending = True
        elif value in RESERVED:
            raise ProtocolError(f"unescaped reserved byte {value:#04x}")
        else:
            out.append(value)
    if pending:
        raise ProtocolError("frame ends inside an escape sequence")
    return bytes(out)


def encode_frame(text: str, key: int | None = None) -> bytes:
    """Encode one command (without CRLF) into a complete wire frame."""
    if key is None:
        key = random_key()
    plain = text.encode("ascii") + TERMINATOR
    body = crypt(plain, key)
    return bytes((FRAME_START,)) + escape(bytes((key,)) + body) + TERMINATOR


def decode_frame(frame: bytes) -> str:
    """Decode one frame (with or without its trailing CRLF) to its text.

    An empty string means the peer hung up (an empty plaintext frame).
    """
    if frame.endswith(TERMINATOR):
        frame = frame[: -len(TERMINATOR)]
    if not frame or frame[0] != FRAME_START:
        raise ProtocolError("frame does not start with '*'")
    raw = unescape(frame[1:])
    if not raw:
        raise ProtocolError("frame has no key byte")
    plain = crypt(raw[1:], raw[0])
    if plain.endswith(TERMINATOR):
        plain = plain[: -len(TERMINATOR)]
    try:
        text = plain.decode("ascii")
    except UnicodeDecodeError as err:
        raise ProtocolError("frame body is not ASCII") from err
    if not text.isprintable():
        raise ProtocolError("frame body has control characters")
    return text


class FrameSplitter:
    """Cuts a byte stream into raw frames at CRLF, whatever the read sizes."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.dropped = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes from the socket; return every complete frame (CRLF removed).

        A partial frame that grows past MAX_FRAME_BYTES without a terminator
        cannot be valid: it is dropped and counted in ``dropped``.
        """
        self._buffer += data
        frames: list[bytes] = []
        while True:
            end = self._buffer.find(TERMINATOR)
            if end < 0:
                break
            frames.append(bytes(self._buffer[:end]))
            del self._buffer[: end + len(TERMINATOR)]
        if len(self._buffer) > MAX_FRAME_BYTES:
            self._buffer.clear()
            self.dropped += 1
        return frames
