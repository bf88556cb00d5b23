"""NespressoClient against the simulated machine, over the real bleak client and retry connector.

Every test ends by checking what matters most: the machine was never given a second key.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    AuthError,
    CommandRefusedError,
    ConnectionFailedError,
    InvalidValueError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.kitchenlib.nespresso.client import NespressoClient
from custom_components.kitchen_connect.kitchenlib.nespresso.commands import (
    Outcome,
    Product,
    Temperature,
)
from custom_components.kitchen_connect.kitchenlib.nespresso.errors import (
    BondRequiredError,
    KeyRejectedError,
    MachineRefusedError,
    NoResponseError,
    NotOnboardedError,
)
from custom_components.kitchen_connect.kitchenlib.nespresso.gatt import OriginalModel
from custom_components.kitchen_connect.kitchenlib.nespresso.link import bleak_connector
from custom_components.kitchen_connect.kitchenlib.nespresso.models import (
    ErrorCategory,
    ErrorInfo,
    Family,
    KeyState,
    OriginalSettings,
    OriginalState,
    OriginalStatus,
    VertuoSettings,
    VertuoState,
    VertuoStatus,
)
from simulators.faults import BluetoothFaultInjector
from simulators.nespresso.backend import Dialect, SimulatedAir, SimulatedPeripheral
from simulators.nespresso.machine import SimulatedMachine

from .support import ADDRESS, FAST, KEY, OTHER_KEY, make_client

VERTUO_INFO = bytes.fromhex("006500c801f4000a3039aabbccddeeff")


@pytest.fixture
def air() -> SimulatedAir:
    """Nothing on the air yet."""
    return SimulatedAir()


@pytest.fixture
def expert(air: SimulatedAir) -> SimulatedPeripheral:
    """An Expert&Milk that was given our key once, long ago; not bonded to this host yet."""
    return air.add(ADDRESS, SimulatedMachine(key=KEY))


@pytest.fixture
def client(air: SimulatedAir, expert: SimulatedPeripheral) -> NespressoClient:
    """Our client for the Expert."""
    return make_client(air, expert)


def _key_writes(peripheral: SimulatedPeripheral) -> list[bytes]:
    return [data for uuid, data in peripheral.writes if uuid == gatt.KEY]


def _commands(peripheral: SimulatedPeripheral) -> list[bytes]:
    return [data for uuid, data in peripheral.writes if uuid == gatt.COMMAND_REQUEST]


# -- reads ---------------------------------------------------------------------------------


async def test_every_read(client: NespressoClient, expert: SimulatedPeripheral) -> None:
    """Status, info, serial, settings, stock, threshold and key state, each on its own link."""
    status = await client.read_status()
    assert isinstance(status, OriginalStatus)
    assert status.state is OriginalState.READY
    assert status.capsules == 15
    assert status.key_state is KeyState.FINAL
    info = await client.read_machine_info()
    assert (info.hardware, info.firmware, info.connectivity) == ("1.8", "1.25", "1.18")
    assert await client.read_serial() == "16069D70p13036820NJ"
    assert await client.read_settings() == OriginalSettings(standby_seconds=540, hardness=4)
    assert await client.read_capsule_stock() == 15
    assert await client.read_stock_threshold() == 5
    assert await client.read_key_state() is KeyState.FINAL
    assert client.family is Family.ORIGINAL
    assert expert.connections == 7
    assert expert.peak_links == 1
    assert expert.active_links == 0  # every operation closed its link
    # Bonded once (the first key write was refused with ATT 0x05), then reused.
    assert expert.pair_calls == 1
    assert expert.machine.keys_written == 1


async def test_details_on_one_connection(
    air: SimulatedAir, client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """Everything adverts do not carry is read on a single link; Vertuo has no stock."""
    details = await client.read_details()
    assert details.family is Family.ORIGINAL
    assert isinstance(details.status, OriginalStatus)
    assert details.info.firmware == "1.25"
    assert details.serial == "16069D70p13036820NJ"
    assert details.settings == OriginalSettings(standby_seconds=540, hardness=4)
    assert (details.capsule_stock, details.stock_threshold) == (15, 5)
    assert "16069D70" not in repr(details)
    assert expert.connections == 1
    vertuo = air.add(
        "0C:B8:15:68:65:AE",
        SimulatedMachine(Family.VERTUO, key=KEY, machine_info=VERTUO_INFO),
        name="DV2_0CB8156865AE",
    )
    vertuo_details = await make_client(air, vertuo).read_details()
    assert isinstance(vertuo_details.status, VertuoStatus)
    assert (vertuo_details.capsule_stock, vertuo_details.stock_threshold) == (None, None)
    assert vertuo.connections == 1
    assert vertuo.machine.keys_written == 1


@pytest.mark.parametrize(
    ("family", "raw", "expected"),
    [
        (Family.ORIGINAL, "01302603", ErrorInfo(1, ErrorCategory.MAIN_SYSTEM, 0x2603)),
        (Family.VERTUO, "023500", ErrorInfo(2, ErrorCategory.MAIN_SYSTEM, 0x0035)),
    ],
)
async def test_error_information(
    air: SimulatedAir, family: Family, raw: str, expected: ErrorInfo
) -> None:
    """The selection is written first, then the record is decoded for the family."""
    peripheral = air.add(ADDRESS, SimulatedMachine(family, key=KEY, machine_info=VERTUO_INFO))
    peripheral.machine.error_info = bytes.fromhex(raw)
    client = make_client(air, peripheral)
    assert await client.read_error(log=True) == expected
    assert (gatt.ERROR_SELECTION, b"\x01") in peripheral.writes
    assert peripheral.machine.error_selection == 1


async def test_default_connector(air: SimulatedAir, expert: SimulatedPeripheral) -> None:
    """for_device asks for the device before each connection (here: none in range)."""
    asked: list[None] = []

    def device() -> None:
        asked.append(None)

    client = NespressoClient.for_device(device, KEY, timeouts=FAST)
    for _ in range(2):
        with pytest.raises(ConnectionFailedError):
            await client.read_status()
    assert len(asked) == 2


async def test_key_written_on_every_connection_but_never_stored_again(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """The same key goes out on each link; the machine's key store does not grow."""
    for _ in range(3):
        await client.read_status()
    assert set(_key_writes(expert)) == {KEY}
    assert expert.machine.keys_written == 1


