"""Our codecs against the peer libraries, side by side in one Python process (issue 13, part 3).

jura-connect and gehomesdk are installed into a throwaway directory under the user's cache
(never into ``.venv``, never a dependency of the integration) and imported next to our own
code. Every row feeds both sides the same inputs, checks they read them alike, and prints the
median time per operation of nine runs, ours, the peer's and how many times faster we are.

Run with ``scripts/benchmark-peers``; figures depend on the machine, so nothing is asserted.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
import importlib
from itertools import starmap
import json
import os
from pathlib import Path
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any

from custom_components.kitchen_connect.kitchenlib.ge.appliance import Appliance
from custom_components.kitchen_connect.kitchenlib.ge.erd import decode_erd_value, format_erd_code
from custom_components.kitchen_connect.kitchenlib.ge.messages import (
    HTTP_OK,
    ApiReply,
    parse_erd_list,
    parse_frame,
)
from custom_components.kitchen_connect.kitchenlib.jura import messages as jura_messages
from custom_components.kitchen_connect.kitchenlib.jura.framing import decode_frame, encode_frame
from custom_components.kitchen_connect.kitchenlib.jura.models import Process
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.ge.household import Household, default_household
from tests.benchmark.measure import Report

PEERS = ("jura-connect==0.14.0", "gehomesdk==2026.8.0")
# What gehomesdk imports at module level and Home Assistant's environment lacks.
PEER_IMPORTS = (
    "bidict==0.24.1",
    "websockets==17.4",
    "beautifulsoup4==4.15.0",
    "soupsieve==4.1.3",
)
RUNS = 9
_consume: Callable[[Iterable[object]], None] = deque(maxlen=0).extend
TARGET_RATIO = 3.0
EF_CODE = "EF1091"  # the S8 EB both libraries know
JURA_KEY = 0x5A
STATUS_TEXT = "@TF:0004000008000000"
SIMULATED_MINUTES = 100
USER_ID = "benchuser"


def peer_dir() -> Path:
    """Where the peers live: the user's cache, keyed by Python version and what is pinned."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return cache / "kitchen_connect" / f"peers-py{version}"


def install_peers(target: Path) -> None:
    """Install the pinned peers into ``target`` once, with uv and without their dependencies."""
    wanted = "\n".join((*PEERS, *PEER_IMPORTS)) + "\n"
    stamp = target / "installed.txt"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(uv).is_file():
        raise SystemExit("uv is needed to install the peer libraries (scripts/bootstrap adds it)")
    shutil.rmtree(target, ignore_errors=True)
    print(f"Installing {', '.join(PEERS)} into {target} (not into .venv)", file=sys.stderr)
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            sys.executable,
            "--target",
            str(target),
            "--no-deps",
            *PEERS,
            *PEER_IMPORTS,
        ],
        check=True,
    )
    stamp.write_text(wanted, encoding="utf-8")


def import_peers() -> tuple[Any, Any]:
    """jura_connect and gehomesdk, imported from the throwaway directory."""
    target = peer_dir()
    install_peers(target)
    # Appended, so that every package of our own environment still wins.
    if str(target) not in sys.path:
        sys.path.append(str(target))
    return importlib.import_module("jura_connect"), importlib.import_module("gehomesdk")


# --- timing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One comparison: what it measures, and one run of each side over all inputs."""

    name: str
    operations: int  # per run
    ours: Callable[[], object]
    peer: Callable[[], object]
    prepare: Callable[[], None] = lambda: None  # resets state before each run, untimed


def _timed(run: Callable[[], object], prepare: Callable[[], None]) -> float:
    prepare()
    # CPU time of this process: other work on a busy machine does not count against a side.
    started = time.process_time()
    run()
    return time.process_time() - started


@dataclass(frozen=True, slots=True)
class Figure:
    """The measured result of one row, in microseconds per operation."""

    name: str
    ours_us: float
    peer_us: float

    @property
    def ratio(self) -> float:
        """How many times faster we are than the peer."""
        return self.peer_us / self.ours_us

    def meets_target(self) -> bool:
        """At least ``TARGET_RATIO`` times as fast as the peer."""
        return self.ratio >= TARGET_RATIO


