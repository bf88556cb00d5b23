"""The loopback Jura simulator, driven over real sockets with the raw wire protocol."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
import re
from typing import Any, Self

import pytest

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError
from custom_components.kitchen_connect.kitchenlib.jura.discovery import (
    build_probe,
    parse_discovery_reply,
)
from custom_components.kitchen_connect.kitchenlib.jura.framing import (
    FrameSplitter,
    decode_frame,
    encode_frame,
    unescape,
)
from custom_components.kitchen_connect.kitchenlib.jura.messages import (
    build_recipe,
    checksum,
    decode_progress,
    decode_status_bits,
)
from custom_components.kitchen_connect.kitchenlib.jura.models import MachineProfile, Process
from custom_components.kitchen_connect.kitchenlib.jura.profiles import all_profiles, get_profile
from simulators.jura.simulator import (
    JuraSimulator,
    _parse_args,
    _run_forever,
    main,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")  # the HA test harness blocks sockets

CONN_ID = b"ha-test".hex().upper()
PUSH = 0.05
STEP = 0.01


def _profile() -> MachineProfile:
    profile = get_profile("EF1091")
    assert profile is not None
    return profile


class RawClient:
    """A bare-bones client speaking frames over an asyncio stream."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.splitter = FrameSplitter()
        self.pending: list[bytes] = []
        self.keys: list[int] = []

    @classmethod
    async def connect(cls, simulator: JuraSimulator) -> Self:
        reader, writer = await asyncio.open_connection(simulator.host, simulator.port)
        return cls(reader, writer)

    def send(self, text: str) -> None:
        self.writer.write(encode_frame(text))

    async def recv(self, timeout: float = 1.0) -> str:
        async with asyncio.timeout(timeout):
            while not self.pending:
                data = await self.reader.read(4096)
                if not data:
                    raise EOFError
                self.pending += self.splitter.feed(data)
        raw = self.pending.pop(0)
        self.keys.append(unescape(raw[1:])[0])
        return decode_frame(raw)

    async def reply(self, timeout: float = 1.0) -> str:
        """The next frame that is not an unsolicited push."""
        while True:
            text = await self.recv(timeout)
            if not (text.startswith(("@TF:", "@TV:")) or text in {"@TB", "@TS"}):
                return text

    async def ask(self, text: str) -> str:
        self.send(text)
        return await self.reply()

    async def until(self, accept: Callable[[str], bool], timeout: float = 2.0) -> list[str]:
        """Every frame up to and including the first that ``accept`` likes."""
        seen: list[str] = []
        async with asyncio.timeout(timeout):
            while not seen or not accept(seen[-1]):
                seen.append(await self.recv(timeout))
        return seen

    async def closed_by_peer(self, timeout: float = 1.0) -> bool:
        """True when the simulator closes or resets the connection (pushes are skipped)."""
        try:
            while True:
                await self.recv(timeout)
        except EOFError, ConnectionError:
            return True
        except TimeoutError:
            return False

    async def silent_for(self, seconds: float) -> list[str]:
        """Frames received during ``seconds``."""
        seen: list[str] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    seen.append(await self.recv(seconds + 1))
        return seen

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


@pytest.fixture
async def simulator() -> AsyncIterator[JuraSimulator]:
    async with JuraSimulator(_profile(), push_interval=PUSH, brew_step_interval=STEP) as machine:
        yield machine


async def _pair(simulator: JuraSimulator, conn_id: str = CONN_ID) -> tuple[RawClient, str]:
    client = await RawClient.connect(simulator)
    client.send(f"@HP:,{conn_id},")
    await asyncio.wait_for(simulator.pairing_requested.wait(), 1)
    assert simulator.press_ok()
    reply = await client.reply()
    assert reply.startswith("@hp4:")
    return client, reply[5:]


@pytest.fixture
async def session(simulator: JuraSimulator) -> AsyncIterator[RawClient]:
    client, _ = await _pair(simulator)
    yield client
    await client.close()


# --- pairing -----------------------------------------------------------------------------------