async def test_vertuo(air: SimulatedAir) -> None:
    """Vertuo: its own layouts; no brewing and no capsule stock, refused before sending."""
    peripheral = air.add(
        ADDRESS, SimulatedMachine(Family.VERTUO, key=KEY, machine_info=VERTUO_INFO), name="DV2"
    )
    peripheral.machine.settings = bytes.fromhex("2c010309")
    client = make_client(air, peripheral)
    status = await client.read_status()
    assert isinstance(status, VertuoStatus)
    assert status.state is VertuoState.READY
    info = await client.read_machine_info()
    assert (info.firmware, info.recipe_database, info.connectivity) == ("5.0", "0.10", "1.23.45")
    assert await client.read_settings() == VertuoSettings(auto_off=300, hardness=3, standby=9)
    assert await client.set_water_hardness(2) == VertuoSettings(auto_off=300, hardness=2, standby=9)
    assert await client.set_auto_off(600) == VertuoSettings(auto_off=600, hardness=2, standby=9)
    with pytest.raises(InvalidValueError, match="Vertuo"):
        await client.brew(Product.ESPRESSO)
    with pytest.raises(InvalidValueError, match="Vertuo"):
        await client.read_capsule_stock()
    with pytest.raises(InvalidValueError, match="Vertuo"):
        await client.set_capsule_stock(10)
    assert _commands(peripheral) == []
    assert client.family is Family.VERTUO
    assert peripheral.machine.keys_written == 1


async def test_unknown_layout(air: SimulatedAir) -> None:
    """A device with the identity service but neither family's services is not talked to."""

    class Stranger(SimulatedMachine):
        def services(self) -> tuple[str, ...]:
            return (gatt.SERVICE_IDENTITY,)

    peripheral = air.add(ADDRESS, Stranger(key=KEY))
    with pytest.raises(ProtocolError, match="service layout"):
        await make_client(air, peripheral).read_status()
    assert peripheral.writes == []
    assert peripheral.active_links == 0


# -- commands ------------------------------------------------------------------------------


