"""SmartHQ websocket frames: real shapes from the protocol notes, builders, and fuzzing."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from unittest.mock import patch

from hypothesis import given, strategies as st
import pytest

from custom_components.kitchen_connect.kitchenlib.errors import ProtocolError
from custom_components.kitchen_connect.kitchenlib.ge import messages as m

HOST = "api.brillion.geappliances.com"
MAC = "D828C9404C09"
USER = "8iphzd059z7spke"

LIST_REPLY = {
    "kind": "websocket#api",
    "id": "kc-1",
    "request": {"host": HOST, "method": "GET", "path": "/v1/appliance"},
    "success": True,
    "code": 200,
    "body": {
        "kind": "appliance#applianceList",
        "userId": USER,
        "items": [
            {
                "applianceId": MAC,
                "type": "Split Air Conditioner",
                "brand": "Unknown",
                "jid": f"{MAC.lower()}_{USER}",
                "nickname": "Bedroom AC",
                "online": "ONLINE",
            },
            {
                "applianceId": "a0b1c2d3e4f5",
                "type": "Dishwasher",
                "brand": "GE",
                "nickname": "Dishes",
                "online": "offline",
            },
        ],
    },
}
ALL_ERD_REPLY = {
    "kind": "websocket#api",
    "id": f"{MAC}-allErd",
    "success": True,
    "code": 200,
    "body": {
        "kind": "appliance#erdList",
        "userId": USER,
        "applianceId": MAC,
        "items": [
            {"erd": "0x0008", "value": "0E", "time": "2021-08-04T16:11:28.841Z"},
            {"erd": "0x7a00", "value": "08", "time": "2021-08-04T16:11:28.841Z"},
            {"erd": "0x7A02", "value": "5A", "time": "2021-08-04T16:11:28.841Z"},
            {"erd": "0x0099", "value": "", "time": "2021-08-04T16:11:28.841Z"},
        ],
    },
}
PUBLISH = {
    "item": {
        "applianceId": MAC,
        "erd": "0x7B07",
        "time": "2021-08-05T13:27:36.795Z",
        "value": "01",
    },
    "resource": f"/appliance/{MAC}/erd/0x7B07",
    "kind": "publish#erd",
    "userId": USER,
}
RATE_LIMITED = {
    "kind": "websocket#api",
    "id": f"{MAC}-allErd",
    "success": True,
    "code": 429,
    "body": {
        "kind": "error",
        "resource": f"/v1/appliance/{MAC}/erd",
        "code": 429,
        "message": "The server is refusing to service the request (rate limiting)",
        "reason": "Exceeded limit of 600 requests per minute per appId per userId.",
    },
}


def _dump(frame: Any) -> str:
    return json.dumps(frame)


# --- builders ----------------------------------------------------------------------------


def test_subscribe_and_ping_frames_match_the_service() -> None:
    """The two fixed frames every session sends."""
    assert json.loads(m.subscribe_frame()) == {
        "kind": "websocket#subscribe",
        "action": "subscribe",
        "resources": ["/appliance/*/erd/*"],
    }
    assert json.loads(m.ping_frame()) == {
        "kind": "websocket#ping",
        "id": "keepalive-ping",
        "action": "ping",
    }


def test_read_requests_carry_our_id_host_and_path() -> None:
    """List and full-read requests are tunnelled GETs with the id we chose."""
    assert json.loads(m.list_request("req-1", HOST)) == {
        "kind": "websocket#api",
        "action": "api",
        "host": HOST,
        "method": "GET",
        "path": "/v1/appliance",
        "id": "req-1",
    }
    frame = json.loads(m.all_erd_request("req-2", HOST, MAC.lower()))
    assert frame["path"] == f"/v1/appliance/{MAC}/erd"
    assert frame["id"] == "req-2"
    assert "body" not in frame


def test_write_request_posts_an_erd_list_entry() -> None:
    """A write is a POST with GE's entry body: upper-case code digits, 10 s ack timeout."""
    frame = json.loads(m.set_erd_request("w-7", HOST, user_id=USER, mac=MAC, code=0x7A00, raw="08"))
    assert frame["method"] == "POST"
    assert frame["path"] == f"/v1/appliance/{MAC}/erd/0x7A00"
    assert frame["id"] == "w-7"
    assert frame["body"] == {
        "kind": "appliance#erdListEntry",
        "userId": USER,
        "applianceId": MAC,
        "erd": "0x7A00",
        "value": "08",
        "ackTimeout": 10,
        "delay": 0,
    }


