"""The Jura client (session rules, pushes, commands) against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import logging
import socket
import time

import pytest

from custom_components.kitchen_connect.kitchenlib import (
    AuthError,
    CommandRefusedError,
    ConnectionFailedError,
    InvalidValueError,
)
from custom_components.kitchen_connect.kitchenlib.jura import machine as machine_module
from custom_components.kitchen_connect.kitchenlib.jura.connection import ReplyTimeoutError
from custom_components.kitchen_connect.kitchenlib.jura.machine import (
    JuraMachine,
    SessionRefusedError,
    async_pair,
)
from custom_components.kitchen_connect.kitchenlib.jura.models import MachineState, Process
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from custom_components.kitchen_connect.kitchenlib.jura.status import MachineStatus, machine_status
from simulators.jura.simulator import JuraSimulator

PROFILE = get_profile("EF1091")
assert PROFILE is not None


@pytest.fixture
async def simulator() -> AsyncIterator[JuraSimulator]:
    """A machine that confirms pairing by itself and pushes often."""
    sim = JuraSimulator(
        PROFILE, auto_confirm_pairing=True, push_interval=0.05, brew_step_interval=0.02
    )
    await sim.start()
    yield sim
    await sim.stop()


async def _machine(sim: JuraSimulator, **kwargs: object) -> JuraMachine:
    token = await async_pair(sim.host, conn_id="tester", port=sim.port)
    return JuraMachine(
        sim.host,
        PROFILE,
        conn_id="tester",
        token=token,
        port=sim.port,
        reconnect_gap=0,
        **kwargs,  # type: ignore[arg-type]
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_session_pushes_and_reads(simulator: JuraSimulator) -> None:
    """Pushed @TF updates the state; counters, percent and settings read correctly."""
    updates: list[MachineState] = []
    machine = await _machine(simulator, on_update=updates.append)
    await machine.connect()
    assert machine.connected
    assert await machine.wait_for_status(2)
    assert 13 in machine.state.alerts

    await machine.refresh_maintenance()
    await machine.refresh_product_counters()
    await machine.refresh_settings()
    state = machine.state
    assert state.maintenance_counters[Process.CLEANING] == 21
    assert state.maintenance_counters[Process.CAPPU_CLEAN] == 91
    assert state.maintenance_percent == {
        Process.CLEANING: 0,
        Process.FILTER_CHANGE: None,
        Process.DESCALE: 70,
    }
    assert state.product_counters[0] == 0
    assert state.settings[0x02] == 16
    assert updates[-1] is state
    await machine.disconnect()
    assert not machine.connected


async def test_identical_pushes_cause_no_updates(simulator: JuraSimulator) -> None:
    """The machine repeats @TF every two seconds; unchanged status is not an update."""
    updates: list[MachineState] = []
    machine = await _machine(simulator, on_update=updates.append)
    await machine.connect()
    await machine.wait_for_status(2)
    count = len(updates)
    await asyncio.sleep(0.3)  # several identical pushes
    assert len(updates) == count
    simulator.set_alert(10)
    simulator.push_now()
    await asyncio.sleep(0.1)
    assert len(updates) == count + 1
    assert 10 in machine.state.alerts
    await machine.disconnect()


async def test_brew_progress_is_not_offline(simulator: JuraSimulator) -> None:
    """During a brew @TF stops; @TV keeps the session alive and shows progress."""
    statuses: list[MachineStatus] = []
    machine = await _machine(
        simulator,
        idle_timeout=0.5,
        on_update=lambda state: statuses.append(machine_status(PROFILE, state)),
    )
    await machine.connect()
    simulator.brew_step_interval = 0.2  # each step shorter than the idle timeout
    await machine.brew("espresso", {"water_amount": 30})
    await simulator.wait_idle()
    await asyncio.sleep(0.2)
    assert machine.connected
    assert MachineStatus.BREWING in statuses
    assert statuses[-1] is MachineStatus.READY
    assert simulator.product_counters[0x02] == 1
    await machine.disconnect()


async def test_write_setting_wraps_in_lock(simulator: JuraSimulator) -> None:
    """Writes go inside @TS:01/@TS:00 and are read back."""
    machine = await _machine(simulator)
    await machine.connect()
    simulator.clear_commands()
    await machine.write_setting(0x02, 20)
    assert simulator.commands == ["@TS:01", "@TM:02,140C", "@TS:00", "@TM:02"]
    assert machine.state.settings[0x02] == 20
    with pytest.raises(InvalidValueError):
        await machine.write_setting(0x02, 31)
    with pytest.raises(InvalidValueError):
        await machine.write_setting(0x65, "classic")  # not a setting of this model
    await machine.disconnect()


async def test_refresh_settings_holds_decoded_values(simulator: JuraSimulator) -> None:
    """The state carries option names and numbers, not the wire hex."""
    machine = await _machine(simulator)
    await machine.connect()
    await machine.refresh_settings()
    assert machine.state.settings == {
        0x02: 16,  # hardness, wire "10"
        0x13: "30min",  # auto-off, wire "211E"
        0x08: "ml",
        0x09: "german",
        0x0A: "40",  # an option named like a number stays a name
        0x04: "automatic",
        0x62: "on",
    }
    await machine.disconnect()


@pytest.mark.parametrize("short_readback", [False, True])
async def test_write_setting_updates_decoded_value(
    simulator: JuraSimulator, short_readback: bool
) -> None:
    """A write stores the decoded read-back, also when the machine drops the "21" tag."""
    simulator.machine.short_item_slider_readback = short_readback
    updates: list[MachineState] = []
    machine = await _machine(simulator, on_update=updates.append)
    await machine.connect()
    await machine.refresh_settings()
    await machine.write_setting(0x13, "1h")
    assert simulator.settings[0x13] == "213C"
    assert machine.state.settings[0x13] == "1h"
    await machine.write_setting(0x02, 25)
    assert machine.state.settings[0x02] == 25
    assert updates[-1].settings[0x02] == 25
    await machine.disconnect()


async def test_undecodable_setting_is_left_out(
    simulator: JuraSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A value matching no option does not break the refresh; it is dropped and logged."""
    machine = await _machine(simulator)
    await machine.connect()
    await machine.refresh_settings()
    assert machine.state.settings[0x09] == "german"
    simulator.set_setting(0x09, "7F")  # no language has this value
    with caplog.at_level(logging.DEBUG, logger=machine_module.__name__):
        await machine.refresh_settings()
    assert 0x09 not in machine.state.settings
    assert machine.state.settings[0x02] == 16
    assert "language" in caplog.text
    assert "7F" in caplog.text
    assert machine._token not in caplog.text
    await machine.disconnect()


