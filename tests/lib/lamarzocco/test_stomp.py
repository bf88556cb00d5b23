"""STOMP frames as the cloud's websocket sends and expects them."""

from __future__ import annotations

import contextlib

from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError, ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.stomp import (
    COMMANDS,
    MAX_FRAME_LENGTH,
    StompFrame,
    connect_frame,
    dashboard_destination,
    decode_frame,
    encode_frame,
    frame_headers,
    is_heart_beat,
    message_json,
    negotiated_heart_beat,
    parse_heart_beat,
    scheduling_destination,
    subscribe_frame,
    unsubscribe_frame,
)


def test_connect_frame_carries_the_bearer() -> None:
    text = encode_frame(connect_frame("tok.en"))
    assert text == (
        "CONNECT\nhost:lion.lamarzocco.io\naccept-version:1.2,1.1,1.0\nheart-beat:0,0\n"
        "Authorization:Bearer tok.en\n\n\x00"
    )


def test_frame_repr_never_shows_the_bearer() -> None:
    frame = connect_frame("secret-token")
    assert "secret-token" not in repr(frame)
    assert "Authorization" in repr(frame)


def test_subscribe_and_unsubscribe_frames() -> None:
    sub_id = "0b8c7e55-2f43-4a0e-9d6e-2a4c1f3b5d7e"
    assert encode_frame(subscribe_frame(dashboard_destination("MR012345"), sub_id)) == (
        f"SUBSCRIBE\ndestination:/ws/sn/MR012345/dashboard\nack:auto\nid:{sub_id}\n"
        "content-length:0\n\n\x00"
    )
    assert scheduling_destination("MR012345") == "/ws/sn/MR012345/scheduling"
    assert encode_frame(unsubscribe_frame(sub_id)) == f"UNSUBSCRIBE\nid:{sub_id}\n\n\x00"


@pytest.mark.parametrize("serial", ["", "MR/../x", "a b", "x" * 65])
def test_destination_refuses_odd_serials(serial: str) -> None:
    with pytest.raises(InvalidValueError):
        dashboard_destination(serial)


def test_message_with_colons_in_header_values() -> None:
    frame = decode_frame(
        "MESSAGE\ndestination:/ws/sn/MR012345/dashboard\nmessage-id:a:b:c\n"
        'subscription:sub-1\ncontent-type:application/json\n\n{"connected":true}\x00'
    )
    assert frame.command == "MESSAGE"
    assert frame.header("message-id") == "a:b:c"
    assert frame.header("missing") is None
    assert frame.body == '{"connected":true}'


def test_message_json_gives_destination_and_body() -> None:
    frame = decode_frame('MESSAGE\ndestination:/ws/sn/MR1/dashboard\n\n{"connected":false}\x00')
    assert message_json(frame) == ("/ws/sn/MR1/dashboard", {"connected": False})


@pytest.mark.parametrize(
    "text",
    [
        "ERROR\nmessage:bad\n\n\x00",
        "MESSAGE\nid:1\n\n{}\x00",
        "MESSAGE\ndestination:/d\n\nnot json\x00",
        "MESSAGE\ndestination:/d\n\n" + "[" * 100_000 + "\x00",
    ],
)
def test_message_json_refuses_other_frames(text: str) -> None:
    with pytest.raises(ProtocolError):
        message_json(decode_frame(text))


def test_missing_nul_terminator_is_tolerated() -> None:
    frame = decode_frame("MESSAGE\ndestination:/d\n\n{}")
    assert frame.body == "{}"


def test_connected_frame_with_crlf_and_leading_heart_beats() -> None:
    frame = decode_frame(b"\n\r\nCONNECTED\r\nversion:1.2\r\nheart-beat:0,0\r\n\r\n\x00\n")
    assert frame.command == "CONNECTED"
    assert frame_headers(frame) == {"version": "1.2", "heart-beat": "0,0"}


def test_crlf_headers_with_blank_lines_in_the_body() -> None:
    frame = decode_frame("MESSAGE\r\nh:v\r\n\r\nline\n\nline\x00")
    assert frame.header("h") == "v"
    assert frame.body == "line\n\nline"


def test_repeated_header_first_wins() -> None:
    frame = decode_frame("MESSAGE\nh:first\nh:second\n\n\x00")
    assert frame.header("h") == "first"
    assert frame_headers(frame)["h"] == "first"


