"""The simulated SmartHQ service, spoken to with a raw websocket: frames as GE sends them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import json
import re
from typing import Any

import aiohttp
import pytest

from custom_components.kitchen_connect.kitchenlib.ge.endpoints import Region
from custom_components.kitchen_connect.kitchenlib.ge.login import MfaRequired, SmartHqLogin
from simulators.ge import (
    DEFAULT_ACCOUNT,
    SmartHqSimulator,
)
from simulators.ge.__main__ import (
    DEFAULT_PORT,
    _parse_args,
    _serve,
    _simulator,
    main,
)
from simulators.ge.auth_pages import AuthScenario
from simulators.ge.household import (
    Household,
    SimAppliance,
    default_household,
)

USER_ID = DEFAULT_ACCOUNT.user_id
OVEN = "D828C9404C01"
AC = "D828C9404C09"
HOST = "api.test"


class CountingHousehold(Household):
    """A household that remembers how much simulated time passed."""

    def __init__(self) -> None:
        super().__init__(
            [
                SimAppliance(
                    OVEN,
                    "Kitchen oven",
                    "Oven",
                    "GE",
                    erds={0x0007: "00", 0x0008: "07", 0x5105: "0000", 0x5101: "00"},
                ),
                SimAppliance(
                    AC,
                    "Bedroom AC",
                    "Split Air Conditioner",
                    "Unknown",
                    erds={0x7A02: "5A", 0x7B07: "00"},
                ),
            ]
        )
        self.ticked: list[float] = []

    def tick(self, seconds: float) -> None:
        self.ticked.append(seconds)
        super().tick(seconds)


@pytest.fixture
async def simulator() -> AsyncIterator[SmartHqSimulator]:
    """A simulator with a two-appliance household."""
    async with SmartHqSimulator(household=CountingHousehold(), tick_interval=0) as sim:
        yield sim


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP session."""
    async with aiohttp.ClientSession() as session:
        yield session


async def _endpoint(sim: SmartHqSimulator, http: aiohttp.ClientSession) -> dict[str, Any]:
    token = sim.auth.issue_tokens_for(USER_ID)["access_token"]
    async with http.get(
        f"{sim.base_url}/v1/websocket", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 200
        body: dict[str, Any] = await response.json()
    return body


class Socket:
    """A raw account websocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.skipped: list[dict[str, Any]] = []  # frames passed over while waiting

    async def receive(self) -> dict[str, Any]:
        message = await self.ws.receive(timeout=2)
        assert message.type is aiohttp.WSMsgType.TEXT, message
        frame: dict[str, Any] = json.loads(message.data)
        return frame

    async def receive_kind(self, kind: str) -> dict[str, Any]:
        for frame in self.skipped:
            if frame["kind"] == kind:
                self.skipped.remove(frame)
                return frame
        while (frame := await self.receive())["kind"] != kind:
            self.skipped.append(frame)
        return frame

    async def api(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "kind": "websocket#api",
            "action": "api",
            "host": HOST,
            "method": method,
            "path": path,
            "id": f"{method}{path}",
        }
        if body is not None:
            frame["body"] = body
        await self.ws.send_str(json.dumps(frame))
        reply = await self.receive_kind("websocket#api")
        assert reply["id"] == f"{method}{path}"
        assert reply["request"] == {"host": HOST, "method": method, "path": path}
        return reply


@pytest.fixture
async def sock(simulator: SmartHqSimulator, http: aiohttp.ClientSession) -> AsyncIterator[Socket]:
    """An open, subscribed account websocket."""
    endpoint = await _endpoint(simulator, http)
    async with http.ws_connect(endpoint["endpoint"]) as ws:
        raw = Socket(ws)
        assert await raw.receive() == {"kind": "websocket#connect", "success": True}
        await ws.send_str(
            '{"kind":"websocket#subscribe","action":"subscribe","resources":["/appliance/*/erd/*"]}'
        )
        assert await raw.receive() == {
            "resource": "/appliance/*/erd/*",
            "kind": "websocket#subscription",
            "success": True,
            "change": "ADDED",
        }
        yield raw


def _write_body(mac: str, erd: str, value: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "appliance#erdListEntry",
        "userId": USER_ID,
        "applianceId": mac,
        "erd": erd,
        "value": value,
        "ackTimeout": 10,
        "delay": 0,
        **changes,
    }


async def test_default_simulator_serves_the_default_household_on_loopback() -> None:
    """No arguments: GE's ten-appliance household, the default account, 127.0.0.1."""
    sim = SmartHqSimulator()
    assert len(sim.household.appliances) == 10
    assert sim.accounts == [DEFAULT_ACCOUNT]
    await sim.start()
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sim.base_url)
        assert sim.endpoints.api_url == sim.base_url
        assert sim.endpoints.login_url == sim.base_url
    finally:
        await sim.stop()