async def test_pairing_waits_for_ok_and_pushes_status_meanwhile(simulator: JuraSimulator) -> None:
    client = await RawClient.connect(simulator)
    client.send(f"@HP:,{CONN_ID},")
    await asyncio.wait_for(simulator.pairing_requested.wait(), 1)
    before = await client.silent_for(3 * PUSH)
    assert before
    assert all(text.startswith("@TF:") for text in before)
    assert simulator.press_ok()
    assert not simulator.press_ok()  # the prompt is gone
    reply = await client.reply()
    token = reply.removeprefix("@hp4:")
    assert len(token) == 64
    int(token, 16)
    assert (await client.recv()).startswith("@TF:")  # a status push right after pairing
    assert simulator.commands[0] == f"@HP:,{CONN_ID},"
    await client.close()

    again = await RawClient.connect(simulator)
    assert await again.ask(f"@HP:,{CONN_ID},{token}") == "@hp4"
    assert await again.ask("@HU?") == "@hu:800"
    await again.close()


async def test_auto_confirm_pairing_answers_at_once() -> None:
    async with JuraSimulator(_profile(), auto_confirm_pairing=True) as simulator:
        client = await RawClient.connect(simulator)
        assert (await client.ask(f"@HP:,{CONN_ID},")).startswith("@hp4:")
        assert not simulator.pairing_requested.is_set()
        await client.close()


async def test_wrong_pin_is_refused_and_closed() -> None:
    async with JuraSimulator(_profile(), pin="1234", auto_confirm_pairing=True) as simulator:
        client = await RawClient.connect(simulator)
        assert await client.ask(f"@HP:9999,{CONN_ID},") == "@hp5:00"
        assert await client.closed_by_peer()
        client = await RawClient.connect(simulator)
        assert (await client.ask(f"@HP:1234,{CONN_ID},")).startswith("@hp4:")
        await client.close()


async def test_stale_token_is_refused_and_closed(simulator: JuraSimulator) -> None:
    client, token = await _pair(simulator)
    await client.close()
    simulator.forget_tokens()
    again = await RawClient.connect(simulator)
    assert await again.ask(f"@HP:,{CONN_ID},{token}") == "@hp5:01"
    assert await again.closed_by_peer()


async def test_token_of_another_conn_id_is_refused(simulator: JuraSimulator) -> None:
    client, token = await _pair(simulator)
    await client.close()
    other = await RawClient.connect(simulator)
    assert await other.ask(f"@HP:,{b'other'.hex()},{token}") == "@hp5:01"


async def test_empty_token_for_a_paired_conn_id_is_aborted(simulator: JuraSimulator) -> None:
    client, _ = await _pair(simulator)
    await client.close()
    again = await RawClient.connect(simulator)
    assert await again.ask(f"@HP:,{CONN_ID},") == "@hp5:02"
    assert await again.closed_by_peer()


async def test_open_settings_menu_refuses_pairing(simulator: JuraSimulator) -> None:
    simulator.settings_menu_open = True
    client = await RawClient.connect(simulator)
    assert await client.ask(f"@HP:,{CONN_ID},") == "@hp5:02"
    assert await client.closed_by_peer()


async def test_sleeping_display_never_answers_pairing(simulator: JuraSimulator) -> None:
    simulator.display_asleep = True
    client = await RawClient.connect(simulator)
    client.send(f"@HP:,{CONN_ID},")
    frames = await client.silent_for(4 * PUSH)
    assert len(frames) >= 2
    assert all(text.startswith("@TF:") for text in frames)
    assert not simulator.pairing_requested.is_set()
    assert not simulator.press_ok()
    await client.close()


async def test_frames_before_the_handshake_are_ignored(simulator: JuraSimulator) -> None:
    client = await RawClient.connect(simulator)
    client.send("@TG:43")
    client.send("@HP:garbage")
    client.writer.write(b"*\x00\x00\r\n")  # undecodable frame
    assert await client.silent_for(3 * PUSH) == []
    client.send(f"@HP:,{CONN_ID},")
    await asyncio.wait_for(simulator.pairing_requested.wait(), 1)
    assert simulator.commands == ["@TG:43", "@HP:garbage", f"@HP:,{CONN_ID},"]
    await client.close()


