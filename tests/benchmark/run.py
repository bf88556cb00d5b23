"""Kitchen Connect benchmark: push latency, traffic, codec throughput, setup time and memory.

Run with ``scripts/benchmark``. Not part of the test run: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import logging
from pathlib import Path
import subprocess
import sys
import tempfile

from homeassistant import loader
from pytest_homeassistant_custom_component.common import async_test_home_assistant

from tests.benchmark import (
    ge as ge_bench,
    imports,
    jura as jura_bench,
    lamarzocco as lamarzocco_bench,
    lamarzocco_direct,
    lamarzocco_local_api,
    load,
    nespresso as nes_bench,
    peers,
)
from tests.benchmark.measure import Report

BRANDS = ("jura", "ge", "lamarzocco", "nespresso")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line: which brands to measure (all by default), and the extra runs."""
    parser = argparse.ArgumentParser(
        prog="scripts/benchmark",
        description=(
            "Measure Kitchen Connect against its loopback simulators and print figures: "
            "push latency, codec rates, requests per hour, setup time and memory per brand "
            "(--brand), fifty appliances on one Home Assistant with its event-loop stalls "
            "(--load), import times (--imports) and our codecs against the peer libraries "
            "(--peers). The figures depend on the machine, so "
            "they are printed, not asserted."
        ),
    )
    parser.add_argument(
        "--brand",
        choices=BRANDS,
        action="append",
        help="measure only this brand (repeat for several; default: every brand)",
    )
    parser.add_argument(
        "--load",
        nargs="?",
        const="",
        metavar="MIX",
        help=(
            "fifty appliances of every brand on one Home Assistant: setup time, memory and "
            "the longest event-loop stall; MIX changes the fleet, e.g. ge=50,jura=0,"
            "lamarzocco=0,nespresso=0 (default: 20 GE, 10 of each other brand)"
        ),
    )
    parser.add_argument(
        "--imports",
        action="store_true",
        help="import time of the integration and of each brand, and its share of startup",
    )
    parser.add_argument(
        "--peers",
        action="store_true",
        help=(
            "our Jura and GE codecs against jura-connect and gehomesdk on the same inputs "
            "(installed into a throwaway cache directory on first use)"
        ),
    )
    parser.add_argument(
        "--chaos",
        action="store_true",
        help=(
            "the long fault runs (10,000 random faults per brand over ten simulated days) and "
            "a 24-hour soak; CI runs the short ones"
        ),
    )
    return parser.parse_args(argv)


async def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    only_extras = args.load is not None or args.imports or args.peers or args.chaos
    brands = args.brand or ([] if only_extras else list(BRANDS))
    if args.imports:
        _print_report("Kitchen Connect import time (fresh interpreters)", await imports.run())
    if args.chaos:
        _run_long_chaos()
    if args.peers:
        _print_report("Kitchen Connect against its peers (per operation)", peers.run())
    logging.getLogger("homeassistant").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            if "jura" in brands:
                _print_report(
                    f"Kitchen Connect benchmark (Jura), Python {sys.version.split()[0]}",
                    await jura_bench.run(hass),
                )
            if "ge" in brands:
                _print_report(
                    "Kitchen Connect benchmark (GE Appliances SmartHQ, loopback simulator)",
                    await ge_bench.run(hass),
                )
            if "lamarzocco" in brands:
                _print_report(
                    "Kitchen Connect benchmark (La Marzocco cloud, loopback simulator)",
                    await lamarzocco_bench.run(hass),
                )
                _print_report(
                    "Kitchen Connect benchmark (La Marzocco local API, loopback gateway)",
                    await lamarzocco_local_api.run(hass),
                )
                _print_report(
                    "Kitchen Connect benchmark (La Marzocco raw TCP, loopback machine)",
                    await lamarzocco_direct.run(hass),
                )
            if "nespresso" in brands:
                _print_report(
                    "Kitchen Connect benchmark (Nespresso, simulated Bluetooth proxy)",
                    await nes_bench.run(hass),
                )
            if args.load is not None:
                _print_report(
                    "Kitchen Connect under load (one Home Assistant, loopback simulators)",
                    await load.run(hass, load.parse_mix(args.load)),
                )
            await hass.async_stop(force=True)


def _run_long_chaos() -> None:
    """tests/chaos in its long form; its tests print their own figures."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cov", "-q", "-s", "tests/chaos"]
    command += ["--chaos-long", "--soak-hours", "24", "--timeout", "3600"]
    subprocess.run(command, check=False, cwd=Path(__file__).parents[2])


def _print_report(title: str, report: Report) -> None:
    print(title)
    for name, value, ok in report:
        print(f"  {name:<48} {value:>14}  {'ok' if ok() else 'MISSES TARGET'}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parents[2]))
    asyncio.run(main(sys.argv[1:]))
