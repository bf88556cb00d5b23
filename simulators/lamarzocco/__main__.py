"""Serve the default simulated La Marzocco household on 127.0.0.1 until interrupted.

Time runs as on the wall clock (a machine switched on heats up for minutes) unless
``--time-scale`` speeds it up. Every misbehaviour the cloud can show has a switch.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib

from .household import default_household
from .server import DEFAULT_PASSWORD, DEFAULT_USERNAME, LaMarzoccoCloudSimulator

DEFAULT_PORT = 8767


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 1e6:
        raise argparse.ArgumentTypeError(f"needs a number above 0: {text!r}")
    return value


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.lamarzocco",
        description="Simulated La Marzocco cloud (signed REST, STOMP websocket) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="TCP port (0: any)")
    parser.add_argument(
        "--time-scale",
        type=_positive,
        default=1.0,
        metavar="FACTOR",
        help="run heating, shots, backflush and updates this many times faster (default: 1)",
    )
    household = parser.add_argument_group("household")
    household.add_argument(
        "--old-gateway",
        action="store_true",
        help="the Micra's gateway firmware is older than the cloud needs (v4.4.2)",
    )
    household.add_argument(
        "--extra-things",
        action="store_true",
        help="add a Strada X and a Swan grinder, which the integration does not support",
    )
    cloud = parser.add_argument_group("cloud")
    cloud.add_argument(
        "--require-policy",
        action="store_true",
        help="refuse sign-in until the account accepts the privacy policy",
    )
    cloud.add_argument(
        "--blocked", action="store_true", help="answer every request with CloudFront's 403 page"
    )
    cloud.add_argument(
        "--command-result",
        choices=("Success", "Error", "none"),
        default="Success",
        help="how commands end: Success, Error, or none (they never complete)",
    )
    cloud.add_argument(
        "--command-delay",
        type=_positive,
        default=0.5,
        metavar="SECONDS",
        help="how long a command takes to complete (default: %(default)s)",
    )
    cloud.add_argument(
        "--heart-beat-ms",
        type=int,
        default=20_000,
        metavar="MS",
        help="STOMP heart-beat the cloud offers, 0 for none (default: %(default)s)",
    )
    return parser


def _simulator(args: argparse.Namespace) -> LaMarzoccoCloudSimulator:
    """The simulator the command line describes."""
    if not 0 <= args.heart_beat_ms <= 3_600_000:
        _build_parser().error("--heart-beat-ms must be between 0 and 3600000")
    simulator = LaMarzoccoCloudSimulator(
        household=default_household(
            time_scale=args.time_scale,
            old_gateway=args.old_gateway,
            extra_things=args.extra_things,
        ),
        command_delay=args.command_delay,
        heart_beat_ms=args.heart_beat_ms,
        tick_interval=0.5,
    )
    simulator.require_policy = args.require_policy
    simulator.blocked = args.blocked
    simulator.command_result = args.command_result
    return simulator


async def _serve(simulator: LaMarzoccoCloudSimulator, port: int) -> None:
    await simulator.start(port)
    try:
        print(f"Simulated La Marzocco cloud at {simulator.base_url}", flush=True)
        print(f"Sign in as {DEFAULT_USERNAME} / {DEFAULT_PASSWORD}", flush=True)
        for machine in simulator.household.machines.values():
            print(f"  {machine.serial}  {machine.model_name}  {machine.name}", flush=True)
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the simulator until interrupted."""
    args = _build_parser().parse_args(argv)
    simulator = _simulator(args)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(simulator, args.port))


if __name__ == "__main__":
    main()