# --- parsing real frames -------------------------------------------------------------------


def test_appliance_list_reply() -> None:
    """The list reply gives appliances; ONLINE/OFFLINE are compared case-insensitively."""
    reply = m.parse_frame(_dump(LIST_REPLY))
    assert isinstance(reply, m.ApiReply)
    assert reply.ok
    assert reply.request_id == "kc-1"
    assert reply.path == "/v1/appliance"
    listed = m.parse_appliance_list(reply.body)
    assert listed.appliances == (
        m.ListedAppliance(MAC, "Split Air Conditioner", "Unknown", "Bedroom AC", online=True),
        m.ListedAppliance("A0B1C2D3E4F5", "Dishwasher", "GE", "Dishes", online=False),
    )
    assert listed.complete


def test_full_read_reply_normalises_mixed_case_codes() -> None:
    """0x7a00 and 0x7A02 are both plain numbers; empty values are kept as empty."""
    reply = m.parse_frame(_dump(ALL_ERD_REPLY))
    assert isinstance(reply, m.ApiReply)
    assert m.parse_erd_list(reply.body) == [
        (0x0008, "0E"),
        (0x7A00, "08"),
        (0x7A02, "5A"),
        (0x0099, ""),
    ]


def test_publish_frame() -> None:
    """A push names the appliance, the ERD and its new raw value."""
    assert m.parse_frame(_dump(PUBLISH)) == (MAC, 0x7B07, "01")


def test_publish_frame_reads_alike_however_it_is_spelled() -> None:
    """The service's compact push, spaced JSON, other key orders and bytes: one reading."""
    compact = json.dumps(PUBLISH, separators=(",", ":"))
    reordered = json.dumps(dict(reversed(PUBLISH.items())), separators=(",", ":"))
    expected = (MAC, 0x7B07, "01")
    for text in (
        compact,
        _dump(PUBLISH),
        reordered,
        compact.encode(),
        compact.replace(MAC, MAC.lower()),
    ):
        assert m.parse_frame(text) == expected
    with patch.object(m.json, "loads", side_effect=AssertionError("the usual push is no JSON")):
        assert m.parse_frame(compact) == expected  # it takes the short way


@pytest.mark.parametrize(
    ("raw_character", "readable"), [("\x01", False), ("\x1f", False), ("\x7f", True)]
)
def test_raw_characters_in_a_compact_push_follow_json(raw_character: str, readable: bool) -> None:
    """JSON refuses raw control characters inside strings and takes DEL as it is."""
    text = json.dumps(PUBLISH, separators=(",", ":")).replace(USER, USER + raw_character)
    if readable:
        assert m.parse_frame(text) == (MAC, 0x7B07, "01")
    else:
        with pytest.raises(ProtocolError):
            m.parse_frame(text)


_any_string = st.text(max_size=14) | st.sampled_from(["", MAC, "0x7B07", "0x7b07", '"', "\\"])


@given(
    st.fixed_dictionaries(
        {
            "applianceId": _any_string,
            "erd": _any_string,
            "time": _any_string,
            "value": _any_string | st.sampled_from(["01", "0a", "FF00"]),
        }
    ),
    _any_string,
    _any_string,
    st.booleans(),
)
def test_compact_pushes_read_as_the_general_parser_reads_them(
    item: dict[str, str], resource: str, user: str, ascii_only: bool
) -> None:
    """Whatever the strings hold, a compact push parses as the general JSON path reads it."""
    frame = {"item": item, "resource": resource, "kind": "publish#erd", "userId": user}
    text = json.dumps(frame, separators=(",", ":"), ensure_ascii=ascii_only)
    try:
        expected = m.parse_json_frame(text)
    except ProtocolError:
        with pytest.raises(ProtocolError):
            m.parse_frame(text)
    else:
        assert m.parse_frame(text) == expected


