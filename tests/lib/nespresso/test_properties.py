"""Property tests: random or truncated input only ever raises ProtocolError; round trips."""

from __future__ import annotations

from collections.abc import Callable
import contextlib

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError, ProtocolError
from custom_components.kitchen_connect.kitchenlib.nespresso import (
    auth,
    commands as c,
    gatt,
    status as s,
)
from custom_components.kitchen_connect.kitchenlib.nespresso.gatt import OriginalModel
from custom_components.kitchen_connect.kitchenlib.nespresso.models import (
    KeyState,
    OriginalSettings,
    OriginalState,
    OriginalStatus,
    VertuoSettings,
    VertuoState,
    VertuoStatus,
)

DECODERS: list[Callable[[bytes], object]] = [
    s.decode_original_status,
    s.decode_vertuo_status,
    s.decode_original_info,
    s.decode_vertuo_info,
    s.decode_serial,
    s.decode_original_error,
    s.decode_vertuo_error,
    s.decode_original_settings,
    s.decode_vertuo_settings,
    s.decode_count,
    s.decode_slider,
    auth.decode_key_state,
    c.decode_response,
]
IDS = [decoder.__name__ for decoder in DECODERS]


@pytest.mark.parametrize("decoder", DECODERS, ids=IDS)
@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=40))
def test_random_input_gives_protocol_error_only(
    decoder: Callable[[bytes], object], data: bytes
) -> None:
    """Any bytes decode or raise ProtocolError, never another exception."""
    with contextlib.suppress(ProtocolError):
        decoder(data)


VALID_SAMPLES = {
    "decode_original_status": "50497fe08000ffff",
    "decode_vertuo_status": "d7c32000000000ff",
    "decode_original_info": "006c006d007d0076d2a74c76f3e0",
    "decode_vertuo_info": "006500c801f4000a3039aabbccddeeff",
    "decode_serial": "31363036394437307031333033363832304e4a",
    "decode_original_error": "01302603",
    "decode_vertuo_error": "004100",
    "decode_original_settings": "021c0400",
    "decode_vertuo_settings": "2c010309",
    "decode_count": "000e",
    "decode_slider": "02",
    "decode_key_state": "02",
    "decode_response": "c305022412",
}


@pytest.mark.parametrize("decoder", DECODERS, ids=IDS)
def test_truncated_valid_samples_give_protocol_error(decoder: Callable[[bytes], object]) -> None:
    """Every shortened valid sample either decodes or raises ProtocolError; empty never decodes."""
    sample = bytes.fromhex(VALID_SAMPLES[decoder.__name__])
    decoder(sample)
    for cut in range(len(sample)):
        try:
            decoder(sample[:cut])
        except ProtocolError:
            continue
    with pytest.raises(ProtocolError):
        decoder(b"")


original_statuses = st.builds(
    OriginalStatus,
    water_tank_empty=st.booleans(),
    descaling_needed=st.booleans(),
    fault_flag=st.booleans(),
    key_state=st.sampled_from([k for k in KeyState if k <= KeyState.UNDEFINED]),
    bootloader_active=st.booleans(),
    state=st.sampled_from(OriginalState),
    tray_sensor_tripped=st.booleans(),
    container_full=st.booleans(),
    capsule_engaged=st.booleans(),
    capsule_stock_low=st.booleans(),
    capsule_counter=st.integers(0, 1023),
    programmed_brew_active=st.booleans(),
    programmed_brew_events=st.integers(0, 3),
    capsule_stock_events=st.integers(0, 3),
    blocked_events=st.integers(0, 3),
    descaling_countdown=st.none() | st.integers(0, 0xFFFE),
)


@given(status=original_statuses)
def test_original_status_round_trip(status: OriginalStatus) -> None:
    """Encoding then decoding gives the same status."""
    assert s.decode_original_status(s.encode_original_status(status)) == status


@st.composite
def vertuo_statuses(draw: st.DrawFn) -> VertuoStatus:
    state = draw(st.sampled_from([v for v in VertuoState if v is not VertuoState.UNKNOWN]))
    return VertuoStatus(
        water_tank_empty=draw(st.booleans()),
        cleaning_needed=draw(st.booleans()),
        descaling_needed=draw(st.booleans()),
        led_signalling=draw(st.booleans()),
        error_present=draw(st.booleans()),
        key_state=draw(st.sampled_from([k for k in KeyState if k <= KeyState.UNDEFINED])),
        bootloader_active=draw(st.booleans()),
        state=state,
        state_code=int(state),
        milk_frother_running=draw(st.booleans()),
        cup_programming=draw(st.booleans()),
        container_full=draw(st.booleans()),
        brewing_unit_closed=draw(st.booleans()),
    )


@given(status=vertuo_statuses())
def test_vertuo_status_round_trip(status: VertuoStatus) -> None:
    """Encoding then decoding gives the same status."""
    assert s.decode_vertuo_status(s.encode_vertuo_status(status)) == status


def test_encoders_refuse_what_the_wire_cannot_carry() -> None:
    """The 2-bit key state and the 10-bit counter."""
    status = s.decode_original_status(bytes.fromhex("50497fe08000ffff"))
    with pytest.raises(ValueError, match="10 bits"):
        s.encode_original_status(OriginalStatus(**{**_fields(status), "capsule_counter": 1024}))
    with pytest.raises(ValueError, match="key state"):
        s.encode_original_status(
            OriginalStatus(**{**_fields(status), "key_state": KeyState.UNKNOWN})
        )
    vertuo = s.decode_vertuo_status(bytes.fromhex("d7c320"))
    with pytest.raises(ValueError, match="key state"):
        s.encode_vertuo_status(VertuoStatus(**{**_fields(vertuo), "key_state": KeyState.UNKNOWN}))


