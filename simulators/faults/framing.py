"""Where the frames of a byte stream end, so faults land on a frame or right inside one.

A framer is fed what the upstream side sent and returns the complete frames; the proxy
passes frames on one at a time, injects garbage between them and cuts inside one.
"""

from __future__ import annotations

from enum import StrEnum
import struct

CRLF = b"\r\n"
HEAD_END = b"\r\n\r\n"


class Framing(StrEnum):
    """How the proxied protocol delimits its frames."""

    RAW = "raw"  # every read is a frame
    LINES = "lines"  # CRLF-terminated lines (Jura)
    HTTP = "http"  # HTTP/1.1 requests; websocket frames after an upgrade (GE, La Marzocco)


class RawFramer:
    """Every read is one frame."""

    def feed(self, data: bytes) -> list[bytes]:
        """The frames completed by ``data``."""
        return [data] if data else []


class LineFramer:
    """Frames end with CRLF; the terminator stays with its frame."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """The lines completed by ``data``."""
        self._buffer += data
        frames: list[bytes] = []
        while (end := self._buffer.find(CRLF)) >= 0:
            frames.append(bytes(self._buffer[: end + len(CRLF)]))
            del self._buffer[: end + len(CRLF)]
        return frames


class ServerStreamFramer:
    """What an HTTP server sends: raw until a ``101`` head, websocket frames after it."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.upgraded = False

    def feed(self, data: bytes) -> list[bytes]:
        """Complete websocket frames after the upgrade; anything before it as it came."""
        if not self.upgraded:
            if not data.startswith(b"HTTP/1.1 101") and not self._buffer:
                return [data] if data else []
            self._buffer += data
            end = self._buffer.find(HEAD_END)
            if end < 0:
                return []
            head = bytes(self._buffer[: end + len(HEAD_END)])
            del self._buffer[: end + len(HEAD_END)]
            self.upgraded = True
            return [head, *self._frames()]
        self._buffer += data
        return self._frames()

    def _frames(self) -> list[bytes]:
        frames: list[bytes] = []
        while (size := websocket_frame_size(self._buffer)) is not None:
            frames.append(bytes(self._buffer[:size]))
            del self._buffer[:size]
        return frames


def websocket_frame_size(buffer: bytes | bytearray) -> int | None:
    """The length of the websocket frame at the start of ``buffer``, once it is whole."""
    if len(buffer) < 2:
        return None
    masked = buffer[1] & 0x80
    length = buffer[1] & 0x7F
    offset = 2
    if length == 126:
        if len(buffer) < 4:
            return None
        (length,) = struct.unpack_from("!H", buffer, 2)
        offset = 4
    elif length == 127:
        if len(buffer) < 10:
            return None
        (length,) = struct.unpack_from("!Q", buffer, 2)
        offset = 10
    total = offset + (4 if masked else 0) + int(length)
    return total if len(buffer) >= total else None


def websocket_frame(payload: bytes, *, binary: bool = False) -> bytes:
    """An unmasked, final websocket frame as a server sends it."""
    head = bytes([0x82 if binary else 0x81])
    size = len(payload)
    if size < 126:
        return head + bytes([size]) + payload
    if size < 1 << 16:
        return head + bytes([126]) + struct.pack("!H", size) + payload
    return head + bytes([127]) + struct.pack("!Q", size) + payload


def upstream_framer(framing: Framing) -> RawFramer | LineFramer | ServerStreamFramer:
    """A framer for what the simulator sends."""
    if framing is Framing.LINES:
        return LineFramer()
    if framing is Framing.HTTP:
        return ServerStreamFramer()
    return RawFramer()


class HttpRequest:
    """One request from the client, whole (head and ``Content-Length`` body)."""

    def __init__(self, raw: bytes, method: str, path: str, upgrade: bool) -> None:
        self.raw = raw
        self.method = method
        self.path = path
        self.upgrade = upgrade


class RequestFramer:
    """Cuts what an HTTP client sends into requests; raw bytes after an upgrade."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.upgraded = False

    def feed(self, data: bytes) -> list[HttpRequest | bytes]:
        """Whole requests, or raw bytes once the connection is a websocket."""
        if self.upgraded:
            return [data] if data else []
        self._buffer += data
        out: list[HttpRequest | bytes] = []
        while not self.upgraded and (end := self._buffer.find(HEAD_END)) >= 0:
            head = bytes(self._buffer[:end]).decode("latin-1")
            request_line, *header_lines = head.split("\r\n")
            method, _, rest = request_line.partition(" ")
            path = rest.rpartition(" ")[0] or rest
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in header_lines)
            }
            try:
                body = int(headers.get("content-length", "0"))
            except ValueError:
                body = 0
            total = end + len(HEAD_END) + body
            if len(self._buffer) < total:
                break
            upgrade = headers.get("upgrade", "").lower() == "websocket"
            out.append(HttpRequest(bytes(self._buffer[:total]), method, path, upgrade))
            del self._buffer[:total]
            self.upgraded = upgrade
        if self.upgraded and self._buffer:
            out.append(bytes(self._buffer))
            self._buffer.clear()
        return out
