"""The port-1774 protocol's envelope and messages: every vector of the reference, and garbage."""

from __future__ import annotations

import contextlib

from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib import AuthError, ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct.framing import (
    FrameCipher,
    FrameSplitter,
    WrongKeyError,
    key_bytes,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct.messages import (
    Kind,
    check_byte,
    encode_read,
    encode_reply,
    encode_write,
    parse_message,
)

DUMMY_KEY = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("R401C000403BC04D8", "B6"),
        ("R40000020", "D8"),
        ("R0000001F", "E9"),
        ("R0310001D", "EB"),
        ("W0000000101", "39"),
        ("W0000000100", "38"),
        ("R40000023", "DB"),
        ("R0020002C", "E9"),
        ("R00500018", "E0"),
        ("R60EF0010", "04"),
        ("R00E20004", "ED"),
        ("R40600020", "DE"),
        ("R401C0004", "EE"),
    ],
)
def test_check_bytes_of_the_reference(text: str, check: str) -> None:
    assert check_byte(text) == check


@pytest.mark.parametrize(
    ("plain", "frame"),
    [
        ("R40000020D8", b"@5KmszB8tGNZVJdHS1Tmd3Q==%"),
        ("W000000010139", b"@5+gj1PWbjaMx7nRohVoLrw==%"),
        ("R0000001FE9", b"@O8iTAJ6qkjYtMn7m7j8ItA==%"),
    ],
)
def test_aes_frames_of_the_reference(plain: str, frame: bytes) -> None:
    cipher = FrameCipher(DUMMY_KEY)
    assert cipher.encode(plain) == frame
    assert cipher.decode(frame) == plain


def test_reads_and_power_writes_are_the_named_commands() -> None:
    assert encode_read(0x4000, 0x20) == "R40000020D8"
    assert encode_read(0x0000, 0x1F) == "R0000001FE9"
    assert encode_read(0x0310, 0x1D) == "R0310001DEB"
    assert encode_write(0x0000, b"\x01") == "W000000010139"
    assert encode_write(0x0000, b"\x00") == "W000000010038"


def test_the_pushed_temperature_report_decodes() -> None:
    message = parse_message("R401C000403BC04D8B6")
    assert (message.kind, message.address, message.length) == (Kind.READ, 0x401C, 4)
    assert message.data == bytes.fromhex("03BC04D8")


def test_a_write_reply_says_ok() -> None:
    reply = parse_message(encode_reply(Kind.WRITE, 0x0007, 2, "OK"))
    assert reply.ok
    assert not parse_message(encode_reply(Kind.WRITE, 0x0007, 2, "NO")).ok


@pytest.mark.parametrize("key", ["short", "x" * 17, "ключ" * 4])
def test_a_key_aes_cannot_use_is_refused(key: str) -> None:
    with pytest.raises(AuthError):
        key_bytes(key)


@pytest.mark.parametrize("size", [16, 24, 32])
def test_the_key_length_picks_the_aes_size(size: str) -> None:
    cipher = FrameCipher("k" * size)
    assert cipher.decode(cipher.encode("R40000020D8")) == "R40000020D8"


def test_another_key_is_told_apart() -> None:
    frame = FrameCipher("f" * 32).encode("R40000020D8")
    with pytest.raises(WrongKeyError):
        FrameCipher(DUMMY_KEY).decode(frame)


def test_the_splitter_finds_frames_across_chunks_and_drops_noise() -> None:
    splitter = FrameSplitter()
    assert splitter.feed(b"noise@abc") == []
    assert splitter.feed(b"d%@x") == [b"@abcd%"]
    assert splitter.feed(b"y%") == [b"@xy%"]


def test_a_frame_without_end_is_refused() -> None:
    with pytest.raises(ProtocolError):
        FrameSplitter().feed(b"@" + b"A" * 5000)


@given(st.binary(max_size=200))
def test_random_frames_are_protocol_errors(frame: bytes) -> None:
    cipher = FrameCipher(DUMMY_KEY)
    try:
        text = cipher.decode(frame)
    except ProtocolError:
        return
    # A frame that decrypts to text is a message or a protocol error, nothing else.
    with contextlib.suppress(ProtocolError):
        parse_message(text)


@given(st.sampled_from(["R40000020D8", "W000000010139", "R401C000403BC04D8B6"]), st.data())
def test_truncated_frames_are_protocol_errors(plain: str, data: st.DataObject) -> None:
    frame = FrameCipher(DUMMY_KEY).encode(plain)
    cut = data.draw(st.integers(min_value=0, max_value=len(frame) - 1))
    if frame[:cut].rstrip(b"=") == frame[:-1].rstrip(b"="):
        return  # only the end mark or padding gone: still the whole frame
    with pytest.raises(ProtocolError):
        FrameCipher(DUMMY_KEY).decode(frame[:cut])


@given(st.text(max_size=60))
def test_random_messages_are_protocol_errors(text: str) -> None:
    try:
        message = parse_message(text)
    except ProtocolError:
        return
    assert message.kind in Kind


@given(st.sampled_from(["R401C000403BC04D8B6", "W000000010139", "R0000001FE9"]), st.data())
def test_truncated_or_altered_messages_are_protocol_errors(text: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    with pytest.raises(ProtocolError):
        parse_message(text[:cut])
    position = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    changed = "0" if text[position] != "0" else "1"
    with pytest.raises(ProtocolError):
        parse_message(text[:position] + changed + text[position + 1 :])


@given(st.binary(max_size=300))
def test_the_splitter_never_raises_anything_but_protocol_errors(stream: bytes) -> None:
    try:
        frames = FrameSplitter().feed(stream)
    except ProtocolError:
        return
    assert all(frame.startswith(b"@") and frame.endswith(b"%") for frame in frames)
