"""The simulated cloud itself, spoken to with raw requests: what it refuses and why."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp
import pytest

from custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud import LaMarzoccoCloud
from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import (
    HEADER_PROOF,
    InstallationKey,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.stomp import (
    StompFrame,
    connect_frame,
    dashboard_destination,
    decode_frame,
    encode_frame,
    subscribe_frame,
    unsubscribe_frame,
)
from simulators.lamarzocco.household import CommandRejected, default_household
from simulators.lamarzocco.server import API_PREFIX, WEBSOCKET_PATH, LaMarzoccoCloudSimulator

MICRA, MINI, GS3, PICO = "MR000001", "LM000002", "GS000003", "PG000004"


async def _headers(cloud: LaMarzoccoCloud) -> dict[str, str]:
    token = await cloud.async_access_token()
    return {**cloud.signed_headers(), "Authorization": f"Bearer {token}"}


async def test_init_with_a_wrong_proof_is_refused(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession
) -> None:
    headers, body = InstallationKey.generate().init_request()
    headers[HEADER_PROOF] = base64.b64encode(bytes(32)).decode()
    async with http.post(f"{sim.base_url}{API_PREFIX}/auth/init", json=body, headers=headers) as r:
        assert r.status == 401
    async with http.post(f"{sim.base_url}{API_PREFIX}/auth/init", data=b"{") as reply:
        assert reply.status == 401


async def test_rest_refusals(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession, cloud: LaMarzoccoCloud
) -> None:
    base = f"{sim.base_url}{API_PREFIX}"
    unsigned_bearer = {**cloud.signed_headers(), "Authorization": "Bearer nope"}
    async with http.post(f"{base}/things/{MICRA}/command/X", json={}, headers=unsigned_bearer) as r:
        assert r.status == 401
    command = f"{base}/things/XX000000/command/CoffeeMachineChangeMode"
    async with http.post(command, json={}, headers=await _headers(cloud)) as reply:
        assert reply.status == 404
    command = f"{base}/things/{MICRA}/command/CoffeeMachineChangeMode"
    async with http.post(command, json=[1], headers=await _headers(cloud)) as reply:
        assert reply.status == 400


@pytest.mark.parametrize(
    ("serial", "name", "body"),
    [
        (MICRA, "CoffeeMachineSettingCoffeeBoilerTargetTemperature", {"boilerIndex": 1}),
        (
            MICRA,
            "CoffeeMachineSettingCoffeeBoilerTargetTemperature",
            {"boilerIndex": 1, "targetTemperature": 100.05},
        ),
        (MICRA, "CoffeeMachineChangeMode", {"mode": "Off"}),
        (MICRA, "CoffeeMachineSettingSteamBoilerEnabled", {"boilerIndex": 1, "enabled": "yes"}),
        (MICRA, "CoffeeMachineSettingSteamBoilerEnabled", {"boilerIndex": 2, "enabled": True}),
        (MICRA, "GrinderChangeMode", {"mode": "StandBy"}),
        (
            MICRA,
            "CoffeeMachineSettingSteamBoilerTargetTemperature",
            {"boilerIndex": 1, "targetTemperature": 130},
        ),
        (MICRA, "CoffeeMachineBackFlushStartCleaning", {"enabled": False}),
        (MICRA, "CoffeeMachineBrewByWeightChangeMode", {"mode": "Dose1"}),
        (GS3, "CoffeeMachinePreBrewingChangeMode", {"mode": "Sometimes"}),
    ],
)
def test_household_refuses_bodies(serial: str, name: str, body: dict[str, Any]) -> None:
    machine = default_household().machines[serial]
    with pytest.raises(CommandRejected):
        machine.apply(name, body)


def test_household_commands_change_state() -> None:
    household = default_household()
    gs3, pico, mini = household.machines[GS3], household.machines[PICO], household.machines[MINI]
    gs3.apply(
        "CoffeeMachineSettingSteamBoilerTargetTemperature",
        {"boilerIndex": 1, "targetTemperature": 130.5},
    )
    gs3.apply("CoffeeMachineSettingSteamBoilerEnabled", {"boilerIndex": 1, "enabled": False})
    gs3.apply("CoffeeMachinePreBrewingChangeMode", {"mode": "PreInfusion"})
    gs3.apply("CoffeeMachineBackFlushStartCleaning", {"enabled": True})
    assert (gs3.steam_target, gs3.steam_enabled, gs3.prebrew_mode, gs3.backflush) == (
        130.5,
        False,
        "PreInfusion",
        "Requested",
    )
    pico.apply("GrinderChangeMode", {"mode": "GrindingMode"})
    assert pico.mode == "GrindingMode"
    mini.apply("CoffeeMachineBrewByWeightChangeMode", {"mode": "Dose2"})
    assert mini.bbw_mode == "Dose2"


async def test_websocket_conversation(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession, cloud: LaMarzoccoCloud
) -> None:
    url = f"{sim.base_url}{WEBSOCKET_PATH}"
    token = await cloud.async_access_token()
    async with http.ws_connect(url, headers=cloud.signed_headers()) as ws:
        await ws.send_str(encode_frame(connect_frame("not-a-token")))
        assert decode_frame((await ws.receive(timeout=2)).data).command == "ERROR"
    async with http.ws_connect(url, headers=cloud.signed_headers()) as ws:
        await ws.send_bytes(b"CONNECT")
        assert decode_frame((await ws.receive(timeout=2)).data).command == "ERROR"
    async with http.ws_connect(url, headers=cloud.signed_headers()) as ws:
        await ws.send_str("garbage")
        assert decode_frame((await ws.receive(timeout=2)).data).command == "ERROR"
    async with http.ws_connect(url, headers=cloud.signed_headers()) as ws:
        await ws.send_str(encode_frame(connect_frame(token)))
        assert decode_frame((await ws.receive(timeout=2)).data).command == "CONNECTED"
        await ws.send_str("not a frame")
        await ws.send_str(encode_frame(subscribe_frame(dashboard_destination(MICRA), "s1")))
        await ws.send_str(encode_frame(subscribe_frame(dashboard_destination(GS3), "s2")))
        await ws.send_str(encode_frame(unsubscribe_frame("s2")))
        await asyncio.sleep(0.05)
        sim.household.start_brewing(GS3)
        sim.household.start_brewing(MICRA)
        message = decode_frame((await ws.receive(timeout=2)).data)
        assert message.header("destination") == dashboard_destination(MICRA)
        assert message.header("subscription") == "s1"
        await ws.send_bytes(b"\x00")
        await asyncio.sleep(0.05)
        assert sim.open_sockets == 0
    assert isinstance(StompFrame("ERROR"), StompFrame)


async def test_more_refusals_and_a_stop_with_work_pending(
    http: aiohttp.ClientSession, cloud: LaMarzoccoCloud, sim: LaMarzoccoCloudSimulator
) -> None:
    base = f"{sim.base_url}{API_PREFIX}"
    async with http.get(f"{base}/things/{MICRA}/dashboard", headers=cloud.signed_headers()) as r:
        assert r.status == 401
    url = f"{sim.base_url}{WEBSOCKET_PATH}"
    token = await cloud.async_access_token()
    async with http.ws_connect(url, headers=cloud.signed_headers()) as ws:
        await ws.send_str(f"CONNECT\nAuthorization:Bearer {token}\n\n\0")
        assert decode_frame((await ws.receive(timeout=2)).data).command == "ERROR"
    sim.command_delay = 30
    command = f"{base}/things/{MICRA}/command/CoffeeMachineChangeMode"
    async with http.post(command, json={"mode": "StandBy"}, headers=await _headers(cloud)) as r:
        assert (await r.json())[0]["status"] == "Pending"
    await sim.stop()
    assert sim.household.machines[MICRA].mode == "BrewingMode"
