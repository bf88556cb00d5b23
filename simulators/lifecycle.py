"""What every simulator shares: ``async with`` starts it and stops it."""

from __future__ import annotations

from types import TracebackType
from typing import Self


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
