"""STOMP frames as La Marzocco's cloud websocket speaks them.

Frames are ``COMMAND\\nkey:value\\n...\\n\\n<body>\\0``. The cloud does not escape header
values (they may contain ``:``, so only the first one splits), and it has been seen to drop
the terminating NUL, which is tolerated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
import json
import re
from typing import Any, Final

from ..errors import InvalidValueError, ProtocolError

STOMP_HOST: Final = "lion.lamarzocco.io"
MAX_FRAME_LENGTH: Final = 1 << 20
_MAX_HEART_BEAT_MS: Final = 24 * 3600 * 1000
COMMANDS: Final = frozenset(
    {
        "CONNECT",
        "STOMP",
        "CONNECTED",
        "SEND",
        "SUBSCRIBE",
        "UNSUBSCRIBE",
        "ACK",
        "NACK",
        "BEGIN",
        "COMMIT",
        "ABORT",
        "DISCONNECT",
        "MESSAGE",
        "RECEIPT",
        "ERROR",
    }
)
_SERIAL: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_FORBIDDEN_IN_HEADER: Final = re.compile(r"[\r\n\0]")


@dataclass(frozen=True, slots=True)
class StompFrame:
    """One frame: its command, headers in order (first of a repeated name wins), body."""

    command: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str = field(default="")

    def header(self, name: str) -> str | None:
        """The value of header ``name``, or None."""
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def __repr__(self) -> str:
        # CONNECT carries the bearer token: never print header values.
        names = ", ".join(key for key, _ in self.headers)
        return f"StompFrame({self.command}, headers=[{names}], body={len(self.body)} chars)"


def encode_frame(frame: StompFrame) -> str:
    """The wire text of ``frame``; InvalidValueError for what cannot be framed unescaped."""
    if frame.command not in COMMANDS:
        raise InvalidValueError(f"unknown STOMP command {frame.command!r}")
    lines = [frame.command]
    for key, value in frame.headers:
        if not key or ":" in key or _FORBIDDEN_IN_HEADER.search(key + value):
            raise InvalidValueError("STOMP header names and values must be single lines")
        lines.append(f"{key}:{value}")
    if "\0" in frame.body:
        raise InvalidValueError("a STOMP body cannot contain NUL")
    return "\n".join(lines) + "\n\n" + frame.body + "\0"


def is_heart_beat(text: str) -> bool:
    """Whether a websocket message is only STOMP heart-beat end-of-lines."""
    return bool(text) and not text.strip("\r\n")


def decode_frame(data: str | bytes) -> StompFrame:
    """One frame from a websocket message; ProtocolError for anything else.

    Leading end-of-lines (heart-beats) are skipped; check ``is_heart_beat`` first for a
    message that is nothing else.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ProtocolError("STOMP frame is not UTF-8") from err
    if len(data) > MAX_FRAME_LENGTH:
        raise ProtocolError("STOMP frame is too long")
    text = data.lstrip("\r\n")
    ends = [(text.find(sep), sep) for sep in ("\n\n", "\r\n\r\n") if sep in text]
    if not ends:
        raise ProtocolError("STOMP frame has no end of headers")
    position, separator = min(ends)
    head, rest = text[:position], text[position + len(separator) :]
    lines = head.split("\n")
    command = lines[0].removesuffix("\r")
    if command not in COMMANDS:
        raise ProtocolError("STOMP frame has an unknown command")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        key, colon, value = line.removesuffix("\r").partition(":")
        if not colon or not key or "\0" in line or "\r" in key:
            raise ProtocolError("STOMP frame has a malformed header line")
        headers.append((key, value))
    body, _nul, trailer = rest.partition("\0")
    if trailer.strip("\r\n"):
        raise ProtocolError("STOMP frame has data after its end")
    frame = StompFrame(command, tuple(headers), body)
    length = frame.header("content-length")
    if length is None:
        return frame
    return replace(frame, body=_body_of_length(rest, length))