async def test_frames_use_fresh_keys(session: RawClient) -> None:
    for _ in range(10):
        assert await session.ask("@HU?") == "@hu:800"
    assert len(set(session.keys)) > 1
    assert all(key & 0x0F < 0x0E for key in session.keys)


# --- sessions ----------------------------------------------------------------------------------


async def test_second_connection_is_reset_while_a_session_is_open(
    simulator: JuraSimulator, session: RawClient
) -> None:
    intruder = await RawClient.connect(simulator)
    intruder.send(f"@HP:,{CONN_ID},")
    assert await intruder.closed_by_peer()
    assert await session.ask("@HU?") == "@hu:800"
    assert simulator.connected


async def test_empty_frame_hangs_up(simulator: JuraSimulator, session: RawClient) -> None:
    session.send("")
    assert await session.closed_by_peer()
    assert simulator.commands[-1] == ""
    client = await RawClient.connect(simulator)
    client.send(f"@HP:,{CONN_ID},")  # a new session is welcome (this conn-id is paired)
    assert await client.reply() == "@hp5:02"


async def test_reconnecting_too_soon_is_reset() -> None:
    async with JuraSimulator(
        _profile(), auto_confirm_pairing=True, reconnect_gap=0.3, push_interval=PUSH
    ) as simulator:
        first = await RawClient.connect(simulator)
        reply = await first.ask(f"@HP:,{CONN_ID},")
        await first.close()
        await asyncio.sleep(0.05)
        too_soon = await RawClient.connect(simulator)
        too_soon.send(f"@HP:,{CONN_ID},{reply[5:]}")
        assert await too_soon.closed_by_peer()
        await asyncio.sleep(0.3)
        later = await RawClient.connect(simulator)
        assert await later.ask(f"@HP:,{CONN_ID},{reply[5:]}") == "@hp4"
        await later.close()


async def test_drop_session_cuts_the_client(simulator: JuraSimulator, session: RawClient) -> None:
    simulator.drop_session()
    assert await session.closed_by_peer()
    await asyncio.sleep(0.01)
    assert not simulator.connected


# --- status pushes -----------------------------------------------------------------------------


async def test_status_is_pushed_periodically(simulator: JuraSimulator, session: RawClient) -> None:
    frames = await session.silent_for(5 * PUSH)
    assert len(frames) >= 3
    assert {decode_status_bits(text[4:]) for text in frames} == {frozenset({13})}
    simulator.set_alert(1)
    simulator.set_alert(13, on=False)
    assert simulator.alerts == frozenset({1})
    await session.until(lambda text: decode_status_bits(text[4:]) == frozenset({1}))


async def test_push_now_pushes_at_once() -> None:
    async with JuraSimulator(_profile(), auto_confirm_pairing=True, push_interval=30) as slow:
        client = await RawClient.connect(slow)
        await client.ask(f"@HP:,{CONN_ID},")
        assert (await client.recv()).startswith("@TF:")  # right after the handshake
        slow.push_now()
        assert (await client.recv(timeout=0.5)).startswith("@TF:")
        await client.close()


# --- reads -------------------------------------------------------------------------------------


async def test_maintenance_reads_match_the_s8_capture(session: RawClient) -> None:
    assert await session.ask("@TG:43") == "@tg:4300150001000801580E21005B"
    assert await session.ask("@TG:C0") == "@tg:C000FF46"


async def test_maintenance_percent_reflects_filter_and_overrides() -> None:
    async with JuraSimulator(
        _profile(), auto_confirm_pairing=True, filter_installed=True
    ) as simulator:
        simulator.set_maintenance_percent(Process.CLEANING, 85)
        simulator.set_maintenance_percent(Process.DESCALE, None)
        client = await RawClient.connect(simulator)
        await client.ask(f"@HP:,{CONN_ID},")
        assert await client.ask("@TG:C0") == "@tg:C05500FF"
        await client.close()


