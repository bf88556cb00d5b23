#!/usr/bin/env python3
"""Write kitchenlib/ge/erd/definitions.py from GE Appliances' public ERD dictionary (JSON).

Usage: .venv/bin/python scripts/generate_ge_erds.py [SOURCE_JSON] [--output PATH]

Only the ERD codes listed in CODES are emitted. The output holds plain literals only, so
importing it never touches the disk; ``erd/table.py`` turns the rows into typed specs. The
dictionary's BSD-3-Clause notice (GE-ERD-LICENSE.txt next to the source) is copied into the
header, as the licence requires for derived works.

Rules applied to GE's layouts:
- fields named "Reserved…"/"Padding…" are dropped (they encode as zero bits);
- an "X Hours" byte followed by an "X Minutes" byte becomes one ``hours_minutes`` field "x";
- keys are snake_case of the field name without parenthesised parts, made unique with _2, _3;
- enum options are slugs of GE's labels in number order;
- units come from the "(fahrenheit)"-style suffixes, "degrees F x 10" descriptions (scale 10),
  a few name endings, and UNIT_FIXES (facts from the GE fact sheet where GE gives none).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
import json
from pathlib import Path
import re
from typing import Any
import unicodedata

from codegen import REPO_ROOT, Interned, ruff_format

DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "reference" / "data" / "ge_erd_definitions.json"
LICENSE_NAME = "GE-ERD-LICENSE.txt"
LICENSE_TITLE = "BSD 3-Clause License"
DEFAULT_OUTPUT = (
    REPO_ROOT
    / "custom_components"
    / "kitchen_connect"
    / "kitchenlib"
    / "ge"
    / "erd"
    / "definitions.py"
)

type Options = tuple[tuple[int, str], ...]
type FieldRow = tuple[str, str, int, int, tuple[int, int] | None, str | None, int, int | None]


def _span(first: int, last: int) -> tuple[int, ...]:
    return tuple(range(first, last + 1))


COMMON = (0x0001, 0x0002, *_span(0x0004, 0x000A), 0x0035, 0x0099)
ENERGY = (0xD005, 0xD006, 0xD007, 0xD016, 0xD019, 0xD01C, 0xD030)
OVEN_CAVITY = (*_span(0x00, 0x0B), 0x0D, 0x11, 0x12, 0x13)  # added to 0x5100 / 0x5200
OVEN = (
    0x5000,
    0x5003,
    0x5007,
    0x5008,
    0x5009,
    *(0x5100 + low for low in OVEN_CAVITY),
    *(0x5200 + low for low in OVEN_CAVITY),
    0x551C,
    0x5520,
    0x5522,
    0x5900,
    0x5901,
)
FRIDGE = (
    0x1004,
    0x1005,
    0x1007,
    0x1009,
    0x100A,
    0x100B,
    *_span(0x100D, 0x1011),
    0x1016,
    0x1018,
    0x101C,
    0x101D,
    0x1020,
    0x1024,
    0x1028,
    0x102C,
    0x102D,
    0x120E,
    0x120F,
    0x122E,
    *_span(0x125B, 0x125D),
)
DISHWASHER = (
    0x3001,
    0x3003,
    *_span(0x3007, 0x3009),
    0x300E,
    0x301C,
    0x301F,
    0x3037,
    0x3038,
    0x3087,
    0x3101,
    0x3203,
    0x3204,
    0x3207,
    0x320E,
    0x321A,
    0x3237,
    0x3487,
    0x3604,
    0xD003,
    0xD004,
    0xD204,
)
LAUNDRY = (
    *_span(0x2000, 0x2002),
    *_span(0x2007, 0x200A),
    0x2010,
    0x2012,
    *_span(0x2013, 0x2018),
    0x201B,
    0x201C,
    0x2022,
    0x2023,
    0x2038,
    0x2039,
    0x203C,
    0x203D,
    0x2040,
    0x2046,
    0x204D,
    0x2050,
    0x2053,
    0x2055,
    0x2058,
    0x205B,
    0x2061,
    0x206C,
    0x206F,
    0x2122,
    0x2123,
)
COFFEE = (
    *_span(0x9000, 0x9002),
    *_span(0x9006, 0x9008),
    0x900B,
    0x900C,
    *_span(0x9012, 0x901B),
    0x9051,
    0x9052,
)
ESPRESSO = (*_span(0x901C, 0x901E), *_span(0x9029, 0x9041), 0x9044, 0x9045, 0x9047)
WATER_HEATER = (
    0x4020,
    *_span(0x4024, 0x4026),
    0x4028,
    0x4040,
    0x4047,
    0x4049,
    0x404A,
    0x40C2,
    0x40D0,
    *_span(0x4220, 0x4222),
    0x4225,
    0x4226,
)
AIR_CONDITIONER = (
    0x7002,
    0x7003,
    0x7832,
    0x795E,
    0x795F,
    0x7963,
    0x7A00,
    0x7A01,
    0x7A02,
    0x7A04,
    0x7A0F,
    0x7A12,
    *_span(0x7B00, 0x7B03),
    *_span(0x7B05, 0x7B07),
    0x7B0B,
)
CODES: tuple[int, ...] = tuple(
    sorted(
        {
            *COMMON,
            *ENERGY,
            *OVEN,
            *FRIDGE,
            *DISHWASHER,
            *LAUNDRY,
            *COFFEE,
            *ESPRESSO,
            *WATER_HEATER,
            *AIR_CONDITIONER,
        }
    )
)

# Parenthesised unit suffixes in GE's field names → (unit, divisor).
SUFFIX_UNITS: dict[str, tuple[str | None, int]] = {
    "fahrenheit": ("°F", 1),
    "f": ("°F", 1),
    "c * 10": ("°C", 10),
    "seconds * 10": ("s", 10),
    "seconds": ("s", 1),
    "minutes": ("min", 1),
    "hours": ("h", 1),
    "percentage": ("%", 1),
    "percent": ("%", 1),
    "liters": ("L", 1),
    "oz": ("fl. oz.", 1),
    "cups": (None, 1),
    "cubic feet x10": ("ft³", 10),
}
NAME_ENDING_UNITS = {"milliliters": "mL", "grams": "g"}
TENTHS_OF_FAHRENHEIT = re.compile(r"degrees F x 10", re.IGNORECASE)
# Units GE's dictionary leaves out, from the fact sheet (ge-smarthq.md sections 3.3-3.10).
UNIT_FIXES: dict[tuple[int, str], str] = {
    (0x510D, "temperature"): "°F",
    (0x520D, "temperature"): "°F",
    (0x321A, "delay_start_value"): "min",
    (0x4028, "hours_remaining"): "h",
    (0x4049, "maximum_hours"): "h",
    (0x404A, "maximum_hours"): "h",
    (0x40C2, "anodepercentageremaining"): "%",
    (0x40D0, "gallons"): "gal",
    (0x7002, "target_heating_temperature"): "°F",
    (0x7003, "target_cooling_temperature"): "°F",
    (0x7A02, "ambient_temperature"): "°F",
    (0x7A12, "cumulative_energy"): "Wh",
    (0x7B01, "current_humidity"): "%",
    (0x7B02, "target_humidity"): "%",
    (0x7B03, "minimum_target_humidity"): "%",
    (0x7B03, "maximum_target_humidity"): "%",
    (0x7B06, "minimum_target_temperature"): "°F",
    (0x7B06, "maximum_target_temperature"): "°F",
    (0xD005, "instantaneous_power"): "W",
    (0xD005, "seconds_since_cleared"): "s",
    (0xD007, "cumulative_energy"): "Wh",
    (0xD030, "cumulative_energy"): "Wh",
}
# Model and serial numbers carry a length byte and sometimes junk (fact sheet 3.1).
KIND_FIXES: dict[tuple[int, str], str] = {
    (0x0001, "model_number"): "identity_string",
    (0x0002, "serial_number"): "identity_string",
}
# The light-level enum omits "off", which 0x5112 lists as a level and the fact sheet gives as 0.
EXTRA_OPTIONS: dict[tuple[int, str], dict[int, str]] = {
    (0x5111, "light_level"): {0: "Off"},
    (0x5211, "light_level"): {0: "Off"},
}

TYPE_SIZES = {"u8": 1, "i8": 1, "u16": 2, "i16": 2, "u32": 4, "i32": 4}
SKIPPED_WORDS = frozenset({"reserved", "padding"})

HEADER_TEMPLATE = '''\
# GENERATED FILE - do not edit by hand.
# Regenerate with: .venv/bin/python scripts/generate_ge_erds.py [SOURCE_JSON]
# Source: ../shared/reference/data/ge_erd_definitions.json, a copy of GE Appliances' public
# ERD dictionary (appliance_api_erd_definitions.json in the repository
# geappliances/public-appliance-api-documentation). The rows below are derived from it and
# are distributed under its licence:
#
{license}
"""ERD layouts from GE's dictionary as plain literals; ``table.py`` turns them into specs.

