"""The memory map of the port-1774 protocol: each block's bytes, and garbage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib import ProtocolError
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct import memory
from custom_components.kitchen_connect.kitchenlib.lamarzocco.direct.memory import (
    Heating,
    PrebrewMode,
)


def _status(length: int = 0x23) -> bytes:
    data = bytearray(length)
    data[1] = 0x78
    data[3:15] = b"Sn2307000123"
    data[17] = 2
    data[19:21] = (345).to_bytes(2)
    data[24] = 1
    data[27] = 0x10 | 0x20
    if length == 0x23:
        data[34] = 0x01
    return bytes(data)


def test_the_status_block() -> None:
    status = memory.parse_status(_status())
    assert status.firmware == "1.20"
    assert status.module_serial == "Sn2307000123"
    assert status.key_active == 2
    assert status.pulses == 345
    assert status.water_ok
    assert status.heating == Heating.HEATING | Heating.COFFEE_HEATER
    assert status.steam_boiler_enabled is True


def test_the_short_status_block_has_no_steam_boiler() -> None:
    status = memory.parse_status(_status(0x20))
    assert status.firmware == "1.20"
    assert status.steam_boiler_enabled is None


def test_the_config_block() -> None:
    data = bytes.fromhex(
        "01"
        + "00" * 6
        + "03A7"
        + "04D8"
        + "02"
        + "141E0F0A"
        + "1E1E1914"
        + "003C"
        + "0078"
        + "0050"
        + "00A0"
        + "03E7"
        + "08"
    )
    config = memory.parse_config(data)
    assert config.power
    assert (config.coffee_target, config.steam_target) == (93.5, 124.0)
    assert config.prebrew_mode is PrebrewMode.PREINFUSION
    assert config.prebrew_on == (2.0, 3.0, 1.5, 1.0)
    assert config.prebrew_off == (3.0, 3.0, 2.5, 2.0)
    assert config.doses == (60, 120, 80, 160, 999)
    assert config.hot_water_seconds == 8


def test_an_unknown_prebrew_flag_is_not_a_mode() -> None:
    data = bytearray(0x1F)
    data[11] = 9
    assert memory.parse_config(bytes(data)).prebrew_mode is None


def test_the_schedule_block_reads_minutes_from_byte_15() -> None:
    data = bytearray(0x1D)
    data[0] = 0b0000_0101  # global on, Tuesday
    data[1 + 2] = 7  # Tuesday on hour
    data[2 + 2] = 19  # Tuesday off hour
    data[15 + 2] = 45  # Tuesday on minute
    data[16 + 2] = 5  # Tuesday off minute
    schedule = memory.parse_schedule(bytes(data))
    assert schedule.enabled
    tuesday = schedule.days[1]
    assert tuesday.enabled
    assert (tuesday.on, tuesday.off) == ((7, 45), (19, 5))
    assert not schedule.days[0].enabled


def test_drink_counters_and_flushes() -> None:
    counters = (120, 80, 30, 10, 5, 245, 40, 0, 300, 40, 38)
    stats = memory.parse_drink_stats(b"".join(c.to_bytes(4) for c in counters))
    assert stats.keys == (120, 80, 30, 10)
    assert (stats.continuous, stats.total_coffees, stats.hot_water) == (5, 245, 40)
    assert stats.flushes == 55
    assert stats.hot_water_completed == 38


def test_usage_counters() -> None:
    values = (5400, 3100, 720000, 310, 9000, 1200)
    usage = memory.parse_usage(b"".join(v.to_bytes(4) for v in values))
    assert usage.coffee_heater_minutes == 5400
    assert usage.on_hours == 310
    assert usage.hot_water_seconds == 1200


def test_front_panel_glyphs_are_readable() -> None:
    text = memory.parse_panel_text(b"\xff  93.5\xdfC".ljust(16, b" "))
    assert text.text == "●  93.5°C"
    assert memory.parse_panel_text(b"\xdb OFF".ljust(16, b"\0")).text == "○ OFF"


def test_preinfusion_and_serial_and_temperatures() -> None:
    assert memory.parse_preinfusion(bytes([40, 0, 249, 5])).seconds == (4.0, 0.0, 24.9, 0.5)
    assert memory.parse_machine_serial(b"GS012345".ljust(17, b"\0")) == "GS012345"
    report = memory.parse_temperatures(bytes.fromhex("03BC04D8"))
    assert (report.coffee, report.steam) == (95.6, 124.0)


def test_the_flow_stream() -> None:
    data = b"Sn2307000123" + bytes([3, 1]) + ((25 << 4) | 8).to_bytes(2)
    data += (110).to_bytes(2) + (932).to_bytes(2) + (1235).to_bytes(2)
    flow = memory.parse_flow(data)
    assert (flow.key, flow.flow_flag, flow.seconds, flow.pulses) == (3, 1, 25.5, 110)
    assert (flow.coffee_temperature, flow.steam_temperature) == (93.2, 123.5)


PARSERS: list[tuple[Callable[[bytes], Any], memory.Block]] = [
    (memory.parse_status, memory.STATUS),
    (memory.parse_config, memory.CONFIG),
    (memory.parse_schedule, memory.SCHEDULE),
    (memory.parse_drink_stats, memory.DRINK_STATS),
    (memory.parse_usage, memory.USAGE),
    (memory.parse_panel_text, memory.PANEL_TEXT),
    (memory.parse_preinfusion, memory.PREINFUSION),
    (memory.parse_machine_serial, memory.MACHINE_SERIAL),
    (memory.parse_temperatures, memory.TEMPERATURES),
    (memory.parse_flow, memory.FLOW),
]


@pytest.mark.parametrize(("parse", "block"), PARSERS)
@given(data=st.binary(max_size=80))
def test_random_blocks_parse_or_are_protocol_errors(
    parse: Callable[[bytes], Any], block: memory.Block, data: bytes
) -> None:
    try:
        parse(data)
    except ProtocolError:
        assert len(data) != block.length
    else:
        assert len(data) == block.length or (
            block == memory.STATUS and len(data) == memory.SHORT_STATUS.length
        )


@pytest.mark.parametrize(("parse", "block"), PARSERS)
@given(data=st.data())
def test_truncated_blocks_are_protocol_errors(
    parse: Callable[[bytes], Any], block: memory.Block, data: st.DataObject
) -> None:
    whole = data.draw(st.binary(min_size=block.length, max_size=block.length))
    cut = data.draw(st.integers(min_value=0, max_value=block.length - 1))
    if block == memory.STATUS and cut == memory.SHORT_STATUS.length:
        return  # the short status block is a block of its own
    with pytest.raises(ProtocolError):
        parse(whole[:cut])