async def test_product_counter_pages(session: RawClient) -> None:
    # Slot 1 is not a product of the EF1091; slots 2 and 3 are espresso and coffee.
    assert await session.ask("@TR:32,00") == "@tr:32,00,0000FFFF00000000"
    # 0x30 espresso doppio and 0x31 2 espressi exist; 0x32 and 0x33 do not.
    assert await session.ask("@TR:32,0C") == "@tr:32,0C,00000000FFFFFFFF"
    assert await session.ask("@TR:32,10") == "@tr:00"
    assert await session.ask("@TR:33,00") == "@tr:00"
    session.send("@TR:32")  # no page: the dongle stays silent
    assert await session.ask("@HU?") == "@hu:800"


async def test_setting_reads(session: RawClient) -> None:
    assert await session.ask("@TM:02") == f"@tm:02,10{checksum('02,10')}"
    assert await session.ask("@TM:13") == f"@tm:13,211E{checksum('13,211E')}"
    assert await session.ask("@TM:00") == "@tm:80"
    assert await session.ask("@TM:23") == "@tm:A3"


async def test_setting_read_echoes_the_address_in_lower_case(session: RawClient) -> None:
    """As the S8 EB does: ``@TM:0A`` is answered ``@tm:0a,04FE``, checksummed in upper case."""
    assert await session.ask("@TM:0A") == "@tm:0a,04FE"


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("@TM:00,FC", "@tm:80"),  # the batch read the XMLs declare and the S8 EB rejects
        ("@TM:41,02", "@tm:C1"),
        ("@TM:42,00", "@tm:C2"),
        ("@TM:50", "@tm:D0"),
        ("@TM:07,0130", "@tm:87"),  # a write to an address this model lacks
    ],
)
async def test_addresses_the_firmware_lacks_come_back_with_bit_7(
    session: RawClient, command: str, reply: str
) -> None:
    assert await session.ask(command) == reply


@pytest.mark.parametrize("command", ["@TT:00", "@XX:01", "@TR:32", "@TY:"])
async def test_unknown_requests_get_no_answer(session: RawClient, command: str) -> None:
    """The machine ignores what it does not know: only pushes follow, then the next answer."""
    session.send(command)
    frames = await session.silent_for(3 * PUSH)
    assert frames
    assert all(frame.startswith("@TF:") for frame in frames)
    assert await session.ask("@HU?") == "@hu:800"


async def test_ignored_commands_are_received_but_not_answered(
    simulator: JuraSimulator, session: RawClient
) -> None:
    simulator.ignored_commands.add("@TG:FF")
    session.send("@TG:FF")
    assert all(frame.startswith("@TF:") for frame in await session.silent_for(3 * PUSH))
    assert simulator.commands[-1] == "@TG:FF"
    simulator.ignored_commands.clear()
    assert await session.ask("@TG:FF") == "@tg:FF"


async def test_slow_commands_are_answered_late_and_in_order(
    simulator: JuraSimulator, session: RawClient
) -> None:
    simulator.set_alert(39)
    simulator.reply_delays["@TS:00"] = 4 * PUSH
    session.send("@TS:00")
    session.send("@HU?")
    frames = await session.until(lambda text: text == "@hu:800")
    locked_pushes = [f for f in frames if f.startswith("@TF:") and 39 in decode_status_bits(f[4:])]
    assert len(locked_pushes) >= 2  # the machine kept pushing, still locked, meanwhile
    assert [f for f in frames if not f.startswith("@TF:")] == ["@ts", "@hu:800"]
    assert 39 not in simulator.alerts


async def test_live_product_limits(session: RawClient) -> None:
    assert await session.ask("@TM:60,020B") == "@tm:60,020310FFFFFFFFFFFFFFFF0087"
    assert await session.ask("@TM:60,0200") == "@an:error"


async def test_item_slider_short_readback_quirk(
    simulator: JuraSimulator, session: RawClient
) -> None:
    simulator.machine.short_item_slider_readback = True
    assert await session.ask("@TM:13") == f"@tm:13,1E{checksum('13,1E')}"
    simulator.set_setting(0x13, "220168")
    assert await session.ask("@TM:13") == f"@tm:13,220168{checksum('13,220168')}"


async def test_misc_commands(simulator: JuraSimulator, session: RawClient) -> None:
    assert await session.ask("@HU?") == "@hu:800"
    assert await session.ask("@TG:10") == "@an:error"
    assert await session.ask(f"@HP:,{CONN_ID},") == "@an:error"


