"""UDP discovery and status poll of Smart Connect WiFi dongles (port 51515)."""

from __future__ import annotations

import asyncio
from datetime import date
import ipaddress
import logging
import socket
from typing import Any

from ..errors import ConnectionFailedError, InvalidValueError, ProtocolError
from .models import DiscoveredMachine

_LOGGER = logging.getLogger(__name__)

DISCOVERY_PORT = 51515
REQUEST_LENGTH = 16
REQUEST_MAGIC = bytes.fromhex("0010A5F3")
REPLY_CONTROL_WORD = 0xA5F3
HEADER_LENGTH = 110  # everything up to and including the flags byte

FLAG_IDLE = 0x01  # cleared while a product or process runs
FLAG_READY = 0x10
FLAG_STANDBY = 0x80

_DONGLE_FIRMWARE = slice(4, 20)
_NAME = slice(20, 52)
_MACHINE_FIRMWARE = slice(52, 68)
_FLAGS_OFFSET = 109
_POLL_RESEND_SECONDS = 1.0


def build_probe() -> bytes:
    """The 16-byte scan probe sent to the broadcast address."""
    return REQUEST_MAGIC + bytes(REQUEST_LENGTH - len(REQUEST_MAGIC))


def build_status_poll(ip: str) -> bytes:
    """The 16-byte unicast status poll, which carries the machine's own IPv4 address."""
    try:
        address = ipaddress.IPv4Address(ip)
    except ValueError as err:
        raise InvalidValueError(f"not an IPv4 address: {ip!r}") from err
    return REQUEST_MAGIC + address.packed + bytes(8)


def parse_request(data: bytes) -> str | None:
    """Decode a probe or poll as a machine sees it.

    Returns None for a scan probe and the polled address for a status poll.
    """
    if len(data) != REQUEST_LENGTH or not data.startswith(REQUEST_MAGIC):
        raise ProtocolError("not a discovery request")
    if data[8:] != bytes(8):
        raise ProtocolError("discovery request has trailing data")
    address = data[4:8]
    if address == bytes(4):
        return None
    return str(ipaddress.IPv4Address(address))


def _text(field: bytes) -> str:
    return field.decode("ascii", errors="replace").strip(" \x00")


def _u16(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 2], "big")


def _unpack_date(word: int) -> str | None:
    try:
        return date((word >> 9) + 1990, (word >> 5) & 0x0F, word & 0x1F).isoformat()
    except ValueError:
        return None


def _pack_date(day: date | None) -> int:
    if day is None:
        return 0
    if not 1990 <= day.year < 1990 + 128:
        raise InvalidValueError(f"production year out of range: {day.year}")
    return ((day.year - 1990) << 9) | (day.month << 5) | day.day


def parse_discovery_reply(data: bytes, host: str) -> DiscoveredMachine:
    """Decode a discovery or status-poll reply received from ``host``."""
    if len(data) < HEADER_LENGTH:
        raise ProtocolError(f"discovery reply too short: {len(data)} bytes")
    length = _u16(data, 0)
    if not HEADER_LENGTH <= length <= len(data):
        raise ProtocolError(f"discovery reply length {length} does not fit {len(data)} bytes")
    # The documented check also names bits 15 and 14, but the reference parser
    # effectively tests only the low 12 bits; a stricter check would drop replies
    # that parser accepts (85F3, A5F3, C5F3 and 05F3 all pass).
    if _u16(data, 2) & 0x0FFF != REPLY_CONTROL_WORD & 0x0FFF:
        raise ProtocolError(f"bad control word {_u16(data, 2):#06x}")
    return DiscoveredMachine(
        host=host,
        dongle_firmware=_text(data[_DONGLE_FIRMWARE]),
        name=_text(data[_NAME]),
        machine_firmware=_text(data[_MACHINE_FIRMWARE]),
        article=_u16(data, 68),
        machine_number=_u16(data, 70),
        serial_number=_u16(data, 72),
        production_date=_unpack_date(_u16(data, 74)),
        flags=data[_FLAGS_OFFSET],
        status=bytes(data[HEADER_LENGTH:length]),
    )


def _field(text: str, width: int) -> bytes:
    raw = text.encode("ascii")
    if len(raw) > width:
        raise InvalidValueError(f"{text!r} does not fit in {width} bytes")
    return raw.ljust(width, b"\x00")


