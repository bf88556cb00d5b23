"""The simulated machine's rules, driven through the library's encoders and decoders."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.nespresso import (
    auth,
    commands as c,
    gatt,
    status as s,
)
from custom_components.kitchen_connect.kitchenlib.nespresso.errors import (
    BondRequiredError,
    KeyRejectedError,
)
from custom_components.kitchen_connect.kitchenlib.nespresso.gatt import OriginalModel
from custom_components.kitchen_connect.kitchenlib.nespresso.models import (
    Family,
    KeyState,
    OriginalState,
    OriginalStatus,
    VertuoState,
)
from simulators.nespresso.machine import (
    KEY_STORAGE_SLOTS,
    GattError,
    SimulatedMachine,
    UnknownCharacteristicError,
)

KEY = auth.derive_key("A1B2C3D4E5F60718293A4B5C6D7E8F90")
OTHER_KEY = auth.parse_key("888cd4d9403865e1")
EXPERT = OriginalModel.EXPERT


class Recorder:
    """Collects notifications."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []

    def __call__(self, uuid: str, value: bytes) -> None:
        self.seen.append((uuid, value))

    def values(self, uuid: str) -> list[bytes]:
        return [value for seen_uuid, value in self.seen if seen_uuid == uuid]


def _session(machine: SimulatedMachine, key: bytes = KEY) -> None:
    machine.connect()
    machine.bond()
    machine.write(gatt.KEY, key)


def _ready(capsules: int = 15, model: OriginalModel = EXPERT) -> tuple[SimulatedMachine, Recorder]:
    recorder = Recorder()
    machine = SimulatedMachine(model=model, key=KEY, capsules=capsules, on_notify=recorder)
    _session(machine)
    machine.subscribe(gatt.COMMAND_RESPONSE)
    machine.subscribe(gatt.STATUS)
    return machine, recorder


def _command(machine: SimulatedMachine, frame: bytes) -> c.CommandResponse:
    machine.write(gatt.COMMAND_REQUEST, frame)
    return c.decode_response(machine.read(gatt.COMMAND_RESPONSE))


def _status(machine: SimulatedMachine) -> OriginalStatus:
    return s.decode_original_status(machine.read(gatt.STATUS))


def test_onboarding_as_captured() -> None:
    """Factory state: TX level, key refused with ATT 0x05 before the bond, accepted after."""
    recorder = Recorder()
    machine = SimulatedMachine(on_notify=recorder)
    machine.connect()
    assert auth.decode_key_state(machine.read(gatt.KEY_STATE)) is KeyState.NONE
    machine.write(gatt.TX_LEVEL, gatt.TX_LEVEL_REDUCE)
    with pytest.raises(GattError) as caught:
        machine.write(gatt.KEY, KEY)
    assert caught.value.att_code == 0x05
    assert isinstance(auth.failure_error("GattError", caught.value.att_code, ""), BondRequiredError)
    assert machine.keys_written == 0
    machine.bond()
    machine.write(gatt.KEY, KEY)
    assert machine.keys_written == 1
    assert auth.decode_key_state(machine.read(gatt.KEY_STATE)) is KeyState.FINAL
    # Pushed without a subscription, as in the capture.
    status = s.decode_original_status(recorder.values(gatt.STATUS)[0])
    assert status.key_state is KeyState.FINAL
    assert s.decode_slider(recorder.values(gatt.SLIDER)[0]) is True


def test_reads_before_the_key_are_refused() -> None:
    """Protected reads: 0x05 without a bond, 0x02 on a bonded link without the key."""
    machine = SimulatedMachine(key=KEY)
    machine.connect()
    with pytest.raises(GattError) as unbonded:
        machine.read(gatt.STATUS)
    assert unbonded.value.att_code == 0x05
    machine.bond()
    with pytest.raises(GattError) as no_key:
        machine.read(gatt.STATUS)
    assert no_key.value.att_code == 0x02
    with pytest.raises(GattError):
        machine.write(gatt.CAPSULE_STOCK, c.build_capsule_stock(3))
    machine.write(gatt.KEY, KEY)
    assert _status(machine).capsules == 15


def test_wrong_key_is_refused_and_never_stored() -> None:
    """An onboarded machine refuses another key (ATT 0x0E) and keeps exactly one."""
    machine = SimulatedMachine(key=KEY)
    machine.connect()
    with pytest.raises(GattError) as unbonded:
        machine.write(gatt.KEY, OTHER_KEY)
    assert unbonded.value.att_code == 0x05
    machine.bond()
    with pytest.raises(GattError) as wrong:
        machine.write(gatt.KEY, OTHER_KEY)
    assert wrong.value.att_code == 0x0E
    assert isinstance(auth.failure_error("GattError", wrong.value.att_code, ""), KeyRejectedError)
    assert machine.keys_written == 1
    assert not machine.authenticated


