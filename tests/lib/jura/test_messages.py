"""The Jura message codec: worked vectors from the protocol notes, round trips, fuzzing."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    CommandRefusedError,
    InvalidValueError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.jura import messages as m
from custom_components.kitchen_connect.kitchenlib.jura.models import (
    ChoiceParam,
    Process,
    ProductDef,
    RangeParam,
    SettingDef,
)

P = Process
S8_COUNTER_FIELDS = (
    P.CLEANING,
    P.FILTER_CHANGE,
    P.DESCALE,
    P.CAPPU_RINSE,
    P.COFFEE_RINSE,
    P.CAPPU_CLEAN,
)
ENA4_COUNTER_FIELDS = (P.CLEANING, P.FILTER_CHANGE, P.DESCALE, P.COFFEE_RINSE)
PERCENT_FIELDS = (P.CLEANING, P.FILTER_CHANGE, P.DESCALE)

STRENGTH = ChoiceParam(
    "coffee_strength", 3, tuple((str(level), level) for level in range(1, 11)), default=8
)
TEMPERATURE = ChoiceParam("temperature", 7, (("low", 0), ("normal", 1), ("high", 2)), default=1)
CAFE_BARISTA = ProductDef(
    code=0x28,
    key="cafe_barista",
    kind="C",
    active=True,
    params=(
        ChoiceParam("coffee_strength", 3, STRENGTH.items, default=7),
        RangeParam("water_amount", 4, 25, 240, 5, default=45),
        TEMPERATURE,
        RangeParam("bypass", 10, 0, 240, 5, default=45),
    ),
)

HARDNESS = SettingDef(0x02, "hardness", "step_slider", "10", minimum=1, maximum=30, step=1)
AUTO_OFF = SettingDef(
    0x13,
    "auto_off",
    "item_slider",
    "211E",
    items=(
        ("15min", "0F"),
        ("30min", "211E"),
        ("1h", "213C"),
        ("5h", "22012C"),
        ("6h", "220168"),
    ),
)
UNITS = SettingDef(0x08, "units", "switch", "00", items=(("ml", "00"), ("oz", "01")))


# --- Replies in general ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@tg:43001500", ("@tg", "43001500")),
        ("@TB", ("@TB", "")),
        ("@tr:32,00,0001FFFF00020003", ("@tr", "32,00,0001FFFF00020003")),
        ("@an:error", ("@an", "error")),
        ("@hp4", ("@hp4", "")),
    ],
)
def test_split_reply(text: str, expected: tuple[str, str]) -> None:
    assert m.split_reply(text) == expected


@pytest.mark.parametrize("text", ["", "tg:43", "@", "@:43", "@t g:1", "@té:00", "@TU?"])
def test_split_reply_rejects_non_messages(text: str) -> None:
    with pytest.raises(ProtocolError):
        m.split_reply(text)


@pytest.mark.parametrize(
    ("text", "push"),
    [
        ("@TF:0004000008000000", True),
        ("@TV:3E28", True),
        ("@TV:81,HELLO", True),
        ("@TB", True),
        ("@TS", True),
        ("@ts", False),
        ("@tp:00", False),
        ("@hp4", False),
        ("@an:error", False),
        ("", False),
        ("garbage", False),
    ],
)
def test_is_push(text: str, push: bool) -> None:
    assert m.is_push(text) is push


def test_strip_echo() -> None:
    assert m.strip_echo("@tg:4300150001", m.MAINTENANCE_COUNTERS) == "00150001"
    assert m.strip_echo("@tg:c000FF46", m.MAINTENANCE_PERCENT) == "00FF46"
    assert m.strip_echo("@tg:FF", m.CANCEL) == ""
    with pytest.raises(ProtocolError):
        m.strip_echo("@tg:C000FF46", m.MAINTENANCE_COUNTERS)
    with pytest.raises(ProtocolError):
        m.strip_echo("@TG:4300", m.MAINTENANCE_COUNTERS)
    with pytest.raises(CommandRefusedError):
        m.strip_echo("@an:error", m.MAINTENANCE_COUNTERS)


@pytest.mark.parametrize(
    "command",
    [
        "@TG:7E",
        "@TG:7E,FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        "@tg:7e",
        "@HW:01,1234",
        "@HW:80,myssid",
        "@HB",
        "@HO:1",
        "@HD:00",
        "@HE",
        "@HT:3",
        "@HU",
        "@HU:01",
        "@TF:05",
    ],
)
def test_forbidden_commands_are_never_sendable(command: str) -> None:
    with pytest.raises(CommandRefusedError):
        m.assert_sendable(command)


@pytest.mark.parametrize(
    "command",
    ["@HU?", "@TG:43", "@TG:C0", "@TG:FF", "@TP:28000709000001000109000000000000", "@HP:,41,", ""],
)
def test_ordinary_commands_are_sendable(command: str) -> None:
    m.assert_sendable(command)


def test_plain_command_constants() -> None:
    assert (m.CANCEL, m.STANDBY, m.HANGUP) == ("@TG:FF", "@AN:02", "")
    assert (m.MAINTENANCE_COUNTERS, m.MAINTENANCE_PERCENT) == ("@TG:43", "@TG:C0")
    assert (m.LOCK, m.UNLOCK) == ("@TS:01", "@TS:00")


# --- Checksum and status --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02,10", "10"),
        ("02,0D", "FD"),
        ("13,211E", "96"),
        ("13,1E", "F9"),
        ("09,03", "07"),
        ("60,02", "0B"),
        ("60,28", "03"),
        ("50,0404040404", "7A"),
        ("00,FC", "EA"),
    ],
)
def test_checksum_table(text: str, expected: str) -> None:
    assert m.checksum(text) == expected


def test_status_bits_are_msb_first() -> None:
    assert m.decode_status_bits("0004000008000000") == {13, 36}
    locked = m.decode_status_bits("0004000009000000")
    assert m.LOCKED_KEYS_BIT in locked
    assert m.encode_status_bits({13, 36, 39}) == "0004000009000000"


@settings(max_examples=100)
@given(bits=st.frozensets(st.integers(0, 63)))
def test_status_bits_round_trip(bits: frozenset[int]) -> None:
    assert m.decode_status_bits(m.encode_status_bits(bits)) == bits


def test_status_bit_outside_the_payload_is_invalid() -> None:
    with pytest.raises(InvalidValueError):
        m.encode_status_bits({64})


@pytest.mark.parametrize("payload", ["", "0", "00 1", "0x00", "GG", "\u0660\u0660"])
def test_parse_hex_rejects_non_hex(payload: str) -> None:
    with pytest.raises(ProtocolError):
        m.decode_status_bits(payload)


@pytest.mark.parametrize("payload", [" 00 ", "00 01", "\t0\n01", "0 01", "00\u3000"])
def test_parse_hex_refuses_whitespace_between_digits(payload: str) -> None:
    with pytest.raises(ProtocolError):
        m.parse_hex(payload)


@pytest.mark.parametrize(("payload", "message"), [("001", "odd-length"), ("0g", "not hex")])
def test_parse_hex_says_what_is_wrong(payload: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        m.parse_hex(payload)


@settings(max_examples=300)
@given(data=st.binary(min_size=1, max_size=12), lower=st.booleans())
def test_status_bits_are_the_set_bits_msb_first(data: bytes, lower: bool) -> None:
    payload = data.hex() if lower else data.hex().upper()
    expected = {
        8 * index + bit
        for index, value in enumerate(data)
        for bit in range(8)
        if value >> 7 - bit & 1
    }
    assert m.decode_status_bits(payload) == expected


def _strip_echo_by_the_rules(text: str, command: str) -> str:
    """strip_echo spelled out from the public helpers, without any shortcut."""
    verb, _, argument = command.partition(":")
    if m.is_refusal(text):
        raise CommandRefusedError(text)
    got, payload = m.split_reply(text)
    if got != verb.lower() or payload[: len(argument)].upper() != argument.upper():
        raise ProtocolError(text)
    return payload[len(argument) :]


_COMMANDS = st.sampled_from(
    [m.MAINTENANCE_COUNTERS, m.MAINTENANCE_PERCENT, m.CANCEL, m.STANDBY, "@TG", "@AN:ERR", "@T-G:4"]
)
_REPLY_PIECES = st.sampled_from(
    ["@tg:", "@TG:", "@an:", "@an:error", "@AN:ERROR", "43", "c0", "C0"]
)


@settings(max_examples=400)
@given(
    command=_COMMANDS,
    text=st.lists(_REPLY_PIECES | st.text(max_size=4), max_size=4).map("".join),
)
def test_strip_echo_agrees_with_the_rules(command: str, text: str) -> None:
    try:
        expected = _strip_echo_by_the_rules(text, command)
    except (ProtocolError, CommandRefusedError) as err:
        with pytest.raises(type(err)):
            m.strip_echo(text, command)
    else:
        assert m.strip_echo(text, command) == expected


def test_maintenance_counters_of_a_long_layout() -> None:
    # More fields than the prepared layouts: the same reading, from a layout made on the spot.
    fields = (*S8_COUNTER_FIELDS, P.CLEANING)
    payload = "0001000200030004000500060007"
    assert m.parse_maintenance_counters(payload, fields)[P.CLEANING] == 7


# --- Handshake ------------------------------------------------------------------------------

TOKEN = "0123456789abcdef" * 4


def test_build_handshake() -> None:
    assert m.build_handshake("", "ha-test", "") == "@HP:,68612D74657374,"
    assert m.build_handshake("1234", "A", TOKEN) == f"@HP:1234,41,{TOKEN}"


@pytest.mark.parametrize(
    ("pin", "conn_id", "token"),
    [("12a4", "ha", ""), ("", "hä", ""), ("", "ha\n", ""), ("", "ha", "abc"), ("", "ha", "G" * 64)],
)
def test_build_handshake_rejects_bad_values(pin: str, conn_id: str, token: str) -> None:
    with pytest.raises(InvalidValueError):
        m.build_handshake(pin, conn_id, token)


Outcome = m.HandshakeOutcome


@pytest.mark.parametrize(
    ("text", "outcome", "token", "code"),
    [
        ("@hp4", Outcome.CORRECT, None, None),
        (f"@hp4:{TOKEN}", Outcome.CORRECT, TOKEN, None),
        ("@hp5", Outcome.WRONG_PIN, None, None),
        ("@hp5:00", Outcome.WRONG_PIN, None, "00"),
        ("@hp5:01", Outcome.WRONG_HASH, None, "01"),
        ("@hp5:02", Outcome.ABORTED, None, "02"),
        ("@hp5:7f", Outcome.REJECTED, None, "7F"),
    ],
)
def test_parse_handshake_reply(
    text: str, outcome: Outcome, token: str | None, code: str | None
) -> None:
    assert m.is_handshake_reply(text)
    assert m.parse_handshake_reply(text) == m.HandshakeResult(outcome, token, code)


def test_only_wrong_pin_or_hash_needs_pairing() -> None:
    needs = {o for o in Outcome if m.HandshakeResult(o, None, None).needs_pairing}
    assert needs == {Outcome.WRONG_PIN, Outcome.WRONG_HASH}


@pytest.mark.parametrize(
    "text",
    [
        "@hp4:",
        f"@hp4:{TOKEN[:-1]}",
        f"@hp4:{TOKEN}0",
        "@hp4:" + "G" * 64,
        "@hp5:",
        "@hp5:x1",
        "@hp6",
    ],
)
def test_malformed_handshake_replies(text: str) -> None:
    with pytest.raises(ProtocolError):
        m.parse_handshake_reply(text)


@pytest.mark.parametrize(
    "text", [f"@hp4:{TOKEN[:63]}", f"@hp4:{TOKEN[:60]}\u00e9", f"@hp4:{TOKEN}Z"]
)
def test_malformed_handshake_errors_do_not_quote_the_token(text: str) -> None:
    """The error ends up in log lines; a garbled reply may still hold most of a token."""
    with pytest.raises(ProtocolError) as raised:
        m.parse_handshake_reply(text)
    assert TOKEN[:16] not in str(raised.value)


def test_pushes_are_not_handshake_replies() -> None:
    assert not m.is_handshake_reply("@TF:0004000008000000")
    assert not m.is_handshake_reply("@TB")


# --- Progress -------------------------------------------------------------------------------


def test_enjoy_frame_without_window() -> None:
    progress = m.decode_progress("3E28")
    assert (progress.state, progress.code, progress.percent) == (m.ENJOY_STATE, 0x28, None)
    assert progress.raw == b"\x3e\x28"


def test_progress_percent_sits_at_window_index_12() -> None:
    window = "0707" + "0009" + "0000" + "0000" + "00" + "0000" + "00" + "25"
    assert m.decode_progress("3C28" + window).percent == 0x25
    assert m.decode_progress("3C288F" + window).percent == 0x25  # 8F shifts the window
    assert m.decode_progress("3C28" + window[:-2]).percent is None  # window too short
    assert m.decode_progress("3C28" + window[:-2] + "65").percent is None  # > 100 %


def test_display_frames_are_not_progress() -> None:
    assert not m.is_progress_payload("81,48656C6C6F")
    assert not m.is_progress_payload("84,31323A3030")
    assert m.is_progress_payload("3E28")


@settings(max_examples=100)
@given(
    state=st.integers(0, 255),
    code=st.integers(0, 255),
    percent=st.none() | st.integers(0, 100),
)
def test_progress_round_trip(state: int, code: int, percent: int | None) -> None:
    payload = m.encode_progress(state, code, percent)
    progress = m.decode_progress(payload)
    assert (progress.state, progress.code, progress.percent) == (state, code, percent)


@pytest.mark.parametrize(("state", "code", "percent"), [(256, 0, None), (0, -1, None), (0, 0, 101)])
def test_encode_progress_rejects_out_of_range(state: int, code: int, percent: int | None) -> None:
    with pytest.raises(InvalidValueError):
        m.encode_progress(state, code, percent)


# --- Maintenance ----------------------------------------------------------------------------


def test_maintenance_counter_vector() -> None:
    payload = m.strip_echo("@tg:4300150001000801580E21005B", m.MAINTENANCE_COUNTERS)
    counters = m.parse_maintenance_counters(payload, S8_COUNTER_FIELDS)
    assert list(counters.items()) == [
        (P.CLEANING, 21),
        (P.FILTER_CHANGE, 1),
        (P.DESCALE, 8),
        (P.CAPPU_RINSE, 344),
        (P.COFFEE_RINSE, 3617),
        (P.CAPPU_CLEAN, 91),
    ]


def test_maintenance_counters_ignore_extra_bytes_but_not_missing_ones() -> None:
    payload = "00150001000801580E21005B"
    short = m.parse_maintenance_counters(payload, ENA4_COUNTER_FIELDS)
    assert short == {P.CLEANING: 21, P.FILTER_CHANGE: 1, P.DESCALE: 8, P.COFFEE_RINSE: 344}
    with pytest.raises(ProtocolError):
        m.parse_maintenance_counters(payload[:-2], S8_COUNTER_FIELDS)


def test_maintenance_percent_vector() -> None:
    payload = m.strip_echo("@tg:C000FF46", m.MAINTENANCE_PERCENT)
    percent = m.parse_maintenance_percent(payload, PERCENT_FIELDS)
    assert percent == {P.CLEANING: 0, P.FILTER_CHANGE: None, P.DESCALE: 70}


@pytest.mark.parametrize("payload", ["00FF", "0065FF", "00FFG6"])
def test_maintenance_percent_rejects_bad_payloads(payload: str) -> None:
    with pytest.raises(ProtocolError):
        m.parse_maintenance_percent(payload, PERCENT_FIELDS)


fields_strategy = st.lists(st.sampled_from(list(Process)), min_size=1, max_size=6, unique=True)


@settings(max_examples=100)
@given(fields=fields_strategy, data=st.data())
def test_maintenance_counters_round_trip(fields: list[Process], data: st.DataObject) -> None:
    values = {field: data.draw(st.integers(0, 0xFFFF)) for field in fields}
    payload = m.encode_maintenance_counters(values, fields)
    assert len(payload) == 4 * len(fields)
    assert m.parse_maintenance_counters(payload, fields) == values


_COUNTER_REPLIES = st.tuples(
    st.sampled_from(["@tg:43", "@TG:43", "@tg:4", "@tg:c0", "@an:error", "tg:43", ""]),
    st.text(alphabet="0123456789abcdefABCDEF", max_size=28),
    st.sampled_from(["", " ", "0", "\u0661", "\n"]) | st.text(max_size=2),
).map("".join)


@settings(max_examples=400)
@given(fields=fields_strategy, text=_COUNTER_REPLIES)
@example(fields=[P.CLEANING], text="@tg:430001")
@example(fields=[P.CLEANING], text="@tg:45abcd")  # another echo, though hex and long enough
@example(fields=[P.CLEANING], text="@TG:430001")
@example(fields=[P.CLEANING], text="@tg:43\u0661\u0662\u0663\u0664")
def test_a_counter_reply_reads_as_its_payload_would(fields: list[Process], text: str) -> None:
    # read_maintenance_counters takes a shortcut past strip_echo for the usual reply.
    try:
        expected = m.parse_maintenance_counters(m.strip_echo(text, m.MAINTENANCE_COUNTERS), fields)
    except (ProtocolError, CommandRefusedError) as err:
        with pytest.raises(type(err)):
            m.read_maintenance_counters(text, fields)
    else:
        assert m.read_maintenance_counters(text, fields) == expected


@settings(max_examples=100)
@given(fields=fields_strategy, data=st.data())
def test_maintenance_percent_round_trip(fields: list[Process], data: st.DataObject) -> None:
    values = {field: data.draw(st.none() | st.integers(0, 100)) for field in fields}
    payload = m.encode_maintenance_percent(values, fields)
    assert m.parse_maintenance_percent(payload, fields) == values


def test_maintenance_encoders_reject_out_of_range() -> None:
    with pytest.raises(InvalidValueError):
        m.encode_maintenance_counters({P.CLEANING: 0x10000}, PERCENT_FIELDS)
    with pytest.raises(InvalidValueError):
        m.encode_maintenance_percent({P.DESCALE: 101}, PERCENT_FIELDS)
    assert m.encode_maintenance_counters({}, PERCENT_FIELDS) == "000000000000"
    assert m.encode_maintenance_percent({}, PERCENT_FIELDS) == "FFFFFF"


# --- Product counters -----------------------------------------------------------------------


def test_product_counter_read() -> None:
    assert m.PRODUCT_COUNTER_PAGES == 16
    assert m.build_product_counter_read(0) == "@TR:32,00"
    assert m.build_product_counter_read(15) == "@TR:32,0F"
    with pytest.raises(InvalidValueError):
        m.build_product_counter_read(16)


def test_product_counter_page() -> None:
    assert m.parse_product_counter_page("@tr:32,00,0123FFFF00050000", 0) == {
        0: 0x123,
        2: 5,
        3: 0,
    }
    assert m.parse_product_counter_page("@tr:32,0a,FFFFFFFF0001ffff", 10) == {42: 1}
    assert m.parse_product_counter_page("@tr:00", 0) is None
    assert m.parse_product_counter_page("@tr:00", 5) is None


@pytest.mark.parametrize(
    "text",
    [
        "@tr:32,01,0123FFFF00050000",  # page mismatch
        "@tr:33,00,0123FFFF00050000",  # another bank
        "@tr:32,00,0123FFFF0005",  # short
        "@tr:32,00,0123FFFF0005000000",  # long
        "@tr:32,00",
        "@tr:32,00,0123FFFF0005000G",
        "@TR:32,00",
    ],
)
def test_malformed_product_counter_pages(text: str) -> None:
    with pytest.raises(ProtocolError):
        m.parse_product_counter_page(text, 0)


@settings(max_examples=100)
@given(
    page=st.integers(0, 15),
    counts=st.dictionaries(st.integers(0, 63), st.integers(0, 0xFFFE), max_size=20),
)
def test_product_counter_page_round_trip(page: int, counts: dict[int, int]) -> None:
    text = m.encode_product_counter_page(page, counts)
    on_page = {slot: n for slot, n in counts.items() if slot // 4 == page}
    assert m.parse_product_counter_page(text, page) == on_page


def test_product_counter_encoder_rejects_the_unused_marker() -> None:
    with pytest.raises(InvalidValueError):
        m.encode_product_counter_page(0, {1: 0xFFFF})


# --- Settings -------------------------------------------------------------------------------


def test_setting_read() -> None:
    assert m.build_setting_read(0x02) == "@TM:02"
    assert m.parse_setting_reply("@tm:02,0DFD", 0x02) == "0D"
    assert m.parse_setting_reply("@tm:13,211E96", 0x13) == "211E"
    with pytest.raises(InvalidValueError):
        m.build_setting_read(0x80)


@pytest.mark.parametrize(
    ("text", "argument", "value"),
    [
        ("@tm:0a,04FE", 0x0A, "04"),  # the S8 EB's echo; the checksum is over "0A,04"
        ("@tm:0A,04fe", 0x0A, "04"),
        ("@tm:7e,01" + m.checksum("7E,01"), 0x7E, "01"),
        ("@tm:1e,0a" + m.checksum("1E,0A").lower(), 0x1E, "0A"),
    ],
)
def test_setting_read_accepts_any_hex_case(text: str, argument: int, value: str) -> None:
    assert m.parse_setting_reply(text, argument) == value


@pytest.mark.parametrize("text", ["@tm:82", "@an:error", "@AN:ERROR", "@an:Error"])
def test_setting_read_refusals(text: str) -> None:
    with pytest.raises(CommandRefusedError):
        m.parse_setting_reply(text, 0x02)


@pytest.mark.parametrize("text", ["@tm:8A", "@tm:8a"])
def test_unsupported_address_is_its_own_refusal(text: str) -> None:
    with pytest.raises(m.UnsupportedSettingError):
        m.parse_setting_reply(text, 0x0A)
    with pytest.raises(m.UnsupportedSettingError):
        m.parse_setting_write_reply(text, 0x0A)


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("@tm:0a,04FE", True),
        ("@tm:0A,04FE", True),
        ("@tm:0a", True),  # a bare echo: the parser decides it is malformed
        ("@tm:8a", True),
        ("@tm:00", True),
        ("@tm:02,10" + m.checksum("02,10"), False),  # a late answer to another read
        ("@tm:0b,04FD", False),
        ("@tm:", False),
        ("@TM:0A", False),
        ("@tg:0a", False),
        ("@an:error", False),  # the request wrapper handles refusals itself
    ],
)
def test_setting_reply_matcher(text: str, matches: bool) -> None:
    assert m.is_setting_reply(text, 0x0A) is matches


@pytest.mark.parametrize(
    ("text", "refusal"), [("@an:error", True), ("@an:ERROR", True), ("@an:err", False)]
)
def test_is_refusal(text: str, refusal: bool) -> None:
    assert m.is_refusal(text) is refusal


@pytest.mark.parametrize(
    "text",
    ["@tm:02,0DFE", "@tm:03,0DFD", "@tm:02,0D", "@tm:02", "@tm:02,0DF", "@tp", "@tm:02,GDFD"],
)
def test_malformed_setting_read_replies(text: str) -> None:
    with pytest.raises(ProtocolError):
        m.parse_setting_reply(text, 0x02)


def test_setting_write() -> None:
    assert m.build_setting_write(0x02, "10") == "@TM:02,1010"
    assert m.build_setting_write(0x13, "211e") == "@TM:13,211E96"
    with pytest.raises(InvalidValueError):
        m.build_setting_write(0x02, "1")
    with pytest.raises(InvalidValueError):
        m.build_setting_write(0x02, "")


def test_setting_write_replies() -> None:
    m.parse_setting_write_reply("@tm:02", 0x02)  # accepted: no exception
    for refusal in ("@tm:00", "@an:error", "@tm:82"):
        with pytest.raises(CommandRefusedError):
            m.parse_setting_write_reply(refusal, 0x02)
    for bad in ("@tm:03", "@tm:02,10", "@tp", "@TM:02"):
        with pytest.raises(ProtocolError):
            m.parse_setting_write_reply(bad, 0x02)


@settings(max_examples=100)
@given(argument=st.integers(0, 0x7F), value=st.binary(min_size=1, max_size=4))
def test_setting_reply_round_trip(argument: int, value: bytes) -> None:
    # A read reply has the same shape as the write command, in lower case.
    reply = "@tm" + m.build_setting_write(argument, value.hex())[3:]
    assert m.parse_setting_reply(reply, argument) == value.hex().upper()


@settings(max_examples=200)
@given(
    argument=st.integers(0, 0x7F),
    value=st.binary(min_size=1, max_size=4),
    cases=st.lists(st.booleans(), min_size=20, max_size=20),
)
def test_setting_reply_round_trip_in_any_case(
    argument: int, value: bytes, cases: list[bool]
) -> None:
    # Dongles may answer any hex digit in lower case; the checksum stays the upper-case one.
    payload = m.build_setting_write(argument, value.hex())[4:]
    mixed = "".join(
        char.lower() if lower else char for char, lower in zip(payload, cases, strict=False)
    )
    reply = f"@tm:{mixed}{payload[len(cases) :]}"
    assert m.is_setting_reply(reply, argument)
    assert m.parse_setting_reply(reply, argument) == value.hex().upper()


def test_encode_setting_values() -> None:
    assert m.encode_setting_value(HARDNESS, 16) == "10"
    assert m.encode_setting_value(HARDNESS, 1) == "01"
    assert m.encode_setting_value(AUTO_OFF, "30min") == "211E"
    assert m.encode_setting_value(AUTO_OFF, "15min") == "0F"
    assert m.encode_setting_value(UNITS, "oz") == "01"


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        (HARDNESS, 0),
        (HARDNESS, 31),
        (HARDNESS, "16"),
        (HARDNESS, True),
        (AUTO_OFF, "45min"),
        (AUTO_OFF, 15),
        (UNITS, "litre"),
        (SettingDef(0x02, "even", "step_slider", "02", minimum=2, maximum=10, step=2), 3),
        (SettingDef(0x70, "odd", "dial", "00"), 1),
    ],
)
def test_encode_setting_value_rejects_invalid(setting: SettingDef, value: int | str) -> None:
    with pytest.raises(InvalidValueError, match=setting.key):
        m.encode_setting_value(setting, value)


def test_invalid_option_lists_the_choices() -> None:
    with pytest.raises(InvalidValueError, match="15min, 30min"):
        m.encode_setting_value(AUTO_OFF, "45min")


@pytest.mark.parametrize(
    ("setting", "wire", "expected"),
    [
        (HARDNESS, "0D", 13),
        (UNITS, "01", "oz"),
        (AUTO_OFF, "0F", "15min"),
        (AUTO_OFF, "211E", "30min"),
        (AUTO_OFF, "1E", "30min"),  # read back after writing the 21xx form
        (AUTO_OFF, "3c", "1h"),
        (AUTO_OFF, "220168", "6h"),
        (AUTO_OFF, "0168", "6h"),
        (AUTO_OFF, "77", None),
        (UNITS, "05", None),
    ],
)
def test_decode_setting_value(setting: SettingDef, wire: str, expected: int | str | None) -> None:
    assert m.decode_setting_value(setting, wire) == expected


@pytest.mark.parametrize(("setting", "value"), [(HARDNESS, 7), (AUTO_OFF, "6h"), (UNITS, "ml")])
def test_setting_value_round_trip(setting: SettingDef, value: int | str) -> None:
    assert m.decode_setting_value(setting, m.encode_setting_value(setting, value)) == value


# --- Lock -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("@ts", True), ("@ts:01", True), ("@ts:00", True), ("@TS", False), ("@tsx", False)],
)
def test_is_lock_reply(text: str, expected: bool) -> None:
    assert m.is_lock_reply(text) is expected


# --- Brewing --------------------------------------------------------------------------------


def test_recipe_vector_cafe_barista() -> None:
    values: dict[str, int | str] = {
        "coffee_strength": 7,
        "water_amount": 45,
        "temperature": "normal",
        "bypass": 45,
    }
    blob = m.build_recipe(CAFE_BARISTA, values)
    assert blob.hex().upper() == "28000709000001000109000000000000"
    assert m.build_recipe(CAFE_BARISTA) == blob  # these are also the defaults
    assert m.build_brew_command(blob) == "@TP:28000709000001000109000000000000"


def test_recipe_vectors_from_other_machines() -> None:
    hot = ChoiceParam("temperature", 7, TEMPERATURE.items, default=2)
    espresso = ProductDef(
        0x02, "espresso", "C", True, (STRENGTH, RangeParam("water_amount", 4, 15, 80, 5, 45), hot)
    )
    assert m.build_recipe(espresso).hex().upper() == "02000809000002000100000000000000"

    coffee = ProductDef(
        0x03,
        "coffee",
        "C",
        True,
        (STRENGTH, RangeParam("water_amount", 4, 25, 240, 5, 100), TEMPERATURE),
    )
    blob = m.build_recipe(coffee, {"coffee_strength": "2", "water_amount": 130})
    assert blob.hex().upper() == "0300021A000001000100000000000000"

    milk_coffee = ProductDef(
        0x05,
        "milk_coffee",
        "CM",
        True,
        (
            STRENGTH,
            RangeParam("water_amount", 4, 25, 240, 5, 100),
            RangeParam("milk_amount", 5, 0, 120, 1, 10),
            RangeParam("milk_foam_amount", 6, 0, 120, 1, 10),
            TEMPERATURE,
        ),
    )
    values = {"water_amount": 90, "milk_amount": 3, "milk_foam_amount": 2, "temperature": 2}
    blob = m.build_recipe(milk_coffee, values)
    assert blob.hex().upper() == "05000812030202000100000000000000"


def test_grinder_freeness_grows_the_blob() -> None:
    product = ProductDef(
        0x01,
        "ristretto",
        "C",
        True,
        (STRENGTH, ChoiceParam("grinder_freeness", 17, (("fine", 1), ("coarse", 3)), 1)),
    )
    blob = m.build_recipe(product, {"grinder_freeness": "coarse"})
    assert len(blob) == 17
    assert blob[16] == 3
    assert blob[8] == 1


@pytest.mark.parametrize(
    "values",
    [
        {"milk_amount": 5},  # no such parameter
        {"water_amount": 47},  # off step
        {"water_amount": 20},  # below minimum
        {"water_amount": 245},  # above maximum
        {"water_amount": "45"},
        {"water_amount": True},
        {"coffee_strength": 11},
        {"coffee_strength": "11"},
        {"temperature": "lukewarm"},
        {"temperature": 5},
    ],
)
def test_recipe_rejects_invalid_values(values: dict[str, int | str]) -> None:
    with pytest.raises(InvalidValueError):
        m.build_recipe(CAFE_BARISTA, values)


def test_recipe_rejects_inactive_products_and_bad_positions() -> None:
    inactive = ProductDef(0x28, "hidden", "C", False, CAFE_BARISTA.params)
    with pytest.raises(InvalidValueError, match="hidden"):
        m.build_recipe(inactive)
    for position in (1, 9, 18):
        product = ProductDef(0x01, "odd", "C", True, (ChoiceParam("x", position, (("a", 1),), 1),))
        with pytest.raises(InvalidValueError, match=f"F{position}"):
            m.build_recipe(product)


@settings(max_examples=100)
@given(
    strength=st.integers(1, 10),
    water=st.integers(5, 48),
    temperature=st.sampled_from(["low", "normal", "high"]),
    bypass=st.integers(0, 48),
)
def test_recipe_bytes_follow_the_layout(
    strength: int, water: int, temperature: str, bypass: int
) -> None:
    values: dict[str, int | str] = {
        "coffee_strength": strength,
        "water_amount": water * 5,
        "temperature": temperature,
        "bypass": bypass * 5,
    }
    blob = m.build_recipe(CAFE_BARISTA, values)
    assert len(blob) == 16
    assert (blob[0], blob[2], blob[3], blob[8], blob[9]) == (0x28, strength, water, 1, bypass)
    assert blob[6] == ["low", "normal", "high"].index(temperature)
    assert not any(blob[i] for i in (1, 4, 5, 7, 10, 11, 12, 13, 14, 15))


def test_brew_command_refuses_a_bare_code() -> None:
    with pytest.raises(InvalidValueError):
        m.build_brew_command(b"\x01")


def test_brew_replies() -> None:
    assert m.parse_brew_reply("@tp") is True
    assert m.parse_brew_reply("@tp:00") is False
    with pytest.raises(CommandRefusedError):
        m.parse_brew_reply("@an:error")
    for bad in ("@tp:", "@tp:01", "@TP", "@ts"):
        with pytest.raises(ProtocolError):
            m.parse_brew_reply(bad)


# --- Fuzzing: parsers only ever raise their documented errors -------------------------------

type Parser = Callable[[str], object]

# (parser, valid inputs, errors it may raise besides ProtocolError)
PARSERS: dict[str, tuple[Parser, list[str], tuple[type[Exception], ...]]] = {
    "split_reply": (m.split_reply, ["@tg:43001500", "@TB"], ()),
    "strip_echo": (
        lambda t: m.strip_echo(t, m.MAINTENANCE_COUNTERS),
        ["@tg:4300150001000801580E21005B"],
        (CommandRefusedError,),
    ),
    "handshake": (m.parse_handshake_reply, ["@hp4", f"@hp4:{TOKEN}", "@hp5:01"], ()),
    "status": (m.decode_status_bits, ["0004000008000000"], ()),
    "progress": (m.decode_progress, ["3E28", "3C28" + "00" * 12 + "25"], ()),
    "counters": (
        lambda t: m.parse_maintenance_counters(t, S8_COUNTER_FIELDS),
        ["00150001000801580E21005B"],
        (),
    ),
    "percent": (lambda t: m.parse_maintenance_percent(t, PERCENT_FIELDS), ["00FF46"], ()),
    "product_page": (
        lambda t: m.parse_product_counter_page(t, 3),
        ["@tr:32,03,0123FFFF00050000", "@tr:00"],
        (),
    ),
    "setting": (
        lambda t: m.parse_setting_reply(t, 0x02),
        ["@tm:02,0DFD", "@tm:82"],
        (CommandRefusedError,),
    ),
    "setting_lower_echo": (
        lambda t: m.parse_setting_reply(t, 0x0A),
        ["@tm:0a,04FE", "@tm:8a"],
        (CommandRefusedError,),
    ),
    "setting_matcher": (lambda t: m.is_setting_reply(t, 0x0A), ["@tm:0a,04FE"], ()),
    "setting_write": (
        lambda t: m.parse_setting_write_reply(t, 0x02),
        ["@tm:02", "@tm:00"],
        (CommandRefusedError,),
    ),
    "setting_value": (lambda t: m.decode_setting_value(AUTO_OFF, t), ["211E", "1E"], ()),
    "brew": (m.parse_brew_reply, ["@tp", "@tp:00", "@an:error"], (CommandRefusedError,)),
}

wire_like_text = st.one_of(
    st.text(max_size=60),
    st.builds(
        str.__add__,
        st.sampled_from(
            [
                "",
                "@hp4:",
                "@hp5:",
                "@tm:02,",
                "@tm:0a,",
                "@tm:",
                "@tr:32,03,",
                "@tr:",
                "@tp:",
                "@tg:43",
                "3C28",
            ]
        ),
        st.text(alphabet="0123456789ABCDEFabcdef,:@ Gx\u0660", max_size=40),
    ),
)


def _call(name: str, text: str) -> None:
    parser, _, allowed = PARSERS[name]
    try:
        parser(text)
    except ProtocolError:
        pass
    except allowed:
        pass


@settings(max_examples=600)
@given(name=st.sampled_from(sorted(PARSERS)), text=wire_like_text)
def test_parsers_raise_only_documented_errors_on_random_text(name: str, text: str) -> None:
    _call(name, text)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_parsers_raise_only_documented_errors_on_truncated_input(name: str) -> None:
    _, samples, _ = PARSERS[name]
    for sample in samples:
        for end in range(len(sample)):
            _call(name, sample[:end])
            _call(name, sample[end:])


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_fuzz_samples_are_really_valid(name: str) -> None:
    parser, samples, _ = PARSERS[name]
    for sample in samples:
        try:
            parser(sample)
        except CommandRefusedError:
            continue


@pytest.mark.parametrize(
    ("params", "values", "message"),
    [
        ((RangeParam("water_amount", 4, 1, 240, 1, 45),), {"water_amount": 47}, "multiple of 5"),
        ((RangeParam("milk_amount", 5, 0, 300, 1, 10),), {"milk_amount": 300}, "does not fit"),
        ((ChoiceParam("temperature", 7, (("hot", 2),), 256),), {}, "does not fit"),
    ],
)
def test_recipe_refuses_values_the_blob_cannot_carry(
    params: tuple[RangeParam | ChoiceParam, ...], values: dict[str, int | str], message: str
) -> None:
    product = ProductDef(0x05, "odd", "C", True, params)
    with pytest.raises(InvalidValueError, match=message):
        m.build_recipe(product, values)


def test_recipe_refuses_a_code_beyond_one_byte() -> None:
    with pytest.raises(InvalidValueError, match="product code"):
        m.build_recipe(ProductDef(0x100, "big", "C", True))
