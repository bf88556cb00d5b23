"""Every known ERD spec, each with its decoder and encoder built once at import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, cast, get_args

from ...errors import InvalidValueError, ProtocolError
from .decoders import build_decoder, byte_readings, byte_table
from .definitions import ERDS, OPTIONS, FieldRow
from .fields import Reader, Writer, make_reader, make_writer
from .overrides import OVERRIDES
from .sentinels import none_value_of
from .shapes import Decoder, shared
from .spec import ErdField, ErdSpec, FieldKind

_KINDS: frozenset[str] = frozenset(get_args(FieldKind.__value__))


@dataclass(frozen=True, slots=True)
class ErdCodec:
    """Decodes and encodes one ERD's bytes according to its spec."""

    spec: ErdSpec
    label: str
    readers: tuple[tuple[str, Reader], ...]
    writers: tuple[tuple[str, Writer], ...]
    # The same reading as ``decode`` for non-empty bytes, built once for speed.
    fast_decode: Decoder

    def decode(self, data: bytes) -> Any:
        """The Python value of ``data`` (a scalar for one field, else a dict by key)."""
        if not data:
            raise ProtocolError(f"{self.label} needs {self.spec.size} bytes for its layout, got 0")
        return self.fast_decode(data)

    def encode(self, value: Any) -> bytes:
        """The bytes for ``value``; InvalidValueError if it does not fit the spec."""
        if not self.spec.writable:
            raise ProtocolError(f"{self.label} ({self.spec.name}) is read-only")
        buffer = bytearray(self.spec.size)
        if len(self.writers) == 1:
            self.writers[0][1](value, buffer)
            return bytes(buffer)
        if not isinstance(value, Mapping):
            raise InvalidValueError(
                f"{self.label} takes a dict with keys {', '.join(self.spec.keys)}"
            )
        missing = [key for key in self.spec.keys if key not in value]
        unknown = [str(key) for key in value if key not in self.spec.keys]
        if missing or unknown:
            raise InvalidValueError(
                f"{self.label}: missing keys {missing or 'none'}, unknown keys {unknown or 'none'}"
            )
        for key, write in self.writers:
            write(value[key], buffer)
        return bytes(buffer)


def _field(code: int, row: FieldRow) -> ErdField:
    key, kind, offset, size, bits, unit, scale, option_index = row
    if kind not in _KINDS:
        raise ValueError(f"0x{code:04X} {key}: unknown field kind {kind!r}")
    options = OPTIONS[option_index] if option_index is not None else ()
    return ErdField(
        key,
        cast("FieldKind", kind),
        offset,
        size,
        bits,
        unit,
        scale,
        tuple(slug for _number, slug in options),
        tuple(number for number, _slug in options),
    )


def _generated_spec(code: int) -> ErdSpec:
    name, writable, rows = ERDS[code]
    fields = tuple(_field(code, row) for row in rows)
    return ErdSpec(code, name, writable, fields, max(f.offset + f.size for f in fields))


def _codec(spec: ErdSpec) -> ErdCodec:
    label = f"0x{spec.code:04X}"
    readers = tuple((field.key, make_reader(field)) for field in spec.fields)
    writers = (
        tuple((field.key, make_writer(field, f"{label} {field.key}")) for field in spec.fields)
        if spec.writable
        else ()
    )
    return ErdCodec(spec, label, readers, writers, build_decoder(spec, label, readers))


def _with_sentinels(spec: ErdSpec) -> ErdSpec:
    fields = tuple(
        replace(field, none_value=none_value_of(spec.code, field)) for field in spec.fields
    )
    return replace(spec, fields=fields)


def _build() -> dict[int, ErdCodec]:
    specs = {code: _generated_spec(code) for code in ERDS}
    for spec in OVERRIDES:
        specs[spec.code] = spec
    return {code: _codec(_with_sentinels(specs[code])) for code in sorted(specs)}


CODECS: Mapping[int, ErdCodec] = _build()
"""Codec per ERD code, in code order."""

DECODERS: Mapping[int, Decoder] = {code: codec.fast_decode for code, codec in CODECS.items()}
"""Each codec's decoder for non-empty bytes: the hot path of every ERD received."""


def _byte_tables() -> dict[int, tuple[Any, ...]]:
    tables = {}
    for code, codec in CODECS.items():
        table = byte_table(codec.spec, codec.fast_decode)
        if table is not None:
            # Many ERDs are flags or share their options: equal tables are kept once.
            tables[code] = shared(table)
    return tables


BYTE_TABLES: Mapping[int, tuple[Any, ...]] = _byte_tables()
"""The value of each one-byte, one-field ERD by its byte: reading one is an index."""


BYTE_READINGS: Mapping[int, tuple[dict[str, Any], ...]] = {
    code: readings
    for code, codec in CODECS.items()
    if (readings := byte_readings(codec.spec, codec.fast_decode)) is not None
}
"""The dict of each one-byte, many-field ERD by its byte, to be copied by whoever reads it."""
