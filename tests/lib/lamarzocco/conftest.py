"""The simulated La Marzocco cloud and a client of it, over 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
import time

import aiohttp
import pytest

from custom_components.kitchen_connect.kitchenlib.lamarzocco.cloud import (
    Endpoints,
    LaMarzoccoCloud,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.dashboard import (
    Dashboard,
    DashboardPush,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import InstallationKey
from custom_components.kitchen_connect.kitchenlib.lamarzocco.scheduling import Scheduling
from simulators.lamarzocco.auth import CloudAuth
from simulators.lamarzocco.server import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    LaMarzoccoCloudSimulator,
)


@dataclass
class Clock:
    """Wall time plus an offset the test moves forward."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Recorder:
    """What a dashboard stream told its listener."""

    pushes: list[tuple[str, DashboardPush]] = field(default_factory=list)
    reads: list[tuple[str, Dashboard]] = field(default_factory=list)
    connection: list[bool] = field(default_factory=list)
    schedules: list[tuple[str, Scheduling]] = field(default_factory=list)

    def dashboard_pushed(self, serial_number: str, push: DashboardPush) -> None:
        self.pushes.append((serial_number, push))

    def dashboard_read(self, serial_number: str, dashboard: Dashboard) -> None:
        self.reads.append((serial_number, dashboard))

    def schedule_pushed(self, serial_number: str, scheduling: Scheduling) -> None:
        self.schedules.append((serial_number, scheduling))

    def connection_changed(self, connected: bool) -> None:
        self.connection.append(connected)


@pytest.fixture
def clock() -> Clock:
    """The clock of the client and of the simulated cloud's tokens."""
    return Clock()


@pytest.fixture
async def sim(clock: Clock) -> AsyncIterator[LaMarzoccoCloudSimulator]:
    """The simulated cloud with the default household, sharing the test's clock.

    Request timestamps come from the wall clock, so the allowed skew covers the offsets
    the tests move the clock by.
    """
    simulator = LaMarzoccoCloudSimulator(auth=CloudAuth(clock=clock, max_skew=30 * 86400))
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain session, as Home Assistant lends one."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def cloud(
    sim: LaMarzoccoCloudSimulator, http: aiohttp.ClientSession, clock: Clock
) -> LaMarzoccoCloud:
    """A client with a registered installation key and short command timeout."""
    client = LaMarzoccoCloud(
        http,
        InstallationKey.generate(),
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        endpoints=Endpoints.for_server(sim.base_url),
        clock=clock,
        command_timeout=2.0,
    )
    await client.async_register()
    return client