def test_second_onboarding_is_refused() -> None:
    """A factory machine takes its first key; a second, different one is refused."""
    machine = SimulatedMachine()
    _session(machine, KEY)
    machine.disconnect()
    machine.connect()  # the bond persists across connections
    with pytest.raises(GattError) as caught:
        machine.write(gatt.KEY, OTHER_KEY)
    assert caught.value.att_code == 0x0E
    assert machine.keys_written == 1
    # The same key on every later connection is fine and stores nothing.
    machine.write(gatt.KEY, KEY)
    machine.disconnect()
    _session(machine, KEY)
    assert machine.keys_written == 1
    assert machine.key_write_attempts == 4  # first key, refused key, two reconnects


def test_key_storage_is_never_reclaimed() -> None:
    """A factory reset clears the key but not its slot; the module stops pairing when full."""
    recorder = Recorder()
    machine = SimulatedMachine(key=KEY, on_notify=recorder)
    _session(machine)
    machine.subscribe(gatt.KEY_STATE)
    machine.factory_reset()
    assert auth.decode_key_state(recorder.values(gatt.KEY_STATE)[-1]) is KeyState.NONE
    _session(machine, OTHER_KEY)
    assert machine.keys_written == 2
    machine.keys_written = KEY_STORAGE_SLOTS
    machine.factory_reset()
    machine.connect()
    machine.bond()
    with pytest.raises(GattError) as full:
        machine.write(gatt.KEY, KEY)
    assert full.value.att_code == 0x0E


def test_key_of_wrong_length() -> None:
    """An 8-byte key only."""
    machine = SimulatedMachine()
    machine.connect()
    machine.bond()
    with pytest.raises(GattError):
        machine.write(gatt.KEY, b"\x80\x01")
    assert machine.keys_written == 0


def test_brew_progress_and_capsule_counter() -> None:
    """Accepted, brewing with the capsule engaged, then ready with one capsule less."""
    machine, recorder = _ready()
    machine.subscribe(gatt.CAPSULE_STOCK)
    response = _command(machine, c.build_brew(c.Product.LUNGO, c.Temperature.HIGH, model=EXPERT))
    assert response.outcome is c.Outcome.ACCEPTED
    assert c.decode_response(recorder.values(gatt.COMMAND_RESPONSE)[-1]) == response
    brewing = _status(machine)
    assert brewing.state is OriginalState.BREWING
    assert brewing.capsule_engaged
    machine.tick()
    machine.tick()
    assert _status(machine).state is OriginalState.BREWING
    machine.tick()
    done = s.decode_original_status(recorder.values(gatt.STATUS)[-1])
    assert done.state is OriginalState.READY
    assert done.capsules == 14
    assert s.decode_count(recorder.values(gatt.CAPSULE_STOCK)[-1]) == 14
    assert s.decode_count(machine.read(gatt.CAPSULE_STOCK)) == 14


def test_lid_cycle_rule() -> None:
    """It only brews once until the lid is opened and closed again."""
    machine, _ = _ready()
    brew = c.build_brew(c.Product.ESPRESSO, model=EXPERT)
    assert _command(machine, brew).outcome is c.Outcome.ACCEPTED
    for _ in range(3):
        machine.tick()
    again = _command(machine, brew)
    assert again.outcome is c.Outcome.LID_NOT_CYCLED
    assert machine.read(gatt.COMMAND_RESPONSE)[:5] == bytes.fromhex("c305022412")
    machine.open_lid()
    assert s.decode_slider(machine.read(gatt.SLIDER)) is False
    assert _command(machine, brew).outcome is c.Outcome.SLIDER_OPEN
    machine.close_lid()
    assert _command(machine, brew).outcome is c.Outcome.ACCEPTED


def test_recipe_prepare_needs_the_lid_cycle() -> None:
    """Prepare then brew product 07; prepare without a lid cycle gives ``c1 10 02 23 60``."""
    machine, _ = _ready()
    prepare, brew = c.build_custom_brew(coffee_ml=97, water_ml=36, model=EXPERT)
    assert _command(machine, brew).outcome is c.Outcome.INVALID_STATE  # nothing prepared
    assert _command(machine, prepare).outcome is c.Outcome.ACCEPTED
    assert _command(machine, brew).outcome is c.Outcome.ACCEPTED
    for _ in range(3):
        machine.tick()
    refused = _command(machine, prepare)
    assert refused.outcome is c.Outcome.LID_NOT_CYCLED
    assert machine.read(gatt.COMMAND_RESPONSE)[:5] == bytes.fromhex("c110022360")