async def test_malformed_arguments_are_refused(
    simulator: JuraSimulator, session: RawClient
) -> None:
    for command in ("@TR:32,zz", "@TM:zz", "@TM:2", "@TM:60,zzF0", "@TS:02", "@AN:01"):
        assert await session.ask(command) == "@an:error", command
    assert await session.ask("@TR:32,0") == "@tr:00"
    simulator.clear_commands()
    assert await session.ask("@HU?") == "@hu:800"
    assert simulator.commands == ["@HU?"]


async def test_tg_7e_zeroes_maintenance_counters(
    simulator: JuraSimulator, session: RawClient
) -> None:
    assert await session.ask("@TG:7E") == "@tg:7E"
    assert set(simulator.maintenance_counters.values()) == {0}
    assert await session.ask("@TG:43") == "@tg:43" + "0000" * 6


# --- settings writes ---------------------------------------------------------------------------


def _write(argument: str, value: str) -> str:
    return f"@TM:{argument},{value}{checksum(f'{argument},{value}')}"


async def test_setting_write_without_lock_is_ignored(
    simulator: JuraSimulator, session: RawClient
) -> None:
    assert await session.ask(_write("02", "0D")) == "@tm:00"
    assert simulator.settings[0x02] == "10"


async def test_setting_write_inside_the_lock_wrapper(
    simulator: JuraSimulator, session: RawClient
) -> None:
    assert await session.ask("@TS:01") == "@ts"
    simulator.push_now()
    assert 39 in decode_status_bits((await session.recv())[4:])
    assert await session.ask(_write("02", "0D")) == "@tm:02"
    assert await session.ask(_write("13", "220168")) == "@tm:13"
    assert await session.ask("@TS:00") == "@ts"
    assert 39 not in simulator.alerts
    assert simulator.settings[0x02] == "0D"
    assert await session.ask("@TM:02") == "@tm:02,0DFD"


async def test_setting_write_refusals(simulator: JuraSimulator, session: RawClient) -> None:
    assert await session.ask("@TS:01") == "@ts"
    assert await session.ask("@TM:02,0D00") == "@an:error"  # bad checksum
    assert await session.ask(_write("02", "1F")) == "@an:error"  # hardness 31 > 30
    assert await session.ask(_write("08", "02")) == "@an:error"  # units has no item 02
    assert await session.ask(_write("07", "01")) == "@tm:87"  # not a setting of this model
    assert simulator.settings[0x02] == "10"
    assert simulator.settings[0x08] == "00"


async def test_panel_lock_survives_a_dropped_session(simulator: JuraSimulator) -> None:
    client, token = await _pair(simulator)
    assert await client.ask("@TS:01") == "@ts"
    simulator.drop_session()
    assert await client.closed_by_peer()
    assert 39 in simulator.alerts
    again = await RawClient.connect(simulator)
    assert await again.ask(f"@HP:,{CONN_ID},{token}") == "@hp4"
    assert 39 in decode_status_bits((await again.recv())[4:])
    await again.close()


# --- brewing -----------------------------------------------------------------------------------


def _brew(code: int, **changes: int) -> str:
    """``@TP`` with the product's default recipe; ``b<n>=v`` overrides blob byte n."""
    product = _profile().product(code)
    assert product is not None
    blob = bytearray(build_recipe(product))
    for index, value in changes.items():
        blob[int(index.removeprefix("b"))] = value
    return "@TP:" + blob.hex().upper()


async def test_brew_produces_progress_enjoy_and_counts(
    simulator: JuraSimulator, session: RawClient
) -> None:
    session.send(_brew(0x02))
    frames = await session.until(lambda text: text == "@TS")
    frames = frames[frames.index("@tp") :]  # status pushes may precede the reply
    frames.append(await session.recv())
    assert frames[:2] == ["@tp", "@TB"]
    assert frames[-2:] == ["@TS", "@TF:0004000000000000"]
    progress = [decode_progress(text[4:]) for text in frames if text.startswith("@TV:")]
    assert progress[0].state == 0x39
    water = [item for item in progress if item.state == 0x3C]
    percents = [item.percent for item in water if item.percent is not None]
    assert len(percents) == len(water) > 1
    assert percents == sorted(percents)
    assert percents[-1] == 100
    assert frames.count("@TV:3E02") == 5
    assert not any(text.startswith("@TF:") for text in frames[:-1])
    assert all(item.code == 0x02 for item in progress)
    assert simulator.product_counters[0x02] == 1
    assert simulator.product_counters[0] == 1
    assert not simulator.brewing
    assert await session.ask("@TR:32,00") == "@tr:32,00,0001FFFF00010000"