def test_informational_frames() -> None:
    """Pong, subscription ack, connect notice and unknown kinds parse without errors."""
    assert m.parse_frame('{"kind":"websocket#pong","id":"keepalive-ping"}') == m.Pong(
        "keepalive-ping"
    )
    ack = m.parse_frame(
        '{"resource":"/appliance/*/erd/*","kind":"websocket#subscription",'
        '"success":true,"change":"ADDED"}'
    )
    assert ack == m.SubscriptionAck("/appliance/*/erd/*", success=True)
    assert m.parse_frame('{"kind":"websocket#connect","success":true}') == m.ConnectNotice(True)
    other = m.parse_frame('{"kind":"websocket#later","reason":"Access token expired"}')
    assert other == m.OtherFrame("websocket#later", "Access token expired")


def test_rate_limit_is_decided_by_code_not_success() -> None:
    """``success`` is true on a 429; the reply must still count as a failure."""
    reply = m.parse_frame(_dump(RATE_LIMITED))
    assert isinstance(reply, m.ApiReply)
    assert not reply.ok
    assert reply.rate_limited
    assert not reply.token_rejected
    assert "600 requests per minute" in reply.error_text()
    assert reply.error_text().startswith("code 429: The server is refusing")


def test_write_reply_with_timeout_status_is_a_success() -> None:
    """GE's "timeout" status means the appliance did not confirm yet, not a failed call."""
    reply = m.parse_frame(
        '{"kind":"websocket#api","id":"x-setErd-0x1167","success":true,"code":200,'
        '"body":{"status":"timeout"}}'
    )
    assert isinstance(reply, m.ApiReply)
    assert reply.ok
    assert m.parse_write_status(reply.body) == "timeout"
    assert m.parse_write_status({}) == ""
    assert m.parse_write_status({"status": 3}) == ""


@pytest.mark.parametrize(
    ("frame", "rejected"),
    [
        ({"code": 401}, True),
        ({"code": 403}, True),
        ({"code": 500, "reason": "Access token expired"}, True),
        ({"code": 500, "body": {"reason": "access token EXPIRED"}}, True),
        ({"code": 500, "body": {"message": "Internal error"}}, False),
    ],
)
def test_token_rejection_is_recognised(frame: dict[str, Any], rejected: bool) -> None:
    """401/403 or an "Access token expired" reason mean: refresh and reconnect."""
    reply = m.parse_frame(_dump({"kind": "websocket#api", "id": "a", **frame}))
    assert isinstance(reply, m.ApiReply)
    assert reply.token_rejected is rejected
    assert not reply.ok


def test_error_text_without_details() -> None:
    """A refusal with no message still explains itself by its code."""
    reply = m.ApiReply("a", 404)
    assert reply.error_text() == "code 404: no reason given"
    assert m.ApiReply("a", 500, reason="Access token expired").error_text() == (
        "code 500: Access token expired"
    )