@pytest.mark.parametrize(
    ("fault", "outcome", "status_flag"),
    [
        ("tank", c.Outcome.WATER_TANK_EMPTY, "water_tank_empty"),
        ("container", c.Outcome.CONTAINER_FULL, "container_full"),
    ],
)
def test_faults(fault: str, outcome: c.Outcome, status_flag: str) -> None:
    """Tank and container faults show in the status and refuse brews with their own codes."""
    machine, _ = _ready()
    if fault == "tank":
        machine.set_tank_empty(True)
    else:
        machine.set_container_full(True)
    assert getattr(_status(machine), status_flag)
    response = _command(machine, c.build_brew(c.Product.ESPRESSO, model=EXPERT))
    assert response.outcome is outcome
    with pytest.raises(c.MachineRefusedError):
        response.raise_for_refusal()
    assert _status(machine).blocked_events == 1
    machine.set_tank_empty(False)
    machine.set_container_full(False)
    assert _command(machine, c.build_brew(c.Product.ESPRESSO, model=EXPERT)).outcome is (
        c.Outcome.ACCEPTED
    )


def test_power_save_and_wake() -> None:
    """Asleep: invalid state; a button press heats up and is ready after a tick."""
    machine, _ = _ready()
    machine.sleep()
    assert _status(machine).state is OriginalState.POWER_SAVE
    brew = c.build_brew(c.Product.ESPRESSO, model=EXPERT)
    assert _command(machine, brew).outcome is c.Outcome.INVALID_STATE
    machine.wake()
    assert _status(machine).state is OriginalState.HEAT_UP
    machine.tick()
    assert _status(machine).state is OriginalState.READY
    machine.tick()
    assert _command(machine, brew).outcome is c.Outcome.ACCEPTED


def test_cancel() -> None:
    """Cancel stops a brew; with nothing running it answers ``c3 06 01 21``."""
    machine, _ = _ready()
    assert _command(machine, c.build_cancel()).outcome is c.Outcome.NOTHING_TO_CANCEL
    _command(machine, c.build_brew(c.Product.LUNGO, model=EXPERT))
    assert _command(machine, c.build_cancel()).outcome is c.Outcome.ACCEPTED
    assert _status(machine).state is OriginalState.READY


def test_prodigio_rules() -> None:
    """Frames the library would refuse to build, sent raw: the machine's own codes."""
    machine, _ = _ready(model=OriginalModel.PRODIGIO)
    americano = bytes.fromhex("03050704000000000005")
    assert _command(machine, americano).outcome is c.Outcome.UNSUPPORTED_PRODUCT
    hot = bytes.fromhex("03050704000000000201")
    assert _command(machine, hot).outcome is c.Outcome.INVALID_TEMPERATURE
    prepare = c.build_recipe_prepare(coffee_ml=40, water_ml=None)
    assert _command(machine, prepare).outcome is c.Outcome.UNSUPPORTED_PRODUCT


def test_unknown_and_malformed_commands() -> None:
    """Unknown commands are out of range; a frame whose length byte lies is an ATT error."""
    machine, _ = _ready()
    assert _command(machine, bytes.fromhex("0309010a")).outcome is c.Outcome.UNSUPPORTED_PRODUCT
    with pytest.raises(GattError):
        machine.write(gatt.COMMAND_REQUEST, bytes.fromhex("030505"))


def test_untracked_capsules_stay_untracked() -> None:
    """A stock above 1000 means "not tracked": brewing does not count it down."""
    machine, _ = _ready(capsules=65535)
    assert _status(machine).capsules is None
    _command(machine, c.build_brew(c.Product.ESPRESSO, model=EXPERT))
    for _ in range(3):
        machine.tick()
    assert s.decode_count(machine.read(gatt.CAPSULE_STOCK)) == 65535


def test_settings_stock_and_errors() -> None:
    """Writes made with the library's builders read back through its decoders."""
    machine, recorder = _ready()
    machine.subscribe(gatt.USER_SETTINGS)
    current = s.decode_original_settings(machine.read(gatt.USER_SETTINGS))
    machine.write(gatt.USER_SETTINGS, c.build_original_settings(current, hardness=2))
    assert s.decode_original_settings(machine.read(gatt.USER_SETTINGS)).hardness == 2
    assert recorder.values(gatt.USER_SETTINGS)
    machine.write(gatt.CAPSULE_STOCK, c.build_capsule_stock(3))
    machine.write(gatt.STOCK_THRESHOLD, c.build_stock_threshold(5))
    assert s.decode_count(machine.read(gatt.STOCK_THRESHOLD)) == 5
    assert _status(machine).capsule_stock_low
    machine.write(gatt.ERROR_SELECTION, c.build_error_selection(log=True))
    assert machine.read(gatt.ERROR_SELECTION) == b"\x01"
    assert s.decode_original_error(machine.read(gatt.ERROR_INFO)).number == 0
    assert s.decode_original_info(machine.read(gatt.MACHINE_INFO)).firmware == "1.25"
    assert s.decode_serial(machine.read(gatt.SERIAL)) == "16069D70p13036820NJ"
    for uuid, bad in (
        (gatt.CAPSULE_STOCK, b"\x01"),
        (gatt.USER_SETTINGS, b"\x01"),
        (gatt.ERROR_SELECTION, b""),
        (gatt.MACHINE_INFO, b"\x00"),
    ):
        with pytest.raises(GattError):
            machine.write(uuid, bad)


