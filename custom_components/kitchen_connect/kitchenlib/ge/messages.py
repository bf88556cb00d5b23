"""Builders and parsers for the JSON frames of the SmartHQ account websocket.

Everything here is pure: values in, text out, and text in, typed frames out. Parsers raise
ProtocolError for anything that is not JSON or not shaped like a SmartHQ frame. Whether a
tunnelled API call worked is decided by its ``code``; the ``success`` flag is ignored
because the service sets it even on a 429.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
import json
import re
from typing import Any, Final

from ..errors import ProtocolError
from .erd import format_erd_code, parse_erd_code
from .erd.codec import KNOWN_CODE_TEXT
from .redact import mask_identifiers

ALL_ERDS_RESOURCE: Final = "/appliance/*/erd/*"
PING_ID: Final = "keepalive-ping"
ACK_TIMEOUT_SECONDS: Final = 10
HTTP_OK: Final = 200
HTTP_UNAUTHORIZED: Final = 401
HTTP_FORBIDDEN: Final = 403
HTTP_TOO_MANY_REQUESTS: Final = 429
EXPIRED_SESSION_REASON: Final = "access token expired"

KIND_API: Final = "websocket#api"
KIND_PING: Final = "websocket#ping"
KIND_PONG: Final = "websocket#pong"
KIND_SUBSCRIBE: Final = "websocket#subscribe"
KIND_SUBSCRIPTION: Final = "websocket#subscription"
KIND_CONNECT: Final = "websocket#connect"
KIND_PUBLISH_ERD: Final = "publish#erd"
KIND_WRITE_BODY: Final = "appliance#erdListEntry"

_MAX_ERROR_TEXT = 200
_LOWEST_STATUS: Final = 100
_HIGHEST_STATUS: Final = 599
_MAX_KIND_TEXT: Final = 40
# The ids this client gives its requests ("list-3", "setErd-0x5105-7") and its pings; any
# other id the service echoes may hold an appliance id and is not logged.
_OWN_REQUEST_ID: Final = re.compile(r"[A-Za-z]{1,16}(?:-0x[0-9A-Fa-f]{4})?-[0-9]{1,12}")
_ERD_CODE_TEXT: Final = re.compile(r"0[xX][0-9A-Fa-f]{4}")


# --- client -> server ----------------------------------------------------------------------


def _dump(frame: Mapping[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"))


def subscribe_frame(resources: Sequence[str] = (ALL_ERDS_RESOURCE,)) -> str:
    """Ask for ``publish#erd`` pushes of the given resources (default: every appliance)."""
    return _dump({"kind": KIND_SUBSCRIBE, "action": "subscribe", "resources": list(resources)})


def ping_frame() -> str:
    """The JSON keepalive the service answers with a ``websocket#pong``."""
    return _dump({"kind": KIND_PING, "id": PING_ID, "action": "ping"})


def api_request_frame(
    request_id: str,
    host: str,
    method: str,
    path: str,
    body: Mapping[str, Any] | None = None,
) -> str:
    """A REST call tunnelled over the websocket; the reply echoes ``request_id``."""
    frame: dict[str, Any] = {
        "kind": KIND_API,
        "action": "api",
        "host": host,
        "method": method,
        "path": path,
        "id": request_id,
    }
    if body is not None:
        frame["body"] = dict(body)
    return _dump(frame)


def appliance_list_path() -> str:
    """Path of the account's appliance list."""
    return "/v1/appliance"


def all_erd_path(mac: str) -> str:
    """Path of one appliance's full ERD snapshot."""
    return f"/v1/appliance/{mac.upper()}/erd"


def set_erd_path(mac: str, code: int) -> str:
    """Path a write of one ERD is posted to."""
    return f"/v1/appliance/{mac.upper()}/erd/{format_erd_code(code)}"


def list_request(request_id: str, host: str) -> str:
    """Read the account's appliance list."""
    return api_request_frame(request_id, host, "GET", appliance_list_path())


def all_erd_request(request_id: str, host: str, mac: str) -> str:
    """Read every ERD the service holds for one appliance."""
    return api_request_frame(request_id, host, "GET", all_erd_path(mac))


def set_erd_body(*, user_id: str, mac: str, code: int, raw: str) -> dict[str, Any]:
    """The ``appliance#erdListEntry`` a write posts."""
    return {
        "kind": KIND_WRITE_BODY,
        "userId": user_id,
        "applianceId": mac.upper(),
        "erd": format_erd_code(code),
        "value": raw.lower(),
        "ackTimeout": ACK_TIMEOUT_SECONDS,
        "delay": 0,
    }


def set_erd_request(
    request_id: str, host: str, *, user_id: str, mac: str, code: int, raw: str
) -> str:
    """Write one ERD; the cloud forwards it and waits up to 10 s for the appliance."""
    body = set_erd_body(user_id=user_id, mac=mac, code=code, raw=raw)
    return api_request_frame(request_id, host, "POST", set_erd_path(mac, code), body)


