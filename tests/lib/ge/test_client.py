"""The SmartHQ websocket client against the loopback simulator, over real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import random
import socket
import time
from typing import Any

import aiohttp
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    AuthError,
    CommandRefusedError,
    ConnectionFailedError,
    InvalidValueError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.ge import client as client_module
from custom_components.kitchen_connect.kitchenlib.ge.account import (
    WebsocketEndpoint,
    async_fetch_websocket_endpoint,
)
from custom_components.kitchen_connect.kitchenlib.ge.client import (
    TOKEN_REFUSALS_BEFORE_GIVING_UP,
    SmartHqClient,
    TokenProvider,
    backoff_delay,
)
from custom_components.kitchen_connect.kitchenlib.ge.endpoints import Endpoints
from custom_components.kitchen_connect.kitchenlib.ge.tokens import (
    RefreshRejectedError,
    TokenManager,
    TokenSet,
)
from simulators.faults import FaultProxy, Framing
from simulators.ge import SmartHqSimulator
from simulators.ge.household import (
    Household,
    SimAppliance,
)

USER_ID = "simuser0001"
OVEN = "D828C9404C01"
AC = "D828C9404C09"
DISHWASHER = "A0B1C2D3E4F5"
FRIDGE = "0123456789AB"
OVEN_MODEL = "094A4B5333304446534D" + "00" * 22  # length byte + "JKS30DFSM"

type ClientFactory = Callable[..., Awaitable[SmartHqClient]]


def _household() -> Household:
    return Household(
        [
            SimAppliance(
                OVEN,
                "Kitchen oven",
                "Oven",
                "GE",
                erds={
                    0x0001: OVEN_MODEL,
                    0x0007: "00",
                    0x0008: "07",
                    0x0100: "00000B27",
                    0x5101: "00",
                    0x5105: "0000",
                },
            ),
            SimAppliance(
                AC,
                "Bedroom AC",
                "Split Air Conditioner",
                "Unknown",
                erds={0x0007: "01", 0x0008: "0E", 0x7A00: "08", 0x7A02: "5A", 0x7B07: "00"},
            ),
            SimAppliance(
                DISHWASHER,
                "Dishes",
                "Dishwasher",
                "GE",
                online=False,
                erds={0x0008: "06", 0x3001: "00"},
            ),
        ]
    )


class Recorder:
    """A ClientListener that remembers every call."""

    def __init__(self) -> None:
        self.appliance_calls = 0
        self.erd_calls: list[tuple[str, frozenset[int]]] = []
        self.connection_calls: list[bool] = []
        self.auth_errors: list[AuthError] = []
        self.lists: list[tuple[frozenset[str], bool]] = []

    def appliances_changed(self) -> None:
        self.appliance_calls += 1

    def appliances_listed(self, macs: frozenset[str], complete: bool) -> None:
        self.lists.append((macs, complete))

    def erds_changed(self, mac: str, codes: frozenset[int]) -> None:
        self.erd_calls.append((mac, codes))

    def connection_changed(self, connected: bool) -> None:
        self.connection_calls.append(connected)

    def auth_failed(self, error: AuthError) -> None:
        self.auth_errors.append(error)


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll until ``condition`` holds; fail the test after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - conditions span client and simulator
            await asyncio.sleep(0.005)


def _api(sim: SmartHqSimulator, path: str | None = None) -> int:
    return len(sim.records("api", path))


def _all_erd_path(mac: str) -> str:
    return f"/v1/appliance/{mac}/erd"


@pytest.fixture
def sim_options() -> dict[str, Any]:
    """Simulator options; tests override by parametrising or replacing this fixture."""
    return {}


@pytest.fixture
async def simulator(sim_options: dict[str, Any]) -> AsyncIterator[SmartHqSimulator]:
    """The simulated cloud with a three-appliance household and frozen time."""
    options: dict[str, Any] = {"household": _household(), "tick_interval": 0, **sim_options}
    sim = SmartHqSimulator(**options)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, as Home Assistant would lend the client."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def listener() -> Recorder:
    """What the client told its owner."""
    return Recorder()


def _token_manager(sim: SmartHqSimulator, session: aiohttp.ClientSession) -> TokenManager:
    issued = sim.auth.issue_tokens_for(USER_ID)
    tokens = TokenSet(
        issued["access_token"], issued["refresh_token"], time.time() + issued["expires_in"]
    )
    return TokenManager(session, sim.endpoints, tokens)


@pytest.fixture
async def make_client(
    simulator: SmartHqSimulator, http: aiohttp.ClientSession, listener: Recorder
) -> AsyncIterator[ClientFactory]:
    """Build and start a client with test-sized intervals; closed after the test."""
    clients: list[SmartHqClient] = []

    async def factory(
        *, start: bool = True, tokens: TokenProvider | None = None, **options: Any
    ) -> SmartHqClient:
        settings: dict[str, Any] = {
            "connect_timeout": 2.0,
            "write_timeout": 2.0,
            "backoff_initial": 0.05,
            "backoff_max": 0.2,
            "rng": random.Random(4),
            **options,
        }
        provider = tokens if tokens is not None else _token_manager(simulator, http)
        client = SmartHqClient(http, simulator.endpoints, provider, listener, **settings)
        clients.append(client)
        if start:
            await client.async_start()
        return client

    yield factory
    for client in clients:
        await client.async_close()


# --- start-up ----------------------------------------------------------------------------


async def test_start_lists_and_reads_every_appliance_once(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """One subscribe, one list and one full read per appliance; then the model is complete."""
    client = await make_client()

    assert client.connected
    assert client.user_id == USER_ID
    assert set(client.appliances) == {OVEN, AC, DISHWASHER}
    oven = client.appliances[OVEN]
    assert (oven.nickname, oven.label, oven.online) == ("Kitchen oven", "Oven", True)
    assert oven.initialised
    assert oven.appliance_type_raw == 0x07
    assert oven.model == "JKS30DFSM"
    assert oven.firmware == "0.0.11.39"
    assert client.appliances[AC].erds[0x7A02].value == 90
    assert client.appliances[DISHWASHER].online is False

    assert len(simulator.records("subscribe")) == 1
    assert _api(simulator, "/v1/appliance") == 1
    for mac in (OVEN, AC, DISHWASHER):
        assert _api(simulator, _all_erd_path(mac)) == 1
    assert client.stats["list"] == 1
    assert client.stats["allErd"] == 3
    # Start-up is not news: the owner reads the model once async_start returns.
    assert (listener.appliance_calls, listener.erd_calls, listener.connection_calls) == (
        0,
        [],
        [],
    )


async def test_start_refreshes_a_refused_access_token(
    simulator: SmartHqSimulator, make_client: ClientFactory
) -> None:
    """A 401 from the endpoint call is answered with one refresh and a retry."""
    client = await make_client(start=False)
    simulator.auth.expire_access_tokens()
    await client.async_start()
    assert client.connected
    assert len(simulator.records("http", "/oauth2/token")) == 1
    assert len(simulator.records("http", "/v1/websocket")) == 2


async def test_start_fails_with_auth_error_when_refresh_is_refused(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """A refused refresh token ends start-up with AuthError; nothing keeps running."""
    client = await make_client(start=False)
    simulator.auth.expire_access_tokens()
    simulator.auth.revoke_refresh_tokens()
    with pytest.raises(RefreshRejectedError):
        await client.async_start()
    assert not client.connected
    assert simulator.open_connections == 0
    assert listener.auth_errors == []


async def test_start_fails_with_connection_error_when_the_service_is_down(
    simulator: SmartHqSimulator, make_client: ClientFactory
) -> None:
    """No service, no start: ConnectionFailedError."""
    client = await make_client(start=False)
    await simulator.stop()
    with pytest.raises(ConnectionFailedError):
        await client.async_start()
    assert not client.connected


async def test_start_twice_is_a_programming_error(make_client: ClientFactory) -> None:
    """One client keeps one connection."""
    client = await make_client()
    with pytest.raises(RuntimeError):
        await client.async_start()


# --- pushes ------------------------------------------------------------------------------


async def test_pushes_update_state_and_name_exactly_the_changed_codes(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """A push changes one ERD and tells the owner about that ERD only."""
    client = await make_client()
    simulator.household.set_erd(AC, 0x7A02, "4D")  # ambient 77 °F
    await wait_until(lambda: listener.erd_calls == [(AC, frozenset({0x7A02}))])
    assert client.appliances[AC].erds[0x7A02].value == 77

    # The service repeating a value the client already holds is no news.
    simulator.household.appliances[AC].erds[0x7B07] = "01"  # changed silently...
    client.appliances[AC].apply(0x7B07, "01")  # ...and already known to the client
    simulator.household.set_erd(AC, 0x7B07, "00")
    simulator.household.set_erd(AC, 0x7A00, "01")
    await wait_until(lambda: len(listener.erd_calls) == 3)
    assert listener.erd_calls[1:] == [(AC, frozenset({0x7B07})), (AC, frozenset({0x7A00}))]
    assert listener.appliance_calls == 0


async def test_hundred_pushes_cost_no_requests(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """100 pushes: 100 listener calls, zero extra API requests (no polling, no re-reads)."""
    client = await make_client()
    api_before = _api(simulator)
    started = time.perf_counter()
    for minutes in range(1, 101):
        simulator.household.set_erd(OVEN, 0x5105, f"{minutes:04X}")
    await wait_until(lambda: len(listener.erd_calls) == 100)
    elapsed = time.perf_counter() - started
    assert listener.erd_calls == [(OVEN, frozenset({0x5105}))] * 100
    assert client.appliances[OVEN].erds[0x5105].raw == "0064"
    assert _api(simulator) == api_before
    assert client.stats["pushes"] == 100
    assert elapsed < 2.0, f"100 pushes took {elapsed:.3f} s"


async def test_push_from_an_unknown_appliance_lists_once(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """A new appliance that pushes first is found by one list and read by one full read."""
    client = await make_client()
    simulator.household.add_appliance(
        SimAppliance(FRIDGE, "Fridge", "Refrigerator", "GE", erds={0x0008: "03", 0x1004: "25"})
    )
    lists_before = _api(simulator, "/v1/appliance")
    for value in ("26", "27", "28"):
        simulator.household.set_erd(FRIDGE, 0x1004, value)
    await wait_until(lambda: FRIDGE in client.appliances and client.appliances[FRIDGE].initialised)
    await asyncio.sleep(0.05)
    assert _api(simulator, "/v1/appliance") - lists_before == 1
    assert _api(simulator, _all_erd_path(FRIDGE)) == 1
    assert client.appliances[FRIDGE].erds[0x1004].raw == "28"
    assert listener.appliance_calls >= 1


# --- list refresh ------------------------------------------------------------------------


async def test_list_refresh_adds_and_removes_without_periodic_full_reads(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """Re-listing finds new and gone appliances; known ones are never read again."""
    client = await make_client(list_interval=0.1)
    await wait_until(lambda: _api(simulator, "/v1/appliance") >= 3)
    assert _api(simulator) - _api(simulator, "/v1/appliance") == 3  # one read each, then lists

    simulator.household.remove_appliance(AC)
    simulator.household.add_appliance(
        SimAppliance(FRIDGE, "Fridge", "Refrigerator", "GE", erds={0x0008: "03"})
    )
    await wait_until(
        lambda: (
            AC not in client.appliances
            and FRIDGE in client.appliances
            and client.appliances[FRIDGE].initialised
        )
    )
    assert listener.appliance_calls >= 2  # the list change, then the first full read
    lists = _api(simulator, "/v1/appliance")
    await wait_until(lambda: _api(simulator, "/v1/appliance") >= lists + 3)
    for mac in (OVEN, DISHWASHER, FRIDGE):
        assert _api(simulator, _all_erd_path(mac)) == 1
    assert client.stats["allErd"] == 4


async def test_every_list_reply_is_reported_with_its_appliances(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """The owner hears of each list, the start's too: who is on it, and whether it counts."""
    everyone = frozenset({OVEN, AC, DISHWASHER})
    client = await make_client(list_interval=0.1)
    assert listener.lists == [(everyone, True)]

    simulator.fail_next(1, path="/v1/appliance")
    simulator.leave_out_of_lists({AC}, 1)
    await wait_until(lambda: len(listener.lists) >= 4)
    assert listener.lists[1:4] == [(frozenset(), False), (everyone - {AC}, True), (everyone, True)]
    assert client.connected


