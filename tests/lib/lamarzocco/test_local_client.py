"""LocalApiClient against the simulated gateway over 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import logging

import aiohttp
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    AuthError,
    ConnectionFailedError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.local.client import LocalApiClient
from custom_components.kitchen_connect.kitchenlib.lamarzocco.local.errors import (
    KeyNotEnabledError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.local.frames import (
    Frame,
    LocalState,
)
from simulators.lamarzocco.household import Household
from simulators.lamarzocco.local_gateway import LocalGateway, old_gateway_household

from .test_bluetooth_support import wait_for

MINI = "LM000101"


@pytest.fixture
def household() -> Household:
    return old_gateway_household(time_scale=60.0)


@pytest.fixture
async def gateway(household: Household) -> AsyncIterator[LocalGateway]:
    simulated = LocalGateway(household, MINI, tick=0.02, keep_alive=0.05)
    await simulated.start()
    yield simulated
    await simulated.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def _client(
    session: aiohttp.ClientSession, gateway: LocalGateway, key: str | None = None, **kwargs: float
) -> LocalApiClient:
    return LocalApiClient(session, "127.0.0.1", gateway.port, key or gateway.key, **kwargs)


class Listener:
    """Runs a client's stream in a task and keeps the state it builds."""

    def __init__(self, client: LocalApiClient, state: LocalState) -> None:
        self.state = state
        self.frames: list[Frame] = []
        self.opened = asyncio.Event()
        self.task = asyncio.create_task(client.async_listen(self._on_frame, self.opened.set))

    def _on_frame(self, frame: Frame) -> None:
        self.frames.append(frame)
        self.state = self.state.apply(frame)

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


async def test_config_needs_the_bearer_key(
    session: aiohttp.ClientSession, gateway: LocalGateway
) -> None:
    config = await _client(session, gateway).async_get_config()
    assert config.capabilities is not None
    assert config.capabilities.family == "LINEA"
    with pytest.raises(KeyNotEnabledError):
        await _client(session, gateway, key="not-this-one").async_get_config()


async def test_a_key_the_gateway_has_not_enabled_is_refused(
    session: aiohttp.ClientSession, gateway: LocalGateway
) -> None:
    gateway.key_enabled = False
    client = _client(session, gateway)
    with pytest.raises(KeyNotEnabledError, match="not enabled"):
        await client.async_get_config()
    with pytest.raises(AuthError):
        await client.async_listen(lambda _frame: None)
    assert gateway.streams_opened == 0


async def test_the_stream_pushes_heat_up_shots_and_flushes(
    session: aiohttp.ClientSession, gateway: LocalGateway, household: Household
) -> None:
    client = _client(session, gateway)
    household.machines[MINI].mode = "StandBy"
    household.changed(household.machines[MINI])
    listener = Listener(client, LocalState.from_config(await client.async_get_config()))
    await asyncio.wait_for(listener.opened.wait(), 5)
    assert client.streaming
    await wait_for(lambda: listener.state.statistics is not None)
    household.machines[MINI].apply("CoffeeMachineChangeMode", {"mode": "BrewingMode"})
    household.changed(household.machines[MINI])
    await wait_for(lambda: listener.state.machine_mode == "BrewingMode")
    await wait_for(lambda: (listener.state.coffee_temperature or 0) > 30)
    household.brew(MINI, seconds=30)
    await wait_for(lambda: listener.state.brewing and (listener.state.shot_timer or 0) > 0)
    await wait_for(lambda: listener.state.last_shot is not None, seconds=5)
    assert listener.state.brewing is False
    await gateway.flush(4.5)
    await wait_for(lambda: listener.state.last_flush is not None)
    assert any(frame.keep_alive for frame in listener.frames)
    await listener.stop()
    assert not client.streaming


async def test_only_one_stream_at_a_time(
    session: aiohttp.ClientSession, gateway: LocalGateway
) -> None:
    first = Listener(
        _client(session, gateway),
        LocalState.from_config(await _client(session, gateway).async_get_config()),
    )
    await asyncio.wait_for(first.opened.wait(), 5)
    with pytest.raises(ConnectionFailedError, match="503"):
        await _client(session, gateway).async_listen(lambda _frame: None)
    assert gateway.streams_refused == 1
    await first.stop()
    await wait_for(lambda: not gateway.streaming)
    # Released: the app (or we) may stream again.
    second = Listener(_client(session, gateway), first.state)
    await asyncio.wait_for(second.opened.wait(), 5)
    await second.stop()


async def test_a_silent_gateway_is_noticed(
    session: aiohttp.ClientSession, gateway: LocalGateway
) -> None:
    gateway.silent = True
    client = _client(session, gateway, receive_timeout=0.2)
    with pytest.raises(ConnectionFailedError, match="silent"):
        await asyncio.wait_for(client.async_listen(lambda _frame: None), 5)
    assert not client.streaming


async def test_a_closed_stream_and_a_bad_frame(
    session: aiohttp.ClientSession, gateway: LocalGateway
) -> None:
    client = _client(session, gateway)
    listener = Listener(client, LocalState.from_config(await client.async_get_config()))
    await asyncio.wait_for(listener.opened.wait(), 5)
    await gateway.push_raw('[{"MachineMode": 3}]')
    await gateway.push([{"MachineMode": "StandBy"}])
    await wait_for(lambda: listener.state.machine_mode == "StandBy")
    assert client.bad_frames == 1
    await gateway.drop_stream()
    with pytest.raises(ConnectionFailedError, match="closed"):
        await asyncio.wait_for(listener.task, 5)


async def test_an_unreachable_gateway_and_a_stranger(
    session: aiohttp.ClientSession, gateway: LocalGateway
) -> None:
    port = gateway.port
    await gateway.stop()
    client = LocalApiClient(session, "127.0.0.1", port, "key")
    with pytest.raises(ConnectionFailedError):
        await client.async_get_config()
    with pytest.raises(ConnectionFailedError):
        await client.async_listen(lambda _frame: None)


async def test_something_else_answering_is_a_protocol_error(
    session: aiohttp.ClientSession, gateway: LocalGateway
) -> None:
    client = LocalApiClient(session, "127.0.0.1", gateway.port, gateway.key)
    client._base += "/nothing"
    with pytest.raises(ProtocolError):
        await client.async_get_config()


async def test_the_key_never_reaches_a_log_or_an_error(
    session: aiohttp.ClientSession, gateway: LocalGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = _client(session, gateway)
    gateway.key_enabled = False
    with pytest.raises(KeyNotEnabledError) as refused:
        await client.async_get_config()
    assert gateway.key not in str(refused.value)
    assert gateway.key not in repr(client)
    assert gateway.key not in caplog.text
