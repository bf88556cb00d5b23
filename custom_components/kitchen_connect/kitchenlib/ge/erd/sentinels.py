"""Wire numbers that mean "no value" rather than a number, from the GE fact sheet.

GE marks these with all bits set: a duration of FFFF is "not set" (fact sheet 3.1, e.g. the
oven's cook time remaining and the washer's processed delay-start request), and a few
one-byte readings use FF for "not fitted" or "unknown". Enums and flags say so with their own
options and are not listed here.
"""

from __future__ import annotations

from typing import Final

from .spec import ErdField

_UNSIGNED: Final = frozenset({"u8", "u16", "u32"})
_DURATION_UNITS: Final = frozenset({"min", "s", "h"})

# (code, field key) of numbers whose all-ones value GE documents as "none" or "unknown",
# beyond the duration rule.
ALL_ONES_IS_NONE: Final[frozenset[tuple[int, str]]] = frozenset(
    {
        (0x1024, "dispenser_light_status"),  # FF: no light fitted (3.5)
        (0x203D, "smart_dispense_estimated_loads_remaining"),  # 255: unknown (GE's dictionary)
        (0x7B06, "minimum_target_temperature"),  # FF: use 60-86 °F (3.10)
        (0x7B06, "maximum_target_temperature"),
    }
)


def none_value_of(code: int, field: ErdField) -> int | None:
    """The wire number of ``field`` that stands for "no value", if it has one."""
    if field.kind not in _UNSIGNED or field.bits is not None:
        return None
    all_ones = (1 << (field.size * 8)) - 1
    if (code, field.key) in ALL_ONES_IS_NONE:
        return all_ones
    if field.kind == "u16" and field.unit in _DURATION_UNITS and field.scale == 1:
        return all_ones
    return None
