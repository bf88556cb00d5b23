"""ERD codec: GE's numbered appliance properties, kept raw and decoded.

Layouts come from GE Appliances' public ERD dictionary (generated into ``definitions.py``,
BSD-3-Clause) plus a few hand-written specs in ``overrides.py``. Decoding is a table lookup:
unknown codes stay raw, one-field ERDs decode to a bare value and others to a dict keyed by
snake_case field names. ``encode_erd`` takes exactly what ``decode_erd`` gives.
"""

from __future__ import annotations

from .appliance_types import ApplianceType, appliance_type
from .codec import (
    ErdValue,
    decode_erd,
    decode_erd_value,
    encode_erd,
    erd_spec,
    format_erd_code,
    known_erd_codes,
    parse_erd_code,
)
from .spec import ErdField, ErdSpec, FieldKind

__all__ = [
    "ApplianceType",
    "ErdField",
    "ErdSpec",
    "ErdValue",
    "FieldKind",
    "appliance_type",
    "decode_erd",
    "decode_erd_value",
    "encode_erd",
    "erd_spec",
    "format_erd_code",
    "known_erd_codes",
    "parse_erd_code",
]