def _body_of_length(rest: str, length_text: str) -> str:
    if not length_text.isascii() or not length_text.isdigit() or len(length_text) > 9:
        raise ProtocolError("STOMP content-length is not a number")
    length = int(length_text)
    raw = rest.encode("utf-8")
    if length > len(raw) or raw[length:].strip(b"\0\r\n"):
        raise ProtocolError("STOMP content-length does not match the body")
    # Only NULs and end-of-lines follow, so the cut lands after a whole character.
    return raw[:length].decode("utf-8")


def parse_heart_beat(value: str) -> tuple[int, int]:
    """The ``heart-beat`` header ``cx,cy`` in milliseconds; ProtocolError if unreadable."""
    outgoing, comma, incoming = value.partition(",")
    numbers = []
    for part in (outgoing, incoming):
        if not comma or not part.isascii() or not part.isdigit() or len(part) > 9:
            raise ProtocolError("STOMP heart-beat header is unreadable")
        number = int(part)
        if number > _MAX_HEART_BEAT_MS:
            raise ProtocolError("STOMP heart-beat interval is out of range")
        numbers.append(number)
    return numbers[0], numbers[1]


def negotiated_heart_beat(ours: tuple[int, int], theirs: tuple[int, int]) -> tuple[int, int]:
    """Milliseconds between beats we send and beats we expect (0 = none), per STOMP 1.2."""
    send = 0 if ours[0] == 0 or theirs[1] == 0 else max(ours[0], theirs[1])
    receive = 0 if ours[1] == 0 or theirs[0] == 0 else max(ours[1], theirs[0])
    return send, receive


def connect_frame(
    access_token: str, *, heart_beat: tuple[int, int] = (0, 0), host: str = STOMP_HOST
) -> StompFrame:
    """The CONNECT frame with the bearer token."""
    return StompFrame(
        "CONNECT",
        (
            ("host", host),
            ("accept-version", "1.2,1.1,1.0"),
            ("heart-beat", f"{heart_beat[0]},{heart_beat[1]}"),
            ("Authorization", f"Bearer {access_token}"),
        ),
    )


def checked_serial(serial: str) -> str:
    """``serial`` when it is safe in a path or destination; InvalidValueError otherwise."""
    if not _SERIAL.fullmatch(serial):
        raise InvalidValueError("a serial number is letters, digits, '-' and '_'")
    return serial


def dashboard_destination(serial: str) -> str:
    """The destination that pushes a machine's dashboard."""
    return f"/ws/sn/{checked_serial(serial)}/dashboard"


def scheduling_destination(serial: str) -> str:
    """The destination that pushes a machine's schedules."""
    return f"/ws/sn/{checked_serial(serial)}/scheduling"


def subscribe_frame(destination: str, subscription_id: str) -> StompFrame:
    """SUBSCRIBE with automatic acknowledgement."""
    return StompFrame(
        "SUBSCRIBE",
        (
            ("destination", destination),
            ("ack", "auto"),
            ("id", subscription_id),
            ("content-length", "0"),
        ),
    )


def unsubscribe_frame(subscription_id: str) -> StompFrame:
    """UNSUBSCRIBE of an earlier subscription."""
    return StompFrame("UNSUBSCRIBE", (("id", subscription_id),))


def frame_headers(frame: StompFrame) -> Mapping[str, str]:
    """The headers as a mapping (first of a repeated name wins)."""
    headers: dict[str, str] = {}
    for key, value in frame.headers:
        headers.setdefault(key, value)
    return headers


def message_json(frame: StompFrame) -> tuple[str, Any]:
    """The destination and decoded JSON body of a MESSAGE frame; ProtocolError otherwise."""
    if frame.command != "MESSAGE":
        raise ProtocolError(f"expected a STOMP MESSAGE, got {frame.command}")
    destination = frame.header("destination")
    if not destination:
        raise ProtocolError("STOMP MESSAGE has no destination")
    try:
        return destination, json.loads(frame.body)
    except (ValueError, RecursionError) as err:
        raise ProtocolError("STOMP MESSAGE body is not JSON") from err