async def test_commands_and_refusals(simulator: JuraSimulator) -> None:
    """Care processes, cancel and standby; unknown products and processes refused locally."""
    machine = await _machine(simulator, request_timeout=0.5)
    await machine.connect()
    with pytest.raises(InvalidValueError):
        await machine.brew("hot_chocolate")
    await machine.start_process(Process.CLEANING)
    assert "@TG:24" in simulator.commands
    await machine.cancel()
    assert "@TG:FF" in simulator.commands
    await machine.standby()
    assert "@AN:02" in simulator.commands
    simulator.set_alert(1)
    with pytest.raises(CommandRefusedError):
        await machine.brew("espresso")
    await machine.disconnect()


async def test_panel_lock_round_trip(simulator: JuraSimulator) -> None:
    """The lock the user asked for is kept; it is not mistaken for a leaked one."""
    machine = await _machine(simulator)
    await machine.connect()
    await machine.set_panel_lock(True)
    simulator.push_now()
    await asyncio.sleep(0.1)
    assert 39 in simulator.alerts
    await machine.set_panel_lock(False)
    assert 39 not in simulator.alerts
    await machine.disconnect()


async def test_stale_token_is_an_auth_error(simulator: JuraSimulator) -> None:
    """A token the machine no longer knows means the user must pair again."""
    machine = await _machine(simulator)
    simulator.forget_tokens()
    with pytest.raises(AuthError):
        await machine.connect()


async def test_refused_session_is_transient(simulator: JuraSimulator) -> None:
    """ABORTED while the app holds the machine is not an auth problem."""
    machine = await _machine(simulator)
    simulator.refuse_sessions = True
    with pytest.raises(SessionRefusedError):
        await machine.connect()


