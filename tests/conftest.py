"""Shared fixtures: Home Assistant test harness and loopback appliance simulators."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
import os
import socket
from unittest.mock import PropertyMock, patch

from hypothesis import settings
import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.kitchen_connect.jura.config_flow import JuraFlow
from custom_components.kitchen_connect.kitchenlib.jura import session_gap
from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
from simulators.ge import (
    DEFAULT_ACCOUNT,
    SmartHqSimulator,
)
from simulators.ge.auth_pages import AuthScenario
from simulators.jura.simulator import JuraSimulator

from .helpers import OTHER_GE_ACCOUNT

# Timing is not what property tests check; in CI the examples are also fixed, so a red run
# can always be reproduced.
settings.register_profile("kitchen", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("kitchen")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/kitchen_connect in every test."""


@pytest.fixture(autouse=True)
def fresh_session_gaps() -> Iterator[None]:
    """Each test starts like a fresh process: no dongle closed a session moments ago."""
    session_gap.forget_all()
    yield
    session_gap.forget_all()


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Let tests open sockets; the test harness still only allows 127.0.0.1 as a peer."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with Home Assistant's serializer (volatile ids replaced)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def jura_model() -> str:
    """The EF code of the simulated machine; parametrize to test other models."""
    return "EF1091"


@pytest.fixture
async def jura_simulator(jura_model: str) -> AsyncIterator[JuraSimulator]:
    """A Jura machine on 127.0.0.1 that confirms pairing by itself."""
    profile = get_profile(jura_model)
    assert profile is not None
    simulator = JuraSimulator(
        profile, auto_confirm_pairing=True, push_interval=0.2, brew_step_interval=0.05
    )
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def ge_scenario() -> AuthScenario:
    """The sign-in pages' switches; flip them in a test before signing in."""
    return AuthScenario()


@pytest.fixture
async def ge_simulator(ge_scenario: AuthScenario) -> AsyncIterator[SmartHqSimulator]:
    """A SmartHQ cloud on 127.0.0.1 holding the default household; time stands still."""
    simulator = SmartHqSimulator(
        accounts=(DEFAULT_ACCOUNT, OTHER_GE_ACCOUNT), scenario=ge_scenario, tick_interval=0
    )
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def all_entities_enabled() -> Iterator[None]:
    """Enable the entities that are off by default, so a test sees every one."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (TCP or UDP)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def jura_flow_on_loopback(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    """The Jura flow scans and polls 127.0.0.1 only, quickly; nothing answers UDP."""
    monkeypatch.setattr(JuraFlow, "discovery_target", "127.0.0.1")
    monkeypatch.setattr(JuraFlow, "discovery_port", closed_port)
    monkeypatch.setattr(JuraFlow, "discovery_timeout", 0.2)
    monkeypatch.setattr(JuraFlow, "poll_timeout", 0.3)