Field row: key, kind, byte offset, byte size, (bit offset from the LSB, bit width) or None,
unit, divisor, index into OPTIONS or None. ERD row: GE's name, writable, fields.
"""

type Options = tuple[tuple[int, str], ...]  # (wire number, slug) in number order
type FieldRow = tuple[str, str, int, int, tuple[int, int] | None, str | None, int, int | None]
type ErdRow = tuple[str, bool, tuple[FieldRow, ...]]
'''


def slug(text: str) -> str:
    """``"Fresh Food Ice Maker Off"`` → ``"fresh_food_ice_maker_off"`` (ASCII only)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def bare_name(name: str) -> str:
    """The field name without parenthesised parts (units, notes)."""
    return re.sub(r"\([^)]*\)", " ", name).strip()


def suffix(name: str) -> str | None:
    """The text of the last parenthesised part of a field name, lower-case."""
    found = re.findall(r"\(([^)]*)\)", name)
    return found[-1].strip().lower() if found else None


def is_skipped(name: str) -> bool:
    """Reserved and padding fields carry nothing a user can see."""
    return bool(SKIPPED_WORDS & set(slug(name.rsplit(".", 1)[-1]).split("_")))


def enum_options(field: Mapping[str, Any], extra: Mapping[int, str], width: int) -> Options:
    """The field's ``(number, slug)`` pairs in number order, slugs made unique."""
    labels = {int(number): str(label) for number, label in field["values"].items()}
    labels.update(extra)
    options: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number in sorted(labels):
        if not 0 <= number < (1 << width):
            raise ValueError(f"option {number} does not fit {field['name']!r}")
        option = slug(labels[number]) or f"value_{number}"
        if option in seen:
            option = f"{option}_{number}"
        seen.add(option)
        options.append((number, option))
    return tuple(options)


