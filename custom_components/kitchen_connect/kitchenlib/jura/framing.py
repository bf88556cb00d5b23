"""TCP framing: ``*`` + key + encoded body + CRLF, with byte escaping.

The plaintext always ends in its own CRLF (the dongle ignores some writes
without it). Only CRLF delimits frames: ``*`` is not reserved and may appear
inside an encoded body, so a reader must never resynchronise on it.
"""

from __future__ import annotations

import re

from ..errors import ProtocolError
from .cipher import crypt, random_key

FRAME_START = 0x2A
TERMINATOR = b"\r\n"
ESCAPE = 0x1B
RESERVED = frozenset({0x00, 0x0A, 0x0D, 0x1B, 0x26})
MAX_FRAME_BYTES = 4096
_FRAME_START_BYTE = bytes((FRAME_START,))
_RESERVED_BYTES = bytes(sorted(RESERVED))
_RESERVED_PATTERN = re.compile(b"[" + re.escape(_RESERVED_BYTES) + b"]")
_ESCAPED_FORM = {bytes((value,)): bytes((ESCAPE, value ^ 0x80)) for value in RESERVED}
_UNESCAPED_FORM = {value ^ 0x80: bytes((value,)) for value in RESERVED}
_ESCAPE_BYTE = bytes((ESCAPE,))
_FRAME_KEYS = tuple(_ESCAPED_FORM.get(bytes((key,)), bytes((key,))) for key in range(256))


def _has_reserved(data: bytes) -> bool:
    return len(data.translate(None, _RESERVED_BYTES)) != len(data)


def escape(data: bytes) -> bytes:
    """Replace every reserved byte by ESC + (byte XOR 0x80)."""
    if not _has_reserved(data):
        return bytes(data)
    return _RESERVED_PATTERN.sub(lambda match: _ESCAPED_FORM[match[0]], data)


def unescape(data: bytes) -> bytes:
    """Undo :func:`escape`; a dangling or pointless escape is a protocol error."""
    if not _has_reserved(data):
        return bytes(data)
    head, *escaped_runs = data.split(_ESCAPE_BYTE)
    plain = [head]
    out = [head]
    for run in escaped_runs:
        if not run:
            # ESC at the very end, or ESC ESC (which would stand for 0x9B, not reserved).
            raise ProtocolError("frame ends inside an escape sequence or escapes an escape")
        original = _UNESCAPED_FORM.get(run[0])
        if original is None:
            raise ProtocolError(f"escape of a byte that needs none: {run[0]:#04x}")
        plain.append(run[1:])
        out += (original, run[1:])
    if _has_reserved(b"".join(plain)):
        raise ProtocolError("unescaped reserved byte")
    return b"".join(out)


def encode_frame(text: str, key: int | None = None) -> bytes:
    """Encode one command (without CRLF) into a complete wire frame."""
    if key is None:
        key = random_key()
    elif not 0 <= key <= 0xFF:
        raise ValueError(f"a frame key is one byte, got {key}")
    body = crypt(text.encode("ascii") + TERMINATOR, key)
    return b"".join((_FRAME_START_BYTE, _FRAME_KEYS[key], escape(body), TERMINATOR))


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