async def test_reconnect_gap_is_honoured(simulator: JuraSimulator) -> None:
    """A new session waits out the gap after the last one closed."""
    machine = await _machine(simulator)
    machine.reconnect_gap = 0.3
    await machine.connect()
    await machine.disconnect()
    started = time.monotonic()
    await machine.connect()
    assert time.monotonic() - started >= 0.25
    await machine.disconnect()


async def test_a_new_client_waits_only_the_rest_of_the_gap(simulator: JuraSimulator) -> None:
    """A client made after another closed (a reload) waits what is left of the gap.

    The dongle resets a session opened too soon after the last one closed.
    """
    simulator.reconnect_gap = 0.8
    token = await async_pair(simulator.host, conn_id="tester", port=simulator.port)
    await asyncio.sleep(0.9)  # the pairing session closed, too

    def client() -> JuraMachine:
        return JuraMachine(
            simulator.host,
            PROFILE,
            conn_id="tester",
            token=token,
            port=simulator.port,
            reconnect_gap=1.0,
        )

    first = client()
    await first.connect()
    await first.disconnect()
    await asyncio.sleep(0.4)
    connections = simulator.connections

    second = client()
    started = time.monotonic()
    await second.connect()
    waited = time.monotonic() - started
    assert second.connected
    assert simulator.connections == connections + 1  # not reset
    assert 0.5 <= waited < 0.95
    await second.disconnect()


async def test_the_gap_is_kept_per_address(simulator: JuraSimulator) -> None:
    """A session just closed on one machine does not hold up a client of another."""
    other = JuraSimulator(PROFILE, auto_confirm_pairing=True, push_interval=0.05)
    async with other:
        first = await _machine(simulator)
        first.reconnect_gap = 5.0
        await first.connect()
        await first.disconnect()
        token = await async_pair(other.host, conn_id="tester", port=other.port)
        second = JuraMachine(
            other.host, PROFILE, conn_id="tester", token=token, port=other.port, reconnect_gap=5.0
        )
        started = time.monotonic()
        await second.connect()
        assert time.monotonic() - started < 1
        await second.disconnect()


async def test_standby_ignored_by_the_machine_counts_as_sent(
    simulator: JuraSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The S8 EB takes @AN:02 without a word; that is no error, and the session stays."""
    machine = await _machine(simulator, request_timeout=0.5)
    await machine.connect()
    caplog.set_level(logging.DEBUG, logger=machine_module.__name__)

    started = time.monotonic()
    await machine.standby()
    assert time.monotonic() - started < 1
    assert simulator.commands[-1] == "@AN:02"
    assert "standby" in caplog.text
    assert machine.connected
    await machine.cancel()  # the session still answers
    await machine.disconnect()


@pytest.mark.parametrize(("reply", "refused"), [("@an:02", False), ("@an:error", True)])
async def test_standby_answered(simulator: JuraSimulator, reply: str, refused: bool) -> None:
    """Machines that answer: @an:02 is done, @an:error is a refusal."""
    simulator.reply_overrides["@AN:02"] = reply
    machine = await _machine(simulator)
    await machine.connect()
    if refused:
        with pytest.raises(CommandRefusedError):
            await machine.standby()
    else:
        await machine.standby()
    await machine.disconnect()


async def test_dropped_session_is_reported(simulator: JuraSimulator) -> None:
    """The owner hears once when the machine goes away."""
    errors: list[Exception | None] = []
    machine = await _machine(simulator, on_disconnect=errors.append)
    await machine.connect()
    simulator.drop_session()
    await asyncio.sleep(0.2)
    assert len(errors) == 1
    assert isinstance(errors[0], ConnectionFailedError)
    assert not machine.connected
    with pytest.raises(ConnectionFailedError):
        await machine.cancel()


async def test_silent_link_is_detected(simulator: JuraSimulator) -> None:
    """No frame at all for the idle timeout means the link is dead."""
    errors: list[Exception | None] = []
    machine = await _machine(simulator, idle_timeout=0.2, on_disconnect=errors.append)
    simulator.push_interval = 10  # the machine goes quiet
    await machine.connect()
    await asyncio.sleep(0.5)
    assert errors
    assert "no frame" in str(errors[0])


async def test_pairing_outcomes(simulator: JuraSimulator) -> None:
    """Wrong PIN, refusal, nobody pressing OK and an unreachable host each say so."""
    simulator.pin = "1234"
    with pytest.raises(AuthError):
        await async_pair(simulator.host, conn_id="a", pin="0000", port=simulator.port)
    token = await async_pair(simulator.host, conn_id="a", pin="1234", port=simulator.port)
    assert len(token) == 64
    with pytest.raises(CommandRefusedError):  # the conn-id is already paired
        await async_pair(simulator.host, conn_id="a", pin="1234", port=simulator.port)
    simulator.auto_confirm_pairing = False
    with pytest.raises(TimeoutError):
        await async_pair(simulator.host, conn_id="b", pin="1234", port=simulator.port, timeout=0.2)
    with pytest.raises(ConnectionFailedError):
        await async_pair("127.0.0.1", conn_id="c", port=_free_port(), timeout=0.5)


async def test_unreachable_machine(simulator: JuraSimulator) -> None:
    """Connecting to a closed port is a connection error, not a crash."""
    machine = JuraMachine(
        "127.0.0.1", PROFILE, conn_id="x", token="0" * 64, port=_free_port(), reconnect_gap=0
    )
    with pytest.raises(ConnectionFailedError):
        await machine.connect()


# --- one setting at a time ----------------------------------------------------------------------

BRIGHTNESS = 0x0A  # the S8's setting with a letter in its address


async def _eventually(condition: Callable[[], bool], timeout: float = 2) -> None:
    """Let the sockets work until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def _unreadable_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "Cannot read the setting" in r.getMessage()]


