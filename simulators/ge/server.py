"""A loopback SmartHQ service: sign-in, the websocket endpoint and the account websocket.

It speaks the frames the real service sends (section 2 of the protocol notes): a connect
notice, subscription acks, pongs, tunnelled API replies with ``code`` and ``body``, and
``publish#erd`` pushes whenever the simulated household changes. It can misbehave on
request: drop every connection, cut each one after ``connection_lifetime`` seconds, answer
API calls with 429 or another error status, leave appliances out of its lists for a while,
or let the session's access token expire mid-connection.
It only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from http import HTTPStatus
import json
import logging
import re
import secrets
import string
from typing import Any, Final

from aiohttp import WSMsgType, web

from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.ge.endpoints import Endpoints
from custom_components.kitchen_connect.kitchenlib.ge.erd import format_erd_code, parse_erd_code

from .. import secrets_ledger
from ..lifecycle import HOST, AppSimulator
from .auth_pages import AuthScenario, SimAccount, SimulatedAuth
from .household import Household, default_household

_LOGGER = logging.getLogger(__name__)

DEFAULT_ACCOUNT: Final = SimAccount("cook@example.com", "simulated-password", "simuser0001")
WEBSOCKET_PATH: Final = "/ws"
RATE_LIMIT_MESSAGE: Final = (
    "The server is refusing to service the request because the user has sent too many "
    'requests in a given amount of time ("rate limiting")'
)
RATE_LIMIT_REASON: Final = "Exceeded limit of 600 requests per minute per appId per userId."
EXPIRED_REASON: Final = "Access token expired"

_ALL_ERD = re.compile(r"/v1/appliance/([^/]+)/erd")
_ONE_ERD = re.compile(r"/v1/appliance/([^/]+)/erd/([^/]+)")
_HEX_DIGITS: Final = frozenset(string.hexdigits)
_CLOSE_GOING_AWAY: Final = 1001


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the simulator served.

    ``kind`` is ``http`` (any HTTP request, path without query), ``api`` (a tunnelled API
    call; path is the API path), ``ping`` or ``subscribe`` (websocket frames).
    ``time`` is the event loop's clock.
    """

    kind: str
    path: str
    time: float
    method: str = ""


@dataclass
class _Failure:
    """The next ``count`` API calls whose path matches ``pattern`` get ``status``."""

    count: int
    status: int
    pattern: str


@dataclass
class _Omission:
    """The next ``count`` appliance lists (of ``user_id``, or anyone's) leave out ``macs``."""

    macs: frozenset[str]
    count: int
    user_id: str | None


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _wire_code(code: int) -> str:
    # The real service mixes cases in full reads (0x7a00 next to 0x7A00).
    return f"0x{code:04x}" if code % 2 else format_erd_code(code)


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _error_body(path: str, code: int, message: str, reason: str) -> dict[str, Any]:
    return {"kind": "error", "resource": path, "code": code, "message": message, "reason": reason}


@dataclass(eq=False)
class _Socket:
    """One open account websocket."""

    ws: web.WebSocketResponse
    user_id: str
    bearer: str  # the access token that obtained this socket's endpoint
    subscriptions: list[str] = field(default_factory=list)
    outbox: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)

    def send(self, frame: Mapping[str, Any]) -> None:
        self.outbox.put_nowait(json.dumps(frame, separators=(",", ":")))

    def wants(self, resource: str) -> bool:
        return any(fnmatchcase(resource, pattern) for pattern in self.subscriptions)


