"""What a chaos or soak run must leave true, as checks that name what went wrong.

Each check returns a list of problems (empty when all is well), so a run reports every
broken promise at once, and a test can show that a check does see a broken one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
import logging
import re
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback

# Lines Home Assistant and asyncio write when an exception got away from its owner.
ESCAPE_MARKERS = (
    "Error doing job",
    "Task exception was never retrieved",
    "Exception in callback",
    "Unexpected error fetching",
    "Unexpected exception",
    "Error executing service",
)


# Where an escaped exception of ours would be logged; the simulators' own servers (e.g.
# aiohttp.server writing to a socket the proxy cut) are the test rig, not the integration.
WATCHED_LOGGERS = ("custom_components.kitchen_connect", "homeassistant", "asyncio")


@dataclass
class Outages:
    """Availability changes of one entity, and the log lines that announced them."""

    entity_id: str
    down: int = 0
    up: int = 0
    states: list[str] = field(default_factory=list)


def outage_problems(
    outages: Outages,
    records: Iterable[logging.LogRecord],
    down_line: re.Pattern[str],
    up_line: re.Pattern[str],
) -> list[str]:
    """Exactly one "unavailable" and one "back" line per outage of the entity."""
    messages = [record.getMessage() for record in records]
    down = sum(bool(down_line.search(message)) for message in messages)
    up = sum(bool(up_line.search(message)) for message in messages)
    problems = []
    if down != outages.down:
        problems.append(f"{down} 'unavailable' lines for {outages.down} outages")
    if up != outages.up:
        problems.append(f"{up} 'back' lines for {outages.up} recoveries")
    return problems


def escape_problems(
    records: Iterable[logging.LogRecord],
    loop_errors: Iterable[Mapping[str, Any]],
    library_errors: tuple[type[BaseException], ...],
) -> list[str]:
    """No exception outside the library's hierarchy reached a log line or the loop."""
    problems = []
    records = [record for record in records if record.name.startswith(WATCHED_LOGGERS)]
    for context in loop_errors:
        error = context.get("exception")
        problems.append(f"loop exception handler: {context.get('message')} {error!r}")
    for record in records:
        message = record.getMessage()
        if any(marker in message for marker in ESCAPE_MARKERS):
            error = record.exc_info[1] if record.exc_info else None
            problems.append(f"{record.name}: {message[:200]} {error!r}")
            continue
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            if not isinstance(error, library_errors):
                problems.append(f"{record.name}: {message[:120]} {error!r}")
    return problems


def task_problems(tasks: Iterable[asyncio.Task[Any]]) -> list[str]:
    """Every long-lived task is still running."""
    problems = []
    for task in tasks:
        if not task.done():
            continue
        if task.cancelled():
            problems.append(f"task {task.get_name()} was cancelled")
        elif (error := task.exception()) is not None:
            problems.append(f"task {task.get_name()} died: {error!r}")
        else:
            problems.append(f"task {task.get_name()} returned")
    return problems


def shown(hass: HomeAssistant, key: str) -> str | None:
    """An entity's state, or with ``entity_id@attribute`` one attribute (floats to 0.1)."""
    entity_id, _, attribute = key.partition("@")
    state = hass.states.get(entity_id)
    if state is None:
        return None
    if not attribute:
        return state.state
    value = state.attributes.get(attribute)
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def truth_problems(hass: HomeAssistant, truth: Mapping[str, str]) -> list[str]:
    """Every entity shows what the simulator holds."""
    problems = []
    for key, expected in truth.items():
        showing = shown(hass, key)
        if showing != expected:
            problems.append(f"{key} shows {showing!r}, the appliance has {expected!r}")
    return problems


class CommandLedger:
    """Destructive commands the appliance received, matched to the calls that sent them.

    Each arriving command belongs to the earliest call still owed its command (one held
    back by a stall and delivered late is still that call's only one); a command that no
    call is owed was sent twice.
    """

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.received: list[tuple[str, str | None]] = []  # command, the call it belongs to
        self._owed: list[str] = []

    def call(self, label: str) -> None:
        """A destructive call is about to be made."""
        self.calls.append(label)
        self._owed.append(label)

    def arrived(self, command: str) -> None:
        """The appliance received a destructive command."""
        owner = self._owed.pop(0) if self._owed else None
        self.received.append((command, owner))

    def problems(self) -> list[str]:
        """Commands that no call was owed."""
        return [
            f"{command} reached the appliance again (no call was waiting for it)"
            for command, owner in self.received
            if owner is None
        ]


class RecordingList(list[Any]):
    """A simulator's command log that tells the ledger about destructive commands."""

    def __init__(
        self, items: Iterable[Any], ledger: CommandLedger, destructive: Callable[[Any], bool]
    ) -> None:
        super().__init__(items)
        self._ledger = ledger
        self._destructive = destructive

    def append(self, command: Any) -> None:
        super().append(command)
        if self._destructive(command):
            self._ledger.arrived(str(command))


def follow(
    owner: object, attribute: str, ledger: CommandLedger, destructive: Callable[[Any], bool]
) -> None:
    """Let ``ledger`` hear the destructive entries a simulator appends to its log."""
    setattr(owner, attribute, RecordingList(getattr(owner, attribute), ledger, destructive))


class ChaosWatch:
    """Collects, over a run, what the checks need: loop errors and availability changes."""

    def __init__(self, hass: HomeAssistant, watched: str) -> None:
        self.hass = hass
        self.outages = Outages(watched)
        self.loop_errors: list[Mapping[str, Any]] = []
        self._unsubscribe: Callable[[], None] | None = None
        self._previous: Any = None

    def start(self) -> None:
        """Listen from now on."""
        loop = self.hass.loop
        self._previous = loop.get_exception_handler()

        def handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            self.loop_errors.append(context)

        loop.set_exception_handler(handler)
        self._unsubscribe = self.hass.bus.async_listen("state_changed", self._on_state)

    def stop(self) -> None:
        """Stop listening."""
        self.hass.loop.set_exception_handler(self._previous)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @callback
    def _on_state(self, event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] != self.outages.entity_id:
            return
        old, new = event.data["old_state"], event.data["new_state"]
        was = old is not None and old.state == STATE_UNAVAILABLE
        now = new is not None and new.state == STATE_UNAVAILABLE
        if now and not was and old is not None:
            self.outages.down += 1
        elif was and not now:
            self.outages.up += 1
        if new is not None:
            self.outages.states.append(new.state)
