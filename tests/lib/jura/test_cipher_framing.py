"""Cipher and TCP framing: worked vectors from the protocol notes plus properties."""

from __future__ import annotations

import random

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.jura.cipher import crypt, random_key
from custom_components.kitchen_connect.kitchenlib.jura.framing import (
    ESCAPE,
    MAX_FRAME_BYTES,
    RESERVED,
    FrameSplitter,
    decode_frame,
    encode_frame,
    escape,
    unescape,
)

# Printable ASCII without CR/LF: what a command can contain.
commands = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)


# --- Cipher ---------------------------------------------------------------------------------


def test_cipher_round_trips_for_every_key_past_the_position_period() -> None:
    data = random.Random(1).randbytes(300)  # > 128 bytes = 256 nibble positions
    for key in range(256):
        encoded = crypt(data, key)
        assert encoded != data
        assert crypt(encoded, key) == data


@settings(max_examples=200)
@given(data=st.binary(max_size=400), key=st.integers(0, 255))
def test_cipher_is_its_own_inverse(data: bytes, key: int) -> None:
    assert crypt(crypt(data, key), key) == data


def test_cipher_worked_example_key_0x42() -> None:
    assert crypt(b"@TG:43\r\n", 0x42) == bytes.fromhex("73AB635B9AA5DFA2")


def test_cipher_position_effect_repeats_every_128_bytes() -> None:
    block = random.Random(2).randbytes(128)
    encoded = crypt(block * 2, 0x5A)
    assert encoded[:128] == encoded[128:]


def test_random_key_never_has_low_nibble_e_or_f() -> None:
    keys = {random_key() for _ in range(3000)}
    assert all(key & 0x0F < 0x0E for key in keys)
    assert all(0 <= key <= 0xFF for key in keys)
    assert len(keys) > 150  # it really is random, not a constant


# --- Frames: worked vectors -----------------------------------------------------------------


def test_frame_worked_example_key_0x42() -> None:
    frame = bytes.fromhex("2A4273AB635B9AA5DFA20D0A")
    assert encode_frame("@TG:43", key=0x42) == frame
    assert decode_frame(frame) == "@TG:43"


def test_frame_with_reserved_key_0x0d() -> None:
    frame = encode_frame("@TG:43", key=0x0D)
    expected_body = bytes.fromhex("1B8DFDDE7DC41BA6B0")  # key and a 0x26 byte escaped
    assert frame.startswith(b"*" + expected_body)
    assert frame.endswith(b"\r\n")
    assert decode_frame(frame) == "@TG:43"


def test_hang_up_frame_decodes_to_empty_text() -> None:
    frame = bytes.fromhex("2A7785550D0A")
    assert decode_frame(frame) == ""
    assert encode_frame("", key=0x77) == frame