async def test_endpoint_needs_a_valid_bearer_token(
    simulator: SmartHqSimulator, http: aiohttp.ClientSession
) -> None:
    """No token or an unknown one: 401. A valid one: a single-use loopback websocket URL."""
    url = f"{simulator.base_url}/v1/websocket"
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
        async with http.get(url, headers=headers) as response:
            assert response.status == 401
    endpoint = await _endpoint(simulator, http)
    assert endpoint["kind"] == "websocket#endpoint"
    assert endpoint["userId"] == USER_ID
    assert re.fullmatch(
        rf"ws://127\.0\.0\.1:{simulator.port}/ws\?access_token=[\w-]+", endpoint["endpoint"]
    )


async def test_websocket_url_is_single_use(
    simulator: SmartHqSimulator, http: aiohttp.ClientSession
) -> None:
    """The credential in the URL works once; a made-up one never."""
    endpoint = await _endpoint(simulator, http)
    async with http.ws_connect(endpoint["endpoint"]):
        pass
    for url in (endpoint["endpoint"], f"ws://127.0.0.1:{simulator.port}/ws?access_token=x"):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url)
        assert refused.value.status == 401


async def test_ping_and_noise(simulator: SmartHqSimulator, sock: Socket) -> None:
    """A JSON ping gets a pong with its id; noise is ignored without closing the socket."""
    await sock.ws.send_str("not json")
    await sock.ws.send_str("[1, 2]")
    await sock.ws.send_str('{"kind":"websocket#unknown"}')
    await sock.ws.send_str('{"kind":"websocket#ping","id":"keepalive-ping","action":"ping"}')
    assert await sock.receive() == {"kind": "websocket#pong", "id": "keepalive-ping"}
    assert [record.kind for record in simulator.request_log[-2:]] == ["subscribe", "ping"]
    assert [record.path for record in simulator.records("http")] == ["/v1/websocket", "/ws"]


async def test_pings_can_go_unanswered(simulator: SmartHqSimulator, sock: Socket) -> None:
    """With answer_pings off, a ping is logged but gets no pong."""
    simulator.answer_pings = False
    await sock.ws.send_str('{"kind":"websocket#ping","id":"keepalive-ping","action":"ping"}')
    with pytest.raises(TimeoutError):
        await sock.ws.receive(timeout=0.2)
    assert len(simulator.records("ping")) == 1


async def test_appliance_list(simulator: SmartHqSimulator, sock: Socket) -> None:
    """The list carries id, human type label, brand, jid, nickname and ONLINE/OFFLINE."""
    simulator.set_online(AC.lower(), False)
    reply = await sock.api("GET", "/v1/appliance")
    assert (reply["success"], reply["code"]) == (True, 200)
    assert reply["body"] == {
        "kind": "appliance#applianceList",
        "userId": USER_ID,
        "items": [
            {
                "applianceId": OVEN,
                "type": "Oven",
                "brand": "GE",
                "jid": f"{OVEN.lower()}_{USER_ID}",
                "nickname": "Kitchen oven",
                "online": "ONLINE",
            },
            {
                "applianceId": AC,
                "type": "Split Air Conditioner",
                "brand": "Unknown",
                "jid": f"{AC.lower()}_{USER_ID}",
                "nickname": "Bedroom AC",
                "online": "OFFLINE",
            },
        ],
    }
    assert simulator.records("api")[-1].path == "/v1/appliance"
    assert simulator.records("api")[-1].method == "GET"