async def test_double_counts_in_its_own_slot_and_twice_in_total(
    simulator: JuraSimulator, session: RawClient
) -> None:
    # 0x31 (2 espressi) is hidden, so build_recipe refuses it; the double preselection uses it.
    assert await session.ask("@TP:31000000000000000100000000000000") == "@tp"
    await asyncio.wait_for(simulator.wait_idle(), 2)
    assert simulator.product_counters[0x31] == 1
    assert simulator.product_counters[0x02] == 0
    assert simulator.product_counters[0] == 2


async def test_brewing_state_and_busy_refusal() -> None:
    async with JuraSimulator(_profile(), auto_confirm_pairing=True, brew_step_interval=5) as slow:
        client = await RawClient.connect(slow)
        await client.ask(f"@HP:,{CONN_ID},")
        assert await client.ask(_brew(0x03)) == "@tp"
        assert {"brewing": slow.brewing, "busy": slow.busy} == {"brewing": True, "busy": True}
        assert await client.ask(_brew(0x03)) == "@an:error"
        assert await client.ask("@TG:24") == "@an:error"
        assert await client.ask("@TG:FF") == "@tg:FF"
        assert {"brewing": slow.brewing, "busy": slow.busy} == {"brewing": False, "busy": False}
        assert slow.product_counters[0x03] == 0
        assert (await client.recv()).startswith("@TF:")  # status pushes resume
        assert await client.ask(_brew(0x03)) == "@tp"
        await client.close()


@pytest.mark.parametrize(
    ("command", "why"),
    [
        ("@TP:02", "bare product code"),
        (_brew(0x02, b8=0), "byte 8 is not 01"),
        (_brew(0x02, b3=0), "no water"),
        (_brew(0x02)[:-2], "15 bytes"),
        ("@TP:" + "FF" * 16, "FF padded"),
        ("@TP:0F000000000000000100000000000000", "inactive product"),
        ("@TP:01000900000000000100000000000000", "unknown product"),
        ("@TP:zz", "not hex"),
    ],
)
async def test_brew_refusals(session: RawClient, command: str, why: str) -> None:
    assert await session.ask(command) == "@tp:00", why


async def test_blocking_alert_refuses_brew(simulator: JuraSimulator, session: RawClient) -> None:
    simulator.set_alert(1)  # fill_water blocks everything
    assert await session.ask(_brew(0x02)) == "@an:error"
    simulator.set_alert(1, on=False)
    simulator.set_alert(10)  # no_beans blocks coffee but not milk
    assert await session.ask(_brew(0x02)) == "@an:error"
    assert await session.ask(_brew(0x0A)) == "@tp"


async def test_brew_wakes_from_standby(simulator: JuraSimulator, session: RawClient) -> None:
    simulator.ignores_standby = False  # as most models do, unlike the S8 EB
    assert await session.ask("@AN:02") == "@an:02"
    assert 36 in simulator.alerts
    assert await session.ask(_brew(0x02)) == "@tp"
    assert 36 not in simulator.alerts


async def test_s8_eb_ignores_standby(simulator: JuraSimulator, session: RawClient) -> None:
    """Its dongle takes @AN:02 without a word, and the machine stays on (jura.md §2.5)."""
    session.send("@AN:02")
    frames = await session.silent_for(0.3)
    assert frames
    assert all(frame.startswith("@TF:") for frame in frames)
    assert 36 not in simulator.alerts
    assert await session.ask("@HU?") == "@hu:800"  # still listening