async def test_brew_accepted(client: NespressoClient, expert: SimulatedPeripheral) -> None:
    """The brew frame goes out once and the machine starts brewing."""
    response = await client.brew(Product.LUNGO, Temperature.HIGH)
    assert response.outcome is Outcome.ACCEPTED
    assert expert.machine.brewing
    assert _commands(expert) == [bytes.fromhex("03050704000000000202")]
    assert expert.machine.keys_written == 1


def _not_ready(machine: SimulatedMachine) -> None:
    machine.sleep()


def _tank_empty(machine: SimulatedMachine) -> None:
    machine.set_tank_empty(True)


def _container_full(machine: SimulatedMachine) -> None:
    machine.set_container_full(True)


def _slider_open(machine: SimulatedMachine) -> None:
    machine.open_lid()


def _lid_not_cycled(machine: SimulatedMachine) -> None:
    machine.lid_cycled = False


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        (_not_ready, Outcome.INVALID_STATE),
        (_tank_empty, Outcome.WATER_TANK_EMPTY),
        (_container_full, Outcome.CONTAINER_FULL),
        (_slider_open, Outcome.SLIDER_OPEN),
        (_lid_not_cycled, Outcome.LID_NOT_CYCLED),
    ],
)
async def test_brew_refused(
    client: NespressoClient,
    expert: SimulatedPeripheral,
    fault: object,
    outcome: Outcome,
) -> None:
    """The machine's own reason comes back, and the brew is not tried again."""
    assert callable(fault)
    fault(expert.machine)
    with pytest.raises(MachineRefusedError) as refused:
        await client.brew(Product.ESPRESSO)
    assert refused.value.outcome is outcome
    assert isinstance(refused.value, CommandRefusedError)
    assert len(_commands(expert)) == 1
    assert not expert.machine.brewing
    assert expert.machine.keys_written == 1


async def test_second_brew_needs_a_lid_cycle(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """It only brews once until the user opens and closes the lid."""
    await client.brew(Product.ESPRESSO)
    expert.machine.tick()
    expert.machine.tick()
    expert.machine.tick()
    with pytest.raises(MachineRefusedError) as refused:
        await client.brew(Product.ESPRESSO)
    assert refused.value.outcome is Outcome.LID_NOT_CYCLED
    expert.machine.open_lid()
    expert.machine.close_lid()
    assert (await client.brew(Product.ESPRESSO)).outcome is Outcome.ACCEPTED


async def test_unsupported_product_is_the_machines_answer(air: SimulatedAir) -> None:
    """A Prodigio set up as an Expert answers americano with "unsupported product"."""
    peripheral = air.add(ADDRESS, SimulatedMachine(model=OriginalModel.PRODIGIO, key=KEY))
    with pytest.raises(MachineRefusedError) as refused:
        await make_client(air, peripheral).brew(Product.AMERICANO)
    assert refused.value.outcome is Outcome.UNSUPPORTED_PRODUCT


async def test_prodigio_products_checked_before_connecting(air: SimulatedAir) -> None:
    """What the model cannot make is refused without a connection."""
    peripheral = air.add(ADDRESS, SimulatedMachine(model=OriginalModel.PRODIGIO, key=KEY))
    client = make_client(air, peripheral, model=OriginalModel.PRODIGIO)
    with pytest.raises(InvalidValueError):
        await client.brew(Product.AMERICANO)
    with pytest.raises(InvalidValueError):
        await client.brew_custom(coffee_ml=40, water_ml=None)
    assert peripheral.connections == 0


async def test_custom_recipe(client: NespressoClient, expert: SimulatedPeripheral) -> None:
    """Prepare, then brew product 07, each answered before the next is sent."""
    response = await client.brew_custom(coffee_ml=97, water_ml=36, temperature=Temperature.LOW)
    assert response.outcome is Outcome.ACCEPTED
    assert _commands(expert) == [
        bytes.fromhex("0110080000010061020024"),
        bytes.fromhex("03050704000000000107"),
    ]
    assert expert.machine.brewing


async def test_custom_recipe_refused_at_prepare(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """A refused prepare stops there: the brew frame is never sent."""
    expert.machine.lid_cycled = False
    with pytest.raises(MachineRefusedError) as refused:
        await client.brew_custom(coffee_ml=130, water_ml=None)
    assert refused.value.outcome is Outcome.LID_NOT_CYCLED
    assert _commands(expert) == [bytes.fromhex("01100800000100820000 00".replace(" ", ""))]


async def test_cancel(client: NespressoClient, expert: SimulatedPeripheral) -> None:
    """Nothing to cancel is the machine's answer; a running brew stops."""
    with pytest.raises(MachineRefusedError) as refused:
        await client.cancel()
    assert refused.value.outcome is Outcome.NOTHING_TO_CANCEL
    await client.brew(Product.LUNGO)
    assert (await client.cancel()).outcome is Outcome.ACCEPTED
    assert not expert.machine.brewing


async def test_settings(client: NespressoClient, expert: SimulatedPeripheral) -> None:
    """Read-modify-write keeps the other field; the values are read back."""
    assert await client.set_water_hardness(2) == OriginalSettings(540, 2)
    assert await client.set_auto_off(1800) == OriginalSettings(1800, 2)
    assert expert.machine.settings == bytes.fromhex("07080200")
    assert await client.set_capsule_stock(40) == 40
    assert await client.set_stock_threshold(8) == 8
    assert expert.machine.capsules == 40
    assert expert.machine.stock_threshold == 8


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.set_water_hardness(5),
        lambda c: c.set_auto_off(-1),
        lambda c: c.set_capsule_stock(1001),
        lambda c: c.set_stock_threshold(-3),
    ],
)
async def test_settings_out_of_range(
    client: NespressoClient, expert: SimulatedPeripheral, call: object
) -> None:
    """Out-of-range values are refused; nothing is written."""
    assert callable(call)
    with pytest.raises(InvalidValueError):
        await call(client)
    assert [uuid for uuid, _ in expert.writes if uuid != gatt.KEY] == []


