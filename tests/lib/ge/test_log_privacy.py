"""A whole SmartHQ session at DEBUG level: no log line names the account or an appliance."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
import logging
import random

import aiohttp
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import AuthError, CommandRefusedError
from custom_components.kitchen_connect.kitchenlib.ge.client import SmartHqClient
from custom_components.kitchen_connect.kitchenlib.ge.endpoints import Region
from custom_components.kitchen_connect.kitchenlib.ge.erd import decode_erd
from custom_components.kitchen_connect.kitchenlib.ge.login import (
    LoginSucceeded,
    MfaRequired,
    SmartHqLogin,
)
from custom_components.kitchen_connect.kitchenlib.ge.tokens import TokenManager, TokenSet
from simulators.ge import DEFAULT_ACCOUNT, SmartHqSimulator
from simulators.ge.auth_pages import AuthScenario
from simulators.ge.household import default_household

SERIAL = 0x0002
OVEN_TIMER = 0x5105


class Listener:
    """Counts what the client reports."""

    def __init__(self) -> None:
        self.erd_calls: list[tuple[str, frozenset[int]]] = []
        self.connection_calls: list[bool] = []

    def appliances_changed(self) -> None:
        pass

    def appliances_listed(self, macs: frozenset[str], complete: bool) -> None:
        pass

    def erds_changed(self, mac: str, codes: frozenset[int]) -> None:
        self.erd_calls.append((mac, codes))

    def connection_changed(self, connected: bool) -> None:
        self.connection_calls.append(connected)

    def auth_failed(self, error: AuthError) -> None:
        pass


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - conditions span client and simulator
            await asyncio.sleep(0.005)


async def test_a_whole_session_logs_no_identifiers(caplog: pytest.LogCaptureFixture) -> None:
    """Sign-in with a code, list, reads, pushes, writes, refusals and a reconnect.

    None of the account's e-mail, password, user id, tokens or one-time code, and none of
    the appliances' ids or serial numbers, may appear in any record at any level.
    """
    caplog.set_level(logging.DEBUG)
    household = default_household()
    macs = list(household.appliances)
    oven, washer = macs[0], macs[3]
    simulator = SmartHqSimulator(
        household=household, scenario=AuthScenario(mfa=True, terms=True), tick_interval=0
    )
    tokens_seen: list[TokenSet] = []
    await simulator.start()
    try:
        async with aiohttp.ClientSession() as http:
            login = SmartHqLogin(http, Region.US, simulator.endpoints)
            challenge = await login.async_sign_in(
                DEFAULT_ACCOUNT.username, DEFAULT_ACCOUNT.password
            )
            assert isinstance(challenge, MfaRequired)
            await login.async_send_code()
            signed_in = await login.async_submit_code(simulator.auth.sent_codes[-1])
            assert isinstance(signed_in, LoginSucceeded)
            tokens_seen.append(signed_in.tokens)
            manager = TokenManager(
                http, simulator.endpoints, signed_in.tokens, on_rotated=tokens_seen.append
            )
            listener = Listener()
            client = SmartHqClient(
                http,
                simulator.endpoints,
                manager,
                listener,
                connect_timeout=2.0,
                write_timeout=2.0,
                backoff_initial=0.01,
                backoff_max=0.05,
                rng=random.Random(1),
            )
            simulator.fail_next(1, status=404, path=f"/v1/appliance/{washer}/erd")
            await client.async_start()
            try:
                # A push, then a write and the push that confirms it.
                household.set_erd(oven, OVEN_TIMER, "0005")
                await wait_until(lambda: (oven, frozenset({OVEN_TIMER})) in listener.erd_calls)
                await client.async_write_erd(oven, OVEN_TIMER, "002D")
                await wait_until(lambda: client.appliances[oven].erds[OVEN_TIMER].raw == "002D")
                # Refused writes: an error from the service and a rate limit.
                simulator.fail_next(1, status=400, path="/v1/appliance/*/erd/*")
                with pytest.raises(CommandRefusedError):
                    await client.async_write_erd(oven, OVEN_TIMER, "0001")
                simulator.rate_limit_next(1)
                with pytest.raises(CommandRefusedError):
                    await client.async_write_erd(oven, OVEN_TIMER, "0001")
                # Frames in the style of GE's own ids and errors, naming the account.
                simulator.inject_frame(
                    json.dumps(
                        {
                            "kind": "websocket#api",
                            "id": f"{oven}-allErd",
                            "code": 500,
                            "reason": f"Appliance {oven} of {DEFAULT_ACCOUNT.user_id}",
                            "body": {
                                "message": f"no {oven.lower()} for {DEFAULT_ACCOUNT.username}"
                            },
                        }
                    )
                )
                simulator.inject_frame(f'{{"kind": "{oven}", "id": "{DEFAULT_ACCOUNT.user_id}"}}')
                simulator.inject_frame(f"not json {oven} {DEFAULT_ACCOUNT.user_id}")
                # The token lapses: refresh, reconnect, read everything again.
                simulator.auth.expire_access_tokens()
                simulator.drop_connections()
                await wait_until(lambda: listener.connection_calls[-2:] == [False, True])
            finally:
                await client.async_close()
    finally:
        await simulator.stop()

    serials = [
        decode_erd(SERIAL, appliance.erds[SERIAL]) for appliance in household.appliances.values()
    ]
    confidential = [
        DEFAULT_ACCOUNT.username,
        DEFAULT_ACCOUNT.password,
        DEFAULT_ACCOUNT.user_id,
        *simulator.auth.sent_codes,
        *(token.access_token for token in tokens_seen),
        *(token.refresh_token for token in tokens_seen),
        *macs,
        *(serial.value for serial in serials),
        *(serial.raw for serial in serials),
    ]
    assert len(tokens_seen) >= 2, "the session should have refreshed its token"
    assert all(serial.value for serial in serials)
    records = caplog.records
    assert any(record.getMessage().startswith("Sent") for record in records)
    assert any("setErd" in record.getMessage() for record in records)
    assert any("Full read" in record.getMessage() for record in records)
    logged = "\n".join([caplog.text, *(record.getMessage() for record in records)]).lower()
    for secret in confidential:
        assert secret.lower() not in logged, secret