@pytest.mark.parametrize(
    ("fault", "reply"),
    [
        ("bare echo", "@tm:0a"),
        ("bad checksum", "@tm:0a,04FF"),
        ("refusal", "@an:error"),
        ("no answer", None),
    ],
)
async def test_one_unreadable_setting_spares_the_others(
    simulator: JuraSimulator, caplog: pytest.LogCaptureFixture, fault: str, reply: str | None
) -> None:
    """The odd setting is left out and logged once; the others read, now and later."""
    if reply is None:
        simulator.ignored_commands.add("@TM:0A")
    else:
        simulator.reply_overrides["@TM:0A"] = reply
    machine = await _machine(simulator, request_timeout=0.3)
    await machine.connect()
    with caplog.at_level(logging.DEBUG, logger=machine_module.__name__):
        await machine.refresh_settings()
        await machine.refresh_settings()
    assert BRIGHTNESS not in machine.state.settings, fault
    assert machine.state.settings[0x02] == 16
    assert machine.state.settings[0x62] == "on"  # read after the odd one
    assert len(_unreadable_lines(caplog)) == 1
    assert "display_brightness_setting" in _unreadable_lines(caplog)[0]

    simulator.ignored_commands.clear()
    simulator.reply_overrides.clear()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=machine_module.__name__):
        await machine.refresh_settings()
    assert machine.state.settings[BRIGHTNESS] == "40"
    assert "can be read again" in caplog.text
    await machine.disconnect()


