"""The Jura session shares the event loop: frames that arrive together are handled in turns."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from custom_components.kitchen_connect.kitchenlib.jura.connection import JuraConnection
from custom_components.kitchen_connect.kitchenlib.jura.framing import encode_frame

# Two status pushes (alerts, then progress) the dongle sends back to back.
PUSHES = ("@TF:0000", "@TV:01020304")


@pytest.fixture
async def dongle() -> AsyncIterator[int]:
    """A dongle on 127.0.0.1 that sends both pushes in one write as soon as one connects."""

    async def _serve(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"".join(encode_frame(text) for text in PUSHES))
        await writer.drain()

    server = await asyncio.start_server(_serve, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


async def test_other_tasks_run_between_two_frames_of_one_read(dongle: int) -> None:
    """Each push is handled in a loop step of its own, however many one read brought."""
    seen: list[str] = []

    def _pushed(text: str) -> None:
        seen.append(text)
        # Runs as soon as the reader gives the loop back.
        asyncio.get_running_loop().call_soon(seen.append, "other task")

    connection = JuraConnection("127.0.0.1", dongle, on_push=_pushed, on_closed=lambda _: None)
    await connection.open(timeout=5)
    async with asyncio.timeout(5):
        while seen.count("other task") < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
    await connection.close()

    assert seen == [PUSHES[0], "other task", PUSHES[1], "other task"]