def test_list_and_erd_bodies_skip_unusable_entries() -> None:
    """One bad entry does not cost the whole list."""
    body = {
        "items": [
            "nonsense",
            {"type": "Oven"},
            {"applianceId": "   "},
            {"applianceId": "a/b"},
            {"applianceId": "abc", "online": 1},
        ]
    }
    listed = m.parse_appliance_list(body)
    assert listed.appliances == (m.ListedAppliance("ABC", "", "", "", online=False),)
    # Entries it could not read may be any appliance: the list does not say who is gone.
    assert (listed.unreadable, listed.complete) == (4, False)
    erds = {
        "items": [
            7,
            {"erd": "bogus", "value": "01"},
            {"erd": "0x0001"},
            {"erd": 1, "value": "01"},
            {"erd": "0x0002", "value": None},
        ]
    }
    assert m.parse_erd_list(erds) == [(0x0001, "")]
    assert m.parse_erd_list({}) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        b"\xff\xfe",
        "[]",
        '"text"',
        "{}",
        '{"kind":5}',
        '{"kind":"websocket#api","id":"a"}',
        '{"kind":"websocket#api","id":"a","code":"200"}',
        '{"kind":"websocket#api","id":"a","code":true}',
        '{"kind":"websocket#api","id":7,"code":200}',
        '{"kind":"websocket#api","id":"a","code":200,"body":[]}',
        '{"kind":"websocket#api","id":"a","code":200,"request":"x"}',
        '{"kind":"publish#erd"}',
        '{"kind":"publish#erd","item":{"applianceId":"AB","erd":"bogus","value":"01"}}',
        '{"kind":"publish#erd","item":{"applianceId":"AB","erd":"0x1234","value":1}}',
        '{"kind":"publish#erd","item":{"erd":"0x1234","value":"01"}}',
        '{"kind":"websocket#pong","id":null}',
        "[" * 100_000,
        '{"kind":"websocket#api","id":"a","code":' + "9" * 400 + "}",
        '{"kind":"websocket#api","id":"a","code":-200}',
        '{"kind":"websocket#api","id":"a","code":0}',
        '{"kind":"websocket#api","id":"a","code":99}',
        '{"kind":"websocket#api","id":"a","code":600}',
        '{"kind":"websocket#api","id":"a","code":200.0}',
        '{"kind":"websocket#api","id":"a","code":NaN}',
        '{"kind":"websocket#api","id":"a","code":Infinity}',
        '{"kind":"websocket#api","id":"a","code":1e400}',
    ],
)
def test_malformed_frames_raise_protocol_error(text: str | bytes) -> None:
    """Anything that is not a SmartHQ frame is a ProtocolError, never another exception."""
    with pytest.raises(ProtocolError):
        m.parse_frame(text)


def test_body_without_item_list_is_a_protocol_error() -> None:
    """An item list that is not a list cannot be read."""
    with pytest.raises(ProtocolError):
        m.parse_appliance_list({"items": {"applianceId": MAC}})
    with pytest.raises(ProtocolError):
        m.parse_erd_list({"items": "0x0001"})


def test_frame_summary_names_the_frame_without_identifiers() -> None:
    """Debug logs learn what a frame is, never whose account or appliance it concerns."""
    texts = [m.frame_summary(_dump(frame)) for frame in (LIST_REPLY, ALL_ERD_REPLY, PUBLISH)] + [
        m.frame_summary(
            _dump({"kind": "websocket#api", "id": f"{MAC}-setErd-0x5105", "code": 200})
        ),
        m.frame_summary(_dump({"kind": "websocket#api", "id": f"{USER}@example.com"})),
        m.frame_summary(
            m.set_erd_request(
                "setErd-0x5105-3", HOST, user_id=USER, mac=MAC, code=0x5105, raw="002D"
            )
        ),
    ]
    for text in texts:
        assert MAC not in text.upper()
        assert USER not in text
    assert m.frame_summary(_dump(PUBLISH)) == "kind=publish#erd erd=0x7B07"
    assert m.frame_summary(_dump(LIST_REPLY)) == "kind=websocket#api id=kc-1 code=200"
    assert "id=setErd-0x5105-3" in texts[-1]


@pytest.mark.parametrize("text", ["[" * 100_000, b"\xff\xfe", "not json"])
def test_frame_summary_of_unreadable_text(text: str | bytes) -> None:
    """Even a frame nested too deeply to parse is summarised, not raised."""
    assert m.frame_summary(text) == "an unreadable frame"


@pytest.mark.parametrize(
    "code", [10**400, -1, 0, 1000, 200.5, float("nan"), float("inf"), True, "200"]
)
def test_frame_summary_leaves_out_unreadable_codes(code: object) -> None:
    summary = m.frame_summary(_dump({"kind": "websocket#api", "id": "list-1", "code": code}))
    assert summary == "kind=websocket#api id=list-1"


def test_error_text_masks_appliance_ids_and_addresses() -> None:
    """Whatever the service writes into an error, no MAC or e-mail address is repeated."""
    body = {
        "message": f"Appliance {MAC} of cook@example.com is not yours",
        "reason": f"/v1/appliance/{MAC.lower()}/erd",
    }
    text = m.ApiReply("a", 404, body).error_text()
    assert MAC not in text.upper()
    assert "cook@example.com" not in text
    assert text.startswith("code 404: Appliance ")


