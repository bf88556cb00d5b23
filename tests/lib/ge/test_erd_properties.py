"""Property tests: any input decodes or fails with ProtocolError; writes round-trip."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError, ProtocolError
from custom_components.kitchen_connect.kitchenlib.ge.erd import (
    ErdField,
    ErdSpec,
    decode_erd,
    encode_erd,
    erd_spec,
    known_erd_codes,
)
from custom_components.kitchen_connect.kitchenlib.ge.erd.sentinels import ALL_ONES_IS_NONE
from custom_components.kitchen_connect.kitchenlib.ge.erd.table import CODECS, DECODERS


def spec_of(code: int) -> ErdSpec:
    spec = erd_spec(code)
    assert spec is not None
    return spec


SPECS = tuple(spec_of(code) for code in known_erd_codes())
WRITABLE = tuple(spec for spec in SPECS if spec.writable)
READ_ONLY = tuple(spec for spec in SPECS if not spec.writable)
PRINTABLE_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


def field_values(field: ErdField) -> st.SearchStrategy[Any]:
    """Every value ``field`` can legitimately hold, as decode would return it."""
    match field.kind:
        case "enum":
            return st.sampled_from(field.options)
        case "bool":
            return st.booleans()
        case "string":
            return st.text(PRINTABLE_ASCII, max_size=field.size)
        case "hours_minutes":
            return st.integers(0, int(field.maximum))
    low, high = round(field.minimum * field.scale), round(field.maximum * field.scale)
    numbers = st.integers(low, high)
    return numbers.map(lambda number: number / field.scale) if field.scale != 1 else numbers


def spec_values(spec: ErdSpec) -> st.SearchStrategy[Any]:
    if spec.single:
        return field_values(spec.fields[0])
    return st.fixed_dictionaries({field.key: field_values(field) for field in spec.fields})


def label(spec: ErdSpec) -> str:
    return f"0x{spec.code:04X}"


# Every test below visits every spec (or every writable one) in each example: a test per
# code would spend most of its time in fixture setup.
every_example = settings(max_examples=20)


@every_example
@given(st.data())
def test_any_bytes_decode_or_fail_cleanly(data: st.DataObject) -> None:
    for spec in SPECS:
        raw = data.draw(st.binary(max_size=spec.size + 4), label=label(spec)).hex()
        if 0 < len(raw) < spec.size * 2:
            with pytest.raises(ProtocolError, match="needs"):
                decode_erd(spec.code, raw)
            continue
        decoded = decode_erd(spec.code, raw)
        assert decoded.raw == raw.upper()
        if not raw:
            assert decoded.value is None
        elif not spec.single:
            assert list(decoded.value) == list(spec.keys)
        # Decoding is pure: the same input reads the same way again.
        assert decode_erd(spec.code, raw) == decoded


@settings(max_examples=300)
@given(st.sampled_from(SPECS), st.text(max_size=24))
def test_any_text_decodes_or_is_a_protocol_error(spec: ErdSpec, text: str) -> None:
    try:
        decoded = decode_erd(spec.code, text)
    except ProtocolError:
        return
    assert decoded.raw == text.upper()


@every_example
@given(st.data())
def test_writes_round_trip(data: st.DataObject) -> None:
    for spec in WRITABLE:
        value = data.draw(spec_values(spec), label=label(spec))
        raw = encode_erd(spec.code, value)
        assert raw == raw.upper()
        assert len(raw) == spec.size * 2
        assert decode_erd(spec.code, raw).value == value


@every_example
@given(st.data())
def test_truncated_writes_are_protocol_errors(data: st.DataObject) -> None:
    for spec in WRITABLE:
        if spec.size == 1:
            continue
        raw = encode_erd(spec.code, data.draw(spec_values(spec), label=label(spec)))
        cut = data.draw(st.integers(1, spec.size - 1), label="bytes kept")
        with pytest.raises(ProtocolError, match="needs"):
            decode_erd(spec.code, raw[: cut * 2])


@every_example
@given(st.data())
def test_decoded_bytes_encode_to_an_equivalent_value(data: st.DataObject) -> None:
    for spec in WRITABLE:
        raw = data.draw(st.binary(min_size=spec.size, max_size=spec.size), label=label(spec))
        decoded = decode_erd(spec.code, raw.hex()).value
        fields = [decoded] if spec.single else list(decoded.values())
        if any(field is None for field in fields):
            continue  # a number outside an enum, or unreadable text, cannot be written back
        assert decode_erd(spec.code, encode_erd(spec.code, decoded)).value == decoded


def bad_field_values(field: ErdField) -> st.SearchStrategy[Any]:
    """Values ``field`` must refuse."""
    wrong_type = st.sampled_from([None, [], object()])
    match field.kind:
        case "enum":
            return wrong_type | st.text(max_size=8).filter(lambda text: text not in field.options)
        case "bool":
            return wrong_type | st.integers() | st.text(max_size=3)
        case "string":
            return wrong_type | st.text(PRINTABLE_ASCII, min_size=field.size + 1, max_size=40)
    # Just past each end, and anywhere beyond.
    highest, lowest = round(field.maximum * field.scale), round(field.minimum * field.scale)
    above = st.just(highest + 1) | st.integers(min_value=highest + 1)
    below = st.just(lowest - 1) | st.integers(max_value=lowest - 1)
    outside: st.SearchStrategy[float] = above | below
    if field.scale != 1:
        outside = outside.filter(lambda n: abs(n) < 1 << 60).map(lambda n: n / field.scale)
    return wrong_type | st.booleans() | st.text(max_size=3) | outside


@every_example
@given(st.data())
def test_bad_values_are_invalid(data: st.DataObject) -> None:
    for spec in WRITABLE:
        value = data.draw(spec_values(spec), label=label(spec))
        field = data.draw(st.sampled_from(spec.fields), label="broken field")
        bad = data.draw(bad_field_values(field), label="bad value")
        broken = bad if spec.single else {**value, field.key: bad}
        with pytest.raises(InvalidValueError):
            encode_erd(spec.code, broken)


SENTINEL_SPECS = tuple(
    spec for spec in SPECS if any(field.none_value is not None for field in spec.fields)
)


@every_example
@given(st.data())
def test_sentinels_read_as_none_whatever_surrounds_them(data: st.DataObject) -> None:
    for spec in SENTINEL_SPECS:
        raw = bytearray(data.draw(st.binary(min_size=spec.size, max_size=spec.size)))
        for field in spec.fields:
            if field.none_value is not None:
                raw[field.offset : field.offset + field.size] = field.none_value.to_bytes(
                    field.size
                )
        decoded = decode_erd(spec.code, raw.hex()).value
        values = {spec.keys[0]: decoded} if spec.single else decoded
        for field in spec.fields:
            if field.none_value is not None:
                assert values[field.key] is None, (label(spec), field.key)


def test_every_listed_sentinel_names_a_real_field() -> None:
    for code, key in ALL_ONES_IS_NONE:
        field = spec_of(code).field(key)
        assert field.none_value == (1 << (field.size * 8)) - 1


def test_read_only_codes_refuse_writes() -> None:
    for spec in READ_ONLY:
        with pytest.raises(ProtocolError, match="read-only"):
            encode_erd(spec.code, 0)


@every_example
@given(st.data())
def test_decoders_read_every_field_as_its_own_reader_does(data: st.DataObject) -> None:
    """The one-pass decoders built for speed agree with the per-field readers."""
    for spec in SPECS:
        size = spec.size
        raw = data.draw(
            st.binary(min_size=size, max_size=size + 3)
            | st.sampled_from([b"\xff" * size, b"\x00" * size, b"\x80" * size, b"\x7f" * size]),
            label=label(spec),
        )
        assert spelled(DECODERS[spec.code](raw)) == spelled(read_by_fields(spec, raw))


def read_by_fields(spec: ErdSpec, data: bytes) -> Any:
    """What the per-field readers of ``fields.py`` read, field by field: the reference."""
    readers = CODECS[spec.code].readers
    return readers[0][1](data) if spec.single else {key: read(data) for key, read in readers}


def spelled(value: Any) -> str:
    """``value`` with its types and key order: True is not 1, and {a, b} is not {b, a}."""
    return repr(value)


def reference_decode(code: int, raw: Any) -> tuple[int, str, Any]:
    """decode_erd written out plainly: check the text, then read field by field."""
    if not isinstance(raw, str):
        raise ProtocolError(f"0x{code:04X} value is not text: {type(raw).__name__}")
    try:
        data = bytes.fromhex(raw)
    except ValueError:
        data = None
    if data is None or len(data) * 2 != len(raw):
        raise ProtocolError(
            f"0x{code:04X} value is not an even run of hex digits ({len(raw)} characters)"
        )
    spec = erd_spec(code)
    if not data or spec is None:
        return code, raw.upper(), None
    if len(data) < spec.size:
        raise ProtocolError(f"0x{code:04X} needs {spec.size} bytes for its layout, got {len(data)}")
    return code, raw.upper(), read_by_fields(spec, data)


def outcome(decode: Any, code: int, raw: Any) -> str:
    """The reading's spelling, or the ProtocolError's message."""
    try:
        return spelled(tuple(decode(code, raw)))
    except ProtocolError as error:
        return f"ProtocolError: {error}"


def _hex_of(data: bytes, case: str) -> str:
    text = data.hex()
    if case == "upper":
        return text.upper()
    if case == "mixed":  # every other digit upper-case
        return "".join(c.upper() if i % 2 else c for i, c in enumerate(text))
    return text


_CASES = st.sampled_from(["upper", "lower", "mixed"])
_JUNK = st.sampled_from([" ", "g", "\ufb00", "\u0660", "0", "\t", "0 "])


def value_bytes(size: int) -> st.SearchStrategy[bytes]:
    """Values of about ``size`` bytes: random, too short, all-ones, and model-number-like."""
    return (
        st.binary(max_size=size + 3)
        | st.binary(min_size=size, max_size=size)
        | st.builds(
            lambda body, pad: (bytes((len(body),)) + body + pad)[: max(size, len(body) + 1)],
            st.binary(max_size=12) | st.sampled_from([b"C7CEBBS4RS3", b"ZBEGIN1", b"A1 B"]),
            st.binary(min_size=size, max_size=size),
        )
        | st.sampled_from([b"\xff" * size, b"\x00" * size, b"\x80" * size, b"\x01" * size])
    )


@every_example
@given(st.data())
def test_decode_erd_reads_any_value_as_the_field_readers_do(data: st.DataObject) -> None:
    """Every shortcut (tables, whole numbers, bitmaps, model numbers) reads the same.

    Same values, same types, same key order, and the same ProtocolError for a value that is
    too short, is no hex or has whitespace in it.
    """
    for code in (*(spec.code for spec in SPECS), 0x9999):
        spec = erd_spec(code)
        raw_bytes = data.draw(value_bytes(spec.size if spec else 2), label=f"0x{code:04X}")
        raw = _hex_of(raw_bytes, data.draw(_CASES, label="case"))
        if data.draw(st.integers(0, 9), label="damaged") == 0:
            at = data.draw(st.integers(0, len(raw)), label="at")
            raw = raw[:at] + data.draw(_JUNK, label="junk") + raw[at:]
        assert outcome(decode_erd, code, raw) == outcome(reference_decode, code, raw)


@pytest.mark.parametrize("raw", [None, 0, b"00", ["00"], 1.5, ("0", "0")])
@pytest.mark.parametrize("code", [0x2000, 0x7B00, 0x0001, 0x5113, 0x9999])
def test_non_text_is_refused_as_the_reference_refuses_it(code: int, raw: Any) -> None:
    assert outcome(decode_erd, code, raw) == outcome(reference_decode, code, raw)