def _listed(reply: dict[str, Any]) -> list[str]:
    return [item["applianceId"] for item in reply["body"]["items"]]


async def test_appliances_can_be_left_out_of_lists(
    simulator: SmartHqSimulator, sock: Socket
) -> None:
    """leave_out_of_lists skips an appliance for that many lists; it still pushes meanwhile."""
    simulator.leave_out_of_lists({AC.lower()}, 2)
    simulator.leave_out_of_lists({OVEN}, 1, user_id="someone-else")
    assert _listed(await sock.api("GET", "/v1/appliance")) == [OVEN]
    simulator.household.set_erd(AC, 0x7A02, "50")
    assert (await sock.receive_kind("publish#erd"))["item"]["applianceId"] == AC
    assert (await sock.api("GET", f"/v1/appliance/{AC}/erd"))["code"] == 200
    assert _listed(await sock.api("GET", "/v1/appliance")) == [OVEN]
    assert _listed(await sock.api("GET", "/v1/appliance")) == [OVEN, AC]


async def test_full_read_uses_mixed_case_codes(simulator: SmartHqSimulator, sock: Socket) -> None:
    """Every ERD with its value and a time; codes in both cases, as the real service sends."""
    reply = await sock.api("GET", f"/v1/appliance/{OVEN.lower()}/erd")
    body = reply["body"]
    assert (body["kind"], body["applianceId"], body["userId"]) == (
        "appliance#erdList",
        OVEN,
        USER_ID,
    )
    items = {item["erd"]: item["value"] for item in body["items"]}
    assert items == {"0x0007": "00", "0x0008": "07", "0x5101": "00", "0x5105": "0000"}
    simulator.household.set_erd(AC, 0x7A02, "4D")
    await sock.receive_kind("publish#erd")
    ac_items = (await sock.api("GET", f"/v1/appliance/{AC}/erd"))["body"]["items"]
    assert [item["erd"] for item in ac_items] == ["0x7A02", "0x7b07"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", item["time"]) for item in ac_items)
    missing = await sock.api("GET", "/v1/appliance/FFFFFFFFFFFF/erd")
    assert missing["code"] == 404
    assert missing["body"]["kind"] == "error"


async def test_write_is_applied_acknowledged_and_published(
    simulator: SmartHqSimulator, sock: Socket
) -> None:
    """setErd: the household applies it, the reply says success, then the push follows."""
    path = f"/v1/appliance/{OVEN}/erd/0x5105"
    reply = await sock.api("POST", path, _write_body(OVEN, "0x5105", "002d"))
    assert (reply["code"], reply["body"]) == (200, {"status": "success"})
    assert simulator.household.write_log == [(OVEN, 0x5105, "002D")]
    publish = await sock.receive_kind("publish#erd")
    assert publish["item"]["value"] == "002D"
    assert publish["item"]["erd"] == "0x5105"
    assert publish["resource"] == f"/appliance/{OVEN}/erd/0x5105"
    assert publish["userId"] == USER_ID

    simulator.write_ack_status = "timeout"
    reply = await sock.api("POST", path, _write_body(OVEN, "0x5105", "0000"))
    assert reply["body"] == {"status": "timeout"}


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        (f"/v1/appliance/{OVEN}/erd/0x5105", {"kind": "other"}, 400),
        (f"/v1/appliance/{OVEN}/erd/0x5105", [], 400),
        (f"/v1/appliance/{OVEN}/erd/0x5105", _write_body(OVEN, "0x5105", "0x2d"), 400),
        (f"/v1/appliance/{OVEN}/erd/0x5105", _write_body(OVEN, "0x5105", "2"), 400),
        (f"/v1/appliance/{OVEN}/erd/0x5105", _write_body(OVEN, "0x5104", "00"), 400),
        (f"/v1/appliance/{OVEN}/erd/0x5105", _write_body(AC, "0x5105", "00"), 400),
        (f"/v1/appliance/{OVEN}/erd/0x5105", _write_body(OVEN, "0x5105", "00", userId="x"), 400),
        (f"/v1/appliance/{OVEN}/erd/51", _write_body(OVEN, "51", "00"), 400),
        ("/v1/appliance/FFFFFFFFFFFF/erd/0x5105", _write_body(OVEN, "0x5105", "00"), 404),
        ("/v1/elsewhere", {}, 404),
    ],
)
async def test_bad_writes_are_refused(
    simulator: SmartHqSimulator, sock: Socket, path: str, body: Any, code: int
) -> None:
    """Malformed or misdirected writes get an error code and reach no appliance."""
    reply = await sock.api("POST", path, body)
    assert reply["code"] == code
    assert reply["body"]["kind"] == "error"
    assert reply["body"]["code"] == code
    assert simulator.household.write_log == []


