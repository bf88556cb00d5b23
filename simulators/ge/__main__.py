"""Serve the default simulated household on 127.0.0.1 until interrupted."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib

from .server import DEFAULT_ACCOUNT, SmartHqSimulator

DEFAULT_PORT = 8766


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.ge",
        description="Simulated SmartHQ cloud (sign-in, websocket, appliances) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="TCP port (0: any)")
    parser.add_argument(
        "--tick", type=float, default=5.0, help="seconds between simulated-time steps"
    )
    return parser.parse_args(argv)


async def _serve(port: int, tick: float) -> None:
    simulator = SmartHqSimulator(tick_interval=tick)
    await simulator.start(port)
    try:
        print(f"Simulated SmartHQ cloud at {simulator.base_url}", flush=True)
        print(
            f"Sign in as {DEFAULT_ACCOUNT.username} / {DEFAULT_ACCOUNT.password}",
            flush=True,
        )
        for appliance in simulator.household.appliances.values():
            print(f"  {appliance.mac}  {appliance.label}  {appliance.nickname}", flush=True)
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the simulator until interrupted."""
    args = _parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.tick))


if __name__ == "__main__":
    main()