@pytest.mark.parametrize("profile", all_profiles(), ids=lambda profile: profile.ef_code)
async def test_which_models_ignore_standby(profile: MachineProfile) -> None:
    """Only the S8 EB was seen to ignore it; the other models go to energy saving."""
    async with JuraSimulator(profile, push_interval=PUSH) as simulator:
        session, _ = await _pair(simulator)
        if "S8 (EB)" in profile.names:
            session.send("@AN:02")
            assert all(frame.startswith("@TF:") for frame in await session.silent_for(0.3))
            assert 36 not in simulator.alerts
        else:
            assert await session.ask("@AN:02") == "@an:02"
            assert 36 in simulator.alerts
        await session.close()


@pytest.mark.parametrize("profile", all_profiles(), ids=lambda profile: profile.ef_code)
async def test_settings_start_at_one_of_their_options(profile: MachineProfile) -> None:
    """A fresh machine holds a value for every setting that its model can show."""
    async with JuraSimulator(profile) as simulator:
        for setting in profile.settings:
            value = simulator.settings[setting.argument]
            if setting.items:
                assert value in {wire for _name, wire in setting.items}, setting.key
            else:
                assert setting.minimum is not None
                assert setting.maximum is not None
                assert setting.minimum <= int(value, 16) <= setting.maximum, setting.key


async def test_ena_4_hardness_starts_in_the_band_of_its_default() -> None:
    """The ENA 4's declared default, 0A (10 °dH), lies between its steps 08 and 10.

    Its steps start at 1, 8, 16 and 24 °dH, so 10 °dH is step 2.
    """
    profile = get_profile("EF1013")
    assert profile is not None
    hardness = profile.setting(0x02)
    assert hardness is not None
    assert hardness.default == "0A"
    async with JuraSimulator(profile) as simulator:
        assert simulator.settings[0x02] == "08"


# --- maintenance -------------------------------------------------------------------------------


async def test_cleaning_runs_and_resets_what_it_is_due_for(
    simulator: JuraSimulator, session: RawClient
) -> None:
    simulator.set_alert(34)
    simulator.set_maintenance_percent(Process.CLEANING, 90)
    before = simulator.maintenance_counters[Process.CLEANING]
    assert await session.ask("@TG:24") == "@tg:24"
    frames = await session.until(lambda text: text == "@TV:7624")  # cleaning done
    assert all(text.startswith("@TV:") for text in frames)
    assert decode_status_bits((await session.recv())[4:]) == frozenset({13})
    assert simulator.maintenance_counters[Process.CLEANING] == before + 1
    assert await session.ask("@TG:C0") == "@tg:C000FF46"


async def test_coffee_rinse_is_accepted_when_the_model_counts_it(
    simulator: JuraSimulator, session: RawClient
) -> None:
    assert await session.ask("@TG:22") == "@tg:22"
    await asyncio.wait_for(simulator.wait_idle(), 2)
    assert simulator.maintenance_counters[Process.COFFEE_RINSE] == 3618


async def test_filter_change_installs_a_filter(
    simulator: JuraSimulator, session: RawClient
) -> None:
    simulator.set_alert(32)
    assert await session.ask("@TG:26") == "@tg:26"
    await asyncio.wait_for(simulator.wait_idle(), 2)
    assert 32 not in simulator.alerts
    assert await session.ask("@TG:C0") == "@tg:C0000046"


async def test_cancelled_process_is_not_counted() -> None:
    async with JuraSimulator(_profile(), auto_confirm_pairing=True, brew_step_interval=5) as slow:
        client = await RawClient.connect(slow)
        await client.ask(f"@HP:,{CONN_ID},")
        assert await client.ask("@TG:25") == "@tg:25"
        assert slow.busy
        assert not slow.brewing
        assert await client.ask("@TG:FF") == "@tg:FF"
        assert slow.maintenance_counters[Process.DESCALE] == 8
        await client.close()


# --- discovery responder -----------------------------------------------------------------------