# --- server -> client ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiReply:
    """The answer to a tunnelled API call."""

    request_id: str
    code: int
    body: Mapping[str, Any] = field(default_factory=dict)
    path: str = ""
    reason: str = ""  # a top-level ``reason``, e.g. "Access token expired"

    @property
    def ok(self) -> bool:
        """True when the call worked (``code`` 200)."""
        return self.code == HTTP_OK

    @property
    def rate_limited(self) -> bool:
        """The service refused the call because too many were sent."""
        return self.code == HTTP_TOO_MANY_REQUESTS

    @property
    def token_rejected(self) -> bool:
        """The session's token is no longer accepted: refresh it and reconnect."""
        if self.code in (HTTP_UNAUTHORIZED, HTTP_FORBIDDEN):
            return True
        body_reason = self.body.get("reason")
        reasons = (self.reason, body_reason if isinstance(body_reason, str) else "")
        return any(EXPIRED_SESSION_REASON in text.lower() for text in reasons)

    def error_text(self) -> str:
        """A short human explanation of a failed call, from the body's message and reason."""
        parts = [
            value
            for key in ("message", "reason")
            if isinstance(value := self.body.get(key), str) and value
        ]
        if not parts and self.reason:
            parts.append(self.reason)
        text = "; ".join(parts) if parts else "no reason given"
        return mask_identifiers(f"code {self.code}: {text}"[:_MAX_ERROR_TEXT])


type ErdPublish = tuple[str, int, str]
"""A push: one ERD of one appliance changed, as (appliance id, ERD code, value in hex).

A bare tuple rather than a named one: pushes are the bulk of the traffic, and a tuple
subclass is built and freed through the slow generic paths, a sixth of the parse. The
other frames are dataclasses, so a frame that is a tuple is a push.
"""


@dataclass(frozen=True, slots=True)
class Pong:
    """The answer to a JSON ping."""

    request_id: str


@dataclass(frozen=True, slots=True)
class SubscriptionAck:
    """The service confirmed (or refused) a subscription."""

    resource: str
    success: bool


@dataclass(frozen=True, slots=True)
class ConnectNotice:
    """The informational ``websocket#connect`` frame."""

    success: bool


@dataclass(frozen=True, slots=True)
class OtherFrame:
    """A well-formed frame of a kind this client does not use."""

    kind: str
    reason: str = ""  # a top-level ``reason``, should the service explain itself


type ServerFrame = ApiReply | ErdPublish | Pong | SubscriptionAck | ConnectNotice | OtherFrame