async def test_appliance_back_in_a_later_list_is_read_again(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """Left out of one list and back in a later one: read in full again, same connection."""
    client = await make_client(list_interval=0.1)
    simulator.leave_out_of_lists({AC}, 1)
    await wait_until(lambda: AC not in client.appliances)
    simulator.household.set_erd(AC, 0x7A02, "50")  # missed: the client does not know the AC

    await wait_until(lambda: AC in client.appliances and client.appliances[AC].initialised)
    assert client.appliances[AC].erds[0x7A02].value == 80
    assert client.appliances[AC].nickname == "Bedroom AC"
    assert _api(simulator, _all_erd_path(AC)) == 2
    assert _api(simulator, _all_erd_path(OVEN)) == 1
    assert len(simulator.records("subscribe")) == 1
    assert listener.connection_calls == []


async def test_online_flag_follows_the_list(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """Going offline and back online is reported through appliances_changed."""
    client = await make_client(list_interval=0.1)
    simulator.set_online(OVEN, False)
    await wait_until(lambda: not client.appliances[OVEN].online)
    assert listener.appliance_calls == 1
    simulator.household.set_erd(OVEN, 0x5105, "0005")  # an offline appliance pushes nothing
    await asyncio.sleep(0.05)
    assert listener.erd_calls == []
    simulator.set_online(OVEN, True)
    await wait_until(lambda: client.appliances[OVEN].online)
    assert listener.appliance_calls == 2


async def test_push_from_an_appliance_listed_offline_marks_it_online(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """An appliance that talks is online, whatever the last list said."""
    client = await make_client()
    simulator.set_online(DISHWASHER, True)
    simulator.household.set_erd(DISHWASHER, 0x3001, "05")
    await wait_until(lambda: client.appliances[DISHWASHER].online)
    await wait_until(lambda: listener.erd_calls == [(DISHWASHER, frozenset({0x3001}))])
    assert listener.appliance_calls == 1


# --- writes ------------------------------------------------------------------------------


async def test_write_round_trip(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """The write is acknowledged, the push that follows changes the state."""
    client = await make_client()
    status = await client.async_write_erd(OVEN.lower(), 0x5105, "002d")
    assert status == "success"
    assert simulator.household.write_log == [(OVEN, 0x5105, "002D")]
    await wait_until(lambda: listener.erd_calls == [(OVEN, frozenset({0x5105}))])
    assert client.appliances[OVEN].erds[0x5105].raw == "002D"
    assert client.stats["setErd"] == 1

    simulator.write_ack_status = "timeout"
    assert await client.async_write_erd(OVEN, 0x5105, "0000") == "timeout"


async def test_write_does_not_change_state_before_the_push(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """Without a push (the appliance ignored the write) the model keeps the old value."""
    client = await make_client()
    status = await client.async_write_erd(OVEN, 0x5105, "FFFF")  # beyond the timer's limit
    assert status == "success"
    await asyncio.sleep(0.1)
    assert client.appliances[OVEN].erds[0x5105].raw == "0000"
    assert listener.erd_calls == []


async def test_concurrent_writes_get_their_own_replies(
    simulator: SmartHqSimulator, make_client: ClientFactory
) -> None:
    """Replies are matched by our own request ids, not by arrival order."""
    client = await make_client()
    results = await asyncio.gather(
        client.async_write_erd("FFFFFFFFFFFF", 0x5105, "0001"),
        client.async_write_erd(OVEN, 0x5105, "0002"),
        client.async_write_erd(AC, 0x0007, "00"),
        return_exceptions=True,
    )
    assert isinstance(results[0], CommandRefusedError)
    assert "404" in str(results[0])
    assert list(results[1:]) == ["success", "success"]


async def test_write_checks_its_arguments_before_sending(
    simulator: SmartHqSimulator, make_client: ClientFactory
) -> None:
    """Values that are not hex bytes never reach the service."""
    client = await make_client()
    for mac, code, raw in (
        (OVEN, 0x5105, "2D"[:1]),
        (OVEN, 0x5105, "zz"),
        (OVEN, 0x5105, ""),
        (OVEN, 0x10000, "00"),
        (f"{OVEN}/erd", 0x5105, "00"),
        ("", 0x5105, "00"),
    ):
        with pytest.raises(InvalidValueError):
            await client.async_write_erd(mac, code, raw)
    assert client.stats["setErd"] == 0


async def test_write_without_connection_fails(make_client: ClientFactory) -> None:
    """No connection, no write."""
    client = await make_client()
    await client.async_close()
    assert not client.connected
    with pytest.raises(ConnectionFailedError):
        await client.async_write_erd(OVEN, 0x5105, "0001")


async def test_write_without_reply_fails(
    simulator: SmartHqSimulator, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write the service never answers ends in ConnectionFailedError after write_timeout."""
    client = await make_client(write_timeout=0.2)
    monkeypatch.setattr(simulator, "_on_api", lambda sock, frame: None)
    with pytest.raises(ConnectionFailedError):
        await client.async_write_erd(OVEN, 0x5105, "0001")


# --- rate limiting -----------------------------------------------------------------------


async def test_rate_limited_read_is_retried_after_the_backoff(
    simulator: SmartHqSimulator, make_client: ClientFactory
) -> None:
    """A 429 delays that request's retry by the backoff, never less."""
    client = await make_client(
        list_interval=0.1, backoff_initial=0.3, backoff_max=5.0, rng=random.Random(99)
    )
    expected_delay = backoff_delay(0, 0.3, 5.0, random.Random(99))
    assert 0.3 <= expected_delay <= 0.6
    simulator.rate_limit_next(1)
    await wait_until(lambda: _api(simulator, "/v1/appliance") >= 3)
    refused, retry = simulator.records("api", "/v1/appliance")[1:3]
    assert retry.time - refused.time >= expected_delay - 0.01
    assert client.stats["rate_limited"] == 1
    assert client.connected


async def test_rate_limited_write_is_refused_and_holds_later_writes(
    simulator: SmartHqSimulator, make_client: ClientFactory
) -> None:
    """A write is not silently repeated later; while backing off, writes are refused unsent."""
    client = await make_client(backoff_initial=1.0, backoff_max=2.0)
    simulator.rate_limit_next(1)
    with pytest.raises(CommandRefusedError, match="rate limit"):
        await client.async_write_erd(OVEN, 0x5105, "0001")
    sent = _api(simulator)
    with pytest.raises(CommandRefusedError, match="try again"):
        await client.async_write_erd(OVEN, 0x5105, "0001")
    assert _api(simulator) == sent
    assert client.stats["rate_limited"] == 1


def test_backoff_grows_with_full_jitter_between_the_bounds() -> None:
    """Every delay is within [initial, min(max, initial * 2^(n+1))]; huge n stays capped."""
    rng = random.Random(3)
    for attempt in range(12):
        delay = backoff_delay(attempt, 10.0, 1800.0, rng)
        assert 10.0 <= delay <= min(1800.0, 10.0 * 2 ** (attempt + 1))
    assert backoff_delay(10_000, 10.0, 1800.0, rng) <= 1800.0
    assert backoff_delay(0, 10.0, 5.0, rng) == 10.0


# --- keeping the connection --------------------------------------------------------------


async def test_pings_are_sent_on_the_interval(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """A JSON ping per interval; answered pings keep the connection."""
    client = await make_client(ping_interval=0.05)
    await asyncio.sleep(0.4)
    pings = simulator.records("ping")
    assert 5 <= len(pings) <= 10
    assert client.stats["ping"] == len(pings)
    assert listener.connection_calls == []
    assert len(simulator.records("http", "/v1/websocket")) == 1


async def test_missing_pongs_force_a_reconnect(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """No pong for two intervals: the link is dead, reconnect."""
    client = await make_client(ping_interval=0.05)
    simulator.answer_pings = False
    await wait_until(lambda: listener.connection_calls == [False])
    simulator.answer_pings = True
    await wait_until(lambda: listener.connection_calls == [False, True])
    assert client.connected
    assert client.stats["reconnects"] == 1


@pytest.mark.parametrize("sim_options", [{"connection_lifetime": 0.6}])
async def test_server_cut_off_is_survived_without_losing_state(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """The service closes the socket; the client reconnects and re-reads every appliance."""
    client = await make_client(backoff_initial=0.3, backoff_max=0.4)
    await wait_until(lambda: listener.connection_calls == [False])
    assert not client.connected
    simulator.household.set_erd(AC, 0x7A02, "50")  # changes while nobody listens
    await wait_until(lambda: listener.connection_calls == [False, True])
    assert client.connected
    assert client.appliances[AC].erds[0x7A02].raw == "50"
    assert (AC, frozenset({0x7A02})) in listener.erd_calls
    await wait_until(
        lambda: all(_api(simulator, _all_erd_path(mac)) == 2 for mac in (OVEN, AC, DISHWASHER))
    )
    assert client.stats["reconnects"] == 1
    assert len(simulator.records("subscribe")) == 2
    # It keeps going: the next cut-off is survived as well.
    await wait_until(lambda: listener.connection_calls == [False, True, False, True])


async def test_dropped_connections_come_back(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """A server-side close is one loss and one return, nothing more."""
    client = await make_client()
    simulator.drop_connections()
    await wait_until(lambda: listener.connection_calls == [False, True])
    simulator.household.set_erd(OVEN, 0x5105, "0003")
    await wait_until(lambda: (OVEN, frozenset({0x5105})) in listener.erd_calls)
    assert client.connected


@pytest.mark.parametrize("sim_options", [{"connection_lifetime": 1.0}])
async def test_planned_reconnect_happens_before_the_cut_off(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """Connections are replaced before the service cuts them, without any visible gap."""
    client = await make_client(max_connection_age=0.25)
    gaps: list[bool] = []
    for _ in range(60):
        gaps.append(client.connected)
        await asyncio.sleep(0.02)
    assert all(gaps)
    assert len(simulator.records("http", "/v1/websocket")) >= 4
    assert listener.connection_calls == []
    assert client.stats["reconnects"] >= 3
    await wait_until(lambda: simulator.open_connections == 1)
    simulator.household.set_erd(AC, 0x7A02, "51")
    await wait_until(lambda: client.appliances[AC].erds[0x7A02].raw == "51")


async def test_token_expiry_mid_session_is_survived(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """An "Access token expired" reply: refresh the token, reconnect, carry on."""
    client = await make_client(list_interval=0.1)
    simulator.auth.expire_access_tokens()
    await wait_until(lambda: listener.connection_calls == [False, True])
    assert len(simulator.records("http", "/oauth2/token")) == 1
    assert client.connected
    simulator.household.set_erd(AC, 0x7A02, "52")
    await wait_until(lambda: client.appliances[AC].erds[0x7A02].raw == "52")
    assert listener.auth_errors == []


async def test_write_on_an_expired_session_fails_and_reconnects(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """The write itself is not retried; the session is renewed for the next one."""
    client = await make_client()
    simulator.auth.expire_access_tokens()
    with pytest.raises(ConnectionFailedError):
        await client.async_write_erd(OVEN, 0x5105, "0001")
    await wait_until(lambda: listener.connection_calls == [False, True])
    assert await client.async_write_erd(OVEN, 0x5105, "0001") == "success"


async def test_refused_refresh_stops_reconnecting(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """The refresh token is refused: tell the owner once and stop trying."""
    client = await make_client(list_interval=0.1)
    simulator.auth.revoke_refresh_tokens()
    simulator.auth.expire_access_tokens()
    await wait_until(lambda: len(listener.auth_errors) == 1)
    assert isinstance(listener.auth_errors[0], RefreshRejectedError)
    assert listener.connection_calls == [False]
    endpoint_calls = len(simulator.records("http", "/v1/websocket"))
    await asyncio.sleep(0.5)
    assert len(simulator.records("http", "/v1/websocket")) == endpoint_calls
    assert not client.connected
    assert simulator.open_connections == 0


async def test_reconnect_keeps_trying_while_the_service_is_down(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """Failed reconnects back off and retry until the service is back."""
    client = await make_client(backoff_initial=0.05, backoff_max=0.1)
    port = simulator.port
    await simulator.stop()
    await wait_until(lambda: listener.connection_calls == [False])
    await asyncio.sleep(0.3)
    await simulator.start(port)
    await wait_until(lambda: listener.connection_calls == [False, True])
    assert client.connected
    assert client.stats["reconnects"] == 1


async def test_close_is_quiet(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """Closing ends the session without telling the owner about a loss."""
    client = await make_client()
    await client.async_close()
    await wait_until(lambda: simulator.open_connections == 0)
    assert listener.connection_calls == []
    await client.async_close()  # a second close is harmless


# --- misbehaving service -----------------------------------------------------------------


async def test_unreadable_and_stray_frames_are_ignored(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """Garbage, broken pushes and replies nobody asked for change nothing."""
    client = await make_client()
    simulator.inject_frame("not json")
    simulator.inject_frame('{"kind":"publish#erd","item":{}}')
    simulator.inject_frame('{"kind":"websocket#api","id":"nobody","code":200,"body":{}}')
    simulator.inject_frame('{"kind":"websocket#later"}')
    simulator.inject_frame("[" * 100_000)  # too deeply nested to parse
    simulator.inject_frame('{"kind":"websocket#api","id":"list-1","code":' + "9" * 400 + "}")
    simulator.inject_frame('{"kind":"websocket#api","id":"list-1","code":NaN}')
    simulator.household.set_erd(AC, 0x7A02, "4E")
    await wait_until(lambda: listener.erd_calls == [(AC, frozenset({0x7A02}))])
    assert client.connected
    assert listener.connection_calls == []


async def test_expired_session_notice_renews_the_session(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """A frame saying "Access token expired" leads to a refresh and a new connection."""
    await make_client()
    simulator.inject_frame('{"kind":"websocket#error","reason":"Access token expired"}')
    await wait_until(lambda: listener.connection_calls == [False, True])
    assert len(simulator.records("http", "/oauth2/token")) == 1


async def test_unsolicited_429_still_holds_requests(
    simulator: SmartHqSimulator, make_client: ClientFactory
) -> None:
    """A 429 for a request we gave up on still means: slow down."""
    client = await make_client(backoff_initial=1.0, backoff_max=2.0)
    simulator.inject_frame('{"kind":"websocket#api","id":"late","code":429,"body":{}}')
    await wait_until(lambda: client.stats["rate_limited"] == 1)
    with pytest.raises(CommandRefusedError, match="try again"):
        await client.async_write_erd(OVEN, 0x5105, "0001")
    assert client.stats["setErd"] == 0


async def test_burst_of_429_backs_off_once(
    simulator: SmartHqSimulator, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three reads refused together wait out one backoff, then all succeed."""
    real_list = simulator._appliance_list

    def list_then_limit(user_id: str) -> dict[str, Any]:
        simulator.rate_limit_next(3)
        return real_list(user_id)

    monkeypatch.setattr(simulator, "_appliance_list", list_then_limit)
    client = await make_client(backoff_initial=0.2, backoff_max=0.4, rng=random.Random(5))
    delay = backoff_delay(0, 0.2, 0.4, random.Random(5))
    assert client.appliances[OVEN].initialised
    assert client.appliances[AC].initialised
    assert client.stats["rate_limited"] == 3
    await wait_until(lambda: client.appliances[DISHWASHER].initialised)
    for mac in (OVEN, AC, DISHWASHER):
        refused, retry = simulator.records("api", _all_erd_path(mac))
        assert retry.time - refused.time >= delay - 0.01


def _replace_api(
    simulator: SmartHqSimulator,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    answer: tuple[int, dict[str, Any]],
) -> None:
    real = simulator._api_call

    def patched(sock: Any, method: str, called: str, body: object) -> tuple[int, dict[str, Any]]:
        if called == path:
            return answer
        return real(sock, method, called, body)

    monkeypatch.setattr(simulator, "_api_call", patched)


@pytest.mark.parametrize(
    ("answer", "refreshes"),
    [
        ((500, {"message": "Internal error"}), 0),
        ((401, {"message": "Unauthorized"}), 1),
        ((200, {"items": "nothing"}), 0),
    ],
)
async def test_start_fails_when_the_list_is_unusable(
    simulator: SmartHqSimulator,
    make_client: ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    answer: tuple[int, dict[str, Any]],
    refreshes: int,
) -> None:
    """A refused or unreadable list fails start-up; a 401 also refreshes the token."""
    _replace_api(simulator, monkeypatch, "/v1/appliance", answer)
    client = await make_client(start=False)
    with pytest.raises(ConnectionFailedError):
        await client.async_start()
    assert not client.connected
    assert len(simulator.records("http", "/oauth2/token")) == refreshes
    await wait_until(lambda: simulator.open_connections == 0)


async def test_failed_read_is_retried_by_the_next_list(
    simulator: SmartHqSimulator,
    make_client: ClientFactory,
    listener: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An appliance whose full read failed is read again at the next list, once."""
    _replace_api(simulator, monkeypatch, _all_erd_path(AC), (503, {"message": "Busy"}))
    client = await make_client(list_interval=0.1)
    assert not client.appliances[AC].initialised
    monkeypatch.undo()
    await wait_until(lambda: client.appliances[AC].initialised)
    assert listener.appliance_calls == 1
    assert (AC, frozenset({0x0007, 0x0008, 0x7A00, 0x7A02, 0x7B07})) in listener.erd_calls
    lists = _api(simulator, "/v1/appliance")
    await wait_until(lambda: _api(simulator, "/v1/appliance") >= lists + 2)
    assert _api(simulator, _all_erd_path(AC)) == 2


async def test_unusable_list_refresh_keeps_what_is_known(
    simulator: SmartHqSimulator, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken list reply later on neither drops appliances nor the connection."""
    client = await make_client(list_interval=0.05)
    _replace_api(simulator, monkeypatch, "/v1/appliance", (200, {"items": "nothing"}))
    lists = _api(simulator, "/v1/appliance")
    await wait_until(lambda: _api(simulator, "/v1/appliance") >= lists + 2)
    _replace_api(simulator, monkeypatch, "/v1/appliance", (500, {}))
    await wait_until(lambda: _api(simulator, "/v1/appliance") >= lists + 4)
    assert set(client.appliances) == {OVEN, AC, DISHWASHER}
    assert client.connected


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_unusable_endpoints_fail_start_without_leaking_the_url(
    simulator: SmartHqSimulator, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bad endpoint replies and refused or dead websocket URLs are ConnectionFailedError."""
    secret = "credential-in-query"
    outcomes: list[object] = [
        ProtocolError("websocket endpoint reply has no endpoint"),
        WebsocketEndpoint(f"ws://127.0.0.1:{simulator.port}/ws?access_token={secret}", USER_ID),
        WebsocketEndpoint(f"ws://127.0.0.1:{_closed_port()}/ws?access_token={secret}", USER_ID),
    ]

    async def fake_fetch(*args: object) -> WebsocketEndpoint:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        assert isinstance(outcome, WebsocketEndpoint)
        return outcome

    monkeypatch.setattr(client_module, "async_fetch_websocket_endpoint", fake_fetch)
    client = await make_client(start=False)
    messages = []
    for _ in range(3):
        with pytest.raises(ConnectionFailedError) as caught:
            await client.async_start()
        assert caught.value.__cause__ is None or secret not in str(caught.value.__cause__)
        messages.append(str(caught.value))
    assert "401" in messages[1]
    assert all(secret not in message for message in messages)


async def test_failed_planned_reconnect_falls_back_to_backoff(
    simulator: SmartHqSimulator,
    make_client: ClientFactory,
    listener: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the planned replacement cannot connect, the loss is reported and retried."""
    client = await make_client(max_connection_age=0.2)
    real_fetch = async_fetch_websocket_endpoint
    failures = [ConnectionFailedError("down"), ConnectionFailedError("still down")]

    async def flaky_fetch(*args: Any) -> WebsocketEndpoint:
        if failures:
            raise failures.pop(0)
        return await real_fetch(*args)

    monkeypatch.setattr(client_module, "async_fetch_websocket_endpoint", flaky_fetch)
    await wait_until(lambda: listener.connection_calls == [False, True])
    assert client.connected


async def test_refused_refresh_during_planned_reconnect_stops(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """The planned reconnect finds the sign-in revoked: report it and stop."""
    client = await make_client(max_connection_age=0.2)
    simulator.auth.revoke_refresh_tokens()
    simulator.auth.expire_access_tokens()
    await wait_until(lambda: len(listener.auth_errors) == 1)
    assert listener.connection_calls == [False]
    assert not client.connected
    await wait_until(lambda: simulator.open_connections == 0)


async def test_refused_refresh_after_a_drop_stops(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """Reconnecting after a drop finds the sign-in revoked: report it and stop."""
    client = await make_client()
    simulator.auth.revoke_refresh_tokens()
    simulator.auth.expire_access_tokens()
    simulator.drop_connections()
    await wait_until(lambda: len(listener.auth_errors) == 1)
    endpoint_calls = len(simulator.records("http", "/v1/websocket"))
    await asyncio.sleep(0.3)
    assert len(simulator.records("http", "/v1/websocket")) == endpoint_calls
    assert listener.connection_calls == [False]
    assert not client.connected


@pytest.mark.parametrize("refusals", [2, TOKEN_REFUSALS_BEFORE_GIVING_UP * 2])
async def test_a_freshly_refreshed_token_refused_a_few_times_is_no_lost_sign_in(
    simulator: SmartHqSimulator,
    http: aiohttp.ClientSession,
    listener: Recorder,
    refusals: int,
) -> None:
    """Short bursts of 401 from the endpoint call are retried; only a lasting one stops it."""
    proxy = FaultProxy(simulator.port, framing=Framing.HTTP)
    await proxy.start()
    simulator.public_port = proxy.port
    client = SmartHqClient(
        http,
        Endpoints.for_server(proxy.base_url),
        _token_manager(simulator, http),
        listener,
        connect_timeout=2.0,
        backoff_initial=0.05,
        backoff_max=0.2,
        rng=random.Random(4),
    )
    try:
        await client.async_start()
        # Each reconnect asks for the endpoint twice (once more after a refresh).
        proxy.answer_next(401, count=refusals * 2, path="/v1/websocket")
        simulator.drop_connections()
        if refusals < TOKEN_REFUSALS_BEFORE_GIVING_UP:
            await wait_until(lambda: listener.connection_calls == [False, True])
            assert listener.auth_errors == []
            assert client.connected
        else:
            await wait_until(lambda: len(listener.auth_errors) == 1)
            assert not client.connected
    finally:
        await client.async_close()
        await proxy.stop()


class _UnreachableRefresh:
    """Tokens whose refresh cannot reach the service once."""

    def __init__(self, inner: TokenManager) -> None:
        self.inner = inner
        self.refreshes = 0

    async def async_access_token(self) -> str:
        return await self.inner.async_access_token()

    async def async_refresh(self) -> TokenSet:
        self.refreshes += 1
        raise ConnectionFailedError("token service unreachable")


async def test_unreachable_token_service_does_not_stop_reconnecting(
    simulator: SmartHqSimulator,
    make_client: ClientFactory,
    listener: Recorder,
    http: aiohttp.ClientSession,
) -> None:
    """A refresh that fails for network reasons is no sign-in problem: keep going."""
    tokens = _UnreachableRefresh(_token_manager(simulator, http))
    client = await make_client(tokens=tokens)
    simulator.inject_frame('{"kind":"websocket#error","reason":"Access token expired"}')
    await wait_until(lambda: listener.connection_calls == [False, True])
    assert tokens.refreshes == 1
    assert listener.auth_errors == []
    assert client.connected


async def test_a_failing_listener_does_not_break_the_connection(
    simulator: SmartHqSimulator, make_client: ClientFactory, listener: Recorder
) -> None:
    """The owner's bug is logged; later pushes still arrive."""
    client = await make_client()
    calls: list[str] = []

    def broken(mac: str, codes: frozenset[int]) -> None:
        calls.append(mac)
        raise RuntimeError("listener bug")

    listener.erds_changed = broken  # type: ignore[method-assign]
    simulator.household.set_erd(AC, 0x7A02, "40")
    simulator.household.set_erd(AC, 0x7A02, "41")
    await wait_until(lambda: len(calls) == 2)
    assert client.connected
    assert client.appliances[AC].erds[0x7A02].raw == "41"
    assert listener.connection_calls == []