def merged_fields(fields: list[Mapping[str, Any]]) -> Iterable[dict[str, Any]]:
    """GE's fields, skipping reserved ones and joining hours+minutes byte pairs."""
    position = 0
    while position < len(fields):
        field = dict(fields[position])
        position += 1
        if is_skipped(field["name"]):
            continue
        name = bare_name(field["name"])
        following = fields[position] if position < len(fields) else None
        if (
            following is not None
            and name.endswith(" Hours")
            and field["type"] == following["type"] == "u8"
            and "bits" not in field
            and "bits" not in following
            and bare_name(following["name"]) == name.removesuffix("Hours") + "Minutes"
            and following["offset"] == field["offset"] + 1
        ):
            position += 1
            yield {
                "name": name.removesuffix(" Hours"),
                "type": "hours_minutes",
                "offset": field["offset"],
                "size": 2,
            }
            continue
        yield field


def unit_of(
    code: int, erd: Mapping[str, Any], field: Mapping[str, Any], key: str
) -> tuple[Any, int]:
    """The field's unit and divisor."""
    if field["type"] == "hours_minutes":
        return "min", 1
    if field["type"] not in TYPE_SIZES:
        return None, 1
    unit: str | None = None
    scale = 1
    found = suffix(field["name"])
    if found is not None:
        if found not in SUFFIX_UNITS:
            raise ValueError(f"0x{code:04X}: unknown unit suffix {found!r}")
        unit, scale = SUFFIX_UNITS[found]
    elif TENTHS_OF_FAHRENHEIT.search(erd["description"]):
        unit, scale = "°F", 10
    ending = key.rsplit("_", 1)[-1]
    unit = NAME_ENDING_UNITS.get(ending, unit)
    return UNIT_FIXES.get((code, key), unit), scale


