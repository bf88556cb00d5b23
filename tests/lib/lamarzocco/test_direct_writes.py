"""The writes of the port-1774 protocol: addresses, encodings and ranges."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from custom_components.kitchen_connect.kitchenlib import InvalidValueError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct import writes
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct.memory import PrebrewMode
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct.messages import encode_write


def _wire(write: writes.Write) -> str:
    return encode_write(write.address, write.data)[:-2]


@pytest.mark.parametrize(
    ("write", "wire"),
    [
        (writes.power(True), "W0000000101"),
        (writes.power(False), "W0000000100"),
        (writes.coffee_temperature(93.5), "W0007000203A7"),
        (writes.steam_temperature(124), "W0009000204D8"),
        (writes.prebrew_mode(PrebrewMode.DISABLED), "W000B000100"),
        (writes.prebrew_mode(PrebrewMode.PREBREW), "W000B000101"),
        (writes.prebrew_mode(PrebrewMode.PREINFUSION), "W000B000102"),
        (writes.prebrew_on(1, 2.0), "W000C000114"),
        (writes.prebrew_on(4, 5.9), "W000F00013B"),
        (writes.prebrew_off(1, 0), "W0010000100"),
        (writes.prebrew_off(3, 1.5), "W001200010F"),
        (writes.dose(1, 60), "W00140002003C"),
        (writes.dose(5, 1000), "W001C000203E8"),
        (writes.hot_water(30), "W001E00011E"),
        (writes.preinfusion(1, 24.9), "W00E20001F9"),
        (writes.preinfusion(4, 0), "W00E5000100"),
        (writes.steam_boiler(True), "W00E1000181"),
        (writes.steam_boiler(False), "W00E1000101"),
        (writes.start_backflush(), "W00E1000182"),
        (writes.auto_on_off_enabled(True, [0, 6]), "W0310000183"),
        (writes.auto_on_off_hours(0, 6, 22), "W031100020616"),
        (writes.auto_on_off_hours(6, 7, 23), "W031D00020717"),
    ],
)
def test_writes_go_where_the_reference_says(write: writes.Write, wire: str) -> None:
    assert _wire(write) == wire


def test_auto_on_off_minutes_go_where_the_read_map_reads_them() -> None:
    """Pins our choice: 0x031F + 2·day, the read map's offset, not the source's 0x0320."""
    assert _wire(writes.auto_on_off_minutes(0, 30, 15)) == "W031F0002" + "1E0F"
    assert _wire(writes.auto_on_off_minutes(6, 0, 59)) == "W032B0002" + "003B"
    # Byte 15 of the block that starts at 0x0310.
    assert writes.auto_on_off_minutes(0, 0, 0).address == 0x0310 + 15


@pytest.mark.parametrize(
    ("build", "args"),
    [
        (writes.power, (1,)),
        (writes.coffee_temperature, (79.9,)),
        (writes.coffee_temperature, (110.1,)),
        (writes.coffee_temperature, (93.55,)),
        (writes.coffee_temperature, (float("nan"),)),
        (writes.coffee_temperature, ("93",)),
        (writes.steam_temperature, (135,)),
        (writes.prebrew_mode, (1,)),
        (writes.prebrew_on, (0, 1.0)),
        (writes.prebrew_on, (5, 1.0)),
        (writes.prebrew_on, (1.0, 1.0)),
        (writes.prebrew_on, (1, 6.0)),
        (writes.prebrew_off, (1, -0.1)),
        (writes.preinfusion, (1, 25.0)),
        (writes.dose, (6, 100)),
        (writes.dose, (1, 0)),
        (writes.dose, (1, 1001)),
        (writes.dose, (True, 100)),
        (writes.hot_water, (0,)),
        (writes.hot_water, (31,)),
        (writes.hot_water, (2.5,)),
        (writes.steam_boiler, (None,)),
        (writes.auto_on_off_enabled, (True, [7])),
        (writes.auto_on_off_hours, (7, 6, 22)),
        (writes.auto_on_off_hours, (0, 24, 22)),
        (writes.auto_on_off_hours, ("0", 6, 22)),
        (writes.auto_on_off_minutes, (0, 60, 0)),
        (writes.auto_on_off_minutes, (-1, 0, 0)),
    ],
)
def test_out_of_range_values_are_refused_before_anything_is_built(
    build: Callable[..., writes.Write], args: tuple[Any, ...]
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        build(*args)
    assert isinstance(caught.value, ValueError)