def _load_object(text: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        # ValueError covers bad JSON and bytes that are not UTF-8.
        raise ProtocolError("websocket frame is not JSON") from err
    if not isinstance(data, dict):
        raise ProtocolError("websocket frame is not a JSON object")
    return data


def _text(data: Mapping[str, Any], key: str, *, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ProtocolError(f"frame field {key!r} is not text")
    return value


def _object(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProtocolError(f"frame field {key!r} is not an object")
    return value


def _mac(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or "/" in value:
        raise ProtocolError("frame has no usable applianceId")
    return value.strip().upper()


def _http_status(value: object) -> int | None:
    """``value`` if it is a whole number in the HTTP status range, else None."""
    if type(value) is int and _LOWEST_STATUS <= value <= _HIGHEST_STATUS:
        return value
    return None


def _parse_api_reply(data: Mapping[str, Any]) -> ApiReply:
    code = _http_status(data.get("code"))
    if code is None:
        raise ProtocolError("api reply has no HTTP status code")
    request = _object(data, "request")
    path = request.get("path", "")
    reason = data.get("reason", "")
    return ApiReply(
        request_id=_text(data, "id", default=""),
        code=code,
        body=_object(data, "body"),
        path=path if isinstance(path, str) else "",
        reason=reason if isinstance(reason, str) else "",
    )


def _parse_publish(data: Mapping[str, Any]) -> ErdPublish:
    item = _object(data, "item")
    if not item:
        raise ProtocolError("publish frame has no item")
    return (
        _mac(item.get("applianceId")),
        parse_erd_code(_text(item, "erd")),
        _text(item, "value", default=""),
    )


# A push exactly as the service writes it: compact JSON, keys in this order, an upper-case
# alphanumeric appliance id and printable ASCII strings without quotes or backslashes. All of
# that is valid JSON whose strings need no unescaping, so the groups are what ``json.loads``
# reads and ``_parse_publish`` makes of them (the id needs no stripping or upper-casing).
# A positive class of printable ASCII scans several times faster than the negated one.
_PLAIN_STRING = r"[ !#-\[\]-~]*+"
_COMPACT_PUBLISH: Final = re.compile(
    r'\{"item":\{"applianceId":"([0-9A-Z]++)","erd":"(0[xX][0-9A-Fa-f]{4})",'
    rf'"time":"{_PLAIN_STRING}","value":"([0-9A-Fa-f]*+)"\}},'
    rf'"resource":"{_PLAIN_STRING}","kind":"publish#erd","userId":"{_PLAIN_STRING}"\}}'
)
_match_compact_publish: Final = _COMPACT_PUBLISH.fullmatch
_known_code: Final = KNOWN_CODE_TEXT.get


def parse_frame(text: str | bytes) -> ServerFrame:
    """Turn one text frame from the service into a typed frame."""
    # Pushes are the bulk of the traffic: the usual shape skips building the JSON dicts.
    # Bytes make the str pattern raise TypeError and take the general path.
    try:
        match = _match_compact_publish(text)  # type: ignore[arg-type]
    except TypeError:
        match = None
    if match is not None:
        mac, code_text, raw = match.groups()
        code = _known_code(code_text)
        return mac, int(code_text, 16) if code is None else code, raw
    return parse_json_frame(text)


def parse_json_frame(text: str | bytes) -> ServerFrame:
    """``parse_frame`` without the shortcut for compact pushes: every frame read as JSON."""
    data = _load_object(text)
    kind = _text(data, "kind")
    if kind == KIND_API:
        return _parse_api_reply(data)
    if kind == KIND_PUBLISH_ERD:
        return _parse_publish(data)
    if kind == KIND_PONG:
        return Pong(_text(data, "id", default=""))
    if kind == KIND_SUBSCRIPTION:
        return SubscriptionAck(_text(data, "resource", default=""), data.get("success") is True)
    if kind == KIND_CONNECT:
        return ConnectNotice(data.get("success") is True)
    reason = data.get("reason", "")
    return OtherFrame(kind, reason if isinstance(reason, str) else "")


def frame_summary(text: str | bytes) -> str:
    """What a frame is, for debug logs: its kind, request id, ERD and status, never its values.

    Frames carry the account's user id and appliance ids, and ERD values include the serial
    number, so only fields of a known, harmless shape are kept.
    """
    try:
        data = json.loads(text)
    except ValueError, RecursionError:
        return "an unreadable frame"
    if not isinstance(data, dict):
        return "a frame that is no object"
    kind, request_id, item = data.get("kind"), data.get("id"), data.get("item")
    erd = item.get("erd") if isinstance(item, dict) else None
    code = _http_status(data.get("code"))
    parts = []
    if isinstance(kind, str):
        parts.append(f"kind={mask_identifiers(kind[:_MAX_KIND_TEXT])}")
    if request_id == PING_ID or (
        isinstance(request_id, str) and _OWN_REQUEST_ID.fullmatch(request_id)
    ):
        parts.append(f"id={request_id}")
    elif request_id is not None:
        parts.append("id=(not ours)")
    if code is not None:
        parts.append(f"code={code}")
    if isinstance(erd, str) and _ERD_CODE_TEXT.fullmatch(erd):
        parts.append(f"erd={erd}")
    return " ".join(parts) or "a frame without a kind"


# --- reply bodies --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListedAppliance:
    """One entry of the account's appliance list."""

    mac: str
    label: str  # a human type name such as "Dishwasher"; never used to pick a handler
    brand: str
    nickname: str
    online: bool


@dataclass(frozen=True, slots=True)
class ApplianceList:
    """The account's appliance list: the entries read, and how many could not be read."""

    appliances: tuple[ListedAppliance, ...]
    unreadable: int = 0

    @property
    def complete(self) -> bool:
        """Every entry was read, so an appliance missing from the list is not on it."""
        return self.unreadable == 0


def _items(body: Mapping[str, Any]) -> list[Any]:
    items = body.get("items", [])
    if not isinstance(items, list):
        raise ProtocolError("reply body has no item list")
    return items


def _optional_text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def parse_appliance_list(body: Mapping[str, Any]) -> ApplianceList:
    """The appliances of an ``appliance#applianceList`` body; entries without an id are skipped."""
    appliances: list[ListedAppliance] = []
    items = _items(body)
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            mac = _mac(item.get("applianceId"))
        except ProtocolError:
            continue
        appliances.append(
            ListedAppliance(
                mac=mac,
                label=_optional_text(item, "type"),
                brand=_optional_text(item, "brand"),
                nickname=_optional_text(item, "nickname"),
                online=_optional_text(item, "online").upper() == "ONLINE",
            )
        )
    return ApplianceList(tuple(appliances), unreadable=len(items) - len(appliances))


def parse_erd_list(body: Mapping[str, Any]) -> list[tuple[int, str]]:
    """(code, raw) pairs of an ``appliance#erdList`` body; unreadable entries are skipped."""
    entries: list[tuple[int, str]] = []
    for item in _items(body):
        if not isinstance(item, dict):
            continue
        code_text, raw = item.get("erd"), item.get("value", "")
        if not isinstance(code_text, str) or not isinstance(raw, str):
            continue
        try:
            entries.append((parse_erd_code(code_text), raw))
        except ProtocolError:
            continue
    return entries


def parse_write_status(body: Mapping[str, Any]) -> str:
    """``body.status`` of a write reply ("timeout" means the appliance did not confirm)."""
    status = body.get("status", "")
    return status if isinstance(status, str) else ""