@pytest.mark.parametrize(
    "frame",
    [b"", b"\r\n", b"X\x42\x73\r\n", b"*", b"*\r\n", b"*\x1b", b"*\x42\x0a\r\n", b"*\x1b\x41"],
)
def test_malformed_frames_are_protocol_errors(frame: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_frame(frame)


# --- Escaping -------------------------------------------------------------------------------


def _only_escape_pairs_carry_reserved_bytes(data: bytes) -> bool:
    index = 0
    while index < len(data):
        value = data[index]
        if value == ESCAPE:
            if index + 1 >= len(data) or data[index + 1] ^ 0x80 not in RESERVED:
                return False
            index += 2
        elif value in RESERVED:
            return False
        else:
            index += 1
    return True


@settings(max_examples=300)
@given(data=st.binary(max_size=300))
def test_escape_round_trips_and_hides_reserved_bytes(data: bytes) -> None:
    escaped = escape(data)
    assert _only_escape_pairs_carry_reserved_bytes(escaped)
    assert b"\r\n" not in escaped
    assert unescape(escaped) == data


def test_escape_of_every_reserved_byte() -> None:
    assert escape(bytes(sorted(RESERVED))) == bytes.fromhex("1B801B8A1B8D1B9B1BA6")


# --- Frames: properties ---------------------------------------------------------------------


@settings(max_examples=300)
@given(text=commands, key=st.integers(0, 255))
def test_frame_round_trip_for_any_key(text: str, key: int) -> None:
    frame = encode_frame(text, key=key)
    assert frame[0] == ord("*")
    assert frame.endswith(b"\r\n")
    assert frame.count(b"\r\n") == 1  # the terminator is the only CRLF on the wire
    assert decode_frame(frame) == text


@settings(max_examples=300)
@given(data=st.binary(max_size=200))
def test_random_bytes_decode_to_text_or_protocol_error(data: bytes) -> None:
    for candidate in (data, b"*" + data, b"*" + data + b"\r\n"):
        try:
            result = decode_frame(candidate)
        except ProtocolError:
            continue
        assert isinstance(result, str)


@settings(max_examples=150)
@given(
    texts=st.lists(commands, min_size=1, max_size=6),
    cuts=st.lists(st.integers(0, 2000), max_size=8),
)
def test_splitter_reassembles_frames_across_any_read_boundaries(
    texts: list[str], cuts: list[int]
) -> None:
    stream = b"".join(encode_frame(text) for text in texts)
    points = sorted({cut % (len(stream) + 1) for cut in cuts})
    chunks = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    splitter = FrameSplitter()
    frames = [frame for chunk in chunks for frame in splitter.feed(chunk)]
    assert [decode_frame(frame) for frame in frames] == texts
    assert splitter.dropped == 0


def test_splitter_returns_several_frames_from_one_read() -> None:
    splitter = FrameSplitter()
    stream = encode_frame("@TF:0004000008000000") + encode_frame("@tp") + encode_frame("@TB")
    frames = splitter.feed(stream)
    assert [decode_frame(frame) for frame in frames] == ["@TF:0004000008000000", "@tp", "@TB"]


def test_splitter_keeps_a_partial_frame_until_its_terminator() -> None:
    splitter = FrameSplitter()
    frame = encode_frame("@ts", key=0x42)
    assert splitter.feed(frame[:-1]) == []
    assert splitter.feed(frame[-1:]) == [frame[:-2]]


def test_splitter_drops_an_oversized_partial_frame_and_recovers() -> None:
    splitter = FrameSplitter()
    assert splitter.feed(b"*" + b"\x41" * (MAX_FRAME_BYTES + 10)) == []
    assert splitter.dropped == 1
    frames = splitter.feed(encode_frame("@tg:C000FF46"))
    assert [decode_frame(frame) for frame in frames] == ["@tg:C000FF46"]
    assert splitter.dropped == 1


# --- Speed-ups read exactly like the byte-by-byte definitions -------------------------------

_SBOX_A = (1, 0, 3, 2, 15, 14, 8, 10, 6, 13, 7, 12, 11, 9, 5, 4)
_SBOX_B = (9, 12, 6, 11, 10, 15, 2, 14, 13, 0, 4, 3, 1, 8, 7, 5)


def _reference_crypt(data: bytes, key: int) -> bytes:
    """The cipher as the protocol notes define it: nibble by nibble, position by position."""
    key_high, key_low = key >> 4, key & 15

    def nibble(value: int, position: int) -> int:
        quarter = (position >> 4) & 15
        step1 = (value + position + key_high) & 15
        step2 = (_SBOX_A[step1] + key_low + quarter - position - key_high) & 15
        step3 = (_SBOX_B[step2] + key_high + position - key_low - quarter) & 15
        return (_SBOX_A[step3] - position - key_high) & 15

    out = bytearray()
    for index, value in enumerate(data):
        position = (2 * index) & 255
        out.append(nibble(value >> 4, position) << 4 | nibble(value & 15, position + 1))
    return bytes(out)


def test_cipher_tables_match_the_nibble_definition_for_every_key() -> None:
    data = random.Random(3).randbytes(300)  # every position of the 128-byte period, twice
    for key in range(256):
        assert crypt(data, key) == _reference_crypt(data, key)


def _reference_unescape(data: bytes) -> bytes:
    out, pending = bytearray(), False
    for value in data:
        if pending:
            if value ^ 0x80 not in RESERVED:
                raise ProtocolError("pointless escape")
            out.append(value ^ 0x80)
            pending = False
        elif value == ESCAPE:
            pending = True
        elif value in RESERVED:
            raise ProtocolError("unescaped reserved byte")
        else:
            out.append(value)
    if pending:
        raise ProtocolError("dangling escape")
    return bytes(out)


# Bytes drawn mostly from the reserved ones and their escaped forms, where the edge cases are.
_escape_heavy = st.lists(
    st.sampled_from(sorted(RESERVED | {value ^ 0x80 for value in RESERVED} | {0x41, 0xFF}))
    | st.integers(0, 255),
    max_size=40,
).map(bytes)


@settings(max_examples=400)
@given(data=_escape_heavy)
def test_unescape_agrees_with_the_byte_by_byte_reading(data: bytes) -> None:
    try:
        expected = _reference_unescape(data)
    except ProtocolError:
        with pytest.raises(ProtocolError):
            unescape(data)
    else:
        assert unescape(data) == expected


@settings(max_examples=300)
@given(data=_escape_heavy)
def test_escape_agrees_with_the_byte_by_byte_writing(data: bytes) -> None:
    expected = b"".join(
        bytes((ESCAPE, value ^ 0x80)) if value in RESERVED else bytes((value,)) for value in data
    )
    assert escape(data) == expected


@pytest.mark.parametrize("key", [-1, 256])
def test_a_frame_key_must_fit_one_byte(key: int) -> None:
    with pytest.raises(ValueError, match="one byte"):
        encode_frame("@TG:43", key=key)