def test_content_length_bounds_the_body() -> None:
    frame = decode_frame("MESSAGE\ncontent-length:4\n\nkaff\x00")
    assert frame.body == "kaff"
    frame = decode_frame("MESSAGE\ncontent-length:2\n\né\x00")
    assert frame.body == "é"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "MESSAGE",
        "MESSAGE\nh:v",
        "BOGUS\n\n\x00",
        "message\n\n\x00",
        "MESSAGE\nno-colon\n\n\x00",
        "MESSAGE\n:value\n\n\x00",
        "MESSAGE\n\nbody\x00trailing",
        "MESSAGE\ncontent-length:x\n\nbody\x00",
        "MESSAGE\ncontent-length:9\n\nbody\x00",
        "MESSAGE\ncontent-length:2\n\nbody\x00",
        "MESSAGE\ncontent-length:1\n\né\x00",
    ],
)
def test_malformed_frames_are_protocol_errors(text: str) -> None:
    with pytest.raises(ProtocolError):
        decode_frame(text)


def test_non_utf8_and_oversized_frames_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError):
        decode_frame(b"MESSAGE\n\n\xff\x00")
    with pytest.raises(ProtocolError):
        decode_frame("MESSAGE\n\n" + "x" * MAX_FRAME_LENGTH)


def test_heart_beats() -> None:
    assert is_heart_beat("\n")
    assert is_heart_beat("\r\n\n")
    assert not is_heart_beat("")
    assert not is_heart_beat("CONNECTED\n\n\x00")
    assert parse_heart_beat("10000,0") == (10000, 0)
    assert negotiated_heart_beat((10000, 10000), (0, 20000)) == (20000, 0)
    assert negotiated_heart_beat((0, 5000), (4000, 0)) == (0, 5000)
    assert encode_frame(connect_frame("t", heart_beat=(10000, 10000))).count(
        "heart-beat:10000,10000"
    )


@pytest.mark.parametrize(
    "value", ["", "1", "1,", ",1", "a,b", "-1,0", "1,2,3", "99999999999,0", "0,100000000"]
)
def test_unreadable_heart_beat_is_a_protocol_error(value: str) -> None:
    with pytest.raises(ProtocolError):
        parse_heart_beat(value)


@pytest.mark.parametrize(
    "frame",
    [
        StompFrame("NOPE"),
        StompFrame("SEND", (("a:b", "v"),)),
        StompFrame("SEND", (("", "v"),)),
        StompFrame("SEND", (("h", "line\nbreak"),)),
        StompFrame("SEND", body="nul\x00inside"),
    ],
)
def test_frames_that_cannot_be_sent_are_refused(frame: StompFrame) -> None:
    with pytest.raises(InvalidValueError):
        encode_frame(frame)


_HEADER_NAME = st.text(
    st.characters(blacklist_characters=":\r\n\x00", blacklist_categories=("Cs",)), min_size=1
).filter(lambda name: name != "content-length")
_HEADER_VALUE = st.text(
    st.characters(blacklist_characters="\r\n\x00", blacklist_categories=("Cs",))
)
_BODY = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))


@given(
    st.sampled_from(sorted(COMMANDS)),
    st.lists(st.tuples(_HEADER_NAME, _HEADER_VALUE), max_size=5),
    _BODY,
)
def test_round_trip(command: str, headers: list[tuple[str, str]], body: str) -> None:
    frame = StompFrame(command, tuple(headers), body)
    assert decode_frame(encode_frame(frame)) == frame
    assert decode_frame(encode_frame(frame).encode("utf-8")) == frame


@given(
    st.sampled_from(sorted(COMMANDS)),
    st.lists(st.tuples(_HEADER_NAME, _HEADER_VALUE), max_size=3),
    _BODY,
    st.data(),
)
def test_truncated_frames_decode_or_fail_cleanly(
    command: str, headers: list[tuple[str, str]], body: str, data: st.DataObject
) -> None:
    text = encode_frame(StompFrame(command, tuple(headers), body))
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    with contextlib.suppress(ProtocolError):
        decode_frame(text[:cut])


@given(st.one_of(st.text(), st.binary()))
def test_random_input_decodes_or_is_a_protocol_error(data: str | bytes) -> None:
    try:
        frame = decode_frame(data)
    except ProtocolError:
        return
    assert frame.command in COMMANDS


@given(_HEADER_VALUE, _BODY)
def test_random_message_body_is_json_or_a_protocol_error(destination: str, body: str) -> None:
    frame = StompFrame("MESSAGE", (("destination", destination),), body)
    with contextlib.suppress(ProtocolError):
        assert message_json(decode_frame(encode_frame(frame)))[0] == destination


@given(st.text(max_size=30))
def test_random_heart_beat_header_parses_or_is_a_protocol_error(value: str) -> None:
    try:
        outgoing, incoming = parse_heart_beat(value)
    except ProtocolError:
        return
    assert outgoing >= 0
    assert incoming >= 0
