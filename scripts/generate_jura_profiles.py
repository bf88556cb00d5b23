#!/usr/bin/env python3
"""Write kitchenlib/jura/profile_data.py from the reference Jura profile file (JSON).

Usage: .venv/bin/python scripts/generate_jura_profiles.py [SOURCE_JSON] [--output PATH]

The output holds plain literals only, so importing it never touches the disk. Repeated
tables (option lists, recipe parameters, alert definitions) are stored once and referenced.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable, Mapping
import json
from pathlib import Path
from typing import Any

from codegen import REPO_ROOT, Interned, ruff_format

DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "reference" / "data" / "jura_profiles_top15.json"
DEFAULT_OUTPUT = (
    REPO_ROOT / "custom_components" / "kitchen_connect" / "kitchenlib" / "jura" / "profile_data.py"
)

SEVERITY_LETTERS = frozenset("EIP")
PROCESS_NAMES = frozenset(
    {"cleaning", "descale", "filter_change", "cappu_clean", "cappu_rinse", "coffee_rinse"}
)

type AlertRow = tuple[str, str, str | None, str | None]

HEADER = '''\
# GENERATED FILE - do not edit by hand.
# Regenerate with: .venv/bin/python scripts/generate_jura_profiles.py [SOURCE_JSON]
# Source: ../shared/reference/data/jura_profiles_top15.json, which holds facts (codes, ranges,
# bit meanings) derived from JURA's public machine descriptions (the J.O.E. machine XMLs).
"""Per-model Jura data as plain literals; ``profiles.py`` turns it into typed profiles.

Hex strings are wire values. Severity letters: E error (block), P maintenance reminder
(ip), I info. Step-slider defaults are stored as wire hex: the XML writes them in decimal
("16" for hardness), the generator converts them ("10"). An item setting's default is
kept as declared even when it is none of the options: the ENA 4 declares hardness 0A
(10 °dH), between its steps 08 and 10.
"""

from typing import TypedDict

type ItemSet = tuple[tuple[str, str], ...]  # (option name, wire hex) in machine order
type RangeRow = tuple[str, int, int, int, int, int]  # name, F, min, max, step, default
type ChoiceRow = tuple[str, int, int, str]  # name, F, ITEM_SETS index, default hex
type ParamRow = RangeRow | ChoiceRow
type AlertRow = tuple[str, str, str | None, str | None]  # key, severity, blocks, process
# code, key, kind, active, double code, PARAMS indices
type ProductRow = tuple[str, str, str, bool, str | None, tuple[int, ...]]
type SliderRow = tuple[str, str, str, str, int, int, int]  # arg, key, kind, default, min, max, step
type ItemsRow = tuple[str, str, str, str, int]  # arg, key, kind, default, ITEM_SETS index
type SettingRow = SliderRow | ItemsRow


class ModelData(TypedDict):
    """One model; alerts are BASE_ALERTS minus ``alerts_missing``, then ``alerts_changed``."""

    names: tuple[str, ...]
    articles: tuple[int, ...]
    intake_f18: bool
    alerts_changed: dict[int, AlertRow]
    alerts_missing: tuple[int, ...]
    products: tuple[ProductRow, ...]
    settings: tuple[SettingRow, ...]
    maint43: tuple[str, ...]
    maintC0: tuple[str, ...]
    processes: tuple[tuple[str, str], ...]
    accept: tuple[str, ...]
'''


def alert_row(raw: list[Any]) -> AlertRow:
    """A validated ``[key, severity, blocks, process]`` entry."""
    key, severity, blocks, process = raw
    if severity not in SEVERITY_LETTERS:
        raise ValueError(f"unknown severity {severity!r} for alert {key!r}")
    if process is not None and process not in PROCESS_NAMES:
        raise ValueError(f"unknown process {process!r} for alert {key!r}")
    return (str(key), str(severity), blocks, process)


def base_alerts(models: Mapping[str, Any]) -> dict[int, AlertRow]:
    """The most common definition of each bit that more than half of the models have."""
    seen: dict[int, Counter[AlertRow]] = {}
    for model in models.values():
        for bit, raw in model["alerts"].items():
            seen.setdefault(int(bit), Counter())[alert_row(raw)] += 1
    # Ties go to the smallest repr so the output never depends on dict order.
    return {
        bit: min(counts, key=lambda row: (-counts[row], repr(row)))
        for bit, counts in sorted(seen.items())
        if counts.total() * 2 > len(models)
    }


def param_row(raw: Mapping[str, Any], name: str, item_sets: Interned[Any]) -> tuple[Any, ...]:
    """A recipe parameter as a range row or a choice row."""
    if "items" in raw:
        items = tuple((str(option), str(wire)) for option, wire in raw["items"].items())
        return (name, int(raw["F"]), item_sets.index(items), str(raw["default"]))
    return (
        name,
        int(raw["F"]),
        int(raw["min"]),
        int(raw["max"]),
        int(raw["step"]),
        int(raw["default"]),
    )


def setting_row(argument: str, raw: Mapping[str, Any], item_sets: Interned[Any]) -> tuple[Any, ...]:
    """A machine setting as a slider row or an items row."""
    if "items" in raw:
        items = tuple((str(option), str(wire)) for option, wire in raw["items"].items())
        return (argument, raw["name"], raw["kind"], str(raw["default"]), item_sets.index(items))
    # The XML writes step-slider defaults in decimal; store them as wire hex like the rest.
    default = f"{int(raw['default'], 10):02X}"
    return (argument, raw["name"], raw["kind"], default, raw["min"], raw["max"], raw["step"])


def processes(raw: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Validated ``(process, start verb)`` pairs in source order."""
    unknown = set(raw) - PROCESS_NAMES
    if unknown:
        raise ValueError(f"unknown processes: {sorted(unknown)}")
    return tuple(raw.items())