async def _udp_ask(port: int, junk: bytes = b"") -> bytes:
    """Send the scan probe (after ``junk``, which must be ignored) and return the reply."""
    loop = asyncio.get_running_loop()
    received: asyncio.Future[bytes] = loop.create_future()

    class Catcher(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
            if not received.done():
                received.set_result(data)

    transport, _ = await loop.create_datagram_endpoint(Catcher, remote_addr=("127.0.0.1", port))
    try:
        if junk:
            transport.sendto(junk)
        transport.sendto(build_probe())
        return await asyncio.wait_for(received, 1)
    finally:
        transport.close()


async def test_discovery_reply_shows_progress_while_busy() -> None:
    async with JuraSimulator(
        _profile(), auto_confirm_pairing=True, brew_step_interval=5, article=15484
    ) as slow:
        port = await slow.async_start_discovery_responder()
        slow.set_alert(36)
        idle = parse_discovery_reply(await _udp_ask(port, b"junk"), "127.0.0.1")
        assert idle.flags == 0x91
        assert idle.status == bytes.fromhex("0004000008000000")
        assert idle.article == 15484
        client = await RawClient.connect(slow)
        await client.ask(f"@HP:,{CONN_ID},")
        assert await client.ask(_brew(0x02)) == "@tp"
        await client.until(lambda text: text.startswith("@TV:"))
        busy = parse_discovery_reply(await _udp_ask(port), "127.0.0.1")
        assert busy.flags & 0x01 == 0
        assert decode_progress(busy.status.hex()).state == 0x39
        await client.close()


# --- construction and command line -------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_refuses_a_non_loopback_host(host: str) -> None:
    with pytest.raises(InvalidValueError):
        JuraSimulator(_profile(), host=host)


def test_cli_refuses_a_non_loopback_host() -> None:
    with pytest.raises(SystemExit):
        main(["--host", "192.168.1.10"])


def test_cli_refuses_an_unknown_model() -> None:
    with pytest.raises(SystemExit, match="EF9"):
        main(["--model", "EF9", "--port", "0", "--discovery-port", "0"])


async def test_cli_serves_and_reports_where_it_listens(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse_args(["--port", "0", "--discovery-port", "0", "--auto-ok", "--model", "ef1151"])
    server = asyncio.create_task(_run_forever(args))
    try:
        async with asyncio.timeout(2):
            while not (line := capsys.readouterr().out):  # noqa: ASYNC110 - polls captured output
                await asyncio.sleep(0.01)
        match = re.search(r"tcp 127\.0\.0\.1:(\d+), udp 127\.0\.0\.1:(\d+)", line)
        assert match is not None, line
        assert "EF1151" in line
        reader, writer = await asyncio.open_connection("127.0.0.1", int(match[1]))
        client = RawClient(reader, writer)
        assert (await client.ask(f"@HP:,{CONN_ID},")).startswith("@hp4:")
        assert parse_discovery_reply(await _udp_ask(int(match[2])), "h").article in range(1, 65536)
        await client.close()
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


# --- test controls -----------------------------------------------------------------------------


async def test_brew_started_at_the_machine(simulator: JuraSimulator, session: RawClient) -> None:
    """Someone brews at the machine: progress is pushed, status pauses, the counter moves."""
    simulator.brew_at_machine("espresso")
    assert simulator.busy
    with pytest.raises(InvalidValueError):
        simulator.brew_at_machine("coffee")  # one product at a time
    await session.until(lambda text: text == "@TB")
    frames = await session.until(lambda text: text.startswith("@TF:"), timeout=3)
    assert any(frame.startswith("@TV:3E") for frame in frames)
    assert "@TS" in frames
    assert not simulator.busy
    assert simulator.product_counters[0x02] == 1
    with pytest.raises(InvalidValueError):
        simulator.brew_at_machine("hot_chocolate")


async def test_removed_setting_is_unknown_to_the_firmware(
    simulator: JuraSimulator, session: RawClient
) -> None:
    simulator.remove_setting(0x0A)
    assert await session.ask("@TM:0A") == "@tm:8A"
    assert await session.ask("@TS:01") == "@ts"
    assert await session.ask(_write("0A", "0A")) == "@tm:8A"
    assert 0x0A not in simulator.settings


async def test_reply_overrides_answer_instead(simulator: JuraSimulator, session: RawClient) -> None:
    simulator.reply_overrides["@TM:0A"] = "@tm:0a"
    assert await session.ask("@TM:0A") == "@tm:0a"
    assert await session.ask("@TM:02") == f"@tm:02,10{checksum('02,10')}"