class SmartHqSimulator(AppSimulator):
    """The SmartHQ cloud for one simulated household, on 127.0.0.1."""

    def __init__(
        self,
        *,
        household: Household | None = None,
        accounts: Sequence[SimAccount] = (DEFAULT_ACCOUNT,),
        scenario: AuthScenario | None = None,
        connection_lifetime: float = 3600.0,
        tick_interval: float = 5.0,
    ) -> None:
        """Serve ``household`` (the default one if None); ``tick_interval`` 0 stops time."""
        super().__init__()
        self.household = household if household is not None else default_household()
        self.accounts = list(accounts)
        self.auth = SimulatedAuth(self.accounts, scenario or AuthScenario())
        self.connection_lifetime = connection_lifetime
        self.tick_interval = tick_interval
        self.request_log: list[RequestRecord] = []
        self.write_ack_status = ""  # "" answers writes with "success"; "timeout" is allowed
        self.answer_pings = True  # False: pings go unanswered, as on a half-dead link
        # Test hook: the port the websocket endpoint names, when a proxy sits in front.
        self.public_port: int | None = None
        self._rate_limited_frames = 0
        self._failures: list[_Failure] = []
        self._omissions: list[_Omission] = []
        self._tickets: dict[str, tuple[str, str]] = {}  # single-use ws credential -> user, bearer
        self._sockets: set[_Socket] = set()
        self._changed_at: dict[tuple[str, int], str] = {}

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def endpoints(self) -> Endpoints:
        """Endpoints a client uses to talk to this simulator."""
        return Endpoints.for_server(self.base_url)

    @property
    def open_connections(self) -> int:
        """How many account websockets are open right now."""
        return len(self._sockets)

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (``port`` 0 picks a free one) and start simulated time."""
        app = web.Application(middlewares=[self._record_http])
        self.auth.add_routes(app)
        app.router.add_get("/v1/websocket", self._websocket_endpoint)
        app.router.add_get(WEBSOCKET_PATH, self._websocket)
        await self._serve(app, port)
        self._unsubscribe = self.household.subscribe(self._on_household_change)
        if self.tick_interval > 0:
            self._spawn(self._tick_forever())

    async def _close_sockets(self) -> None:
        for sock in list(self._sockets):
            with contextlib.suppress(Exception):
                await sock.ws.close(code=_CLOSE_GOING_AWAY)

    # --- switches for tests --------------------------------------------------------------

    def drop_connections(self) -> None:
        """Close every account websocket from the server side."""
        for sock in list(self._sockets):
            self._spawn(sock.ws.close(code=_CLOSE_GOING_AWAY))

    def rate_limit_next(self, count: int) -> None:
        """Answer the next ``count`` API frames with code 429 (and ``success`` true)."""
        self._rate_limited_frames = count

    def fail_next(self, count: int, *, status: int = 503, path: str = "*") -> None:
        """Answer the next ``count`` API frames whose path matches ``path`` with ``status``.

        ``path`` is a shell-style pattern: ``/v1/appliance`` fails the appliance list,
        ``/v1/appliance/*/erd`` full reads and ``/v1/appliance/*/erd/*`` writes.
        """
        if count > 0:
            self._failures.append(_Failure(count, status, path))

    def leave_out_of_lists(
        self, macs: Iterable[str], replies: int, *, user_id: str | None = None
    ) -> None:
        """Leave ``macs`` out of the next ``replies`` appliance lists, as GE's list sometimes does.

        With ``user_id``, only that account's lists. The appliances stay in the household:
        they still push and can be read in full.
        """
        if replies > 0:
            self._omissions.append(
                _Omission(frozenset(mac.upper() for mac in macs), replies, user_id)
            )

    def inject_frame(self, text: str) -> None:
        """Send ``text`` as it is to every open account websocket (for misbehaviour tests)."""
        for sock in self._sockets:
            sock.outbox.put_nowait(text)

    def set_online(self, mac: str, online: bool) -> None:
        """Report an appliance on- or offline in the appliance list."""
        self.household.appliances[mac.upper()].online = online

    def records(self, kind: str, path: str | None = None) -> list[RequestRecord]:
        """The logged requests of one kind (and path)."""
        return [
            record
            for record in self.request_log
            if record.kind == kind and (path is None or record.path == path)
        ]

    # --- plumbing --------------------------------------------------------------------------

    def _record(self, kind: str, path: str, method: str = "") -> None:
        self.request_log.append(
            RequestRecord(kind, path, asyncio.get_running_loop().time(), method)
        )

    @web.middleware
    async def _record_http(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        self._record("http", request.path, request.method)
        return await handler(request)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            self.household.tick(self.tick_interval)

    def _on_household_change(self, mac: str, code: int, raw: str) -> None:
        mac = mac.upper()
        self._changed_at[(mac, code)] = _now_iso()
        appliance = self.household.appliances.get(mac)
        if appliance is None or not appliance.online:
            return  # an offline appliance cannot tell the cloud anything
        wire_code = format_erd_code(code)
        resource = f"/appliance/{mac}/erd/{wire_code}"
        for sock in self._sockets:
            if sock.wants(resource):
                sock.send(
                    {
                        "item": {
                            "applianceId": mac,
                            "erd": wire_code,
                            "time": self._changed_at[(mac, code)],
                            "value": raw.upper(),
                        },
                        "resource": resource,
                        "kind": "publish#erd",
                        "userId": sock.user_id,
                    }
                )

    # --- HTTP: the websocket endpoint ------------------------------------------------------

    def _bearer_user(self, request: web.Request) -> tuple[str, str] | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        user_id = self.auth.user_for_access_token(token)
        return None if user_id is None else (user_id, token)

    async def _websocket_endpoint(self, request: web.Request) -> web.StreamResponse:
        caller = self._bearer_user(request)
        if caller is None:
            return web.json_response(
                _error_body(request.path, 401, "Unauthorized", EXPIRED_REASON), status=401
            )
        user_id, bearer = caller
        ticket = secrets.token_urlsafe(24)
        secrets_ledger.record("GE websocket ticket", ticket)
        self._tickets[ticket] = (user_id, bearer)
        return web.json_response(
            {
                "kind": "websocket#endpoint",
                "endpoint": (
                    f"ws://{HOST}:{self.public_port or self._port}{WEBSOCKET_PATH}"
                    f"?access_token={ticket}"
                ),
                "userId": user_id,
            }
        )

    # --- the account websocket ---------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        grant = self._tickets.pop(request.query.get("access_token", ""), None)
        if grant is None:
            return web.json_response(
                _error_body(request.path, 401, "Unauthorized", "Unknown websocket credential"),
                status=401,
            )
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        sock = _Socket(ws, *grant)
        self._sockets.add(sock)
        sender = asyncio.create_task(self._send_outbox(sock))
        cut_off = asyncio.get_running_loop().call_later(
            self.connection_lifetime, lambda: self._spawn(ws.close(code=_CLOSE_GOING_AWAY))
        )
        sock.send({"kind": "websocket#connect", "success": True})
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    self._on_frame(sock, message.data)
        finally:
            cut_off.cancel()
            self._sockets.discard(sock)
            sock.outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await sender
        return ws

    async def _send_outbox(self, sock: _Socket) -> None:
        while (text := await sock.outbox.get()) is not None:
            if sock.ws.closed:
                return
            try:
                await sock.ws.send_str(text)
            except ConnectionError:
                return

    def _on_frame(self, sock: _Socket, text: str) -> None:
        try:
            frame = json.loads(text)
        except ValueError:
            return
        if not isinstance(frame, dict):
            return
        kind = frame.get("kind")
        if kind == "websocket#ping":
            self._record("ping", "")
            if self.answer_pings:
                sock.send({"kind": "websocket#pong", "id": frame.get("id", "")})
        elif kind == "websocket#subscribe":
            resources = [item for item in frame.get("resources", []) if isinstance(item, str)]
            self._record("subscribe", ",".join(resources))
            for resource in resources:
                sock.subscriptions.append(resource)
                sock.send(
                    {
                        "resource": resource,
                        "kind": "websocket#subscription",
                        "success": True,
                        "change": "ADDED",
                    }
                )
        elif kind == "websocket#api":
            self._on_api(sock, frame)

    def _on_api(self, sock: _Socket, frame: Mapping[str, Any]) -> None:
        method = str(frame.get("method", ""))
        path = str(frame.get("path", ""))
        self._record("api", path, method)
        reply: dict[str, Any] = {
            "kind": "websocket#api",
            "id": frame.get("id", ""),
            "request": {"host": frame.get("host", ""), "method": method, "path": path},
            "success": True,
        }
        failure = next((f for f in self._failures if fnmatchcase(path, f.pattern)), None)
        if self._rate_limited_frames > 0:
            self._rate_limited_frames -= 1
            code, body = 429, _error_body(path, 429, RATE_LIMIT_MESSAGE, RATE_LIMIT_REASON)
        elif failure is not None:
            failure.count -= 1
            if failure.count <= 0:
                self._failures.remove(failure)
            code = failure.status
            body = _error_body(path, code, _reason_phrase(code), "Simulated failure")
        elif self.auth.user_for_access_token(sock.bearer) is None:
            reply["reason"] = EXPIRED_REASON
            code, body = 401, _error_body(path, 401, "Unauthorized", EXPIRED_REASON)
        else:
            code, body = self._api_call(sock, method, path, frame.get("body"))
        reply["code"] = code
        reply["body"] = body
        sock.send(reply)

    def _api_call(
        self, sock: _Socket, method: str, path: str, body: object
    ) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path == "/v1/appliance":
            return 200, self._appliance_list(sock.user_id)
        if method == "GET" and (match := _ALL_ERD.fullmatch(path)):
            return self._all_erds(sock.user_id, path, match.group(1).upper())
        if method == "POST" and (match := _ONE_ERD.fullmatch(path)):
            return self._write(sock.user_id, path, match.group(1).upper(), match.group(2), body)
        return 404, _error_body(path, 404, "Not Found", "No such resource")

    def _left_out(self, user_id: str) -> frozenset[str]:
        """The appliances this list leaves out, counting it against each omission."""
        left_out: set[str] = set()
        for omission in list(self._omissions):
            if omission.user_id in (None, user_id):
                left_out |= omission.macs
                omission.count -= 1
                if omission.count <= 0:
                    self._omissions.remove(omission)
        return frozenset(left_out)

    def _appliance_list(self, user_id: str) -> dict[str, Any]:
        left_out = self._left_out(user_id)
        items = [
            {
                "applianceId": app.mac,
                "type": app.label,
                "brand": app.brand,
                "jid": f"{app.mac.lower()}_{user_id}",
                "nickname": app.nickname,
                "online": "ONLINE" if app.online else "OFFLINE",
            }
            for app in self.household.appliances.values()
            if app.mac not in left_out
        ]
        return {"kind": "appliance#applianceList", "userId": user_id, "items": items}

    def _all_erds(self, user_id: str, path: str, mac: str) -> tuple[int, dict[str, Any]]:
        app = self.household.appliances.get(mac)
        if app is None:
            return 404, _error_body(path, 404, "Not Found", "Unknown appliance")
        started = _now_iso()
        items = [
            {
                "erd": _wire_code(code),
                "value": raw.upper(),
                "time": self._changed_at.get((mac, code), started),
            }
            for code, raw in sorted(app.erds.items())
        ]
        return 200, {
            "kind": "appliance#erdList",
            "userId": user_id,
            "applianceId": mac,
            "items": items,
        }

    def _write(
        self, user_id: str, path: str, mac: str, code_text: str, body: object
    ) -> tuple[int, dict[str, Any]]:
        if mac not in self.household.appliances:
            return 404, _error_body(path, 404, "Not Found", "Unknown appliance")
        try:
            code = parse_erd_code(code_text)
        except ProtocolError:
            return 400, _error_body(path, 400, "Bad Request", "Not an ERD code")
        if (
            not isinstance(body, dict)
            or body.get("kind") != "appliance#erdListEntry"
            or body.get("userId") != user_id
            or str(body.get("applianceId", "")).upper() != mac
            or str(body.get("erd", "")).lower() != code_text.lower()
        ):
            return 400, _error_body(path, 400, "Bad Request", "Malformed appliance#erdListEntry")
        raw = body.get("value")
        if not isinstance(raw, str) or not raw or len(raw) % 2 or not set(raw) <= _HEX_DIGITS:
            return 400, _error_body(path, 400, "Bad Request", "Value is not hex")
        self.household.write(mac, code, raw.upper())  # an appliance ignores what it refuses
        return 200, {"status": self.write_ack_status or "success"}
