"""Hand-written specs for ERDs that GE's dictionary lacks, from the GE fact sheet.

Everything GE's dictionary does define comes from ``definitions.py`` (generated); the
generator also carries the few per-field fixes (units, the model/serial kind, "off" light).
"""

from __future__ import annotations

from .spec import ErdField, ErdSpec


def _enum(key: str, options: tuple[str, ...]) -> ErdField:
    return ErdField(key, "enum", 0, 1, options=options, numbers=tuple(range(len(options))))


def _version_spec(code: int, name: str) -> ErdSpec:
    # One byte per dotted part: 00 00 0B 27 reads "0.0.11.39".
    return ErdSpec(code, name, False, (ErdField("version", "version", 0, 4),), 4)


def _warming_drawer_spec(code: int, name: str) -> ErdSpec:
    # FF (not equipped) is outside the options and so reads None.
    return ErdSpec(code, name, True, (_enum("state", ("off", "low", "medium", "high")),), 1)


OVERRIDES: tuple[ErdSpec, ...] = (
    _version_spec(0x0100, "Wi-Fi Module Software Version"),
    _version_spec(0x0103, "Appliance Software Version"),
    # Legacy dryer option ERDs: 0-based, unlike their successors 0x2050 / 0x204D.
    ErdSpec(
        0x2019,
        "Legacy Dryer Temperature Option",
        False,
        (_enum("temperature_option", ("no_heat", "extra_low", "low", "medium", "high")),),
        1,
    ),
    ErdSpec(
        0x201A,
        "Legacy Dryer Dryness Level",
        False,
        (_enum("dryness_level", ("damp", "less_dry", "dry", "more_dry", "extra_dry")),),
        1,
    ),
    _warming_drawer_spec(0x510C, "Upper Oven Warming Drawer State"),
    _warming_drawer_spec(0x520C, "Lower Oven Warming Drawer State"),
)
"""Specs not in GE's dictionary, keyed into the table by ``ErdSpec.code``."""