async def test_setting_the_firmware_lacks_is_skipped_from_then_on(
    simulator: JuraSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """``@tm:8A`` (address plus 0x80) means the firmware has no such setting."""
    simulator.remove_setting(BRIGHTNESS)
    machine = await _machine(simulator)
    await machine.connect()
    with caplog.at_level(logging.INFO, logger=machine_module.__name__):
        await machine.refresh_settings()
        await machine.refresh_settings()
    assert BRIGHTNESS not in machine.state.settings
    assert machine.state.settings[0x62] == "on"
    assert simulator.commands.count("@TM:0A") == 1
    assert caplog.text.count("does not support the setting display_brightness_setting") == 1
    await machine.disconnect()


async def test_late_answer_is_not_taken_for_the_next_setting(simulator: JuraSimulator) -> None:
    """A read that timed out is answered late; the next read still gets its own answer."""
    simulator.reply_delays["@TM:0A"] = 0.4
    machine = await _machine(simulator, request_timeout=0.3)
    await machine.connect()
    await machine.refresh_settings()
    assert BRIGHTNESS not in machine.state.settings
    assert machine.state.settings[0x04] == "automatic"  # asked while "@tm:0a,…" arrived
    assert machine.state.settings[0x62] == "on"
    await machine.disconnect()


# --- requests the machine ignores ---------------------------------------------------------------


async def test_ignored_request_times_out_and_the_session_stays(simulator: JuraSimulator) -> None:
    """No answer at all is a clear timeout, and the next command works on the same session."""
    simulator.ignored_commands.add("@TG:FF")
    machine = await _machine(simulator, request_timeout=0.3)
    await machine.connect()
    connections = simulator.connections
    started = time.monotonic()
    with pytest.raises(ReplyTimeoutError, match="no reply to @TG"):
        await machine.cancel()
    assert time.monotonic() - started < 1
    assert machine.connected
    simulator.ignored_commands.clear()
    await machine.cancel()
    assert simulator.commands.count("@TG:FF") == 2
    assert simulator.connections == connections
    await machine.disconnect()


async def test_cancelled_handshake_leaves_no_session_open(simulator: JuraSimulator) -> None:
    """Giving up while the machine has not answered @HP yet closes the socket."""
    machine = await _machine(simulator)
    simulator.clear_commands()
    simulator.reply_delays["@HP:"] = 0.5
    connect = asyncio.create_task(machine.connect())
    await _eventually(lambda: simulator.connected and bool(simulator.commands))
    connect.cancel()
    with pytest.raises(asyncio.CancelledError):
        await connect
    await asyncio.sleep(0.7)  # past the slow handshake: a leaked socket would be accepted now
    assert not simulator.connected
    assert not machine.connected


# --- the panel lock -----------------------------------------------------------------------------


async def test_leaked_lock_is_released_once_despite_many_pushes(
    simulator: JuraSimulator,
) -> None:
    """The machine keeps pushing "locked" while it takes its time with @TS:00."""
    simulator.set_alert(39)
    simulator.reply_delays["@TS:00"] = 0.4  # eight pushes meanwhile
    machine = await _machine(simulator)
    await machine.connect()
    await _eventually(lambda: 39 not in simulator.alerts, 3)
    await asyncio.sleep(0.3)
    assert simulator.commands.count("@TS:00") == 1
    assert 39 not in machine.state.alerts
    await machine.disconnect()


async def test_remembered_lock_is_not_released(simulator: JuraSimulator) -> None:
    """A lock the owner asked for before (e.g. before a restart) is not a leaked lock."""
    simulator.set_alert(39)
    machine = await _machine(simulator, panel_lock=True)
    await machine.connect()
    await asyncio.sleep(0.3)
    assert 39 in simulator.alerts
    assert 39 in machine.state.alerts
    assert "@TS:00" not in simulator.commands
    await machine.disconnect()


def _pending_unlocks() -> list[asyncio.Task[object]]:
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done() and "_send_unlock" in task.get_coro().__qualname__  # type: ignore[union-attr]
    ]


async def test_disconnect_cancels_a_pending_release(simulator: JuraSimulator) -> None:
    """Hanging up does not leave an unlock behind, waiting for a machine that is gone."""
    simulator.set_alert(39)
    simulator.ignored_commands.add("@TS:00")
    machine = await _machine(simulator, request_timeout=5)
    await machine.connect()
    await _eventually(lambda: "@TS:00" in simulator.commands)
    await asyncio.sleep(0.2)  # more "locked" pushes
    assert _pending_unlocks()
    await machine.disconnect()
    assert _pending_unlocks() == []


async def test_user_lock_wins_over_a_release_in_flight(simulator: JuraSimulator) -> None:
    """Locking while a leaked lock is being released ends locked, and stays locked."""
    simulator.set_alert(39)
    simulator.reply_delays["@TS:00"] = 0.3
    machine = await _machine(simulator)
    await machine.connect()
    await _eventually(lambda: "@TS:00" in simulator.commands)
    simulator.reply_delays.clear()
    await machine.set_panel_lock(True)
    await asyncio.sleep(0.4)
    assert 39 in simulator.alerts
    assert simulator.commands.count("@TS:00") == 1
    await machine.disconnect()


async def test_unconfirmed_lock_is_not_kept(simulator: JuraSimulator) -> None:
    """A lock request the machine never answered does not count as the owner's lock."""
    simulator.ignored_commands.add("@TS:01")
    machine = await _machine(simulator, request_timeout=0.2)
    await machine.connect()
    with pytest.raises(ConnectionFailedError):
        await machine.set_panel_lock(True)
    assert machine.lock_wanted is False
    await machine.disconnect()