def field_rows(code: int, erd: Mapping[str, Any], options: Interned[Options]) -> list[FieldRow]:
    """The rows of one ERD's fields, validated against the byte layout."""
    rows: list[FieldRow] = []
    keys: set[str] = set()
    for field in merged_fields(erd["data"]):
        base = slug(bare_name(field["name"]))
        key, counter = base, 1
        while key in keys:
            counter += 1
            key = f"{base}_{counter}"
        keys.add(key)
        kind = KIND_FIXES.get((code, key), field["type"])
        size = int(field["size"])
        bits = (
            (int(field["bits"]["offset"]), int(field["bits"]["size"])) if "bits" in field else None
        )
        if bits is None and kind in TYPE_SIZES and TYPE_SIZES[kind] != size:
            raise ValueError(f"0x{code:04X} {key}: {kind} in {size} bytes")
        if bits is not None and bits[0] + bits[1] > size * 8:
            raise ValueError(f"0x{code:04X} {key}: bits outside the field")
        if kind not in {*TYPE_SIZES, "bool", "enum", "string", "hours_minutes", "identity_string"}:
            raise ValueError(f"0x{code:04X} {key}: unsupported type {kind}")
        option_index = None
        if kind == "enum":
            width = bits[1] if bits else size * 8
            extra = EXTRA_OPTIONS.get((code, key), {})
            option_index = options.index(enum_options(field, extra, width))
        unit, scale = unit_of(code, erd, field, key)
        rows.append((key, kind, int(field["offset"]), size, bits, unit, scale, option_index))
    check_overlaps(code, rows)
    return rows


def check_overlaps(code: int, rows: list[FieldRow]) -> None:
    """No two fields may claim the same bits."""
    claimed: set[int] = set()  # bit positions counted from the first bit of the value
    for key, _kind, offset, size, bits, *_ in rows:
        start, width = bits if bits is not None else (0, size * 8)
        for bit in range(start, start + width):
            absolute = offset * 8 + size * 8 - 1 - bit
            if absolute in claimed:
                raise ValueError(f"0x{code:04X} {key}: overlaps another field")
            claimed.add(absolute)


def render(source: Mapping[str, Any], license_text: str) -> str:
    """The unformatted Python source of the definitions module."""
    erds = {int(erd["id"], 16): erd for erd in source["erds"]}
    missing = [f"0x{code:04X}" for code in CODES if code not in erds]
    if missing:
        raise SystemExit(f"not in the dictionary: {', '.join(missing)}")
    options: Interned[Options] = Interned()
    erd_lines: list[str] = []
    for code in CODES:
        erd = erds[code]
        rows = field_rows(code, erd, options)
        writable = "write" in erd["operations"]
        erd_lines += [
            f"    0x{code:04X}: (",
            f"        {erd['name'].strip()!r},",
            f"        {writable!r},",
            "        (",
            *(f"            {row!r}," for row in rows),
            "        ),",
            "    ),",
        ]
    # The licence file opens with a note on where the copies came from; the header says that.
    notice_lines = license_text[license_text.index(LICENSE_TITLE) :].strip().splitlines()
    notice = "\n".join(f"# {line}".rstrip() for line in notice_lines)
    lines = [
        HEADER_TEMPLATE.format(license=notice),
        "OPTIONS: tuple[Options, ...] = (",
        *(f"    {row!r},  # {position}" for position, row in enumerate(options.rows)),
        ")",
        "ERDS: dict[int, ErdRow] = {",
        *erd_lines,
        "}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Read the dictionary, write the formatted module."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    source = json.loads(args.source.read_text(encoding="utf-8"))
    license_text = (args.source.parent / LICENSE_NAME).read_text(encoding="utf-8")
    args.output.write_text(
        ruff_format(render(source, license_text), DEFAULT_OUTPUT), encoding="utf-8"
    )
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes, {len(CODES)} ERDs)")


if __name__ == "__main__":
    main()