# --- property tests ----------------------------------------------------------------------

_REAL_FRAMES = [_dump(frame) for frame in (LIST_REPLY, ALL_ERD_REPLY, PUBLISH, RATE_LIMITED)] + [
    m.ping_frame(),
    '{"kind":"websocket#pong","id":"keepalive-ping"}',
]

# Numbers no service should send: huge, negative, NaN, infinite, booleans, numeric text.
_odd_numbers = (
    st.integers(min_value=10**300, max_value=10**4000)
    | st.integers(max_value=-1)
    | st.floats()
    | st.booleans()
    | st.integers().map(str)
)
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | _odd_numbers
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_frame_keys = st.sampled_from(
    ["kind", "id", "code", "body", "item", "request", "reason", "success", "resource"]
)
_frame_like = st.dictionaries(
    _frame_keys,
    _json_values
    | st.sampled_from(
        ["websocket#api", "publish#erd", "websocket#pong", "websocket#subscription", "0x0001"]
    )
    | st.fixed_dictionaries(
        {"applianceId": st.text(max_size=14), "erd": st.text(max_size=8), "value": _json_values}
    ),
)


def _parse_or_protocol_error(text: str | bytes) -> m.ServerFrame | None:
    try:
        return m.parse_frame(text)
    except ProtocolError:
        return None


@given(st.text(max_size=300) | st.binary(max_size=300))
def test_random_text_gives_a_frame_or_protocol_error(text: str | bytes) -> None:
    """Noise never escapes as any other exception."""
    _parse_or_protocol_error(text)


@given(st.sampled_from(_REAL_FRAMES), st.data())
def test_truncated_frames_raise_protocol_error(frame: str, data: st.DataObject) -> None:
    """A frame cut anywhere before its end is refused as a whole."""
    cut = data.draw(st.integers(min_value=0, max_value=len(frame) - 1))
    with pytest.raises(ProtocolError):
        m.parse_frame(frame[:cut])


@given(_frame_like)
def test_random_frame_shaped_objects_parse_or_raise_protocol_error(frame: dict[str, Any]) -> None:
    """Frames with the right keys and wrong values are still only ProtocolErrors."""
    parsed = _parse_or_protocol_error(json.dumps(frame))
    if isinstance(parsed, m.ApiReply):
        for parse_body in (m.parse_appliance_list, m.parse_erd_list, m.parse_write_status):
            with contextlib.suppress(ProtocolError):
                parse_body(parsed.body)
        assert isinstance(parsed.error_text(), str)
        assert parsed.ok is (parsed.code == 200)
        assert type(parsed.code) is int
        assert 100 <= parsed.code <= 599
    summary = m.frame_summary(json.dumps(frame))
    assert isinstance(summary, str)
    assert len(summary) < 200


@given(_json_values)
def test_api_reply_codes_are_http_statuses_or_protocol_errors(code: Any) -> None:
    """Whatever sits in ``code``, a parsed reply carries a real HTTP status."""
    parsed = _parse_or_protocol_error(
        json.dumps({"kind": "websocket#api", "id": "a", "code": code})
    )
    if parsed is not None:
        assert isinstance(parsed, m.ApiReply)
        assert type(parsed.code) is int
        assert 100 <= parsed.code <= 599


@given(st.dictionaries(st.sampled_from(["items", "status"]), _json_values))
def test_random_bodies_parse_or_raise_protocol_error(body: dict[str, Any]) -> None:
    """Reply bodies of any shape: a list of entries or a ProtocolError."""
    with contextlib.suppress(ProtocolError):
        listed = m.parse_appliance_list(body)
        items = body.get("items", [])  # no list at all: an account without appliances
        assert len(listed.appliances) + listed.unreadable == len(items)
        assert listed.complete is (listed.unreadable == 0)
    with contextlib.suppress(ProtocolError):
        assert isinstance(m.parse_erd_list(body), list)
