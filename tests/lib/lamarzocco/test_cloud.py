"""The signed REST client against the simulated cloud over 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    AuthError,
    CommandRefusedError,
    ConnectionFailedError,
    InvalidValueError,
    ProtocolError,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco import commands
from custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud import (
    CLOUD,
    Endpoints,
    LaMarzoccoCloud,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.dashboard import (
    BrewByWeight,
    RawWidget,
    Scale,
    SteamBoilerLevel,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import (
    HEADER_SIGNATURE,
    InstallationKey,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.models import ModelCode, ThingType
from custom_components.kitchen_connect.kitchenlib.lamarzocco.tokens import (
    PrivacyPolicyError,
    RequestBlockedError,
)
from simulators.lamarzocco.household import default_household
from simulators.lamarzocco.server import (
    API_PREFIX,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    LaMarzoccoCloudSimulator,
)

from .conftest import Clock

MICRA, MINI, GS3, PICO = "MR000001", "LM000002", "GS000003", "PG000004"


def _client(
    http: aiohttp.ClientSession,
    sim: LaMarzoccoCloudSimulator,
    *,
    password: str = DEFAULT_PASSWORD,
    key: InstallationKey | None = None,
) -> LaMarzoccoCloud:
    return LaMarzoccoCloud(
        http,
        key or InstallationKey.generate(),
        DEFAULT_USERNAME,
        password,
        endpoints=Endpoints.for_server(sim.base_url),
    )


def test_endpoints() -> None:
    assert CLOUD.api == "https://lion.lamarzocco.io/api/customer-app"
    assert CLOUD.websocket == "wss://lion.lamarzocco.io/ws/connect"


async def test_things_and_dashboards_of_every_model(cloud: LaMarzoccoCloud) -> None:
    things = await cloud.async_things()
    models = {thing.serial_number: thing.model for thing in things}
    assert models == {
        MICRA: ModelCode.LINEA_MICRA,
        MINI: ModelCode.LINEA_MINI,
        GS3: ModelCode.GS3_AV,
        PICO: ModelCode.PICO_GRINDER,
    }
    micra = await cloud.async_dashboard(MICRA)
    steam = micra.widget("CMSteamBoilerLevel")
    assert steam is not None
    assert isinstance(steam.output, SteamBoilerLevel)
    assert steam.output.target_level == "Level3"
    mini = await cloud.async_dashboard(MINI)
    scale = mini.widget("ThingScale")
    assert scale is not None
    assert isinstance(scale.output, Scale)
    assert scale.output.connected
    bbw = mini.widget("CMBrewByWeightDoses")
    assert bbw is not None
    assert isinstance(bbw.output, BrewByWeight)
    pico = await cloud.async_dashboard(PICO)
    assert pico.widget("GBaristaLight") is not None
    assert (await cloud.async_dashboard(GS3)).thing.name == "GS3"


async def test_unknown_serial_is_a_protocol_error(cloud: LaMarzoccoCloud) -> None:
    with pytest.raises(ProtocolError):
        await cloud.async_dashboard("XX999999")
    with pytest.raises(InvalidValueError):
        await cloud.async_dashboard("../things")


async def test_bad_credentials_are_an_auth_error(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession
) -> None:
    client = _client(http, sim, password="wrong")
    await client.async_register()
    with pytest.raises(AuthError) as caught:
        await client.async_sign_in()
    assert type(caught.value) is AuthError


async def test_privacy_policy_refusal_has_its_own_error(
    sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud
) -> None:
    sim.auth.require_privacy_policy = True
    with pytest.raises(PrivacyPolicyError):
        await cloud.async_things()


async def test_cloudfront_block_is_surfaced(
    sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud
) -> None:
    await cloud.async_sign_in()
    sim.blocked = True
    with pytest.raises(RequestBlockedError):
        await cloud.async_things()
    with pytest.raises(RequestBlockedError):
        await cloud.async_register()
    sim.blocked = False
    assert len(await cloud.async_things()) == 4


async def test_unregistered_key_is_refused(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(RequestBlockedError):
        await _client(http, sim).async_sign_in()


async def test_server_verifies_every_signature(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession, cloud: LaMarzoccoCloud
) -> None:
    body = {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}
    url = f"{sim.base_url}{API_PREFIX}/auth/signin"
    headers = cloud.key.signed_headers()
    signature = headers[HEADER_SIGNATURE]
    tampered = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    async with http.post(url, json=body, headers={**headers, HEADER_SIGNATURE: tampered}) as r:
        assert r.status == 403
    async with http.post(url, json=body, headers=headers) as reply:
        assert reply.status == 200
    # The same nonce again is a replay.
    async with http.post(url, json=body, headers=headers) as reply:
        assert reply.status == 403
    async with http.get(f"{sim.base_url}{API_PREFIX}/things") as reply:
        assert reply.status == 412
    async with http.get(
        f"{sim.base_url}{API_PREFIX}/things", headers=cloud.key.signed_headers()
    ) as reply:
        assert reply.status == 401


async def test_refresh_ahead_of_expiry_then_re_sign_in(
    sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud, clock: Clock
) -> None:
    first = await cloud.async_sign_in()
    clock.offset = 3600 - 300  # within the ten-minute margin, still valid
    await cloud.async_things()
    assert sim.count("/auth/refreshtoken") == 1
    assert cloud.tokens is not None
    assert cloud.tokens.access_token != first.access_token
    sim.auth.revoke_refresh_tokens(DEFAULT_USERNAME)
    clock.offset = 2 * 3600 - 400
    await cloud.async_things()
    assert sim.count("/auth/refreshtoken") == 2
    assert sim.count("/auth/signin") == 2


async def test_lapsed_token_signs_in_again(
    sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud, clock: Clock
) -> None:
    await cloud.async_things()
    clock.offset = 3601
    await cloud.async_things()
    assert sim.count("/auth/signin") == 2
    assert sim.count("/auth/refreshtoken") == 0


async def test_token_refused_early_signs_in_again(
    sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud
) -> None:
    await cloud.async_things()
    sim.auth.expire_access_tokens()
    assert len(await cloud.async_things()) == 4
    assert sim.count("/auth/signin") == 2


async def test_concurrent_callers_share_one_refresh(
    sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud, clock: Clock
) -> None:
    await cloud.async_sign_in()
    clock.offset = 3600 - 60
    await asyncio.gather(*(cloud.async_dashboard(MICRA) for _ in range(8)))
    assert sim.count("/auth/refreshtoken") == 1
    assert sim.count("/auth/signin") == 1


async def test_unreachable_cloud_is_a_connection_error(http: aiohttp.ClientSession) -> None:
    sim = LaMarzoccoCloudSimulator()
    await sim.start()
    client = _client(http, sim)
    await sim.stop()
    with pytest.raises(ConnectionFailedError):
        await client.async_register()


async def test_timeouts_are_range_checked(http: aiohttp.ClientSession) -> None:
    key = InstallationKey.generate()
    with pytest.raises(ValueError, match="timeout"):
        LaMarzoccoCloud(http, key, "a", "b", request_timeout=0)
    with pytest.raises(ValueError, match="timeout"):
        LaMarzoccoCloud(http, key, "a", "b", command_timeout=1e9)


async def test_command_without_push_times_out(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession
) -> None:
    client = LaMarzoccoCloud(
        http,
        InstallationKey.generate(),
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        endpoints=Endpoints.for_server(sim.base_url),
        command_timeout=0.2,
    )
    await client.async_register()
    with pytest.raises(CommandRefusedError, match="no result"):
        await client.async_send_command(MICRA, commands.change_mode("StandBy"))


async def test_command_body_the_machine_refuses(
    sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud
) -> None:
    # The simulator checks the body itself: a GS3 AV has no steam levels.
    with pytest.raises(CommandRefusedError, match="400"):
        await cloud.async_send_command(GS3, commands.steam_level("Level1"))
    assert sim.household.machines[GS3].steam_level is None


async def test_blocked_refresh_is_not_a_sign_in(
    sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud, clock: Clock
) -> None:
    await cloud.async_sign_in()
    clock.offset = 3600 - 60
    sim.blocked = True
    with pytest.raises(RequestBlockedError):
        await cloud.async_access_token()
    assert sim.count("/auth/signin") == 1


@pytest.fixture
async def odd_server() -> AsyncIterator[str]:
    """A server whose replies are not what the cloud sends: HTML with 200, a huge body."""

    async def html(_request: web.Request) -> web.Response:
        return web.Response(text="<html>maintenance</html>", content_type="text/html")

    async def huge(_request: web.Request) -> web.Response:
        return web.Response(body=b"[" + b"0," * (3 << 20) + b"0]")

    app = web.Application()
    app.router.add_post(f"{API_PREFIX}/auth/init", html)
    app.router.add_post(f"{API_PREFIX}/auth/signin", huge)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


async def test_replies_that_are_not_json(odd_server: str, http: aiohttp.ClientSession) -> None:
    client = LaMarzoccoCloud(
        http,
        InstallationKey.generate(),
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        endpoints=Endpoints.for_server(odd_server),
    )
    with pytest.raises(ProtocolError, match="not JSON"):
        await client.async_register()
    with pytest.raises(ProtocolError, match="too large"):
        await client.async_sign_in()


async def test_concurrent_401s_cause_one_sign_in(
    cloud: LaMarzoccoCloud, sim: LaMarzoccoCloudSimulator
) -> None:
    """Five requests refused with the same revoked token: one sign-in, not one each."""
    await cloud.async_dashboard(MICRA)
    sim.auth.expire_access_tokens()
    gate = sim.rest_gate = asyncio.Semaphore(0)
    calls = asyncio.gather(*(cloud.async_dashboard(MICRA) for _ in range(5)))
    await _until(lambda: sim.held == 5)
    # The first refusal comes back alone and its sign-in completes before the others.
    gate.release()
    await _until(lambda: sim.count("/auth/signin") == 2 and sim.held == 5)
    for _ in range(20):
        gate.release()
    dashboards = await calls
    assert {dashboard.thing.name for dashboard in dashboards} == {"Micra"}
    assert sim.count("/auth/signin") == 2


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polls the simulator's counters
            await asyncio.sleep(0.005)


async def test_privacy_policy_acceptance_records_consents_and_signs_in(
    sim: LaMarzoccoCloudSimulator, cloud: LaMarzoccoCloud
) -> None:
    sim.require_policy = True
    with pytest.raises(PrivacyPolicyError):
        await cloud.async_sign_in()
    with pytest.raises(PrivacyPolicyError):
        await cloud.async_things()
    await cloud.async_accept_privacy_policy(profile_data=True, commercial=False)
    assert sim.auth.policy_consents == {DEFAULT_USERNAME: (True, False)}
    assert sim.count("/auth/signin") == 3
    assert len(await cloud.async_things()) == 4
    assert sim.count("/auth/signin") == 3


async def test_privacy_policy_acceptance_with_a_wrong_password(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession
) -> None:
    sim.require_policy = True
    client = _client(http, sim, password="wrong")
    await client.async_register()
    with pytest.raises(AuthError):
        await client.async_accept_privacy_policy(profile_data=False, commercial=False)
    assert sim.auth.policy_consents == {}


async def test_things_with_coffee_station_and_unsupported_things(
    http: aiohttp.ClientSession,
) -> None:
    async with LaMarzoccoCloudSimulator(household=default_household(extra_things=True)) as sim:
        client = _client(http, sim)
        await client.async_register()
        things = {thing.serial_number: thing for thing in await client.async_things()}
        station = things[MINI].coffee_station
        assert station is not None
        assert station.machine_serial == MINI
        scale = station.scale
        assert scale is not None
        assert (scale.accessory_type, scale.name, scale.connected, scale.battery_level) == (
            "ScaleAcaiaLunar",
            "LMZ-SIM01",
            True,
            80.0,
        )
        assert things[MICRA].coffee_station is None
        strada, swan = things["SR000005"], things["SG000006"]
        assert (strada.model, strada.supported, strada.is_coffee_machine) == (
            ModelCode.STRADA_X,
            False,
            True,
        )
        assert (swan.model, swan.supported, swan.thing_type) == (
            ModelCode.SWAN_GRINDER,
            False,
            ThingType.GRINDER,
        )
        # Shown with model and firmware only: the dashboard holds nothing we know.
        dashboard = await client.async_dashboard("SR000005")
        assert all(isinstance(widget.output, RawWidget) for widget in dashboard.widgets)
        gateway = (await client.async_settings("SG000006")).gateway_version
        assert gateway == "v5.1.2"
