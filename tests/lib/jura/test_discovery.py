"""UDP discovery: reply layout, probes, and scans over real loopback sockets."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    ConnectionFailedError,
    InvalidValueError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.jura.discovery import (
    DISCOVERY_PORT,
    async_discover,
    async_poll_status,
    build_discovery_reply,
    build_probe,
    build_status_poll,
    parse_discovery_reply,
    parse_request,
)
from custom_components.kitchen_connect.kitchenlib.jura.models import DiscoveredMachine
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.jura.simulator import JuraSimulator


def _reference_reply(control_word: bytes = b"\xa5\xf3") -> bytes:
    """The synthetic 118-byte reply of jura.md §1.2, assembled byte by byte."""
    data = bytearray(118)
    data[0:2] = (118).to_bytes(2, "big")
    data[2:4] = control_word
    data[4:17] = b"TT237W V06.11"
    data[17:20] = b"   "  # space padding must be stripped too
    data[20:30] = b"Kaffeebert"
    data[52:65] = b"EF1091 V01.00"
    data[68:70] = (15480).to_bytes(2, "big")
    data[70:72] = (7).to_bytes(2, "big")
    data[72:74] = (31337).to_bytes(2, "big")
    data[74:76] = (((2021 - 1990) << 9) | (3 << 5) | 15).to_bytes(2, "big")
    data[109] = 0x91
    data[110:118] = bytes.fromhex("0004000008000000")
    return bytes(data)


REFERENCE = _reference_reply()
loopback = pytest.mark.usefixtures("socket_enabled")  # the HA test harness blocks sockets


def test_reference_reply_decodes_every_field() -> None:
    machine = parse_discovery_reply(REFERENCE, "192.0.2.5")
    assert machine == DiscoveredMachine(
        host="192.0.2.5",
        dongle_firmware="TT237W V06.11",
        name="Kaffeebert",
        machine_firmware="EF1091 V01.00",
        article=15480,
        machine_number=7,
        serial_number=31337,
        production_date="2021-03-15",
        flags=0x91,
        status=bytes.fromhex("0004000008000000"),
    )
    assert machine.unique_id == "15480-7-31337"


def test_build_discovery_reply_matches_the_reference_layout() -> None:
    built = build_discovery_reply(
        dongle_firmware="TT237W V06.11",
        name="Kaffeebert",
        machine_firmware="EF1091 V01.00",
        article=15480,
        machine_number=7,
        serial_number=31337,
        production_date=date(2021, 3, 15),
        flags=0x91,
        status=bytes.fromhex("0004000008000000"),
    )
    assert len(built) == 118
    assert parse_discovery_reply(built, "h") == parse_discovery_reply(REFERENCE, "h")
    # Only the padding differs (NUL instead of spaces after the firmware string).
    assert built[:17] == REFERENCE[:17]
    assert built[20:] == REFERENCE[20:]


@pytest.mark.parametrize("word", ["85F3", "A5F3", "C5F3", "05F3"])
def test_control_word_variants_the_reference_parser_accepts(word: str) -> None:
    machine = parse_discovery_reply(_reference_reply(bytes.fromhex(word)), "h")
    assert machine.article == 15480


@pytest.mark.parametrize("word", ["A5F4", "A4F3", "0000", "F3A5"])
def test_wrong_control_word_is_rejected(word: str) -> None:
    with pytest.raises(ProtocolError, match="control word"):
        parse_discovery_reply(_reference_reply(bytes.fromhex(word)), "h")


def test_length_field_bounds_the_status_payload() -> None:
    shorter = (114).to_bytes(2, "big") + REFERENCE[2:]
    assert parse_discovery_reply(shorter, "h").status == bytes.fromhex("00040000")
    with pytest.raises(ProtocolError, match="length"):
        parse_discovery_reply((119).to_bytes(2, "big") + REFERENCE[2:], "h")
    with pytest.raises(ProtocolError, match="length"):
        parse_discovery_reply((109).to_bytes(2, "big") + REFERENCE[2:], "h")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (0, None),
        (((2021 - 1990) << 9) | (13 << 5) | 1, None),  # month 13
        (((2021 - 1990) << 9) | (2 << 5) | 30, None),  # 30 February
        (((2024 - 1990) << 9) | (2 << 5) | 29, "2024-02-29"),
    ],
)
def test_production_date_unpacking(word: int, expected: str | None) -> None:
    data = REFERENCE[:74] + word.to_bytes(2, "big") + REFERENCE[76:]
    assert parse_discovery_reply(data, "h").production_date == expected


def test_non_ascii_text_is_replaced_not_fatal() -> None:
    data = bytearray(REFERENCE)
    data[20:30] = b"Kaff\xe9ebert"
    assert parse_discovery_reply(bytes(data), "h").name == "Kaff\ufffdebert"


def test_probe_and_status_poll_bytes() -> None:
    assert build_probe() == bytes.fromhex("0010A5F3") + bytes(12)
    assert build_status_poll("192.168.1.42") == bytes.fromhex("0010A5F3C0A8012A0000000000000000")
    with pytest.raises(InvalidValueError):
        build_status_poll("not-an-ip")


def test_parse_request_tells_scan_from_poll() -> None:
    assert parse_request(build_probe()) is None
    assert parse_request(build_status_poll("10.1.2.3")) == "10.1.2.3"
    tail = build_probe()[:15] + b"\x01"
    for garbage in (b"", build_probe()[:15], build_probe() + b"\x00", b"\x00" * 16, tail):
        with pytest.raises(ProtocolError):
            parse_request(garbage)


def test_build_reply_rejects_values_that_do_not_fit() -> None:
    fields: dict[str, Any] = {
        "dongle_firmware": "TT237W",
        "name": "x",
        "machine_firmware": "EF1",
        "article": 1,
        "machine_number": 1,
        "serial_number": 1,
        "production_date": None,
        "flags": 0,
        "status": b"",
    }
    with pytest.raises(InvalidValueError):
        build_discovery_reply(**(fields | {"name": "n" * 33}))
    with pytest.raises(InvalidValueError):
        build_discovery_reply(**(fields | {"article": 70000}))
    with pytest.raises(InvalidValueError):
        build_discovery_reply(**(fields | {"production_date": date(1989, 1, 1)}))


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_random_bytes_parse_or_raise_protocol_error(data: bytes) -> None:
    try:
        machine = parse_discovery_reply(data, "h")
    except ProtocolError:
        return
    assert len(machine.status) == int.from_bytes(data[:2], "big") - 110


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=len(REFERENCE) - 1))
def test_truncated_reply_is_a_protocol_error(cut: int) -> None:
    with pytest.raises(ProtocolError):
        parse_discovery_reply(REFERENCE[:cut], "h")


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(0, len(REFERENCE) - 1), st.integers(0, 255)), max_size=8))
def test_corrupted_reply_parses_or_raises_protocol_error(edits: list[tuple[int, int]]) -> None:
    data = bytearray(REFERENCE)
    for index, value in edits:
        data[index] = value
    try:
        machine = parse_discovery_reply(bytes(data), "h")
    except ProtocolError:
        return
    assert machine.article == int.from_bytes(data[68:70], "big")
    assert machine.flags == data[109]


class _Responder(asyncio.DatagramProtocol):
    """Answers every datagram with garbage, then the reference reply twice."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.received: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.received.append(data)
        assert self.transport is not None
        self.transport.sendto(b"garbage", addr)
        self.transport.sendto(REFERENCE, addr)
        self.transport.sendto(REFERENCE, addr)