def test_gatt_edges() -> None:
    """Unknown characteristics, unreadable key, unsubscribable values, no link."""
    machine = SimulatedMachine(key=KEY)
    with pytest.raises(ConnectionError):
        machine.read(gatt.STATUS)
    _session(machine)
    with pytest.raises(UnknownCharacteristicError):
        machine.read(gatt.IOT_MARKET)
    with pytest.raises(GattError):
        machine.read(gatt.KEY)
    with pytest.raises(GattError):
        machine.read(gatt.TX_LEVEL)
    with pytest.raises(GattError):
        machine.subscribe(gatt.SERIAL)
    assert machine.read(gatt.PROFILE_VERSION) == b"\x01"
    machine.disconnect()
    machine.forget_bond()
    machine.connect()
    with pytest.raises(GattError) as caught:
        machine.subscribe(gatt.STATUS)
    assert caught.value.att_code == 0x05
    with pytest.raises(GattError):
        machine.write(gatt.KEY, KEY)


def test_advert_and_discovery() -> None:
    """The advert matches and carries status bytes 0-5; GATT confirms the family."""
    expert = SimulatedMachine(key=KEY)
    uuids, data = expert.advertisement()
    match = gatt.match_advertisement(uuids, data)
    assert match is not None
    assert match.payload is not None
    assert s.decode_original_status(match.payload).key_state is KeyState.FINAL
    assert gatt.family_from_services(expert.services()) is Family.ORIGINAL
    factory = SimulatedMachine()
    payload = factory.advertisement()[1][9474]
    assert s.decode_original_status(payload).key_state is KeyState.NONE


def test_vertuo_machine() -> None:
    """Vertuo: own status layout, no capsule counter, commands ignored."""
    recorder = Recorder()
    machine = SimulatedMachine(Family.VERTUO, key=KEY, on_notify=recorder)
    assert gatt.family_from_services(machine.services()) is Family.VERTUO
    _session(machine)
    status = s.decode_vertuo_status(machine.read(gatt.STATUS))
    assert status.state is VertuoState.READY
    assert status.brewing_unit_closed
    machine.sleep()
    assert s.decode_vertuo_status(machine.read(gatt.STATUS)).state is VertuoState.POWER_SAVE
    machine.wake()
    machine.tick()
    assert s.decode_vertuo_status(machine.read(gatt.STATUS)).state is VertuoState.READY
    with pytest.raises(UnknownCharacteristicError):
        machine.read(gatt.CAPSULE_STOCK)
    machine.subscribe(gatt.COMMAND_RESPONSE)
    machine.write(gatt.COMMAND_REQUEST, c.build_brew(c.Product.ESPRESSO, model=EXPERT))
    assert recorder.values(gatt.COMMAND_RESPONSE) == []
    assert machine.read(gatt.COMMAND_RESPONSE) == b""
    payload = machine.advertisement()[1][9474]
    assert s.decode_vertuo_status(payload).state is VertuoState.READY


OPERATIONS = st.lists(
    st.one_of(
        st.sampled_from(["connect", "disconnect", "bond", "forget_bond", "read_status", "tick"]),
        st.binary(min_size=0, max_size=10),  # a key write
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(operations=OPERATIONS)
def test_an_onboarded_machine_never_stores_a_second_key(operations: list[str | bytes]) -> None:
    """Whatever a central does (reconnects, bond loss, wrong keys), one key stays stored."""
    machine = SimulatedMachine(key=KEY)
    for operation in operations:
        try:
            if isinstance(operation, bytes):
                machine.write(gatt.KEY, operation)
            elif operation == "read_status":
                machine.read(gatt.STATUS)
            else:
                getattr(machine, operation)()
        except GattError, ConnectionError:
            continue
    assert machine.keys_written == 1
    assert auth.decode_key_state(bytes((machine.key_state,))) is KeyState.FINAL
