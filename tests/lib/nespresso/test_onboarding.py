"""Onboarding a new key: only deliberately, on a machine read twice as having none.

Each key a machine is given fills a write-once slot; about 25 and its Bluetooth is gone.
"""

from __future__ import annotations

import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    ConnectionFailedError,
    InvalidValueError,
)
from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.kitchenlib.nespresso.client import NespressoClient
from custom_components.kitchen_connect.kitchenlib.nespresso.errors import (
    KeyRejectedError,
    NotOnboardedError,
    OnboardingRefusedError,
)
from custom_components.kitchen_connect.kitchenlib.nespresso.models import Family, KeyState
from simulators.nespresso.backend import Dialect, SimulatedAir, SimulatedPeripheral
from simulators.nespresso.machine import KEY_STORAGE_SLOTS, SimulatedMachine

from .support import ADDRESS, KEY, OTHER_KEY, make_client


@pytest.fixture
def air() -> SimulatedAir:
    """Nothing on the air yet."""
    return SimulatedAir()


@pytest.fixture
def factory(air: SimulatedAir) -> SimulatedPeripheral:
    """An Expert in factory state: no key, not bonded."""
    return air.add(ADDRESS, SimulatedMachine(), dialect=Dialect.BLUEZ_NOT_PAIRED)


@pytest.fixture
def client(air: SimulatedAir, factory: SimulatedPeripheral) -> NespressoClient:
    """Our client, holding the key we mean to give the machine."""
    return make_client(air, factory)


async def test_onboarding(client: NespressoClient, factory: SimulatedPeripheral) -> None:
    """Two NONE reads and the confirmation: one key stored, and it works from then on."""
    async with client.pairing_session() as session:
        assert session.family is Family.ORIGINAL
        assert await session.read_key_state() is KeyState.NONE
        assert await session.read_key_state() is KeyState.NONE
        await session.onboard(KEY, confirm_hazard=True)
    assert factory.machine.keys_written == 1
    assert (await client.read_status()).key_state is KeyState.FINAL
    assert await client.read_key_state() is KeyState.FINAL
    assert factory.machine.keys_written == 1


async def test_refused_without_confirmation(
    client: NespressoClient, factory: SimulatedPeripheral
) -> None:
    """Reads alone are not enough: the user has to confirm the hazard."""
    async with client.pairing_session() as session:
        await session.read_key_state()
        await session.read_key_state()
        with pytest.raises(OnboardingRefusedError, match="confirmation"):
            await session.onboard(KEY, confirm_hazard=False)
    assert factory.machine.key_write_attempts == 0


@pytest.mark.parametrize("reads", [0, 1])
async def test_refused_without_two_none_reads(
    client: NespressoClient, factory: SimulatedPeripheral, reads: int
) -> None:
    """Fewer than two NONE reads on this link: refused, nothing written."""
    async with client.pairing_session() as session:
        for _ in range(reads):
            await session.read_key_state()
        with pytest.raises(OnboardingRefusedError, match="twice"):
            await session.onboard(KEY, confirm_hazard=True)
    assert factory.machine.key_write_attempts == 0


async def test_reads_do_not_carry_over_connections(
    client: NespressoClient, factory: SimulatedPeripheral
) -> None:
    """Two reads on an earlier link do not count on this one."""
    assert await client.read_key_state() is KeyState.NONE
    assert await client.read_key_state() is KeyState.NONE
    async with client.pairing_session() as session:
        await session.read_key_state()
        with pytest.raises(OnboardingRefusedError):
            await session.onboard(KEY, confirm_hazard=True)
    assert factory.machine.key_write_attempts == 0


async def test_machine_with_a_key_is_never_onboarded(air: SimulatedAir) -> None:
    """FINAL resets the count: a machine that has a key is never given another."""
    peripheral = air.add(ADDRESS, SimulatedMachine(key=KEY))
    client = make_client(air, peripheral, OTHER_KEY)
    async with client.pairing_session() as session:
        for _ in range(3):
            assert await session.read_key_state() is KeyState.FINAL
        with pytest.raises(OnboardingRefusedError):
            await session.onboard(OTHER_KEY, confirm_hazard=True)
    assert peripheral.machine.key_write_attempts == 0
    assert peripheral.machine.keys_written == 1


async def test_a_key_appearing_between_reads_resets_the_count(
    client: NespressoClient, factory: SimulatedPeripheral
) -> None:
    """NONE, then FINAL (the app paired it meanwhile), then NONE: only one in a row."""
    async with client.pairing_session() as session:
        assert await session.read_key_state() is KeyState.NONE
        factory.machine._key = OTHER_KEY
        assert await session.read_key_state() is KeyState.FINAL
        factory.machine._key = None
        assert await session.read_key_state() is KeyState.NONE
        with pytest.raises(OnboardingRefusedError):
            await session.onboard(KEY, confirm_hazard=True)


async def test_only_once_per_session(client: NespressoClient, factory: SimulatedPeripheral) -> None:
    """A second onboarding on the same link is refused even if it looks allowed."""
    async with client.pairing_session() as session:
        await session.read_key_state()
        await session.read_key_state()
        await session.onboard(KEY, confirm_hazard=True)
        with pytest.raises(OnboardingRefusedError):
            await session.onboard(OTHER_KEY, confirm_hazard=True)
    assert factory.machine.keys_written == 1


async def test_bad_key_length(client: NespressoClient, factory: SimulatedPeripheral) -> None:
    """A key of the wrong length is refused before anything goes out."""
    async with client.pairing_session() as session:
        await session.read_key_state()
        await session.read_key_state()
        with pytest.raises(InvalidValueError):
            await session.onboard(KEY[:7], confirm_hazard=True)
    assert factory.machine.key_write_attempts == 0


async def test_key_not_kept(air: SimulatedAir) -> None:
    """A module whose storage is full does not keep the key: said clearly, not retried."""
    machine = SimulatedMachine()
    machine.keys_written = KEY_STORAGE_SLOTS
    peripheral = air.add(ADDRESS, machine)
    async with make_client(air, peripheral).pairing_session() as session:
        await session.read_key_state()
        await session.read_key_state()
        with pytest.raises(KeyRejectedError):
            await session.onboard(KEY, confirm_hazard=True)
    assert machine.key_write_attempts == 1


async def test_state_not_final_after_write(air: SimulatedAir) -> None:
    """A machine that answers the write but still reports no key: NotOnboardedError."""

    class Forgetful(SimulatedMachine):
        def _write_key(self, key: bytes) -> None:
            self.key_write_attempts += 1
            self.authenticated = True

    peripheral = air.add(ADDRESS, Forgetful())
    async with make_client(air, peripheral).pairing_session() as session:
        await session.read_key_state()
        await session.read_key_state()
        with pytest.raises(NotOnboardedError):
            await session.onboard(KEY, confirm_hazard=True)
    assert peripheral.machine.key_write_attempts == 1


async def test_link_drop_during_onboarding_is_not_retried(
    client: NespressoClient, factory: SimulatedPeripheral
) -> None:
    """The link drops at the key write: an error, no second attempt, and no automatic redo."""
    factory.faults.drop_on.add(gatt.KEY)
    async with client.pairing_session() as session:
        await session.read_key_state()
        await session.read_key_state()
        with pytest.raises(ConnectionFailedError):
            await session.onboard(KEY, confirm_hazard=True)
    factory.faults.drop_on.clear()
    with pytest.raises(NotOnboardedError):
        await client.read_status()
    assert factory.machine.key_write_attempts == 0
    assert factory.machine.keys_written == 0