def build_discovery_reply(
    *,
    dongle_firmware: str,
    name: str,
    machine_firmware: str,
    article: int,
    machine_number: int,
    serial_number: int,
    production_date: date | None,
    flags: int,
    status: bytes,
    control_word: int = REPLY_CONTROL_WORD,
) -> bytes:
    """Encode a reply in the layout :func:`parse_discovery_reply` reads (for simulators)."""
    length = HEADER_LENGTH + len(status)
    try:
        words = b"".join(
            value.to_bytes(2, "big")
            for value in (article, machine_number, serial_number, _pack_date(production_date))
        )
        head = length.to_bytes(2, "big") + control_word.to_bytes(2, "big")
        flag_byte = flags.to_bytes(1, "big")
    except OverflowError as err:
        raise InvalidValueError("a numeric field does not fit its slot") from err
    reply = (
        head + _field(dongle_firmware, 16) + _field(name, 32) + _field(machine_firmware, 16) + words
    )
    reply = reply.ljust(_FLAGS_OFFSET, b"\x00") + flag_byte + status
    assert len(reply) == length
    return reply


class _ReplyCollector(asyncio.DatagramProtocol):
    """Keeps every well-formed reply; garbage on the port is dropped."""

    def __init__(self) -> None:
        self.machines: dict[str, DiscoveredMachine] = {}
        self.arrived = asyncio.Event()
        self.last_error: Exception | None = None

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        try:
            machine = parse_discovery_reply(data, str(addr[0]))
        except ProtocolError:
            return
        self.machines.setdefault(machine.unique_id, machine)
        self.arrived.set()

    def error_received(self, exc: Exception) -> None:
        self.last_error = exc


def _local_address_for(target: str) -> str:
    try:
        is_loopback = ipaddress.IPv4Address(target).is_loopback
    except ValueError:
        is_loopback = False
    return "127.0.0.1" if is_loopback else "0.0.0.0"  # noqa: S104 - replies come from the LAN


async def async_discover(
    *,
    target: str = "255.255.255.255",
    port: int = DISCOVERY_PORT,
    timeout: float = 3.0,
    repeat: float = 1.0,
) -> list[DiscoveredMachine]:
    """Send the scan probe every ``repeat`` seconds for ``timeout`` seconds; return who answered.

    A network that refuses the probe (no route, no broadcast) simply yields no machines.
    """
    loop = asyncio.get_running_loop()
    try:
        transport, collector = await loop.create_datagram_endpoint(
            _ReplyCollector,
            local_addr=(_local_address_for(target), 0),
            family=socket.AF_INET,
            allow_broadcast=True,
        )
    except OSError as err:
        _LOGGER.debug("Cannot open a socket for discovery: %s", err)
        return []
    probe = build_probe()
    deadline = loop.time() + timeout
    try:
        while (remaining := deadline - loop.time()) > 0:
            # A refused send is reported to the collector (error_received), not raised.
            transport.sendto(probe, (target, port))
            await asyncio.sleep(min(max(repeat, 0.01), remaining))
    finally:
        transport.close()
    return list(collector.machines.values())


async def _resolve_ipv4(host: str) -> str:
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, family=socket.AF_INET, type=socket.SOCK_DGRAM)
    # A name no resolver can take (a NUL, an empty or over-long label) is a ValueError.
    except (OSError, ValueError) as err:
        raise ConnectionFailedError(f"cannot resolve {host!r}: {err}") from err
    return str(infos[0][4][0])


async def async_poll_status(
    host: str,
    *,
    port: int = DISCOVERY_PORT,
    timeout: float = 3.0,
) -> DiscoveredMachine:
    """Ask one machine for its live status with the unicast poll."""
    address = await _resolve_ipv4(host)
    loop = asyncio.get_running_loop()
    try:
        transport, collector = await loop.create_datagram_endpoint(
            _ReplyCollector, remote_addr=(address, port), family=socket.AF_INET
        )
    except OSError as err:
        raise ConnectionFailedError(f"cannot open a UDP socket to {host}: {err}") from err
    poll = build_status_poll(address)
    deadline = loop.time() + timeout
    try:
        while (remaining := deadline - loop.time()) > 0:
            transport.sendto(poll)
            try:
                async with asyncio.timeout(min(_POLL_RESEND_SECONDS, remaining)):
                    await collector.arrived.wait()
            except TimeoutError:
                continue
            return next(iter(collector.machines.values()))
    finally:
        transport.close()
    detail = f" (last error: {collector.last_error})" if collector.last_error else ""
    raise ConnectionFailedError(f"no status reply from {host} within {timeout} s{detail}")