async def test_refused_write(client: NespressoClient, expert: SimulatedPeripheral) -> None:
    """A write the machine refuses with an ATT error is a refusal, not a key problem."""
    expert.faults.refused_writes[gatt.CAPSULE_STOCK] = 0x13
    with pytest.raises(CommandRefusedError, match="0x13"):
        await client.set_capsule_stock(10)
    assert expert.machine.capsules == 15
    assert expert.machine.keys_written == 1


# -- authentication failures ----------------------------------------------------------------


@pytest.mark.parametrize("dialect", list(Dialect))
async def test_unbonded_link_bonds_then_works(air: SimulatedAir, dialect: Dialect) -> None:
    """ATT 0x05, "Not paired" or the proxy's text: bond once, write the key again, go on."""
    peripheral = air.add(ADDRESS, SimulatedMachine(key=KEY), dialect=dialect)
    client = make_client(air, peripheral)
    assert (await client.read_status()).state is OriginalState.READY
    assert peripheral.pair_calls == 1
    assert _key_writes(peripheral) == [KEY, KEY]
    peripheral.machine.forget_bond()  # the machine lost its bond: bonding again is harmless
    await client.read_status()
    assert peripheral.pair_calls == 2
    assert peripheral.machine.keys_written == 1


@pytest.mark.parametrize("dialect", list(Dialect))
async def test_wrong_key(air: SimulatedAir, dialect: Dialect) -> None:
    """Another key is rejected, never replaced; the error repeats neither key nor address."""
    peripheral = air.add(ADDRESS, SimulatedMachine(key=KEY), dialect=dialect)
    client = make_client(air, peripheral, OTHER_KEY)
    for _ in range(3):
        with pytest.raises(KeyRejectedError) as rejected:
            await client.read_status()
        text = f"{rejected.value} {rejected.value.__cause__!r}"
        assert OTHER_KEY.hex() not in text
        assert ADDRESS.lower() not in str(rejected.value).lower()
    assert set(_key_writes(peripheral)) == {OTHER_KEY}
    assert peripheral.machine.keys_written == 1
    assert peripheral.active_links == 0


async def test_one_refused_key_write_is_tried_again_on_a_new_connection(
    air: SimulatedAir,
) -> None:
    """A single garbled key write does not count as a rejected key; a brew still goes once."""
    peripheral = air.add(ADDRESS, SimulatedMachine(key=KEY))
    client = make_client(air, peripheral, KEY)
    with BluetoothFaultInjector(ADDRESS) as faults:
        faults.refuse_next_write()
        await client.brew(Product.LUNGO)
    assert _key_writes(peripheral) == [KEY, KEY]
    assert peripheral.connections == 2
    commands = [data for uuid, data in peripheral.writes if uuid == gatt.COMMAND_REQUEST]
    assert len(commands) == 1
    assert peripheral.machine.brewing

    with BluetoothFaultInjector(ADDRESS) as faults:
        faults.refuse_next_write(2)
        with pytest.raises(KeyRejectedError):
            await client.read_status()
    assert peripheral.connections == 4
    assert peripheral.active_links == 0