async def test_rate_limit_answers_429_with_success_true(
    simulator: SmartHqSimulator, sock: Socket
) -> None:
    """The next n calls are refused the way GE refuses them; then service resumes."""
    simulator.rate_limit_next(2)
    for _ in range(2):
        reply = await sock.api("GET", "/v1/appliance")
        assert (reply["success"], reply["code"]) == (True, 429)
        assert reply["body"]["reason"] == (
            "Exceeded limit of 600 requests per minute per appId per userId."
        )
    assert (await sock.api("GET", "/v1/appliance"))["code"] == 200


async def test_chosen_api_calls_fail_with_the_chosen_status(
    simulator: SmartHqSimulator, sock: Socket
) -> None:
    """fail_next refuses only matching paths, only as often as asked."""
    simulator.fail_next(2, path="/v1/appliance/*/erd")
    simulator.fail_next(1, status=500, path="/v1/appliance")
    reply = await sock.api("GET", f"/v1/appliance/{OVEN}/erd")
    assert (reply["code"], reply["body"]["message"]) == (503, "Service Unavailable")
    assert (await sock.api("GET", "/v1/appliance"))["code"] == 500
    assert (await sock.api("GET", "/v1/appliance"))["code"] == 200
    assert (await sock.api("GET", f"/v1/appliance/{AC}/erd"))["code"] == 503
    assert (await sock.api("GET", f"/v1/appliance/{AC}/erd"))["code"] == 200
    simulator.fail_next(0, path="*")
    assert (await sock.api("GET", "/v1/appliance"))["code"] == 200


async def test_expired_token_is_refused_mid_session(
    simulator: SmartHqSimulator, sock: Socket
) -> None:
    """Once the session's access token lapses, API calls answer 401 "Access token expired"."""
    simulator.auth.expire_access_tokens()
    reply = await sock.api("GET", "/v1/appliance")
    assert reply["code"] == 401
    assert reply["reason"] == "Access token expired"


async def test_pushes_follow_subscriptions_and_online_state(
    simulator: SmartHqSimulator, http: aiohttp.ClientSession
) -> None:
    """Only subscribed resources are pushed, and offline appliances push nothing."""
    endpoint = await _endpoint(simulator, http)
    async with http.ws_connect(endpoint["endpoint"]) as ws:
        raw = Socket(ws)
        simulator.household.set_erd(AC, 0x7A02, "40")  # before any subscription
        await ws.send_str(
            json.dumps(
                {
                    "kind": "websocket#subscribe",
                    "action": "subscribe",
                    "resources": [f"/appliance/{OVEN}/erd/*", 7],
                }
            )
        )
        assert (await raw.receive_kind("websocket#subscription"))["resource"].endswith("/erd/*")
        assert simulator.records("subscribe")[-1].path == f"/appliance/{OVEN}/erd/*"
        simulator.household.set_erd(AC, 0x7A02, "41")
        simulator.set_online(OVEN, False)
        simulator.household.set_erd(OVEN, 0x5105, "0001")
        simulator.set_online(OVEN, True)
        simulator.household.set_erd(OVEN, 0x5105, "0002")
        publish = await raw.receive_kind("publish#erd")
        assert publish["item"] == {
            "applianceId": OVEN,
            "erd": "0x5105",
            "time": publish["item"]["time"],
            "value": "0002",
        }