def measure(rows: Iterable[Row]) -> list[Figure]:
    """Median time of ``RUNS`` runs per side, ours and the peer's in alternation."""
    figures = []
    for row in rows:
        _timed(row.ours, row.prepare)  # warm-up: caches and lazily built tables
        _timed(row.peer, row.prepare)
        ours, peer = [], []
        for _ in range(RUNS):
            ours.append(_timed(row.ours, row.prepare))
            peer.append(_timed(row.peer, row.prepare))
        scale = 1e6 / row.operations
        figures.append(
            Figure(row.name, statistics.median(ours) * scale, statistics.median(peer) * scale)
        )
    return figures


def _each[T](times: range, inputs: Sequence[T], step: Callable[[T], object]) -> Callable[[], None]:
    """One run: ``step`` over every input, ``times`` over.

    The inputs are repeated into one list beforehand and consumed in C (``map`` into an
    empty ``deque``): a Python-level loop and call per operation would add the same
    30-40 ns to both sides and pull every ratio towards 1, measuring the harness instead of
    the codecs.
    """
    repeated = list(inputs) * len(times)

    def run() -> None:
        _consume(map(step, repeated))

    return run


def _each_pair[A, B](
    times: range, inputs: Sequence[tuple[A, B]], step: Callable[[A, B], object]
) -> Callable[[], None]:
    """``_each`` for a step of two arguments, each input a pair of them."""
    repeated = list(inputs) * len(times)

    def run() -> None:
        _consume(starmap(step, repeated))

    return run


def _drive(coroutine: Coroutine[Any, Any, Any]) -> None:
    """Run a coroutine that never waits on I/O to its end, without an event loop."""
    try:
        while True:
            coroutine.send(None)
    except StopIteration:
        return


# --- Jura -----------------------------------------------------------------------------------


def jura_rows(jura_connect: Any, rounds: int) -> list[Row]:
    """Frame decode and encode, ``@TF`` to alert names, ``@tg:43`` to maintenance counters."""
    protocol = importlib.import_module("jura_connect.protocol")
    peer_client = importlib.import_module("jura_connect.client")
    peer_profile = importlib.import_module("jura_connect.profile").load_profile(EF_CODE)
    profile = get_profile(EF_CODE)
    assert profile is not None

    frame = encode_frame(STATUS_TEXT, JURA_KEY)
    assert protocol.wrap(STATUS_TEXT.encode("ascii"), key=JURA_KEY) == frame
    assert protocol.unwrap(frame[:-2]).decode("ascii") == decode_frame(frame[:-2]) == STATUS_TEXT

    fields = profile.maintenance_counter_fields
    counters = {field: 10 * index + 3 for index, field in enumerate(fields)}
    counter_reply = "@tg:43" + jura_messages.encode_maintenance_counters(counters, fields)

    def our_alerts(text: str) -> frozenset[str]:
        _verb, payload = jura_messages.split_reply(text)
        return profile.alert_keys(jura_messages.decode_status_bits(payload))

    def peer_alerts(text: str) -> Any:
        return peer_client.MachineStatus.parse(text, profile=peer_profile).active_alerts

    def our_counters(text: str) -> dict[Process, int]:
        return jura_messages.read_maintenance_counters(text, fields)

    def peer_counters(text: str) -> Any:
        return peer_client.MaintenanceCounters.parse(text, profile=peer_profile).counters

    # Both sides read the inputs alike, or the comparison would mean nothing.
    assert len(our_alerts(STATUS_TEXT)) == len(peer_alerts(STATUS_TEXT)) > 0
    ours = {str(key): value for key, value in our_counters(counter_reply).items()}
    assert ours == dict(peer_counters(counter_reply))

    body = frame[:-2]
    unwrap, wrap = protocol.unwrap, protocol.wrap
    times = range(rounds)
    return [
        Row(
            "Jura frame decode",
            rounds,
            _each(times, [body], decode_frame),
            _each(times, [body], lambda data: unwrap(data).decode("ascii", errors="replace")),
        ),
        Row(
            "Jura frame encode",
            rounds,
            _each_pair(times, [(STATUS_TEXT, JURA_KEY)], encode_frame),
            _each(times, [STATUS_TEXT.encode("ascii")], partial(wrap, key=JURA_KEY)),
        ),
        Row(
            "Jura @TF to named alerts",
            rounds,
            _each(times, [STATUS_TEXT], our_alerts),
            _each(times, [STATUS_TEXT], peer_alerts),
        ),
        Row(
            "Jura @tg:43 to maintenance counters",
            rounds,
            _each(times, [counter_reply], our_counters),
            _each(times, [counter_reply], peer_counters),
        ),
    ]