def render_rows(name: str, annotation: str, rows: Iterable[object], indexed: bool) -> list[str]:
    """A tuple constant with one row per line (and its index as a comment when referenced)."""
    lines = [f"{name}: {annotation} = ("]
    for position, row in enumerate(rows):
        lines.append(f"    {row!r},  # {position}" if indexed else f"    {row!r},")
    lines.append(")")
    return lines


def render(source: Mapping[str, Any]) -> str:
    """The unformatted Python source of the data module."""
    models = {code: model for code, model in source.items() if not code.startswith("_")}
    base = base_alerts(models)
    item_sets: Interned[Any] = Interned()
    params: Interned[Any] = Interned()
    model_lines: list[str] = []
    for code, model in models.items():
        alerts = {int(bit): alert_row(raw) for bit, raw in model["alerts"].items()}
        changed = {bit: row for bit, row in sorted(alerts.items()) if base.get(bit) != row}
        missing = tuple(bit for bit in base if bit not in alerts)
        products = tuple(
            (
                product_code,
                product["name"],
                product["kind"],
                bool(product["active"]),
                product.get("double"),
                tuple(
                    params.index(param_row(raw, name, item_sets))
                    for name, raw in product["params"].items()
                ),
            )
            for product_code, product in model["products"].items()
        )
        settings = tuple(
            setting_row(argument, raw, item_sets) for argument, raw in model["settings"].items()
        )
        model_lines += [
            f"    {code!r}: {{",
            f'        "names": {tuple(model["names"])!r},',
            f'        "articles": {tuple(model["articles"])!r},',
            f'        "intake_f18": {bool(model["intake_f18"])!r},',
            f'        "alerts_changed": {changed!r},',
            f'        "alerts_missing": {missing!r},',
            '        "products": (',
            *(f"            {row!r}," for row in products),
            "        ),",
            f'        "settings": {settings!r},',
            f'        "maint43": {tuple(model["maint43"])!r},',
            f'        "maintC0": {tuple(model["maintC0"])!r},',
            f'        "processes": {processes(model["processes"])!r},',
            f'        "accept": {tuple(model["accept"])!r},',
            "    },",
        ]
    lines = [
        HEADER,
        *render_rows("ITEM_SETS", "tuple[ItemSet, ...]", item_sets.rows, indexed=True),
        *render_rows("PARAMS", "tuple[ParamRow, ...]", params.rows, indexed=True),
        "BASE_ALERTS: dict[int, AlertRow] = {",
        *(f"    {bit}: {row!r}," for bit, row in base.items()),
        "}",
        "MODELS: dict[str, ModelData] = {",
        *model_lines,
        "}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Read the JSON, write the formatted module."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    source = json.loads(args.source.read_text(encoding="utf-8"))
    args.output.write_text(ruff_format(render(source), DEFAULT_OUTPUT), encoding="utf-8")
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