def _fields(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


@given(
    standby=st.integers(0, 0xFFFE),
    hardness=st.integers(0, 4),
    reserved=st.integers(0, 255),
)
def test_original_settings_round_trip(standby: int, hardness: int, reserved: int) -> None:
    """Read-modify-write keeps what the caller did not change."""
    current = OriginalSettings(standby_seconds=1, hardness=0, reserved=reserved)
    written = c.build_original_settings(current, standby_seconds=standby, hardness=hardness)
    assert s.decode_original_settings(written) == OriginalSettings(standby, hardness, reserved)


@given(auto_off=st.integers(0, 0xFFFF), hardness=st.integers(0, 4), standby=st.integers(0, 255))
def test_vertuo_settings_round_trip(auto_off: int, hardness: int, standby: int) -> None:
    """Read-modify-write keeps the standby byte."""
    current = VertuoSettings(auto_off=0, hardness=0, standby=standby)
    written = c.build_vertuo_settings(current, auto_off=auto_off, hardness=hardness)
    assert s.decode_vertuo_settings(written) == VertuoSettings(auto_off, hardness, standby)


@given(count=st.integers(0, 1000))
def test_capsule_count_round_trip(count: int) -> None:
    """Stock and threshold are 2 bytes big-endian."""
    assert s.decode_count(c.build_capsule_stock(count)) == count
    assert s.decode_count(c.build_stock_threshold(count)) == count


@given(
    command=st.integers(0, 0x3F),
    sub=st.integers(0, 255),
    codes=st.binary(min_size=1, max_size=17),
    error=st.booleans(),
)
def test_response_round_trip(command: int, sub: int, codes: bytes, error: bool) -> None:
    """What the simulator encodes, the client decodes."""
    response = c.decode_response(c.encode_response(command, sub, codes, error=error))
    assert (response.command, response.sub_command, response.codes, response.error) == (
        command,
        sub,
        codes,
        error,
    )


@given(coffee=st.none() | st.integers(15, 130), water=st.none() | st.integers(25, 300))
def test_recipe_frames_are_eleven_bytes(coffee: int | None, water: int | None) -> None:
    """Any valid recipe gives the 11-byte layout with the volumes in it."""
    if coffee is None and water is None:
        with pytest.raises(InvalidValueError):
            c.build_recipe_prepare(coffee_ml=coffee, water_ml=water)
        return
    frame = c.build_recipe_prepare(coffee_ml=coffee, water_ml=water)
    assert len(frame) == 11
    assert frame[:5] == bytes.fromhex("0110080000")
    volumes = [int.from_bytes(frame[i + 1 : i + 3]) for i in (5, 8) if frame[i]]
    assert volumes == [v for v in (coffee, water) if v is not None]


@given(seed=st.text(alphabet="0123456789abcdefABCDEF", min_size=32, max_size=32))
def test_derived_keys_start_with_eight(seed: str) -> None:
    """The app's keys always start with nibble 8 and carry the seed's first 15 nibbles."""
    key = auth.derive_key(seed)
    assert len(key) == 8
    assert key.hex() == "8" + seed[:15].lower()
    assert auth.key_from_credential(seed) == key
    assert auth.key_from_credential(key.hex()) == key


@given(text=st.text(max_size=40))
def test_key_parsing_never_crashes(text: str) -> None:
    """Arbitrary user input gives a key or InvalidValueError, whose message hides the input."""
    for parse in (auth.parse_key, auth.derive_key, auth.key_from_credential):
        try:
            parse(text)
        except InvalidValueError as err:
            message = str(err)
        else:
            continue
        if len(text.strip()) >= 8:
            assert text.strip() not in message


@settings(max_examples=200)
@given(
    error_type=st.text(max_size=20),
    code=st.none() | st.integers(0, 255),
    message=st.text(max_size=60),
)
def test_failure_mapping_is_total(error_type: str, code: int | None, message: str) -> None:
    """Any failure maps to a library error."""
    error = auth.failure_error(error_type, code, message)
    assert isinstance(error, auth.KitchenError)


@given(model=st.sampled_from(OriginalModel), product=st.sampled_from(c.Product))
def test_brew_frame_shape(model: OriginalModel, product: c.Product) -> None:
    """A brew frame is built only for what the model makes, and always has the same shape."""
    if product in c.supported_products(model):
        frame = c.build_brew(product, model=model)
        assert frame[:4] == bytes.fromhex("03050704")
        assert frame[-1] == product
    else:
        with pytest.raises(InvalidValueError):
            c.build_brew(product, model=model)


@given(
    uuids=st.lists(st.sampled_from([gatt.SERVICE_IDENTITY, gatt.SERVICE_WIFI, "x"]), max_size=3),
    data=st.dictionaries(st.sampled_from([9474, 549, 76]), st.binary(max_size=24), max_size=3),
)
def test_any_advert_matches_or_not_and_decodes_or_raises(
    uuids: list[str], data: dict[int, bytes]
) -> None:
    """Arbitrary adverts: a match or None; the payload decodes or raises ProtocolError."""
    match = gatt.match_advertisement(uuids, data)
    if match is None or match.payload is None:
        return
    for decoder in (s.decode_original_status, s.decode_vertuo_status):
        with contextlib.suppress(ProtocolError):
            decoder(match.payload)