# --- GE -------------------------------------------------------------------------------------


def _full_read_frames(household: Household) -> dict[str, str]:
    """The ``allErd`` reply frame per appliance, shaped as the service (and simulator) sends it."""
    frames = {}
    for mac, appliance in household.appliances.items():
        items = [
            {"erd": f"0x{code:04x}", "value": raw, "time": "2026-12-01T12:00:00.000Z"}
            for code, raw in sorted(appliance.erds.items())
        ]
        frame = {
            "kind": "websocket#api",
            "id": f"{mac}-allErd",
            "request": {"host": "api", "method": "GET", "path": f"/v1/appliance/{mac}/erd"},
            "success": True,
            "code": 200,
            "body": {
                "kind": "appliance#erdList",
                "userId": USER_ID,
                "applianceId": mac,
                "items": items,
            },
        }
        frames[mac] = json.dumps(frame, separators=(",", ":"))
    return frames


def _publish_frame(mac: str, code: int, raw: str, minute: int) -> str:
    wire_code = format_erd_code(code)
    return json.dumps(
        {
            "item": {
                "applianceId": mac,
                "erd": wire_code,
                "time": f"2026-12-01T{12 + minute // 60:02d}:{minute % 60:02d}:00.000Z",
                "value": raw,
            },
            "resource": f"/appliance/{mac}/erd/{wire_code}",
            "kind": "publish#erd",
            "userId": USER_ID,
        },
        separators=(",", ":"),
    )


def _push_stream(household: Household) -> list[str]:
    """The pushes the simulated household sends over ``SIMULATED_MINUTES`` of its life."""
    stream: list[str] = []
    minute = 0

    def on_change(mac: str, code: int, raw: str) -> None:
        stream.append(_publish_frame(mac, code, raw, minute))

    household.subscribe(on_change)
    for minute in range(SIMULATED_MINUTES):  # noqa: B007 - read by on_change
        household.tick(60)
    return stream