async def _start_responder() -> tuple[asyncio.DatagramTransport, _Responder, int]:
    loop = asyncio.get_running_loop()
    transport, responder = await loop.create_datagram_endpoint(
        _Responder, local_addr=("127.0.0.1", 0)
    )
    return transport, responder, transport.get_extra_info("sockname")[1]


@loopback
async def test_discover_repeats_the_probe_and_deduplicates() -> None:
    transport, responder, port = await _start_responder()
    try:
        found = await async_discover(target="127.0.0.1", port=port, timeout=0.35, repeat=0.1)
    finally:
        transport.close()
    assert [machine.unique_id for machine in found] == ["15480-7-31337"]
    assert found[0].host == "127.0.0.1"
    assert len(responder.received) >= 3
    assert set(responder.received) == {build_probe()}


@loopback
async def test_discover_with_nobody_listening_returns_nothing() -> None:
    transport, _, port = await _start_responder()
    transport.close()  # the port is now closed
    assert await async_discover(target="127.0.0.1", port=port, timeout=0.1, repeat=0.05) == []


@loopback
async def test_poll_status_sends_the_unicast_poll() -> None:
    transport, responder, port = await _start_responder()
    try:
        machine = await async_poll_status("127.0.0.1", port=port, timeout=1.0)
    finally:
        transport.close()
    assert machine.status == bytes.fromhex("0004000008000000")
    assert responder.received[0] == build_status_poll("127.0.0.1")


@loopback
async def test_poll_status_resolves_a_host_name() -> None:
    transport, _, port = await _start_responder()
    try:
        machine = await async_poll_status("localhost", port=port, timeout=1.0)
    finally:
        transport.close()
    assert machine.article == 15480


@loopback
async def test_poll_status_times_out_with_connection_failed() -> None:
    loop = asyncio.get_running_loop()
    silent, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)
    )
    port = silent.get_extra_info("sockname")[1]
    try:
        with pytest.raises(ConnectionFailedError, match="no status reply"):
            await async_poll_status("127.0.0.1", port=port, timeout=0.15)
    finally:
        silent.close()


@loopback
async def test_discover_finds_the_simulator() -> None:
    profile = get_profile("EF1091")
    assert profile is not None
    async with JuraSimulator(profile, name="Kaffeebert", serial_number=99) as simulator:
        port = await simulator.async_start_discovery_responder()
        found = await async_discover(target="127.0.0.1", port=port, timeout=0.2, repeat=0.05)
        polled = await async_poll_status("127.0.0.1", port=port, timeout=1.0)
    assert len(found) == 1
    machine = found[0]
    assert machine.name == "Kaffeebert"
    assert machine.article == 15480
    assert machine.serial_number == 99
    assert machine.machine_firmware == "EF1091 V01.00"
    assert machine.status == bytes.fromhex("0004000000000000")  # coffee ready
    assert machine.flags == 0x11  # idle and ready
    assert polled.unique_id == machine.unique_id


def test_default_port() -> None:
    assert DISCOVERY_PORT == 51515


async def test_discovery_on_a_refusing_network_finds_nothing() -> None:
    """A probe the network refuses (here: port 0, which the kernel rejects) is not an error."""
    assert await async_discover(target="127.0.0.1", port=0, timeout=0.2, repeat=0.05) == []
