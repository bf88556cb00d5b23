"""Builders and parsers for the text commands carried inside Jura frames.

Everything here is pure: strings in, strings or values out, no I/O. Parsers
raise ProtocolError for anything malformed and CommandRefusedError when the
machine answered with a refusal. Builders raise InvalidValueError for caller
values the machine would not accept, before anything is sent.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
import re
import struct
from typing import Final

from ..errors import CommandRefusedError, InvalidValueError, ProtocolError
from .models import (
    ChoiceParam,
    Process,
    ProductDef,
    Progress,
    RangeParam,
    RecipeParam,
    SettingDef,
)

# --- Plain commands ------------------------------------------------------------------------

HANGUP = ""  # an empty frame closes the session
CANCEL = "@TG:FF"  # cancel the running product or maintenance step
STANDBY = "@AN:02"  # power off; some dongles ignore it
MAINTENANCE_COUNTERS = "@TG:43"
MAINTENANCE_PERCENT = "@TG:C0"
LOCK = "@TS:01"
UNLOCK = "@TS:00"
REFUSAL = "@an:error"  # the generic refusal reply

LOCKED_KEYS_BIT = 39  # status bit set while the front panel is locked
ENJOY_STATE = 0x3E  # progress state shown when a product is finished
PRODUCT_COUNTER_PAGES = 16
PRODUCT_COUNTER_BANK = 0x32

# Prefixes we never send. @TG:7E wiped all maintenance counters on a real S8;
# the @H* dongle verbs change Wi-Fi, PIN or firmware and can brick the dongle;
# @TF:05 zeroes counters; @TS:F1, @TT:01..08 and @TV: overwrite the display or
# start language downloads. @HU? alone is a harmless milk-cooler status read.
FORBIDDEN_COMMANDS = frozenset(
    {
        "@TG:7E",
        "@TF:05",
        "@TS:F1",
        "@TT:01",
        "@TT:02",
        "@TT:03",
        "@TT:08",
        "@TV:",
        "@HW:",
        "@HB",
        "@HO:",
        "@HD:",
        "@HE",
        "@HT:",
        "@HU",
    }
)
HARMLESS_EXCEPTIONS = frozenset({"@HU?"})

_HEX_TEXT = re.compile(r"[0-9A-Fa-f]+")


# --- Generic helpers -----------------------------------------------------------------------


def _is_hex(text: str) -> bool:
    return _HEX_TEXT.fullmatch(text) is not None


def _same_hex(text: str, expected: str) -> bool:
    """Case-insensitive match of wire hex against an upper-case constant."""
    return _is_hex(text) and text.upper() == expected


def checksum(text: str) -> str:
    """Settings checksum: (-1 - sum of ASCII codes) mod 256, as two upper-case hex digits."""
    return f"{(-1 - sum(text.encode('ascii'))) % 256:02X}"


# Unlike bytes.fromhex, this refuses whitespace between digits, which the wire never has.
_unhexlify: Final = binascii.a2b_hex


def parse_hex(payload: str) -> bytes:
    """Hex text from the wire to bytes; anything else is a protocol error."""
    try:
        return _unhexlify(payload)
    except ValueError:  # binascii.Error is one; so is text that is not ASCII
        if len(payload) % 2:
            raise ProtocolError(f"odd-length hex payload: {payload!r}") from None
        raise ProtocolError(f"not hex: {payload!r}") from None


def _byte_hex(value: int, what: str) -> str:
    if not 0 <= value <= 0xFF:
        raise InvalidValueError(f"{what} must fit in one byte, got {value}")
    return f"{value:02X}"


def split_reply(text: str) -> tuple[str, str]:
    """Split ``@verb:payload`` into its verb (case kept) and payload ("" when absent)."""
    verb, _, payload = text.partition(":")
    name = verb[1:]
    if not text.isascii() or not verb.startswith("@") or not name.isalnum():
        raise ProtocolError(f"not a Jura message: {text!r}")
    return verb, payload


def is_push(text: str) -> bool:
    """True for unsolicited frames (upper-case verb: @TF, @TV, @TB, @TS); replies are lower."""
    try:
        verb, _ = split_reply(text)
    except ProtocolError:
        return False
    return verb[1:].isupper()


def is_refusal(text: str) -> bool:
    """True for the generic refusal ``@an:error``, whatever the case of its letters."""
    return text.lower() == REFUSAL


def _reply_payload(text: str, verb: str) -> str:
    """The payload of a reply that must carry ``verb``; ``@an:error`` is a refusal."""
    if is_refusal(text):
        raise CommandRefusedError(f"machine refused the command ({text})")
    got, payload = split_reply(text)
    if got != verb:
        raise ProtocolError(f"expected a {verb} reply, got {text!r}")
    return payload


_ECHOES: dict[str, str | None] = {}
_UNKNOWN: Final = ""  # never an echo: every echo starts with "@"
_MAX_ECHOES = 64  # the commands that expect an echo are a handful of constants


def _plain_echo(command: str) -> str | None:
    """How a reply to ``command`` starts when it echoes the command exactly, if that is safe.

    None for a command whose echo could also be a refusal or no message at all.
    """
    verb, _, argument = command.partition(":")
    echo = f"{verb.lower()}:{argument}"
    safe = verb.startswith("@") and verb[1:].isalnum() and not REFUSAL.startswith(echo.lower())
    if len(_ECHOES) < _MAX_ECHOES:
        _ECHOES[command] = echo if safe else None
    return echo if safe else None


def strip_echo(text: str, command: str) -> str:
    """The payload of ``command``'s reply after its echo.

    ``strip_echo("@tg:4300150001", "@TG:43")`` is ``"00150001"``.
    """
    echo = _ECHOES.get(command, _UNKNOWN)
    if echo is _UNKNOWN:
        echo = _plain_echo(command)
    # The usual reply repeats the command's own hex: the general checks cannot fail on it.
    if echo is not None and text.startswith(echo) and text.isascii():
        return text[len(echo) :]
    verb, _, argument = command.partition(":")
    payload = _reply_payload(text, verb.lower())
    if payload[: len(argument)].upper() != argument.upper():
        raise ProtocolError(f"reply {text!r} does not echo {command!r}")
    return payload[len(argument) :]


def assert_sendable(command: str) -> None:
    """Refuse commands that can brick the dongle or wipe machine data."""
    upper = command.upper()
    if upper in HARMLESS_EXCEPTIONS:
        return
    for prefix in FORBIDDEN_COMMANDS:
        if upper.startswith(prefix):
            raise CommandRefusedError(f"{command!r} is never sent (forbidden prefix {prefix})")


# --- Handshake -----------------------------------------------------------------------------


class HandshakeOutcome(StrEnum):
    """How the machine answered ``@HP:``."""

    CORRECT = "correct"
    WRONG_PIN = "wrong_pin"
    WRONG_HASH = "wrong_hash"
    ABORTED = "aborted"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class HandshakeResult:
    """A decoded ``@hp4`` / ``@hp5`` reply."""

    outcome: HandshakeOutcome
    token: str | None  # a new pairing token to persist
    code: str | None  # the @hp5 refusal code, upper-case hex

    @property
    def needs_pairing(self) -> bool:
        """Only a wrong PIN or stale token means the stored credentials are bad."""
        return self.outcome in (HandshakeOutcome.WRONG_PIN, HandshakeOutcome.WRONG_HASH)


TOKEN_LENGTH = 64
_HP5_OUTCOMES = {
    "00": HandshakeOutcome.WRONG_PIN,
    "01": HandshakeOutcome.WRONG_HASH,
    "02": HandshakeOutcome.ABORTED,
}


def build_handshake(pin: str, conn_id: str, token: str) -> str:
    """``@HP:<pin>,<conn_id as hex>,<token>``; empty pin and token start a new pairing."""
    if pin and not (pin.isascii() and pin.isdigit()):
        raise InvalidValueError("the PIN must be digits only")
    if not (conn_id.isascii() and conn_id.isprintable()):
        raise InvalidValueError("the connection id must be printable ASCII")
    if token and not (len(token) == TOKEN_LENGTH and _is_hex(token)):
        raise InvalidValueError(f"the token must be {TOKEN_LENGTH} hex characters")
    return f"@HP:{pin},{conn_id.encode('ascii').hex().upper()},{token}"


def is_handshake_reply(text: str) -> bool:
    """True for any ``@hp`` reply, the end of a handshake wait (it may still be malformed)."""
    return text.startswith("@hp")


def parse_handshake_reply(text: str) -> HandshakeResult:
    """Decode ``@hp4`` (paired, maybe with a new token) or ``@hp5[:code]`` (refused).

    Errors never quote the reply: a garbled one may still hold most of a token.
    """
    try:
        verb, payload = split_reply(text)
    except ProtocolError:
        raise ProtocolError("malformed handshake reply") from None
    bare = ":" not in text
    if verb == "@hp4":
        if bare:
            return HandshakeResult(HandshakeOutcome.CORRECT, None, None)
        if len(payload) == TOKEN_LENGTH and _is_hex(payload):
            return HandshakeResult(HandshakeOutcome.CORRECT, payload, None)
    elif verb == "@hp5":
        if bare:
            return HandshakeResult(HandshakeOutcome.WRONG_PIN, None, None)
        if _is_hex(payload):
            code = payload.upper()
            return HandshakeResult(_HP5_OUTCOMES.get(code, HandshakeOutcome.REJECTED), None, code)
    raise ProtocolError(f"malformed handshake reply ({verb}, {len(payload)} characters)")


# --- Status and progress pushes ------------------------------------------------------------


# The set bits of every byte value, numbered MSB-first.
_SET_BITS = tuple(tuple(bit for bit in range(8) if value & (0x80 >> bit)) for value in range(256))


def decode_status_bits(payload: str) -> frozenset[int]:
    """The set bits of an ``@TF`` payload, numbered MSB-first within each byte."""
    data = parse_hex(payload)
    if not data:
        raise ProtocolError("empty status payload")
    return frozenset(
        index * 8 + bit for index, value in enumerate(data) if value for bit in _SET_BITS[value]
    )


def encode_status_bits(bits: Iterable[int], length: int = 8) -> str:
    """The ``@TF`` payload (hex) for a set of status bits, MSB-first within each byte."""
    data = bytearray(length)
    for bit in bits:
        if not 0 <= bit < length * 8:
            raise InvalidValueError(f"status bit {bit} does not fit in {length} bytes")
        data[bit // 8] |= 0x80 >> (bit % 8)
    return data.hex().upper()


_WINDOW_SHIFT_MARKER = 0x8F
_PERCENT_INDEX = 12
_PERCENT_MAX = 0x64


def is_progress_payload(payload: str) -> bool:
    """False for ``@TV:81,...``-style display and clock frames, which are not progress."""
    return "," not in payload


def decode_progress(payload: str) -> Progress:
    """Decode an ``@TV`` payload: state, code, then a value window holding the percent."""
    data = parse_hex(payload)
    if len(data) < 2:
        raise ProtocolError(f"progress payload too short: {payload!r}")
    start = 3 if len(data) > 2 and data[2] == _WINDOW_SHIFT_MARKER else 2
    window = data[start:]
    percent = window[_PERCENT_INDEX] if len(window) > _PERCENT_INDEX else None
    if percent is not None and percent > _PERCENT_MAX:
        percent = None
    return Progress(state=data[0], code=data[1], percent=percent, raw=data)


def encode_progress(state: int, code: int, percent: int | None = None) -> str:
    """An ``@TV`` payload; without a percent it is the bare ``<state><code>`` form."""
    head = _byte_hex(state, "progress state") + _byte_hex(code, "progress code")
    if percent is None:
        return head
    if not 0 <= percent <= _PERCENT_MAX:
        raise InvalidValueError(f"percent must be 0..100, got {percent}")
    window = bytearray(_PERCENT_INDEX + 1)
    window[_PERCENT_INDEX] = percent
    return head + window.hex().upper()


# --- Maintenance ---------------------------------------------------------------------------

_NOT_APPLICABLE = 0xFF


def _maintenance_bytes(payload: str, needed: int, what: str) -> bytes:
    data = parse_hex(payload)
    # Extra trailing bytes are tolerated: a newer firmware may append fields.
    if len(data) < needed:
        raise ProtocolError(f"{what} payload has {len(data)} bytes, expected {needed}")
    return data


# Built once for every count a profile can declare (each process at most once).
_BIG_ENDIAN_U16S = {count: struct.Struct(f">{count}H") for count in range(len(Process) + 1)}


def parse_maintenance_counters(payload: str, fields: Sequence[Process]) -> dict[Process, int]:
    """Decode the hex after ``@tg:43``: one big-endian u16 per field, in ``fields`` order."""
    count = len(fields)
    layout = _BIG_ENDIAN_U16S.get(count) or struct.Struct(f">{count}H")
    # parse_hex inlined: this runs for every counter read, and the call is a tenth of it.
    try:
        data = _unhexlify(payload)
    except ValueError:
        data = parse_hex(payload)  # raises the ProtocolError that says what is wrong
    if len(data) < layout.size:  # extra trailing bytes are tolerated, as in every bank
        raise ProtocolError(
            f"maintenance counter payload has {len(data)} bytes, expected {layout.size}"
        )
    # One value per field by construction; spelling out strict= costs 100 ns per call here.
    return dict(zip(fields, layout.unpack_from(data)))  # noqa: B905


_COUNTER_ECHO: Final = "@tg:43"


def read_maintenance_counters(reply: str, fields: Sequence[Process]) -> dict[Process, int]:
    """The counters of a whole ``@tg:43`` reply: ``strip_echo`` and then the decoding."""
    # strip_echo's own shortcut, taken here: its call is a tenth of a counter read. Its
    # check for ASCII is left out because a payload that is not hex fails below either way.
    if reply.startswith(_COUNTER_ECHO):
        payload = reply[len(_COUNTER_ECHO) :]
    else:
        payload = strip_echo(reply, MAINTENANCE_COUNTERS)
    return parse_maintenance_counters(payload, fields)


def encode_maintenance_counters(values: Mapping[Process, int], fields: Sequence[Process]) -> str:
    """The hex after ``@tg:43`` for ``values`` (a missing field counts 0)."""
    out = bytearray()
    for field in fields:
        value = values.get(field, 0)
        if not 0 <= value <= 0xFFFF:
            raise InvalidValueError(f"{field} counter must be 0..65535, got {value}")
        out += value.to_bytes(2)
    return out.hex().upper()


def parse_maintenance_percent(payload: str, fields: Sequence[Process]) -> dict[Process, int | None]:
    """Decode the hex after ``@tg:C0``: one percent byte per field, ``FF`` = not applicable."""
    data = _maintenance_bytes(payload, len(fields), "maintenance percent")
    result: dict[Process, int | None] = {}
    for field, value in zip(fields, data, strict=False):
        if value == _NOT_APPLICABLE:
            result[field] = None
        elif value > 100:
            raise ProtocolError(f"{field} percent out of range: {value}")
        else:
            result[field] = value
    return result


def encode_maintenance_percent(
    values: Mapping[Process, int | None], fields: Sequence[Process]
) -> str:
    """The hex after ``@tg:C0``; a missing or None field is sent as ``FF``."""
    out = bytearray()
    for field in fields:
        value = values.get(field)
        if value is None:
            out.append(_NOT_APPLICABLE)
        elif 0 <= value <= 100:
            out.append(value)
        else:
            raise InvalidValueError(f"{field} percent must be 0..100, got {value}")
    return out.hex().upper()


# --- Product counters ----------------------------------------------------------------------

_SLOTS_PER_PAGE = 4
_UNUSED_SLOT = 0xFFFF
_BANK_ENDED = "@tr:00"


def _check_page(page: int) -> str:
    if not 0 <= page < PRODUCT_COUNTER_PAGES:
        raise InvalidValueError(f"product counter page must be 0..{PRODUCT_COUNTER_PAGES - 1}")
    return f"{page:02X}"


def build_product_counter_read(page: int) -> str:
    """``@TR:32,<pp>``: read four product counters."""
    return f"@TR:{PRODUCT_COUNTER_BANK:02X},{_check_page(page)}"


def parse_product_counter_page(text: str, page: int) -> dict[int, int] | None:
    """Slot -> count for one page (unused slots left out); None when the bank has ended."""
    page_hex = _check_page(page)
    if text == _BANK_ENDED:
        return None
    parts = _reply_payload(text, "@tr").split(",")
    if len(parts) != 3 or not _same_hex(parts[0], f"{PRODUCT_COUNTER_BANK:02X}"):
        raise ProtocolError(f"malformed product counter reply: {text!r}")
    if not _same_hex(parts[1], page_hex):
        raise ProtocolError(f"asked for counter page {page_hex}, got {text!r}")
    data = parse_hex(parts[2])
    if len(data) != 2 * _SLOTS_PER_PAGE:
        raise ProtocolError(f"counter page must hold {_SLOTS_PER_PAGE} values: {text!r}")
    counts: dict[int, int] = {}
    for index in range(_SLOTS_PER_PAGE):
        value = int.from_bytes(data[2 * index : 2 * index + 2])
        if value != _UNUSED_SLOT:
            counts[page * _SLOTS_PER_PAGE + index] = value
    return counts


def encode_product_counter_page(page: int, counts: Mapping[int, int]) -> str:
    """The ``@tr:32,<pp>,<hex>`` reply for one page; slots missing from ``counts`` are unused."""
    page_hex = _check_page(page)
    out = bytearray()
    for slot in range(page * _SLOTS_PER_PAGE, (page + 1) * _SLOTS_PER_PAGE):
        value = counts.get(slot)
        if value is None:
            value = _UNUSED_SLOT
        elif not 0 <= value < _UNUSED_SLOT:
            raise InvalidValueError(f"counter for slot {slot} must be 0..65534, got {value}")
        out += value.to_bytes(2)
    return f"@tr:{PRODUCT_COUNTER_BANK:02X},{page_hex},{out.hex().upper()}"


# --- Settings ------------------------------------------------------------------------------

_REFUSED_BIT = 0x80  # the machine echoes an unsupported address with bit 7 set
_WRITE_REJECTED = "00"
_STEP_SLIDER = "step_slider"
_ITEM_KINDS = frozenset({"item_slider", "switch", "combobox"})
_ITEM_SLIDER_TAGS = ("21", "22")  # one- and two-byte tagged item values


class UnsupportedSettingError(CommandRefusedError):
    """The firmware does not implement this setting address (it echoed it with bit 7 set)."""


def _argument_hex(argument: int) -> str:
    if not 0 <= argument < _REFUSED_BIT:
        raise InvalidValueError(f"setting argument must be 00..7F, got {argument}")
    return f"{argument:02X}"


def build_setting_read(argument: int) -> str:
    """``@TM:<arg>``: read one setting."""
    return f"@TM:{_argument_hex(argument)}"


def is_setting_reply(text: str, argument: int) -> bool:
    """True for an ``@tm`` reply about ``argument``: its echo, its refusal, or ``@tm:00``.

    Matching the address keeps a late answer to an earlier, timed-out read from being
    taken for the answer to this one.
    """
    verb, _, payload = text.partition(":")
    if verb != "@tm":
        return False
    echoed = payload.split(",", maxsplit=1)[0]
    return any(
        _same_hex(echoed, expected)
        for expected in (_argument_hex(argument), f"{argument | _REFUSED_BIT:02X}", "00")
    )


def parse_setting_reply(text: str, argument: int) -> str:
    """The value hex of ``@tm:<arg>,<value><checksum>``, after verifying the checksum.

    Dongles may echo hex in lower case (``@tm:0a,04FE``) while the checksum is always
    computed over the upper-case text, so both are compared in upper case.
    """
    arg_hex = _argument_hex(argument)
    payload = _reply_payload(text, "@tm")
    if _same_hex(payload, f"{argument | _REFUSED_BIT:02X}"):
        raise UnsupportedSettingError(f"setting {arg_hex} is not supported by this machine")
    echoed, _, rest = payload.partition(",")
    if not _same_hex(echoed, arg_hex):
        raise ProtocolError(f"expected setting {arg_hex}, got {text!r}")
    if len(rest) < 4 or len(rest) % 2 or not _is_hex(rest):
        raise ProtocolError(f"malformed setting value: {text!r}")
    value, received = rest[:-2].upper(), rest[-2:].upper()
    if checksum(f"{arg_hex},{value}") != received:
        raise ProtocolError(f"bad setting checksum: {text!r}")
    return value


def build_setting_write(argument: int, value_hex: str) -> str:
    """``@TM:<arg>,<value><checksum>``; send it inside the ``@TS:01`` / ``@TS:00`` lock."""
    arg_hex = _argument_hex(argument)
    if len(value_hex) % 2 or not _is_hex(value_hex):
        raise InvalidValueError(f"setting value must be whole bytes of hex, got {value_hex!r}")
    body = f"{arg_hex},{value_hex.upper()}"
    return f"@TM:{body}{checksum(body)}"


def parse_setting_write_reply(text: str, argument: int) -> None:
    """Accept ``@tm:<arg>``; a refusal raises CommandRefusedError."""
    arg_hex = _argument_hex(argument)
    payload = _reply_payload(text, "@tm")
    if _same_hex(payload, _WRITE_REJECTED):
        raise CommandRefusedError(f"setting {arg_hex} write was rejected")
    if _same_hex(payload, arg_hex):
        return
    if _same_hex(payload, f"{argument | _REFUSED_BIT:02X}"):
        raise UnsupportedSettingError(f"setting {arg_hex} is not supported by this machine")
    raise ProtocolError(f"unexpected setting write reply: {text!r}")


def _int_to_hex(value: int) -> str:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8)).hex().upper()


def encode_setting_value(setting: SettingDef, value: int | str) -> str:
    """The wire hex for a user value: a number for sliders, an option name otherwise."""
    if setting.kind == _STEP_SLIDER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValueError(f"{setting.key} needs a whole number, got {value!r}")
        low = 0 if setting.minimum is None else setting.minimum
        high = 0xFF if setting.maximum is None else setting.maximum
        step = max(setting.step or 1, 1)
        if not low <= value <= high or (value - low) % step:
            raise InvalidValueError(
                f"{setting.key} must be {low}..{high} in steps of {step}, got {value}"
            )
        return _int_to_hex(value)
    if setting.kind in _ITEM_KINDS:
        for name, wire in setting.items:
            if name == value:
                return wire.upper()
        options = ", ".join(name for name, _ in setting.items)
        raise InvalidValueError(f"{setting.key} must be one of: {options}; got {value!r}")
    raise InvalidValueError(f"setting {setting.key} has unsupported kind {setting.kind!r}")


def decode_setting_value(setting: SettingDef, wire: str) -> int | str | None:
    """The user value for wire hex; None when it matches no known option."""
    data = parse_hex(wire)
    if not data:
        raise ProtocolError("empty setting value")
    if setting.kind == _STEP_SLIDER:
        return int.from_bytes(data)
    upper = wire.upper()
    # After a write in the tagged "21xx" form the machine reads back only "xx".
    candidates = (upper, *(tag + upper for tag in _ITEM_SLIDER_TAGS))
    for candidate in candidates:
        for name, item_wire in setting.items:
            if item_wire.upper() == candidate:
                return name
    return None


# --- Panel lock ----------------------------------------------------------------------------


def is_lock_reply(text: str) -> bool:
    """True for the ``@ts`` / ``@ts:01`` reply to a lock or unlock (not the ``@TS`` push)."""
    return text == "@ts" or text.startswith("@ts:")


# --- Brewing -------------------------------------------------------------------------------

RECIPE_LENGTH = 16
_FIXED_BYTE = 8  # always 01; the machine ignores recipes without it
_FIXED_VALUE = 0x01
_GRINDER_FREENESS_POSITION = 17  # the only parameter that lives past byte 15
_MILLILITRE_POSITIONS = frozenset({4, 10})  # water and bypass travel in 5 ml units
_MILLILITRES_PER_UNIT = 5


def _check_position(product: ProductDef, param: RecipeParam) -> None:
    position = param.position
    if not 2 <= position <= _GRINDER_FREENESS_POSITION or position - 1 == _FIXED_BYTE:
        raise InvalidValueError(f"{product.key}: unsupported recipe position F{position}")


def _range_wire(param: RangeParam, value: int) -> int:
    if param.position in _MILLILITRE_POSITIONS:
        if value % _MILLILITRES_PER_UNIT:
            raise InvalidValueError(f"{param.name} must be a multiple of 5 ml, got {value}")
        value //= _MILLILITRES_PER_UNIT
    if not 0 <= value <= 0xFF:
        raise InvalidValueError(f"{param.name} value {value} does not fit the recipe")
    return value


def _range_byte(param: RangeParam, value: int | str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError(f"{param.name} needs a whole number, got {value!r}")
    step = max(param.step, 1)
    if not param.minimum <= value <= param.maximum or (value - param.minimum) % step:
        raise InvalidValueError(
            f"{param.name} must be {param.minimum}..{param.maximum} in steps of {step}, got {value}"
        )
    return _range_wire(param, value)


def _choice_byte(param: ChoiceParam, value: int | str) -> int:
    for name, wire in param.items:
        if isinstance(value, str) and value == name:
            return wire
        if isinstance(value, int) and not isinstance(value, bool) and value == wire:
            return wire
    options = ", ".join(name for name, _ in param.items)
    raise InvalidValueError(f"{param.name} must be one of: {options}; got {value!r}")


def _param_byte(param: RecipeParam, value: int | str | None) -> int:
    match param:
        case RangeParam():
            if value is None:
                return _range_wire(param, param.default)
            return _range_byte(param, value)
        case ChoiceParam():
            if value is None:
                if not 0 <= param.default <= 0xFF:
                    raise InvalidValueError(f"{param.name} default does not fit one byte")
                return param.default
            return _choice_byte(param, value)


def build_recipe(product: ProductDef, values: Mapping[str, int | str] | None = None) -> bytes:
    """The ``@TP`` recipe blob: product defaults, overridden by ``values`` in user units."""
    if not product.active:
        raise InvalidValueError(f"product {product.key} is not available on this machine")
    if not 0 <= product.code <= 0xFF:
        raise InvalidValueError(f"product code {product.code} does not fit one byte")
    overrides = dict(values or {})
    unknown = sorted(set(overrides) - {param.name for param in product.params})
    if unknown:
        raise InvalidValueError(f"{product.key} has no parameter(s): {', '.join(unknown)}")
    longest = max((param.position for param in product.params), default=0)
    blob = bytearray(max(RECIPE_LENGTH, longest))
    blob[0] = product.code
    blob[_FIXED_BYTE] = _FIXED_VALUE
    for param in product.params:
        _check_position(product, param)
        blob[param.position - 1] = _param_byte(param, overrides.get(param.name))
    return bytes(blob)


def build_brew_command(blob: bytes) -> str:
    """``@TP:<blob hex>``; a short blob is refused because the machine would ignore it."""
    if len(blob) < RECIPE_LENGTH:
        raise InvalidValueError(f"a recipe needs at least {RECIPE_LENGTH} bytes")
    return f"@TP:{blob.hex().upper()}"


def parse_brew_reply(text: str) -> bool:
    """True when the brew was accepted (``@tp``), False when silently dropped (``@tp:00``)."""
    if text == "@tp":
        return True
    payload = _reply_payload(text, "@tp")
    if ":" in text and _same_hex(payload, "00"):
        return False
    raise ProtocolError(f"unexpected brew reply: {text!r}")