def ge_rows(gehomesdk: Any, rounds: int) -> list[Row]:
    """Full read and pushes into the appliance model, raw ERD decode, publish-frame parse."""
    household = default_household()
    full_reads = _full_read_frames(household)
    decode_inputs = [
        (code, raw)
        for appliance in household.appliances.values()
        for code, raw in appliance.erds.items()
    ]
    pushes = _push_stream(household)
    macs = list(full_reads)

    peer_client = gehomesdk.GeWebsocketClient("bench", "bench")
    # Ours notifies nobody here either: no listener tasks on either side.
    peer_client.event_handlers.clear()
    peer_appliances = {mac: gehomesdk.GeAppliance(mac, peer_client) for mac in macs}
    peer_client.appliances.update(peer_appliances)
    ours = {mac: Appliance(mac) for mac in macs}
    encoder = gehomesdk.ErdEncoder()
    peer_inputs = [
        (encoder.translate_code(format_erd_code(code).lower()), raw) for code, raw in decode_inputs
    ]

    def our_full_read(text: str) -> frozenset[int]:
        reply = parse_frame(text)
        assert isinstance(reply, ApiReply)
        appliance = ours[reply.body["applianceId"]]
        appliance.erds.clear()
        return frozenset(
            code for code, raw in parse_erd_list(reply.body) if appliance.apply(code, raw)
        )

    def peer_full_read(text: str) -> None:
        message = json.loads(text)
        appliance = peer_appliances[message["body"]["applianceId"]]
        appliance._property_cache.clear()  # a fresh first read every time
        appliance._raw_property_cache.clear()
        _drive(peer_client._process_cache_update(message))

    def our_push(text: str) -> None:
        publish = parse_frame(text)
        assert isinstance(publish, tuple)
        mac, code, raw = publish
        ours[mac].apply(code, raw)

    def peer_push(text: str) -> None:
        _drive(peer_client._process_erd_update(json.loads(text)))

    def reset() -> None:
        for text in full_reads.values():
            our_full_read(text)
            peer_full_read(text)

    reset()
    for mac, appliance in ours.items():  # both models hold the same ERDs after a full read
        assert set(appliance.erds) == {
            int(str(code.value if hasattr(code, "value") else code), 16)
            for code in peer_appliances[mac]._raw_property_cache
        }
    reads = list(full_reads.values())
    times = range(rounds)
    return [
        Row(
            f"GE full-read JSON to appliance ({len(decode_inputs) // len(macs)} ERDs each)",
            rounds * len(reads),
            _each(times, reads, our_full_read),
            _each(times, reads, peer_full_read),
        ),
        Row(
            f"GE publish to appliance updated ({len(pushes)} pushes)",
            rounds * len(pushes),
            _each(times, pushes, our_push),
            _each(times, pushes, peer_push),
            prepare=reset,
        ),
        Row(
            "GE raw ERD decode",
            rounds * len(decode_inputs),
            _each_pair(times, decode_inputs, decode_erd_value),
            _each_pair(times, peer_inputs, encoder.decode_value),
        ),
        Row(
            "GE publish-frame parse",
            rounds * len(pushes),
            _each(times, pushes, parse_frame),
            _each(times, pushes, _peer_parse_publish),
        ),
    ]


def _peer_parse_publish(text: str) -> tuple[str, dict[str, str]] | None:
    # gehomesdk has no publish parser of its own. These are the steps its websocket client
    # takes from a frame's text to a push's fields: the kind and status checks of its message
    # handler, then what its push handler reads. Its debug line, which formats the whole
    # message even with debug logging off, is left out.
    message = json.loads(text)
    kind = message["kind"]
    if message.get("success", True) is not True or message.get("code", 200) != HTTP_OK:
        raise ValueError(message.get("code"))
    if kind.lower() != "publish#erd":
        return None
    item = message["item"]
    return item["applianceId"].upper(), {item["erd"]: item["value"]}


# --- report ---------------------------------------------------------------------------------


def run(rounds: int = 2000) -> Report:
    """The eight comparisons as report lines (name, figures, meets the 3x target)."""
    jura_connect, gehomesdk = import_peers()
    figures = measure(
        [*jura_rows(jura_connect, rounds), *ge_rows(gehomesdk, max(1, rounds // 100))]
    )
    return [
        (
            figure.name,
            f"{figure.ours_us:7.2f} us vs {figure.peer_us:7.2f} us = {figure.ratio:5.2f}x",
            figure.meets_target,
        )
        for figure in figures
    ]


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="scripts/benchmark-peers",
        description=(
            "Time our Jura and GE codecs against jura-connect 0.14.0 and gehomesdk 2026.8.0 "
            "(installed into a throwaway cache directory) on the same inputs: median of "
            f"{RUNS} runs per row, ours, the peer's and the ratio (target {TARGET_RATIO:g}x)."
        ),
    )
    parser.add_argument("--rounds", type=int, default=2000, help="Jura operations per run")
    args = parser.parse_args(argv)
    report = run(args.rounds)
    print(f"Kitchen Connect against its peers, Python {sys.version.split()[0]} (per operation)")
    for name, value, ok in report:
        print(f"  {name:<48} {value:>34}  {'ok' if ok() else 'MISSES TARGET'}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parents[2]))
    main(sys.argv[1:])
