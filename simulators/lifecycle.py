"""What every simulator shares: ``async with`` starts it and stops it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Final, Self

from aiohttp import web

HOST: Final = "127.0.0.1"


class Simulator:
    """A loopback simulator: ``start()`` binds 127.0.0.1, ``stop()`` releases everything."""

    async def start(self) -> None:
        """Bind the simulator's sockets and start serving."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Close every connection and socket."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


class AppSimulator(Simulator):
    """A simulator serving an aiohttp app on 127.0.0.1, with background tasks it tracks.

    ``start`` calls ``_serve`` and may set ``_unsubscribe``; ``stop`` undoes both, cancels
    the tasks and closes the websockets (``_close_sockets``) before the server goes.
    """

    def __init__(self) -> None:
        """Not serving yet."""
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def port(self) -> int:
        """The TCP port served (0 before start)."""
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self._port}"

    async def _serve(self, app: web.Application, port: int) -> None:
        """Listen on 127.0.0.1 (``port`` 0 picks a free one).

        No access log: the simulated paths and queries carry serial numbers and credentials.
        """
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, HOST, port).start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` in the background; ``stop`` cancels it if it still runs."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _close_sockets(self) -> None:
        """Close every open websocket."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for task in list(self._tasks):
            task.cancel()
        await self._close_sockets()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