async def test_connections_are_cut_after_their_lifetime(http: aiohttp.ClientSession) -> None:
    """Like GE's one-hour limit, scaled down."""
    async with SmartHqSimulator(
        household=CountingHousehold(), tick_interval=0, connection_lifetime=0.1
    ) as sim:
        async with http.ws_connect((await _endpoint(sim, http))["endpoint"]) as ws:
            await ws.receive(timeout=1)  # the connect notice
            closing = await ws.receive(timeout=1)
            assert closing.type is aiohttp.WSMsgType.CLOSE
        assert sim.open_connections == 0


async def test_drop_connections_and_inject_frames(
    simulator: SmartHqSimulator, sock: Socket
) -> None:
    """Injected text arrives verbatim; dropping closes every socket from the server side."""
    assert simulator.open_connections == 1
    simulator.inject_frame("garbage")
    message = await sock.ws.receive(timeout=1)
    assert message.data == "garbage"
    simulator.drop_connections()
    assert (await sock.ws.receive(timeout=1)).type is aiohttp.WSMsgType.CLOSE


async def test_time_passes_on_the_tick_interval() -> None:
    """Every tick_interval the household advances by that many seconds."""
    household = CountingHousehold()
    async with SmartHqSimulator(household=household, tick_interval=0.02):
        await asyncio.sleep(0.15)
    assert len(household.ticked) >= 3
    assert set(household.ticked) == {0.02}
    count = len(household.ticked)
    await asyncio.sleep(0.05)
    assert len(household.ticked) == count  # stopped with the simulator


async def test_cli_serves_the_default_household(
    capsys: pytest.CaptureFixture[str], http: aiohttp.ClientSession
) -> None:
    """The command line prints where it listens and how to sign in."""
    server = asyncio.create_task(_serve(_simulator(_parse_args(["--tick", "0"])), 0))
    try:
        out = ""
        async with asyncio.timeout(3):
            while "Sign in" not in out:
                await asyncio.sleep(0.01)
                out += capsys.readouterr().out
        match = re.search(r"at (http://127\.0\.0\.1:\d+)", out)
        assert match is not None, out
        assert f"{DEFAULT_ACCOUNT.username} / {DEFAULT_ACCOUNT.password}" in out
        async with http.get(f"{match[1]}/v1/websocket") as response:
            assert response.status == 401
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


def test_cli_defaults() -> None:
    """Port 8766 and five-second simulated-time steps unless told otherwise."""
    args = _parse_args([])
    assert (args.port, args.tick) == (DEFAULT_PORT, 5.0) == (8766, 5.0)
    assert _parse_args(["--port", "0", "--tick", "1"]).port == 0


def test_cli_help_names_every_switch(capsys: pytest.CaptureFixture[str]) -> None:
    """--help exits 0 and explains each misbehaviour the simulator can show."""
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for switch in (
        "--mfa",
        "--mfa-methods",
        "--mfa-nudge",
        "--mfa-setup-required",
        "--terms",
        "--terms-in-app-only",
        "--no-authorisation-page",
        "--unknown-page",
        "--token-lifetime",
        "--keep-refresh-tokens",
        "--code-lifetime",
        "--connection-lifetime",
        "--rate-limit",
        "--fail-list",
        "--fail-reads",
        "--fail-writes",
        "--fail-status",
        "--write-ack-timeout",
        "--no-pongs",
        "--offline",
        "--leave-out",
        "--leave-out-lists",
        "--region",
    ):
        assert switch in text
    assert "one-time code" in text


def test_cli_without_switches_builds_the_plain_simulator() -> None:
    """No switch: GE's happy path, as the tests' default simulator."""
    sim = _simulator(_parse_args([]))
    plain = SmartHqSimulator()
    assert sim.auth.scenario == plain.auth.scenario
    assert sim.accounts == [DEFAULT_ACCOUNT]
    assert (sim.connection_lifetime, sim.write_ack_status, sim.answer_pings) == (
        plain.connection_lifetime,
        plain.write_ack_status,
        plain.answer_pings,
    )
    assert all(appliance.online for appliance in sim.household.appliances.values())


