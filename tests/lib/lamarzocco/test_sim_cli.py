"""The simulator's command line: switches reach the simulator, and it serves."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest

from simulators.lamarzocco.__main__ import _build_parser, _serve, _simulator

MICRA = "MR000001"


def test_switches_reach_the_simulator() -> None:
    args = _build_parser().parse_args(
        [
            "--time-scale",
            "60",
            "--old-gateway",
            "--extra-things",
            "--require-policy",
            "--blocked",
            "--command-result",
            "Error",
        ]
    )
    simulator = _simulator(args)
    assert simulator.household.time_scale == 60
    assert simulator.household.machines[MICRA].gateway_version == "v4.4.2"
    assert len(simulator.household.machines) == 6
    assert simulator.require_policy
    assert simulator.blocked
    assert simulator.command_result == "Error"


def test_defaults_run_in_real_time() -> None:
    simulator = _simulator(_build_parser().parse_args([]))
    assert simulator.household.time_scale == 1
    assert len(simulator.household.machines) == 4
    assert not simulator.require_policy


@pytest.mark.parametrize("argv", [["--time-scale", "0"], ["--heart-beat-ms", "-1"]])
def test_bad_values_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        _simulator(_build_parser().parse_args(argv))


async def test_it_serves_and_prints_the_account(capsys: pytest.CaptureFixture[str]) -> None:
    simulator = _simulator(_build_parser().parse_args(["--port", "0"]))
    task = asyncio.create_task(_serve(simulator, 0))
    async with asyncio.timeout(5):
        while "Sign in as" not in capsys.readouterr().out:  # noqa: ASYNC110 - waits for output
            await asyncio.sleep(0.01)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{simulator.base_url}/api/customer-app/things") as response:
            assert response.status == 412  # no signing headers
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert simulator.open_sockets == 0