async def test_factory_state_machine_is_never_given_a_key(air: SimulatedAir) -> None:
    """No key on the machine: the client says so and writes nothing (that would onboard it)."""
    peripheral = air.add(ADDRESS, SimulatedMachine())
    client = make_client(air, peripheral)
    for call in (client.read_status, client.read_serial, client.cancel):
        with pytest.raises(NotOnboardedError):
            await call()
    assert peripheral.machine.key_write_attempts == 0
    assert peripheral.machine.keys_written == 0


async def test_reset_machine_is_not_re_paired(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """After a factory reset the next operation fails clearly instead of onboarding."""
    await client.read_status()
    expert.machine.factory_reset()
    with pytest.raises(NotOnboardedError):
        await client.read_status()
    assert expert.machine.key_write_attempts == 1
    assert expert.machine.keys_written == 1


async def test_bond_that_keeps_failing(air: SimulatedAir) -> None:
    """Still refused after bonding: a bond error, and one bond attempt only."""
    peripheral = air.add(ADDRESS, SimulatedMachine(key=KEY))
    peripheral.faults.refused_writes[gatt.KEY] = 0x05
    with pytest.raises(BondRequiredError):
        await make_client(air, peripheral).read_status()
    assert peripheral.pair_calls == 1
    assert len(_key_writes(peripheral)) == 2


# -- timeouts, drops and reconnects ---------------------------------------------------------


async def _elapsed(call: object, error: type[Exception]) -> float:
    assert callable(call)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(error):
        await call()
    return loop.time() - started


async def test_silent_read_is_bounded(client: NespressoClient, expert: SimulatedPeripheral) -> None:
    """A read that never answers fails after its own deadline; the link is closed."""
    expert.faults.silent_reads.add(gatt.SERIAL)
    elapsed = await _elapsed(client.read_serial, ConnectionFailedError)
    assert FAST.gatt * 0.9 <= elapsed < FAST.gatt + 1.0
    assert expert.active_links == 0
    expert.faults.silent_reads.clear()
    assert await client.read_serial() == "16069D70p13036820NJ"
    assert expert.machine.keys_written == 1


async def test_connect_that_hangs_is_bounded(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """A machine out of reach cannot hold the caller past the connect deadline."""
    expert.faults.connect_hangs = True
    elapsed = await _elapsed(client.read_status, ConnectionFailedError)
    assert elapsed < FAST.connect + 1.0
    assert expert.machine.key_write_attempts == 0


async def test_bond_that_hangs_is_bounded(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """BlueZ's pair() has no deadline of its own; ours applies."""
    expert.faults.pair_hangs = True
    elapsed = await _elapsed(client.read_status, ConnectionFailedError)
    assert elapsed < FAST.bond + 1.0
    assert expert.active_links == 0


async def test_missing_response_is_bounded_and_not_retried(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """No answer to a brew: NoResponseError after the deadline, and no second brew frame."""
    expert.faults.muted.add(gatt.COMMAND_RESPONSE)
    elapsed = await _elapsed(lambda: client.brew(Product.ESPRESSO), NoResponseError)
    assert elapsed < FAST.response + FAST.gatt + 1.0
    assert len(_commands(expert)) == 1


async def test_garbled_response(air: SimulatedAir, expert: SimulatedPeripheral) -> None:
    """A response that does not decode is a protocol error at once, not a wait."""
    expert.faults.garbled[gatt.COMMAND_RESPONSE] = b"\x03\x05"
    client = make_client(air, expert, timeouts=replace(FAST, response=5.0))
    elapsed = await _elapsed(client.cancel, ProtocolError)
    assert elapsed < 2.0


@pytest.mark.parametrize("uuid", [gatt.STATUS, gatt.KEY, gatt.KEY_STATE, gatt.COMMAND_REQUEST])
async def test_link_drop_mid_operation(
    client: NespressoClient, expert: SimulatedPeripheral, uuid: str
) -> None:
    """The link drops while we use it: a connection error; the next operation reconnects."""
    expert.faults.drop_on.add(uuid)
    with pytest.raises(ConnectionFailedError):
        await client.brew(Product.ESPRESSO)
    expert.faults.drop_on.clear()
    assert (await client.read_status()).key_state is KeyState.FINAL
    assert expert.machine.keys_written == 1


async def test_drop_while_waiting_for_the_response(
    air: SimulatedAir, expert: SimulatedPeripheral
) -> None:
    """The wait for a response ends when the link drops, not at its deadline."""
    expert.faults.muted.add(gatt.COMMAND_RESPONSE)
    client = make_client(air, expert, timeouts=replace(FAST, response=5.0))
    asyncio.get_running_loop().call_later(0.05, expert.drop_link)
    elapsed = await _elapsed(lambda: client.brew(Product.ESPRESSO), ConnectionFailedError)
    assert elapsed < 2.0
    assert len(_commands(expert)) == 1


async def test_post_brew_disconnect_then_reconnect(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """The machine hangs up right after accepting a brew; the next operation just connects."""
    expert.faults.disconnect_after_brew = 0.0
    assert (await client.brew(Product.ESPRESSO)).outcome is Outcome.ACCEPTED
    await asyncio.sleep(0.01)
    assert expert.active_links == 0
    status = await client.read_status()
    assert isinstance(status, OriginalStatus)
    assert status.state is OriginalState.BREWING
    assert expert.connections == 2
    assert expert.machine.keys_written == 1


async def test_idle_disconnect_then_reconnect(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """The machine hangs up an idle link; the next operation connects again by itself."""
    expert.faults.idle_disconnect_after = 0.05
    async with client.pairing_session() as session:
        await session.read_key_state()
        await asyncio.sleep(0.2)
        assert expert.active_links == 0
        with pytest.raises(ConnectionFailedError):
            await session.read_key_state()
    assert (await client.read_status()).key_state is KeyState.FINAL
    assert expert.connections == 2
    assert expert.machine.keys_written == 1


async def test_operations_are_serialised(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """Operations started together run one after the other, one link at a time."""
    results = await asyncio.gather(
        client.read_status(),
        client.read_serial(),
        client.brew(Product.ESPRESSO),
        client.read_capsule_stock(),
        client.set_water_hardness(1),
    )
    assert results[1] == "16069D70p13036820NJ"
    assert expert.peak_links == 1
    assert expert.connections == 5
    assert expert.machine.keys_written == 1


async def test_machine_out_of_range(air: SimulatedAir) -> None:
    """No adapter sees the machine, or it is not on the air: connection errors."""
    no_device = NespressoClient(bleak_connector(lambda: None), KEY, timeouts=FAST)
    with pytest.raises(ConnectionFailedError, match="adapter"):
        await no_device.read_status()
    ghost = air.add(ADDRESS, SimulatedMachine(key=KEY))
    client = make_client(air, ghost)
    air.peripherals.clear()
    with pytest.raises(ConnectionFailedError) as failed:
        await client.read_status()
    assert ADDRESS.lower() not in str(failed.value).lower()


async def test_busy_machine(client: NespressoClient, air: SimulatedAir) -> None:
    """Another central holds the only link: a connection error, no key written."""
    expert = air.find(ADDRESS)
    assert expert is not None
    other = air.backend()(expert.ble_device(), disconnected_callback=None)
    await other.connect(pair=False)
    with pytest.raises(ConnectionFailedError):
        await client.read_status()
    await other.disconnect()
    await client.read_status()


async def test_key_length_checked() -> None:
    """A key is 8 bytes."""
    with pytest.raises(InvalidValueError):
        NespressoClient(bleak_connector(lambda: None), b"\x80" * 7)


async def test_errors_are_library_errors(
    client: NespressoClient, expert: SimulatedPeripheral
) -> None:
    """Whatever goes wrong arrives as a KitchenError subclass callers already handle."""
    expert.faults.drop_on.add(gatt.SERIAL)
    with pytest.raises(ConnectionFailedError):
        await client.read_serial()
    assert issubclass(KeyRejectedError, AuthError)
    assert "NespressoClient(model=expert" in repr(client)