def test_cli_switches_reach_the_simulator() -> None:
    """Every sign-in and websocket switch ends up in the simulator it builds."""
    oven = next(iter(default_household().appliances))
    args = _parse_args(
        [
            "--mfa",
            "--mfa-methods",
            "sms",
            "--mfa-nudge",
            "--mfa-setup-required",
            "--terms",
            "--terms-in-app-only",
            "--no-authorisation-page",
            "--unknown-page",
            "Are you a robot?",
            "--token-lifetime",
            "120",
            "--keep-refresh-tokens",
            "--code-lifetime",
            "30",
            "--connection-lifetime",
            "90",
            "--write-ack-timeout",
            "--no-pongs",
            "--offline",
            oven.lower(),
            "--region",
            "EU",
        ]
    )
    sim = _simulator(args)
    assert sim.auth.scenario == AuthScenario(
        mfa=True,
        mfa_methods=("sms",),
        mfa_nudge=True,
        mfa_nudge_skippable=False,
        terms=True,
        terms_acceptable=False,
        authorisation_page=False,
        unknown_page_title="Are you a robot?",
        token_lifetime=120.0,
        rotate_refresh_tokens=False,
        code_lifetime=30.0,
    )
    assert sim.accounts[0].region == "eu-west-1"
    assert sim.connection_lifetime == 90.0
    assert sim.write_ack_status == "timeout"
    assert sim.answer_pings is False
    assert sim.household.appliances[oven].online is False


@pytest.mark.parametrize(
    "argv",
    [
        ["--offline", "nonsense"],
        ["--leave-out", "0123456789AB"],
        ["--mfa-methods", ""],
        ["--rate-limit", "-1"],
        ["--fail-status", "200"],
        ["--token-lifetime", "0"],
        ["--region", "AU"],
    ],
)
def test_cli_refuses_unusable_switch_values(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        _simulator(_parse_args(argv))
    assert exited.value.code == 2
    assert "error:" in capsys.readouterr().err


async def test_cli_failure_switches_reach_the_websocket(
    http: aiohttp.ClientSession,
) -> None:
    """--rate-limit, --fail-list, --fail-reads and --fail-writes refuse the first calls;
    --leave-out skips an appliance in the first lists."""
    args = _parse_args(
        [
            "--rate-limit",
            "1",
            "--fail-list",
            "1",
            "--fail-reads",
            "1",
            "--fail-writes",
            "1",
            "--fail-status",
            "502",
            "--leave-out",
            AC.lower(),
            "--leave-out-lists",
            "2",
        ]
    )
    async with _simulator(args, household=CountingHousehold()) as sim:
        async with http.ws_connect((await _endpoint(sim, http))["endpoint"]) as ws:
            raw = Socket(ws)
            assert (await raw.api("GET", "/v1/appliance"))["code"] == 429
            assert (await raw.api("GET", "/v1/appliance"))["code"] == 502
            assert _listed(await raw.api("GET", "/v1/appliance")) == [OVEN]
            assert _listed(await raw.api("GET", "/v1/appliance")) == [OVEN]
            assert _listed(await raw.api("GET", "/v1/appliance")) == [OVEN, AC]
            assert (await raw.api("GET", f"/v1/appliance/{OVEN}/erd"))["code"] == 502
            assert (await raw.api("GET", f"/v1/appliance/{OVEN}/erd"))["code"] == 200
            write = _write_body(OVEN, "0x5105", "0001")
            assert (await raw.api("POST", f"/v1/appliance/{OVEN}/erd/0x5105", write))["code"] == 502
            assert (await raw.api("POST", f"/v1/appliance/{OVEN}/erd/0x5105", write))["code"] == 200


async def test_cli_prints_the_one_time_code_it_sends(
    capsys: pytest.CaptureFixture[str], http: aiohttp.ClientSession
) -> None:
    """With --mfa the person at the console learns the code the sign-in page asks for."""
    sim = _simulator(_parse_args(["--mfa"]), household=CountingHousehold())
    async with sim:
        login = SmartHqLogin(http, Region.US, sim.endpoints)
        assert isinstance(
            await login.async_sign_in(DEFAULT_ACCOUNT.username, DEFAULT_ACCOUNT.password),
            MfaRequired,
        )
        await login.async_send_code("sms")
        out = capsys.readouterr().out
        assert f"One-time code (sms): {sim.auth.sent_codes[-1]}" in out
