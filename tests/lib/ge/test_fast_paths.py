"""The shortcuts of the push hot path read exactly what the general paths read, only faster.

A push arrives, its frame is parsed, its ERD decoded: both steps have a shortcut for the
usual shape (a compact publish frame, a one-byte ERD, a bitmap of flags). Whatever the
input, a shortcut gives the general path's result or the same ProtocolError, and the usual
input takes it without Python-level calls beyond the entry point.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import re
import sys
from types import FrameType
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.ge import messages as m
from custom_components.kitchen_connect.kitchenlib.ge.erd import (
    decode_erd,
    decode_erd_value,
    erd_spec,
)
from custom_components.kitchen_connect.kitchenlib.ge.erd.fields import read_identity
from custom_components.kitchen_connect.kitchenlib.ge.erd.table import (
    BYTE_READINGS,
    BYTE_TABLES,
    CODECS,
)

MAC = "D828C9A10204"
MACHINE_STATE = 0x2000  # one byte: an enum
SWING = 0x7B07  # one byte: a flag
USER_SETTINGS = 0x3007  # three bytes: numbers and flags
HOT_WATER = 0x1010  # seven bytes: options and numbers
COOKTOP = 0x5520  # thirteen bytes: burner states, flags and levels
MODEL_NUMBER = 0x0001


def python_calls[**P](action: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> list[str]:
    """The Python functions ``action`` runs (itself first), by qualified name."""
    called: list[str] = []

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call":
            called.append(frame.f_code.co_qualname)

    sys.setprofile(profile)
    try:
        action(*args, **kwargs)
    finally:
        sys.setprofile(None)
    return called


def _outcome(parse: Callable[[str], m.ServerFrame], text: str) -> object:
    try:
        return parse(text)
    except ProtocolError:
        return ProtocolError


# --- publish frames ------------------------------------------------------------------------


def _publish(mac: str, code: str, time: str, raw: str, user: str) -> str:
    return json.dumps(
        {
            "item": {"applianceId": mac, "erd": code, "time": time, "value": raw},
            "resource": f"/appliance/{mac}/erd/{code}",
            "kind": "publish#erd",
            "userId": user,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def test_the_usual_push_is_read_in_one_python_call() -> None:
    """No helper, no record type, no json: the bulk of the traffic costs one call."""
    text = _publish(MAC, "0x2000", "2026-12-01T12:00:00.000Z", "03", "8iphzd059z7spke")
    assert python_calls(m.parse_frame, text) == ["parse_frame"]
    assert m.parse_frame(text) == (MAC, MACHINE_STATE, "03")


_TRICKY = ['"', "\\", "\x00", "\x1f", "\x7f", " ", "\u2028", "é", "{", "}", ",", ":", "/"]
_hex = st.text("0123456789abcdefABCDEF", max_size=6)
_plain = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=24)
_text = st.text(st.characters(codec="utf-8") | st.sampled_from(_TRICKY), max_size=12)
# The service's own shape: what the shortcut is for.
_usual = st.builds(
    _publish,
    st.text("0123456789ABCDEF", min_size=1, max_size=14),
    st.builds("0x{:04X}".format, st.integers(0, 0xFFFF)) | st.sampled_from(["0x7b07", "0X5200"]),
    _plain,
    _hex,
    _plain,
)
# Anything else in the same frame.
_unusual = st.builds(
    _publish,
    st.sampled_from([MAC, MAC.lower(), " " + MAC, "", "A/B"]) | _text,
    st.sampled_from(["0x2000", "0x123", "2000", "0x20000", "0xG000"]) | _text,
    _text,
    _hex | _text,
    _text,
)
_publishes = _usual | _unusual


@settings(max_examples=300)
@given(_publishes)
def test_pushes_of_any_content_read_as_json_reads_them(text: str) -> None:
    """Ids, codes, values in any spelling: the same push or the same ProtocolError."""
    assert _outcome(m.parse_frame, text) == _outcome(m.parse_json_frame, text)


@settings(max_examples=300)
@given(_publishes, st.data())
def test_mutated_pushes_read_as_json_reads_them(text: str, data: st.DataObject) -> None:
    """One character inserted, removed or replaced anywhere, or the frame cut short."""
    at = data.draw(st.integers(0, len(text)), label="position")
    character = data.draw(st.sampled_from(_TRICKY) | st.characters(), label="character")
    mutated = data.draw(
        st.sampled_from(
            [
                text[:at] + character + text[at:],
                text[:at] + text[at + 1 :],
                text[:at] + character + text[at + 1 :],
                text[:at],
            ]
        ),
        label="mutation",
    )
    assert _outcome(m.parse_frame, mutated) == _outcome(m.parse_json_frame, mutated)


@given(_publishes, st.data())
def test_truncated_pushes_are_protocol_errors(text: str, data: st.DataObject) -> None:
    """A push cut anywhere before its end is refused, by either path."""
    cut = data.draw(st.integers(0, len(text) - 1), label="cut")
    with pytest.raises(ProtocolError):
        m.parse_frame(text[:cut])


# --- ERD values ----------------------------------------------------------------------------


def test_one_byte_erds_decode_in_one_python_call() -> None:
    """Options and flags, most of what pushes carry, are read from a table."""
    assert python_calls(decode_erd_value, MACHINE_STATE, "03") == ["decode_erd_value"]
    assert python_calls(decode_erd_value, SWING, "01") == ["decode_erd_value"]


def test_options_and_flags_inside_larger_erds_need_no_call_per_field() -> None:
    """A many-field ERD of options, flags and plain numbers is read in one call."""
    for code, raw in ((USER_SETTINGS, "A5F00F"), (COOKTOP, "01A5FF0800000000000000000000")):
        calls = python_calls(decode_erd_value, code, raw)
        assert calls == ["decode_erd_value", "_bytes_decoder.<locals>.decode_bytes"], hex(code)


# One-byte ERDs of several fields: flags of AC modes, ice-maker states, oven light states.
AC_MODES = 0x7B00
ICE_BUCKETS = 0x1007
AVAILABLE_MODES = 0x4040


def test_one_byte_erds_of_several_fields_decode_in_one_python_call() -> None:
    """Their 256 readings are built at import: reading one is an index and a copy."""
    for code, raw in ((AC_MODES, "C7"), (ICE_BUCKETS, "0b"), (AVAILABLE_MODES, "1F")):
        assert python_calls(decode_erd_value, code, raw) == ["decode_erd_value"], hex(code)


def test_one_byte_readings_are_fresh_dicts() -> None:
    """Changing one reading changes neither the table nor the next reading."""
    first = decode_erd_value(AC_MODES, "C7")
    expected = dict(first)
    first["heat"] = "changed"
    first["extra"] = 1
    again = decode_erd_value(AC_MODES, "C7")
    assert again == expected
    assert again is not first


def test_every_one_byte_reading_of_several_fields_is_its_readers_reading() -> None:
    """The readings table holds every byte of exactly the one-byte, many-field ERDs."""
    assert BYTE_READINGS
    for code, codec in CODECS.items():
        spec = codec.spec
        assert (code in BYTE_READINGS) is (spec.size == 1 and len(spec.fields) > 1), hex(code)
    for code in BYTE_READINGS:
        readers = CODECS[code].readers
        for byte in range(256):
            expected = repr({key: read(bytes((byte,))) for key, read in readers})
            for raw in _spellings(byte):
                decoded = decode_erd(code, raw)
                assert (decoded.code, decoded.raw) == (code, raw.upper())
                assert repr(decoded.value) == expected, (hex(code), raw)


@pytest.mark.parametrize(
    ("code", "raw"),
    [
        (0x5102, "00C8"),  # a cook time in minutes, FFFF for none
        (0x5103, "FF38"),  # a signed temperature offset
        (0x4024, "0480"),  # tenths of °F
        (0x0100, "00020A11"),  # a software version
        (MODEL_NUMBER, ("0B" + b"C7CEBBS4RS3".hex()).ljust(64, "0")),
        (0x5113, "00" * 21 + "40"),  # available cook modes: one bit each
        (0x5007, "0898"),  # oven configuration: flags of one bit each
    ],
)
def test_numbers_model_numbers_versions_and_bitmaps_take_one_call(code: int, raw: str) -> None:
    """One decoder reads the whole value, with no reader called per field."""
    calls = python_calls(decode_erd_value, code, raw)
    assert calls[0] == "decode_erd_value"
    assert len(calls) == 2, calls


def _spellings(byte: int) -> set[str]:
    low = f"{byte:02x}"
    return {a + b for a in {low[0], low[0].upper()} for b in {low[1], low[1].upper()}}


def test_every_one_byte_value_in_every_spelling_reads_as_its_reader_reads_it() -> None:
    """The tables hold every byte of every one-byte ERD, and only those ERDs."""
    assert BYTE_TABLES  # most of the table is one-byte options and flags
    for code, codec in CODECS.items():
        assert (code in BYTE_TABLES) is (codec.spec.size == 1 and len(codec.spec.fields) == 1)
    for code in BYTE_TABLES:
        read = CODECS[code].readers[0][1]
        for byte in range(256):
            expected = read(bytes((byte,)))
            for raw in _spellings(byte):
                assert decode_erd(code, raw) == (code, raw.upper(), expected)
            # Trailing bytes take the general path and are ignored there.
            assert decode_erd(code, f"{byte:02x}ff").value == expected


@pytest.mark.parametrize("code", [MACHINE_STATE, SWING, HOT_WATER, MODEL_NUMBER, 0x9999])
@pytest.mark.parametrize(
    "raw",
    [
        "\ufb00",  # upper-cases to "FF": read as hex, it would be a byte
        "\ufb00\ufb00",
        "0",
        "0g",
        " 0",
        "0 ",
        "00 ",
        "0\u0660",  # an Arabic-Indic zero: a digit, but no hex digit
        b"00",
        None,
        ["00"],
        0,
    ],
)
def test_no_text_or_no_hex_is_a_protocol_error(code: int, raw: Any) -> None:
    """Whatever the layout, anything but an even run of hex digits is refused the same way."""
    with pytest.raises(ProtocolError, match=r"not text|not an even run of hex digits"):
        decode_erd(code, raw)


_hexish = st.text("0123456789abcdefABCDEF \ufb00g", min_size=1, max_size=4)


def _read_by_fields(code: int, data: bytes) -> Any:
    readers = CODECS[code].readers
    if len(readers) == 1:
        return readers[0][1](data)
    return {key: read(data) for key, read in readers}


@settings(max_examples=500)
@given(st.sampled_from(sorted(BYTE_TABLES) + sorted(BYTE_READINGS)), _hexish)
def test_short_values_of_one_byte_erds_read_as_bytes_fromhex_reads_them(
    code: int, raw: str
) -> None:
    """Hex, odd lengths, spaces and lookalikes: a value exactly when fromhex reads one."""
    try:
        data = bytes.fromhex(raw)
    except ValueError:
        data = None
    if data is None or len(data) * 2 != len(raw):
        with pytest.raises(ProtocolError, match="not an even run of hex digits"):
            decode_erd(code, raw)
    else:
        decoded = decode_erd(code, raw)
        # repr tells True from 1 and shows the key order.
        assert (decoded.code, decoded.raw) == (code, raw.upper())
        assert repr(decoded.value) == repr(_read_by_fields(code, data))


# --- model and serial numbers --------------------------------------------------------------

_PADDING = (b"\x00", b"\xff")


def _identity_as_documented(raw: bytes) -> str | None:
    """The rules of ``read_identity``'s docstring, written out another way."""
    if 0 < raw[0] < 0x20:  # a length byte, then exactly that much text, unpadded
        body = raw[1:][: raw[0]]
        usable = len(body) == raw[0] and body[:1] not in _PADDING and body[-1:] not in _PADDING
    else:  # plain text ending in NUL or FF padding, and not only padding
        body = raw.partition(b"\x00")[0].rstrip(b"\xff")
        usable = len(body) < len(raw) and any(byte not in (0, 0xFF) for byte in raw)
    if not usable or re.fullmatch(rb"[A-Za-z0-9 ._/-]*", body) is None:
        return None
    if re.search(rb"-----|BEGIN|CERTIFICATE", body):
        return None
    return body.decode().strip() or None


_identity_bytes = st.binary(min_size=1, max_size=32) | st.builds(
    lambda body, pad: bytes((len(body),)) + body + pad,
    st.sampled_from([b"C7CEBBS4RS3", b"BEGINX1", b"ZCERTIFICATE", b"AB-----C", b"a b", b""])
    | st.text("ABCZ019 -._/", max_size=12).map(str.encode),
    st.binary(max_size=4),
)


@settings(max_examples=500)
@given(_identity_bytes)
def test_identity_numbers_read_as_documented(raw: bytes) -> None:
    """The shortcut for plain alphanumeric numbers changes no reading."""
    assert read_identity(raw) == _identity_as_documented(raw)


def test_model_number_reads_through_the_shortcut() -> None:
    spec = erd_spec(MODEL_NUMBER)
    assert spec is not None
    raw = ("0B" + b"C7CEBBS4RS3".hex()).ljust(spec.size * 2, "0")
    assert decode_erd(MODEL_NUMBER, raw).value == "C7CEBBS4RS3"
    assert decode_erd(MODEL_NUMBER, raw.replace(b"S4RS3".hex(), b"BEGIN".hex())).value is None
